// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "macros.h"
#include "pathutil.h"

/* Copy the next component of *p into @buf; returns its length, 0 at the end. */
static size_t next_component(const char **p, char *buf, size_t cap)
{
	const char *s = *p, *e;
	size_t n;

	while (*s == '/')
		s++;
	e = s;
	while (*e && *e != '/')
		e++;
	n = (size_t)(e - s);
	if (n >= cap)
		return SIZE_MAX;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*p = e;
	return n;
}

static bool is_last(const char *p)
{
	while (*p == '/')
		p++;
	return *p == '\0';
}

static int open_root(int root_fd)
{
	if (root_fd < 0)
		return open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
}

int path_open_parent(int root_fd, const char *path, bool create, const char **last)
{
	_cleanup_close_ int cur = -1;
	char comp[NAME_MAX + 1];
	const char *p = path;

	if (path[0] != '/')
		return -EINVAL;
	cur = open_root(root_fd);
	if (cur < 0)
		return -errno;
	for (;;) {
		const char *before = p;
		size_t n = next_component(&p, comp, sizeof(comp));
		int nfd;

		if (n == SIZE_MAX)
			return -ENAMETOOLONG;
		if (n == 0)
			return -EINVAL; /* path was "/" */
		if (is_last(p)) {
			while (*before == '/')
				before++;
			*last = before;
			nfd = openat(cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (nfd < 0)
				return -errno;
			return nfd;
		}
		if (strcmp(comp, "..") == 0)
			return -EINVAL;
		nfd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT && create) {
			if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST)
				return -errno;
			nfd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (nfd < 0) {
			struct stat st;

			/* O_PATH|O_NOFOLLOW on a symlink gives ENOTDIR: say ELOOP instead. */
			if (errno == ENOTDIR && fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				return -ELOOP;
			return -errno;
		}
		close(cur);
		cur = nfd;
	}
}

int path_open_nofollow(int root_fd, const char *path, enum path_create how)
{
	_cleanup_close_ int parent = -1;
	const char *last = NULL;
	struct stat st;
	int fd;

	if (strcmp(path, "/") == 0) {
		fd = open_root(root_fd);
		return fd < 0 ? -errno : fd;
	}
	parent = path_open_parent(root_fd, path, how != PATH_OPEN_ONLY, &last);
	if (parent < 0)
		return parent;
	if (!last || strcmp(last, "..") == 0 || strchr(last, '/'))
		return -EINVAL;
	if (fstatat(parent, last, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			return -ELOOP;
	} else if (errno == ENOENT && how == PATH_CREATE_DIR) {
		if (mkdirat(parent, last, 0755) < 0 && errno != EEXIST)
			return -errno;
	} else if (errno == ENOENT && how == PATH_CREATE_FILE) {
		fd = openat(parent, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0644);
		if (fd < 0 && errno != EEXIST)
			return -errno;
		if (fd >= 0)
			close(fd);
	} else {
		return -errno;
	}
	fd = openat(parent, last, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return fd;
}

int path_mkdir_owned(const char *dir, mode_t mode, uid_t uid, gid_t gid)
{
	char buf[PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(buf) || dir[0] != '/')
		return -EINVAL;
	memcpy(buf, dir, len + 1);
	for (char *s = buf + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(buf, c ? 0755 : mode) == 0) {
				if (!c && chown(buf, uid, gid) < 0)
					return -errno;
				if (!c && chmod(buf, mode) < 0)
					return -errno;
			} else if (errno != EEXIST) {
				return -errno;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	return 0;
}

int path_replace_symlink(int dirfd, const char *name, const char *target)
{
	char cur[PATH_MAX];
	char tmp[NAME_MAX + 1];
	struct timespec ts;
	ssize_t n;
	int r;

	n = readlinkat(dirfd, name, cur, sizeof(cur) - 1);
	if (n >= 0) {
		cur[n] = '\0';
		if (strcmp(cur, target) == 0)
			return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	r = snprintf(tmp, sizeof(tmp), ".%s.tblnk%ld", name, (long)ts.tv_nsec);
	if (r < 0 || (size_t)r >= sizeof(tmp))
		return -ENAMETOOLONG;
	if (symlinkat(target, dirfd, tmp) < 0)
		return -errno;
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		r = -errno;
		unlinkat(dirfd, tmp, 0);
		return r;
	}
	return 1;
}
