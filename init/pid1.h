/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PID 1 loop: one poll over a signalfd and optional watch fds. SIGCHLD reaps every
 * child (orphans included: we are PID 1 or a child subreaper); SIGTERM/SIGINT end it at once.
 */
#ifndef TB_PID1_H
#define TB_PID1_H

#include <signal.h>
#include <stdbool.h>

struct pid1_watch {
	int fd;
	/* Called when @fd is readable; returns 0 or -errno (logged, the loop goes on). */
	int (*handle)(int fd, void *data);
	void *data;
};

struct pid1 {
	int sfd;	   /* signalfd, CLOEXEC */
	sigset_t old_mask; /* the mask before pid1_block_signals, for children */
	unsigned long reaped;
	int term_signal; /* the signal that ended the loop */
};

/*
 * Phase 1: block every signal but the synchronous ones, open the signalfd, become a child
 * subreaper when not PID 1. 0 or -errno.
 */
int pid1_begin(struct pid1 *p);

/* Reap every exited child without blocking; returns how many. */
unsigned long pid1_reap(struct pid1 *p);

/*
 * Phase 2: run until SIGTERM/SIGINT (returns 0, p->term_signal set) or an unrecoverable
 * error of the signalfd itself (-errno). Never exits the process.
 */
int pid1_loop(struct pid1 *p, struct pid1_watch *watches, int nwatches);

void pid1_end(struct pid1 *p);

#endif
