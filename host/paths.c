// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"
#include "paths.h"

int paths_self_dir(char *buf, size_t cap)
{
	_cleanup_free_ char *exe = realpath("/proc/self/exe", NULL);
	char *slash;

	if (!exe)
		return -errno;
	slash = strrchr(exe, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	if ((size_t)snprintf(buf, cap, "%s", exe[0] ? exe : "/") >= cap)
		return -ENAMETOOLONG;
	return 0;
}

static bool is_exec_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Canonical @path into @buf when it is an executable file. */
static int take_if_exec(const char *path, char *buf, size_t cap)
{
	_cleanup_free_ char *real = NULL;

	if (!is_exec_file(path))
		return -ENOENT;
	real = realpath(path, NULL);
	if (!real)
		return -errno;
	if ((size_t)snprintf(buf, cap, "%s", real) >= cap)
		return -ENAMETOOLONG;
	return 0;
}

int paths_find_init(char *buf, size_t cap)
{
	static const char *const rel[] = {"toolbox-init", "../libexec/toolbox/toolbox-init"};
	const char *over = getenv("TOOLBOX_INIT");
	char dir[PATH_MAX], cand[PATH_MAX + 64];
	int r;

	if (over && *over) {
		r = take_if_exec(over, buf, cap);
		if (r == -ENOENT)
			snprintf(buf, cap, "%s", over);
		return r;
	}
	r = paths_self_dir(dir, sizeof(dir));
	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(rel); i++) {
		snprintf(cand, sizeof(cand), "%s/%s", dir, rel[i]);
		r = take_if_exec(cand, buf, cap);
		if (r != -ENOENT)
			return r;
	}
	snprintf(buf, cap, "%s/toolbox-init", dir);
	return -ENOENT;
}

int paths_find_man(const char *page, char *buf, size_t cap)
{
	char dir[PATH_MAX];
	struct stat st;

	if (paths_self_dir(dir, sizeof(dir)) < 0)
		return -ENOENT;
	for (int i = 0; i < 2; i++) {
		int n = i == 0 ? snprintf(buf, cap, "%s/../man/%s.1", dir, page)
			       : snprintf(buf, cap, "%s/../share/man/man1/%s.1", dir, page);

		if (n < 0 || (size_t)n >= cap)
			continue;
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode))
			return 0;
	}
	return -ENOENT;
}

int paths_find_profile(char *buf, size_t cap)
{
	static const char *const host[] = {"/etc/profile.d/toolbox.sh",
					   "/usr/share/profile.d/toolbox.sh"};
	char dir[PATH_MAX];
	struct stat st;

	if (paths_self_dir(dir, sizeof(dir)) == 0) {
		for (int i = 0; i < 2; i++) {
			int n = i == 0 ? snprintf(buf, cap, "%s/../profile.d/toolbox.sh", dir)
				       : snprintf(buf, cap, "%s/../share/profile.d/toolbox.sh",
						  dir);
			_cleanup_free_ char *real = NULL;

			if (n < 0 || (size_t)n >= cap || stat(buf, &st) != 0 ||
			    !S_ISREG(st.st_mode))
				continue;
			real = realpath(buf, NULL);
			if (real && strlen(real) < cap) {
				strcpy(buf, real);
				return 0;
			}
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(host); i++) {
		if (stat(host[i], &st) == 0 && S_ISREG(st.st_mode) && strlen(host[i]) < cap) {
			strcpy(buf, host[i]);
			return 0;
		}
	}
	return -ENOENT;
}
