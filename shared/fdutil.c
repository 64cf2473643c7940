// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fdutil.h"
#include "macros.h"
#include "syscalls.h"

int fd_close_from(int from)
{
	_cleanup_close_ int dfd = -1;
	DIR *d;
	struct dirent *de;

	if (sys_close_range((unsigned int)from, ~0U, 0) == 0)
		return 0;

	dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		/* No /proc: close up to the soft limit. */
		long max = sysconf(_SC_OPEN_MAX);

		if (max < 0 || max > 65536)
			max = 65536;
		for (int fd = from; fd < max; fd++)
			close(fd);
		return 0;
	}
	d = fdopendir(dfd);
	if (!d)
		return -errno;
	steal_fd(&dfd);
	while ((de = readdir(d))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (*end || end == de->d_name || fd < from || fd == dirfd(d))
			continue;
		close((int)fd);
	}
	closedir(d);
	return 0;
}

int fd_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fd_read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t cap, used = 0;

	/* O_NONBLOCK: a FIFO planted where a file is expected must not block the open. */
	fd = RETRY_EINTR(
		openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK));
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((size_t)st.st_size > max)
		return -EFBIG;
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (used + 1 >= cap) {
			char *nb;

			if (cap > max + 1)
				return -EFBIG;
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max)
			return -EFBIG;
	}
	buf[used] = '\0';
	*out = steal_ptr(&buf);
	if (len)
		*len = used;
	return 0;
}

int fd_set_cloexec(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0)
		return -errno;
	flags = on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
	if (fcntl(fd, F_SETFD, flags) < 0)
		return -errno;
	return 0;
}

int fd_replace_file_at(int dirfd, const char *name, const void *data, size_t len,
		       const struct file_meta *meta)
{
	_cleanup_close_ int fd = -1;
	char tmp[NAME_MAX + 1];
	struct stat st;
	struct timespec ts;
	int r;

	if (strchr(name, '/'))
		return -EINVAL;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			return -ELOOP;
		if (!S_ISREG(st.st_mode))
			return -EINVAL;
	} else if (errno != ENOENT) {
		return -errno;
	}

	clock_gettime(CLOCK_MONOTONIC, &ts);
	r = snprintf(tmp, sizeof(tmp), ".%s.tb%ld.%ld", name, (long)getpid(), (long)ts.tv_nsec);
	if (r < 0 || (size_t)r >= sizeof(tmp))
		return -ENAMETOOLONG;

	fd = RETRY_EINTR(openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
				meta->mode & 07777));
	if (fd < 0)
		return -errno;
	r = fd_write_all(fd, data, len);
	if (r == 0 && fchown(fd, meta->uid, meta->gid) < 0)
		r = -errno;
	if (r == 0 && fchmod(fd, meta->mode & 07777) < 0)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		return r;
	}
	/* The rename is durable once the directory is synced; a failure here is not fatal. */
	(void)fsync(dirfd);
	return 0;
}

/* Skip a run of decimal digits; NULL when there is none. */
static const char *skip_digits(const char *p)
{
	const char *start = p;

	while (*p >= '0' && *p <= '9')
		p++;
	return p == start ? NULL : p;
}

/* @ent is ".NAME.tb<digits>.<digits>", a temp file of fd_replace_file_at() for @name. */
static bool is_replace_temp(const char *ent, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	if (ent[0] != '.' || strncmp(ent + 1, name, n) != 0 || strncmp(ent + 1 + n, ".tb", 3) != 0)
		return false;
	p = skip_digits(ent + 1 + n + 3);
	if (!p || *p != '.')
		return false;
	p = skip_digits(p + 1);
	return p && !*p;
}

int fd_replace_cleanup_at(int dirfd, const char *name)
{
	DIR *d;
	struct dirent *de;
	int fd, r = 0;

	if (!*name || strchr(name, '/'))
		return -EINVAL;
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno && r == 0)
				r = -errno;
			break;
		}
		if (!is_replace_temp(de->d_name, name))
			continue;
		if (unlinkat(dirfd, de->d_name, 0) < 0 && errno != ENOENT && r == 0)
			r = -errno;
	}
	closedir(d);
	return r;
}
