// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdutil.h"
#include "macros.h"
#include "wait_ready.h"

/* A failure marker is one line; anything bigger is not one of ours. */
#define READY_MARKER_MAX 4096

int ready_dir_for(uid_t uid, const char *xdg_runtime_dir, char *buf, size_t cap)
{
	int n;

	if (uid == 0)
		n = snprintf(buf, cap, "/run/toolbox");
	else if (xdg_runtime_dir && xdg_runtime_dir[0] == '/')
		n = snprintf(buf, cap, "%s/toolbox", xdg_runtime_dir);
	else
		n = snprintf(buf, cap, "/run/user/%u/toolbox", (unsigned int)uid);
	if (n < 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	return 0;
}

int ready_dir(char *buf, size_t cap)
{
	return ready_dir_for(getuid(), getenv("XDG_RUNTIME_DIR"), buf, cap);
}

static int mkdir_0700(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (stat(dir, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int ready_dir_make(const char *dir)
{
	/* Its parent is the user's runtime directory (logind's) or /run: never ours to make. */
	return mkdir_0700(dir);
}

int ready_watch_open(struct ready_watch *w, const char *dir)
{
	int r;

	w->dirfd = w->ifd = -1;
	if (strlen(dir) >= sizeof(w->dir))
		return -ENAMETOOLONG;
	strcpy(w->dir, dir);
	r = ready_dir_make(dir);
	if (r < 0)
		return r;
	w->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->dirfd < 0)
		return -errno;
	return 0;
}

int ready_watch_arm(struct ready_watch *w)
{
	int r;

	if (w->ifd >= 0)
		return 0;
	w->ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->ifd < 0)
		return -errno;
	/* Stamps are renamed into place (IN_MOVED_TO); be lenient with plain writers too. */
	if (inotify_add_watch(w->ifd, w->dir,
			      IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB) < 0) {
		r = -errno;
		close(w->ifd);
		w->ifd = -1;
		return r;
	}
	return 0;
}

void ready_watch_close(struct ready_watch *w)
{
	if (w->ifd >= 0)
		close(w->ifd);
	if (w->dirfd >= 0)
		close(w->dirfd);
	w->ifd = w->dirfd = -1;
}

void ready_first_line(const char *text, char *out, size_t cap)
{
	size_t n = 0;

	if (!cap)
		return;
	for (const char *p = text; p && *p && *p != '\n' && n + 1 < cap; p++)
		out[n++] = ((unsigned char)*p < 0x20 || *p == 0x7f) ? '?' : *p;
	out[n] = '\0';
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* 1 when @name is a fresh regular file (its mtime in *@mtime), 0 when not, -errno. */
static int stamp_present(int dirfd, const char *name, const struct timespec *not_before,
			 struct timespec *mtime)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISREG(st.st_mode) || ts_before(&st.st_mtim, not_before))
		return 0;
	*mtime = st.st_mtim;
	return 1;
}

static void result_set_name(struct ready_result *res, enum ready_outcome o, const char *name,
			    const struct timespec *mtime)
{
	res->outcome = o;
	snprintf(res->name, sizeof(res->name), "%s", name);
	res->mtime = *mtime;
	res->msg[0] = '\0';
}

int ready_check(int dirfd, const struct ready_wait_args *a, struct ready_result *res)
{
	struct timespec mtime;
	int r;

	for (size_t i = 0; i < READY_MAX_NAMES && a->ok[i]; i++) {
		r = stamp_present(dirfd, a->ok[i], &a->not_before, &mtime);
		if (r < 0)
			return r;
		if (r) {
			result_set_name(res, READY_OK, a->ok[i], &mtime);
			return 1;
		}
	}
	for (size_t i = 0; i < READY_MAX_NAMES && a->fail[i]; i++) {
		_cleanup_free_ char *text = NULL;

		r = stamp_present(dirfd, a->fail[i], &a->not_before, &mtime);
		if (r < 0)
			return r;
		if (!r)
			continue;
		result_set_name(res, READY_FAILED, a->fail[i], &mtime);
		if (fd_read_file_at(dirfd, a->fail[i], READY_MARKER_MAX, &text, NULL) == 0)
			ready_first_line(text, res->msg, sizeof(res->msg));
		return 1;
	}
	return 0;
}

static void drain_inotify(int ifd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	/* The events only say "look again"; the names are checked with fstatat. */
	while (read(ifd, buf, sizeof(buf)) > 0)
		;
}

static long long ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	       (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

int ready_wait(struct ready_watch *w, const struct ready_wait_args *a, struct ready_result *res)
{
	struct timespec deadline;
	struct pollfd pfd[2];
	int r;

	memset(res, 0, sizeof(*res));
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	if (a->timeout_ms >= 0) {
		deadline.tv_sec += a->timeout_ms / 1000;
		deadline.tv_nsec += (long)(a->timeout_ms % 1000) * 1000000;
		if (deadline.tv_nsec >= 1000000000) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000;
		}
	}
	pfd[1] = (struct pollfd){.fd = a->pidfd, .events = POLLIN};

	for (;;) {
		long long left = -1;
		int n;

		/* Once the watch is set, a check after it misses nothing. */
		r = ready_check(w->dirfd, a, res);
		if (r != 0)
			return r < 0 ? r : 0;
		if (w->ifd < 0) {
			/* Nothing yet: only now watch (closing a watch costs ms), then look again. */
			r = ready_watch_arm(w);
			if (r < 0)
				return r;
			continue;
		}
		pfd[0] = (struct pollfd){.fd = w->ifd, .events = POLLIN};
		if (a->timeout_ms >= 0) {
			left = ms_left(&deadline);
			if (left <= 0) {
				res->outcome = READY_TIMEOUT;
				return 0;
			}
		}
		n = poll(pfd, a->pidfd >= 0 ? 2 : 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd[0].revents)
			drain_inotify(w->ifd);
		if (a->pidfd >= 0 && pfd[1].revents) {
			/* It may have written its marker just before exiting: one last look. */
			drain_inotify(w->ifd);
			r = ready_check(w->dirfd, a, res);
			if (r != 0)
				return r < 0 ? r : 0;
			res->outcome = READY_EXITED;
			return 0;
		}
	}
}
