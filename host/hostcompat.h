/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What podman cannot do on this host, and the `podman create` options that work around
 * it. Probing reads /sys, /proc and PATH (no podman call); the decision is pure.
 *
 * Seen on Debian 12 with podman 4.3 (rootful, no CAP_SYS_RESOURCE, RLIMIT_NOFILE hard
 * limit 20000): podman asks for nofile=1048576 and nproc=4194304 by default and even
 * with `--ulimit host`, and runc fails with "error setting rlimit type 7: operation not
 * permitted"; podman itself lowers its RLIMIT_NPROC to 32768 at start, so a container
 * cannot get more. Explicit values under those limits work. crun refuses cgroup v1
 * "hybrid" hierarchies, runc does not.
 */
#ifndef TB_HOSTCOMPAT_H
#define TB_HOSTCOMPAT_H

#include <stdbool.h>
#include <sys/resource.h>

/* The default podman gives containers when it may raise its limits. */
#define HOSTCOMPAT_PODMAN_NOFILE 1048576
/* podman 4.3 sets its own RLIMIT_NPROC to this at start. */
#define HOSTCOMPAT_PODMAN_NPROC 32768

struct hostcompat {
	bool cgroup2; /* /sys/fs/cgroup is cgroup2 (unified) */
	bool hybrid;  /* cgroup v1 with a cgroup2 at /sys/fs/cgroup/unified */
	bool has_crun;
	bool has_runc;
	bool rootless;
	bool cap_sys_resource; /* in our effective set */
	struct rlimit nofile;
	struct rlimit nproc;
};

/* Probe this host. Never fails: unknown facts stay false/zero. */
void hostcompat_probe(struct hostcompat *hc);

#define HOSTCOMPAT_MAX_ARGS 6

struct hostcompat_args {
	const char *argv[HOSTCOMPAT_MAX_ARGS + 1]; /* NULL-terminated, into buf */
	char buf[4][48];
	const char *note; /* a one-line warning to show, or NULL */
};

/*
 * The `podman create` options for @hc: `--runtime runc` on cgroup v1 hosts that have
 * crun and runc; `--ulimit host` (Toolbx's choice) where podman can raise its limits,
 * else explicit `--ulimit nofile=S:H --ulimit nproc=S:H` within ours. Pure.
 */
void hostcompat_create_args(const struct hostcompat *hc, struct hostcompat_args *out);

#endif
