/* SPDX-License-Identifier: GPL-2.0-or-later */
/* File-descriptor helpers: closing ranges, whole reads/writes, atomic file replacement. */
#ifndef TB_FDUTIL_H
#define TB_FDUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Close every fd >= @from (close_range, falling back to /proc/self/fd). */
int fd_close_from(int from);
/* Write all of @buf, retrying short writes and EINTR. 0 or -errno. */
int fd_write_all(int fd, const void *buf, size_t len);
/*
 * Read a whole regular file at @dirfd/@path (O_NOFOLLOW on the last component) into a
 * malloc'ed NUL-terminated buffer. Fails with -EFBIG past @max bytes, -EINVAL for
 * anything but a regular file (a FIFO or a device is never waited on). 0 or -errno.
 */
int fd_read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len);
/* Make sure @fd has FD_CLOEXEC set or cleared. 0 or -errno. */
int fd_set_cloexec(int fd, bool on);

struct file_meta {
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

/*
 * Replace @dirfd/@name atomically: write a temp file ".NAME.tbPID.NSEC" in the same
 * directory, fchown/fchmod it to @meta, fsync, rename over @name, fsync the directory.
 * Refuses to replace a symlink (-ELOOP) or a non-regular file (-EINVAL). Removes the temp
 * file when it fails; only a process killed before its rename leaves it behind.
 */
int fd_replace_file_at(int dirfd, const char *name, const void *data, size_t len,
		       const struct file_meta *meta);

/*
 * Remove the temp files that fd_replace_file_at(@dirfd, @name, ...) calls killed before
 * their rename left in @dirfd. Only for the one writer of @name there (under its lock):
 * another writer's temp file would go too. 0 or -errno (the first failure; the others
 * are still tried).
 */
int fd_replace_cleanup_at(int dirfd, const char *name);

#endif
