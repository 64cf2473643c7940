/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Waiting for a container's init to be ready: the readiness stamps of docs/INTERFACES.md
 * (container-initialized-X / container-failed-X) in the readiness directory, watched with
 * inotify, with the init's pidfd (it died) and a deadline. No polling, no `podman logs`.
 * Library code: returns -errno, never prints.
 */
#ifndef TB_WAIT_READY_H
#define TB_WAIT_READY_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/*
 * The readiness directory of user @uid (pure): Toolbx's /run/toolbox for root (our init
 * writes root's stamps there too, docs/INTERFACES.md), else $XDG_RUNTIME_DIR/toolbox
 * with @xdg_runtime_dir when absolute, else /run/user/UID/toolbox. 0, -ENAMETOOLONG.
 */
int ready_dir_for(uid_t uid, const char *xdg_runtime_dir, char *buf, size_t cap);
/* The same for the user running us (getuid(), $XDG_RUNTIME_DIR). */
int ready_dir(char *buf, size_t cap);

/*
 * Make @dir as the init would: 0700, ours. 0 when it exists already; -ENOENT when its
 * parent (the user's runtime directory) is missing; -errno.
 */
int ready_dir_make(const char *dir);

struct ready_watch {
	int dirfd; /* the readiness directory */
	int ifd;   /* inotify on it, -1 until armed */
	char dir[PATH_MAX];
};

/*
 * Open @dir (made when missing, see ready_dir_make). The inotify watch itself (@ifd) is
 * set up by the first wait that finds nothing there yet (ready_watch_arm): a stamp that is
 * already there costs no watch, whose close alone takes milliseconds. 0 or -errno.
 */
int ready_watch_open(struct ready_watch *w, const char *dir);
/* Start watching (once; @ifd stays -1 until then). 0 or -errno. */
int ready_watch_arm(struct ready_watch *w);
void ready_watch_close(struct ready_watch *w);

enum ready_outcome {
	READY_OK,      /* a success stamp appeared */
	READY_FAILED,  /* a failure marker appeared: msg holds its line */
	READY_EXITED,  /* the init exited without a stamp */
	READY_TIMEOUT, /* nothing before the deadline */
};

#define READY_MAX_NAMES 4

struct ready_wait_args {
	const char *ok[READY_MAX_NAMES + 1];   /* stamp names, NULL-terminated */
	const char *fail[READY_MAX_NAMES + 1]; /* failure marker names, NULL-terminated */
	int pidfd;			       /* the init (readable when it exits), or -1 */
	struct timespec not_before;	       /* older stamps are stale (left by an earlier run) */
	int timeout_ms;			       /* < 0: no deadline */
};

struct ready_result {
	enum ready_outcome outcome;
	char name[NAME_MAX + 1]; /* the stamp or marker seen */
	struct timespec mtime;	 /* its modification time */
	char msg[512];		 /* READY_FAILED: the init's line ("" when the marker is empty) */
};

/*
 * Wait until one of @a's stamps or markers exists (a regular file, not older than
 * not_before), the init exits, or the deadline passes. 0 with @res filled, -errno on
 * failure of the machinery itself. EINTR is retried.
 */
int ready_wait(struct ready_watch *w, const struct ready_wait_args *a, struct ready_result *res);

/*
 * Check once, without waiting (the warm path and the first look): 1 when a stamp or
 * marker matched (@res filled), 0 when none, -errno. @dirfd is the readiness directory.
 */
int ready_check(int dirfd, const struct ready_wait_args *a, struct ready_result *res);

/* First line of @text (at most @cap-1 bytes, control characters replaced by '?') into @out. */
void ready_first_line(const char *text, char *out, size_t cap);

#endif
