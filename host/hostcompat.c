// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostcompat.h"
#include "macros.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#define CAP_SYS_RESOURCE_BIT 24

static bool in_path(const char *name)
{
	static const char *const extra[] = {"/usr/sbin", "/sbin", "/usr/local/sbin",
					    "/usr/libexec/podman"};
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path, *end; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		if (end == p)
			continue;
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - p), p, name);
		if (access(buf, X_OK) == 0)
			return true;
	}
	/* podman also looks in its own list of places; root's sbin dirs are the usual ones. */
	for (size_t i = 0; i < ARRAY_SIZE(extra); i++) {
		snprintf(buf, sizeof(buf), "%s/%s", extra[i], name);
		if (access(buf, X_OK) == 0)
			return true;
	}
	return false;
}

static bool has_cap_sys_resource(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	bool found = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "CapEff:", 7) == 0) {
			unsigned long long eff = strtoull(line + 7, NULL, 16);

			found = (eff >> CAP_SYS_RESOURCE_BIT) & 1;
			break;
		}
	}
	fclose(f);
	return found;
}

void hostcompat_probe(struct hostcompat *hc)
{
	struct statfs sfs;

	memset(hc, 0, sizeof(*hc));
	if (statfs("/sys/fs/cgroup", &sfs) == 0)
		hc->cgroup2 = sfs.f_type == CGROUP2_SUPER_MAGIC;
	if (!hc->cgroup2 && statfs("/sys/fs/cgroup/unified", &sfs) == 0)
		hc->hybrid = sfs.f_type == CGROUP2_SUPER_MAGIC;
	hc->has_crun = in_path("crun");
	hc->has_runc = in_path("runc");
	hc->rootless = geteuid() != 0;
	hc->cap_sys_resource = has_cap_sys_resource();
	getrlimit(RLIMIT_NOFILE, &hc->nofile);
	getrlimit(RLIMIT_NPROC, &hc->nproc);
}

static void fmt_limit(char *buf, size_t cap, const char *name, rlim_t soft, rlim_t hard)
{
	if (soft > hard)
		soft = hard;
	if (hard == RLIM_INFINITY)
		snprintf(buf, cap, "%s=-1:-1", name);
	else
		snprintf(buf, cap, "%s=%llu:%llu", name, (unsigned long long)soft,
			 (unsigned long long)hard);
}

void hostcompat_create_args(const struct hostcompat *hc, struct hostcompat_args *out)
{
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	if (!hc->cgroup2 && hc->has_crun) {
		if (hc->has_runc) {
			out->argv[n++] = "--runtime";
			out->argv[n++] = "runc";
		} else {
			out->note = "this host uses cgroup v1, which crun may refuse; if the "
				    "container does not start, install runc (apt install runc)";
		}
	}
	/*
	 * Rootful podman raises its own limits to its defaults when it may; without
	 * CAP_SYS_RESOURCE and with lower hard limits it cannot, and neither its defaults
	 * nor `--ulimit host` start. Rootless podman clamps to the caller's limits itself.
	 */
	if (hc->rootless || hc->cap_sys_resource) {
		out->argv[n++] = "--ulimit";
		out->argv[n++] = "host";
	} else {
		rlim_t nproc_max = hc->nproc.rlim_max;

		if (nproc_max == RLIM_INFINITY || nproc_max > HOSTCOMPAT_PODMAN_NPROC)
			nproc_max = HOSTCOMPAT_PODMAN_NPROC;
		fmt_limit(out->buf[0], sizeof(out->buf[0]), "nofile", hc->nofile.rlim_cur,
			  hc->nofile.rlim_max);
		fmt_limit(out->buf[1], sizeof(out->buf[1]), "nproc", hc->nproc.rlim_cur, nproc_max);
		out->argv[n++] = "--ulimit";
		out->argv[n++] = out->buf[0];
		out->argv[n++] = "--ulimit";
		out->argv[n++] = out->buf[1];
	}
	out->argv[n] = NULL;
}
