// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "init_pid.h"
#include "macros.h"
#include "proto_io.h"
#include "relay_policy.h"
#include "syscalls.h"

#define STAMP_PREFIX "container-initialized-"
/* Looks, 1 ms apart, before an inotify watch (whose close alone costs milliseconds). */
#define INIT_PID_LOOKS 5

pid_t init_pid_stamp_parse(const char *name)
{
	const char *p;
	long long v = 0;

	if (strncmp(name, STAMP_PREFIX, sizeof(STAMP_PREFIX) - 1) != 0)
		return 0;
	p = name + sizeof(STAMP_PREFIX) - 1;
	if (*p < '1' || *p > '9')
		return 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (*p - '0');
		if (v > INT32_MAX)
			return 0;
	}
	return v > 1 ? (pid_t)v : 0;
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Whether process @pid (held by a pidfd while we look) is in container @id. */
static bool pid_in_container(pid_t pid, const char *id)
{
	struct proto_peer peer = {.pid = pid, .pidfd = sys_pidfd_open(pid, 0)};
	struct relay_caller c;
	bool yes;

	if (peer.pidfd < 0)
		return false;
	yes = relay_caller_identify(&peer, &c) == 0 && strcmp(c.id, id) == 0;
	close(peer.pidfd);
	return yes;
}

int init_pid_find(int dirfd, const char *id, const struct timespec *not_before, pid_t *pid)
{
	struct dirent *de;
	DIR *d;
	int fd, found = 0;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		int err = errno;

		close(fd);
		return -err;
	}
	while (!found && (de = readdir(d))) {
		pid_t p = init_pid_stamp_parse(de->d_name);
		struct stat st;

		if (!p || fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || ts_before(&st.st_mtim, not_before))
			continue;
		if (pid_in_container(p, id)) {
			*pid = p;
			found = 1;
		}
	}
	closedir(d);
	return found;
}

static long long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

int init_pid_wait(struct ready_watch *w, const char *id, const struct timespec *not_before,
		  int timeout_ms, pid_t *pid)
{
	char buf[4096] __attribute__((aligned(__alignof__(long))));
	struct pollfd pfd;
	struct timespec t0;
	long long left;
	int r, looks = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		/* Events only say "look again": drain them, then look. */
		while (w->ifd >= 0 && read(w->ifd, buf, sizeof(buf)) > 0)
			;
		r = init_pid_find(w->dirfd, id, not_before, pid);
		if (r != 0)
			return r;
		if (w->ifd < 0 && ++looks < INIT_PID_LOOKS) {
			/* It is renamed in right after the ID stamp: look again soon. */
			nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
			continue;
		}
		if (w->ifd < 0) {
			/* Still not there: watch from now on, and look once more. */
			r = ready_watch_arm(w);
			if (r < 0)
				return r;
			continue;
		}
		left = timeout_ms - ms_since(&t0);
		if (left <= 0)
			return 0;
		pfd = (struct pollfd){.fd = w->ifd, .events = POLLIN};
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
	}
}
