// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "runtime_dir.h"

int runtime_dir_check(const char *dir, uid_t uid, char *err, size_t errlen)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		int e = errno;

		snprintf(err, errlen,
			 "cannot use the runtime directory %s: %s; set XDG_RUNTIME_DIR to your "
			 "runtime directory (usually /run/user/%u)",
			 dir, strerror(e), (unsigned)uid);
		return -e;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen,
			 "the runtime directory %s is not a directory; set XDG_RUNTIME_DIR to your "
			 "runtime directory (usually /run/user/%u)",
			 dir, (unsigned)uid);
		return -ENOTDIR;
	}
	if (st.st_uid != uid) {
		snprintf(err, errlen,
			 "the runtime directory %s belongs to uid %u, not to you (uid %u); set "
			 "XDG_RUNTIME_DIR to your own (usually /run/user/%u)",
			 dir, (unsigned)st.st_uid, (unsigned)uid, (unsigned)uid);
		return -EPERM;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen,
			 "the runtime directory %s is accessible by group or others (mode %04o); "
			 "toolbox keeps its sockets there: run 'chmod 700 %s'",
			 dir, (unsigned)(st.st_mode & 07777), dir);
		return -EPERM;
	}
	return 0;
}

int runtime_dir_resolve(char *buf, size_t cap, char *err, size_t errlen)
{
	const char *env = getenv("XDG_RUNTIME_DIR");
	uid_t uid = getuid();
	struct stat st;
	int r;

	err[0] = '\0';
	if (env && *env) {
		if (env[0] != '/') {
			snprintf(err, errlen,
				 "XDG_RUNTIME_DIR=%s is not an absolute path; set it to your "
				 "runtime "
				 "directory (usually /run/user/%u)",
				 env, (unsigned)uid);
			return -EINVAL;
		}
		if (stat(env, &st) != 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen,
				 "XDG_RUNTIME_DIR=%s is not a directory; create it (mode 0700, "
				 "owned "
				 "by you) or set XDG_RUNTIME_DIR to your runtime directory",
				 env);
			return -ENOTDIR;
		}
		if ((size_t)snprintf(buf, cap, "%s", env) >= cap)
			return -ENAMETOOLONG;
		return runtime_dir_check(buf, uid, err, errlen);
	}
	snprintf(buf, cap, "/run/user/%u", (unsigned)uid);
	if (stat(buf, &st) != 0 && uid == 0) {
		/* Root has no login session here (sudo, su, a container host): make it. */
		if ((mkdir("/run/user", 0755) < 0 && errno != EEXIST) ||
		    (mkdir(buf, 0700) < 0 && errno != EEXIST)) {
			snprintf(err, errlen, "cannot create %s (%s); set XDG_RUNTIME_DIR", buf,
				 strerror(errno));
			return -errno;
		}
	}
	if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != uid) {
		snprintf(err, errlen,
			 "XDG_RUNTIME_DIR is not set and %s is not your directory; log in through "
			 "a session that sets it (systemd-logind) or export XDG_RUNTIME_DIR",
			 buf);
		return -ENOENT;
	}
	r = runtime_dir_check(buf, uid, err, errlen);
	if (r < 0)
		return r;
	log_msg(LOG_LVL_DEBUG, 0, "XDG_RUNTIME_DIR is unset: using %s", buf);
	setenv("XDG_RUNTIME_DIR", buf, 1);
	return 0;
}
