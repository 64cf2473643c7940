/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The warm path's memory: what the launcher learnt about a running, initialized container
 * the last time it had to ask podman, kept in the readiness directory's launcher/NAME.state
 * (tmpfs: gone at logout or reboot). `run`/`enter` trust it, and skip every podman probe,
 * only while it still describes the live init: the same PID with the same start time and
 * name in /proc, and the same readiness stamp. Anything else sends them to the cold path.
 *
 * The codec and the /proc parser are pure; the rest is small file I/O. Never prints.
 */
#ifndef TB_RUN_STATE_H
#define TB_RUN_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* How a session enters the container. */
enum session_kind {
	SESSION_KIND_INIT,   /* ours: /usr/bin/toolbox-init exec */
	SESSION_KIND_TOOLBX, /* made by upstream Toolbx: sh (+ capsh when the image has it) */
};

#define RUN_STATE_ID_MAX 64
#define RUN_STATE_COMM_MAX 16 /* TASK_COMM_LEN - 1 */
#define RUN_STATE_MAX 4096    /* bytes of an encoded state */

struct run_state {
	char id[RUN_STATE_ID_MAX + 1]; /* full container ID, lowercase hex */
	pid_t pid;		       /* the init, in the host's PID namespace */
	unsigned long long starttime;  /* /proc/PID/stat field 22 (clock ticks since boot) */
	char comm[RUN_STATE_COMM_MAX + 1];
	enum session_kind kind;
	char stamp[NAME_MAX + 1]; /* the readiness stamp seen, in the readiness directory */
	struct timespec stamp_mtime;
};

/* Encode @s as text into @buf. The length (without the NUL) or -ENOSPC / -EINVAL. */
int run_state_encode(const struct run_state *s, char *buf, size_t cap);
/* Decode exactly what run_state_encode writes (strict: every key once). 0 or -EINVAL. */
int run_state_decode(const char *buf, size_t len, struct run_state *s);

/* What the launcher reads in /proc/PID/stat. */
struct proc_stat {
	char comm[RUN_STATE_COMM_MAX + 1];
	char state; /* R, S, D, Z, T, ... */
	pid_t ppid, pgrp, session;
	int tty_nr;
	pid_t tpgid; /* foreground process group of the controlling terminal, -1 without */
	unsigned long long starttime;
};

/* Parse the text of /proc/PID/stat (comm may hold spaces and parentheses). 0 or -EINVAL. */
int proc_stat_parse(const char *buf, size_t len, struct proc_stat *out);
/* Read and parse /proc/@pid/stat. 0, -ESRCH when there is no such process, -errno. */
int proc_stat_read(pid_t pid, struct proc_stat *out);
/* When a process that started @starttime ticks after boot started, in CLOCK_REALTIME. */
void proc_start_realtime(unsigned long long starttime, struct timespec *out);

/*
 * The launcher's own directory, @ready_dir/launcher (the readiness directory, see
 * wait_ready.h), made 0700 when missing. An fd (O_DIRECTORY) or -errno; -EPERM when it is
 * not ours or others may write to it.
 */
int run_state_dir_open(const char *ready_dir);

/* Load NAME.state from @dirfd. 0, -ENOENT, -EINVAL (not ours / unparsable), -errno. */
int run_state_load(int dirfd, const char *name, struct run_state *s);
/* Save it atomically. 0 or -errno. */
int run_state_save(int dirfd, const char *name, const struct run_state *s);
/* Remove it (a missing file is fine). */
void run_state_forget(int dirfd, const char *name);

/*
 * A container was removed: forget what this user's runtime directory holds for it (its
 * state, its exec socket, its id-keyed stamps). Best effort, for `toolbox rm`.
 */
void run_state_forget_container(const char *name, const char *id);

/*
 * The warm-path test: the recorded init is alive (not a zombie), has the recorded start
 * time and name, and the recorded stamp is in @ready_dirfd with the recorded mtime.
 */
bool run_state_valid(const struct run_state *s, int ready_dirfd);

/* Take NAME.lock in @dirfd (blocking flock). The locked fd (close to release) or -errno. */
int run_state_lock(int dirfd, const char *name);

#endif
