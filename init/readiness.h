/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The init's readiness stamps, which the launcher (and upstream Toolbx) wait for:
 * $XDG_RUNTIME_DIR/toolbox/container-initialized-<PID> (/run/toolbox/... for root, as
 * Toolbx has it) on success, container-failed-<PID>
 * holding the one-line error on failure, and the same two named by container id when
 * /run/.containerenv gives one (for --pid private, where PID is 1).
 */
#ifndef TB_READINESS_H
#define TB_READINESS_H

#include <stddef.h>
#include <sys/types.h>

struct readiness {
	char dir[4096]; /* .../toolbox */
	char id[128];	/* container id, "" when unknown */
	uid_t uid;
	gid_t gid;
	pid_t pid;
};

/* Pure: the value of key @key (id, name, ...) in the text of /run/.containerenv. */
int readiness_containerenv_value(const char *text, const char *key, char *out, size_t cap);

/* Pure: the container id in the text of /proc/self/mountinfo (podman's userdata binds). */
int readiness_id_from_mountinfo(const char *text, char *out, size_t cap);

/*
 * Work out the stamp directory (/run/toolbox for uid 0, else XDG_RUNTIME_DIR or
 * /run/user/UID, then toolbox/), read the
 * container id, make the directory (0700, owned by uid:gid) and remove stale stamps of
 * this container id. 0 or -errno.
 */
int readiness_prepare(struct readiness *r, uid_t uid, gid_t gid, const char *runtime_dir);
/* Write the success stamps. 0 or -errno. */
int readiness_mark_ready(const struct readiness *r);
/* Write the failure marker holding @msg (one line). 0 or -errno. */
int readiness_mark_failed(const struct readiness *r, const char *msg);

#endif
