// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "macros.h"
#include "pid1.h"

int pid1_begin(struct pid1 *p)
{
	sigset_t all;

	memset(p, 0, sizeof(*p));
	p->sfd = -1;
	sigfillset(&all);
	/* Synchronous signals stay deliverable: blocking them hides real crashes. */
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGABRT);
	sigdelset(&all, SIGTRAP);
	sigdelset(&all, SIGSYS);
	if (sigprocmask(SIG_SETMASK, &all, &p->old_mask) < 0)
		return -errno;
	p->sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
	if (p->sfd < 0)
		return -errno;
	/* In the host's PID namespace orphans would go to the host's init: take them. */
	if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

unsigned long pid1_reap(struct pid1 *p)
{
	unsigned long n = 0;
	int status;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0) {
			n++;
			continue;
		}
		if (pid < 0 && errno == EINTR)
			continue;
		break; /* 0: children left but none exited; ECHILD: none left */
	}
	p->reaped += n;
	return n;
}

/* Returns 1 when the loop must end, 0 to go on, -errno on a broken signalfd. */
static int handle_signals(struct pid1 *p)
{
	struct signalfd_siginfo si;

	for (;;) {
		ssize_t n = read(p->sfd, &si, sizeof(si));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -errno;
		}
		if (n != sizeof(si))
			return -EIO;
		switch (si.ssi_signo) {
		case SIGCHLD:
			pid1_reap(p);
			break;
		case SIGTERM:
		case SIGINT:
			p->term_signal = (int)si.ssi_signo;
			return 1;
		default:
			log_msg(LOG_LVL_DEBUG, 0, "ignoring signal %u from pid %u", si.ssi_signo,
				si.ssi_pid);
			break;
		}
	}
}

int pid1_loop(struct pid1 *p, struct pid1_watch *watches, int nwatches)
{
	struct pollfd fds[8];
	int n = 0;

	if (nwatches > (int)ARRAY_SIZE(fds) - 1)
		return -EINVAL;
	fds[n++] = (struct pollfd){.fd = p->sfd, .events = POLLIN};
	for (int i = 0; i < nwatches; i++)
		fds[n++] = (struct pollfd){.fd = watches[i].fd, .events = POLLIN};

	/* Children may have exited before the loop started: their SIGCHLD is queued, but reap
	 * once anyway so nothing waits on the first signal. */
	pid1_reap(p);
	for (;;) {
		int r = poll(fds, (nfds_t)n, -1);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (fds[0].revents) {
			r = handle_signals(p);
			if (r < 0)
				return r;
			if (r > 0)
				return 0;
		}
		for (int i = 1; i < n; i++) {
			struct pid1_watch *w = &watches[i - 1];

			if (!fds[i].revents)
				continue;
			if (fds[i].revents & (POLLERR | POLLNVAL)) {
				log_msg(LOG_LVL_WARN, 0,
					"watch fd %d failed; no longer watching it", fds[i].fd);
				fds[i].fd = -1;
				continue;
			}
			r = w->handle(w->fd, w->data);
			if (r < 0)
				log_msg(LOG_LVL_WARN, -r, "handling an event on fd %d", w->fd);
		}
	}
}

void pid1_end(struct pid1 *p)
{
	if (p->sfd >= 0)
		close(p->sfd);
	p->sfd = -1;
}
