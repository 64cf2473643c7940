// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fdutil.h"
#include "log.h"
#include "macros.h"
#include "podman.h"
#include "run_state.h"
#include "run_supervise.h"

/* How long a signal waits for the session's PID before going to podman instead. */
#define SUPERVISE_PID_WAIT_MS 1500
#define SUPERVISE_RELAY_BUF 16384
/* How much of a candidate's initial environment we read (ours is near the start). */
#define SUPERVISE_ENVIRON_MAX 65536

/* The signals the launcher takes over while podman runs. */
static const int supervise_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGTSTP, SIGCONT, SIGCHLD, SIGPIPE,
};

void supervise_route(int sig, int leader, int tpgid, int *group, int *leader_out, bool *cont)
{
	int fg = tpgid > 0 ? tpgid : leader;

	*group = 0;
	*leader_out = 0;
	*cont = false;
	switch (sig) {
	case SIGHUP:
		/* As the kernel does on a hangup: the foreground group and the session leader,
		 * each woken up with SIGCONT in case it was stopped. */
		*group = fg;
		*leader_out = leader;
		*cont = true;
		break;
	case SIGINT:
	case SIGQUIT:
	case SIGTSTP:
	case SIGSTOP:
	case SIGCONT:
		/* What the keyboard would send: the foreground process group. */
		*group = fg;
		break;
	default:
		/* SIGTERM and friends: the process itself, as kill(1) and podman's sig-proxy do. */
		*leader_out = leader;
		break;
	}
}

struct supervisor {
	const struct supervise_args *a;
	pid_t child;
	unsigned long long child_start; /* podman's start time: the session is younger */
	int sfd;			/* signalfd */
	int ifd;			/* inotify on session_dir, only while signals wait */
	pid_t leader;			/* the session's PID once known and checked */
	unsigned int pending;		/* signals waiting for the PID (bit per signal) */
	struct timespec pending_since;
	/* stdin relay */
	int relay_in, relay_out;
	char *buf;
	size_t buf_len, buf_off;
	bool in_eof;
};

static long long ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* The PID written in the session file, or 0. */
static pid_t read_session_file(const char *path)
{
	char text[32];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	char *end;
	long v;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return 0;
	n = RETRY_EINTR(read(fd, text, sizeof(text) - 1));
	if (n <= 0)
		return 0;
	text[n] = '\0';
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || (*end != '\n' && *end) || v <= 1 || v > INT32_MAX)
		return 0;
	return (pid_t)v;
}

/* Whether the NUL-separated @env (@len bytes) holds the entry @needle. */
static bool environ_has(const char *env, size_t len, const char *needle)
{
	size_t nlen = strlen(needle);

	for (size_t off = 0; off < len;) {
		const char *e = env + off;
		size_t elen = strnlen(e, len - off);

		if (elen == nlen && memcmp(e, needle, nlen) == 0)
			return true;
		off += elen + 1;
	}
	return false;
}

/* The last "NSpid:" field of /proc/@pid/status: its PID in its own namespace, or 0. */
static pid_t innermost_pid(pid_t pid)
{
	char path[64], buf[2048];
	_cleanup_close_ int fd = -1;
	const char *line, *last;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return 0;
	n = RETRY_EINTR(read(fd, buf, sizeof(buf) - 1));
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	line = strstr(buf, "\nNSpid:");
	if (!line)
		return 0;
	line += strlen("\nNSpid:");
	last = line;
	for (const char *p = line; *p && *p != '\n'; p++) {
		if ((*p == ' ' || *p == '\t') && p[1] >= '0' && p[1] <= '9')
			last = p + 1;
	}
	return (pid_t)strtol(last, NULL, 10);
}

/* A session leader that started after podman and is not a zombie. */
static bool leader_ok(const struct supervisor *s, pid_t pid, struct proc_stat *ps)
{
	return pid > 1 && proc_stat_read(pid, ps) == 0 && ps->session == pid &&
	       ps->starttime >= s->child_start && ps->state != 'Z';
}

/*
 * Look for the session among the young session leaders (started after podman; there are
 * few): the one whose PID in its own namespace is @nspid (the session file's PID, under
 * --pid private), or with @nspid 0 (no session file: an init that does not write one),
 * the one whose initial environment holds our TOOLBOX_SESSION_FILE. Only done when a
 * signal is to be delivered.
 */
static pid_t scan_proc(const struct supervisor *s, pid_t nspid, const char *needle, char *env)
{
	struct dirent *de;
	pid_t found = 0;
	DIR *d = opendir("/proc");

	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		struct proc_stat ps;
		_cleanup_close_ int fd = -1;
		char path[64];
		char *end;
		long v = strtol(de->d_name, &end, 10);
		ssize_t n;

		if (*end || v <= 1 || v > INT32_MAX || (pid_t)v == getpid() || (pid_t)v == s->child)
			continue;
		if (!leader_ok(s, (pid_t)v, &ps))
			continue;
		if (nspid > 0) {
			if (innermost_pid((pid_t)v) == nspid && nspid != (pid_t)v)
				found = (pid_t)v;
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%ld/environ", v);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			continue;
		n = RETRY_EINTR(read(fd, env, SUPERVISE_ENVIRON_MAX));
		if (n > 0 && environ_has(env, (size_t)n, needle))
			found = (pid_t)v;
	}
	closedir(d);
	return found;
}

static pid_t find_session(const struct supervisor *s, pid_t nspid)
{
	char *needle = NULL, *env = NULL;
	pid_t found = 0;

	if (asprintf(&needle, "TOOLBOX_SESSION_FILE=%s", s->a->session_file) < 0)
		needle = NULL;
	else
		env = malloc(SUPERVISE_ENVIRON_MAX);
	if (needle && env)
		found = scan_proc(s, nspid, needle, env);
	free(env);
	free(needle);
	if (found)
		log_msg(LOG_LVL_DEBUG, 0, "session PID %ld found by its %s", (long)found,
			nspid > 0 ? "namespaced PID" : "environment");
	return found;
}

/* The session's leader (host PID), once known and still the session's; else 0. */
static pid_t session_leader(struct supervisor *s, struct proc_stat *ps)
{
	pid_t p;

	if (!s->a->session_file)
		return 0;
	if (s->leader > 0) {
		if (leader_ok(s, s->leader, ps))
			return s->leader;
		log_msg(LOG_LVL_DEBUG, 0, "session PID %ld is no longer the session",
			(long)s->leader);
		s->leader = 0;
		return 0;
	}
	p = read_session_file(s->a->session_file);
	if (p <= 0 || !leader_ok(s, p, ps)) {
		p = find_session(s, p);
		if (p <= 0 || !leader_ok(s, p, ps))
			return 0;
	}
	s->leader = p;
	return p;
}

static void signal_session(struct supervisor *s, pid_t leader, int tpgid, int sig)
{
	int group, one;
	bool cont;

	supervise_route(sig, leader, tpgid, &group, &one, &cont);
	log_msg(LOG_LVL_DEBUG, 0, "signal %d to the session (group %d, process %d)", sig, group,
		one);
	if (group > 0 && kill(-group, sig) < 0 && errno == EPERM)
		goto denied;
	if (one > 0 && kill(one, sig) < 0 && errno == EPERM)
		goto denied;
	if (cont) {
		if (group > 0)
			kill(-group, SIGCONT);
		if (one > 0)
			kill(one, SIGCONT);
	}
	return;
denied:
	/* Not ours to signal (a container without keep-id): tell podman, as Toolbx would. */
	log_msg(LOG_LVL_DEBUG, EPERM, "cannot signal the session; signalling podman");
	kill(s->child, sig);
}

static void watch_session_dir(struct supervisor *s)
{
	if (s->ifd >= 0 || !s->a->session_dir)
		return;
	s->ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (s->ifd < 0)
		return;
	if (inotify_add_watch(s->ifd, s->a->session_dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		close(s->ifd);
		s->ifd = -1;
	}
}

/* Send what waits, when the PID is known now or the wait is over. */
static void flush_pending(struct supervisor *s, bool give_up)
{
	struct proc_stat ps;
	pid_t leader;

	if (!s->pending)
		return;
	leader = session_leader(s, &ps);
	if (leader <= 0 && !give_up)
		return;
	for (int sig = 1; sig < 32; sig++) {
		if (!(s->pending & (1u << sig)))
			continue;
		if (leader > 0)
			signal_session(s, leader, ps.tpgid, sig);
		else
			kill(s->child, sig);
	}
	s->pending = 0;
	if (s->ifd >= 0) {
		close(s->ifd);
		s->ifd = -1;
	}
}

static void deliver(struct supervisor *s, int sig)
{
	struct proc_stat ps;
	pid_t leader = session_leader(s, &ps);

	if (leader > 0) {
		signal_session(s, leader, ps.tpgid, sig);
		return;
	}
	if (!s->a->session_file) {
		kill(s->child, sig);
		return;
	}
	/* Too early (the session is still starting): hold it until the PID shows up. */
	if (!s->pending)
		clock_gettime(CLOCK_MONOTONIC, &s->pending_since);
	s->pending |= 1u << sig;
	watch_session_dir(s);
	flush_pending(s, false);
}

/*
 * Ctrl-Z without a pty: stop the session's foreground, then ourselves, like a job. The
 * session's process group is orphaned (its leader's parent is conmon, in another
 * session), so the kernel would drop SIGTSTP for it: SIGSTOP it is. Ours goes through
 * the kernel's rules: when our own group is orphaned (no shell to continue us), raise()
 * returns without a stop, no SIGCONT is pending, and the session is woken up again.
 */
static void suspend_self(struct supervisor *s)
{
	sigset_t tstp, pending;

	deliver(s, SIGSTOP);
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	signal(SIGTSTP, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &tstp, NULL);
	raise(SIGTSTP);
	sigprocmask(SIG_BLOCK, &tstp, NULL);
	/* Continued: SIGCONT waits in the signalfd queue and wakes the session up. */
	if (sigpending(&pending) == 0 && !sigismember(&pending, SIGCONT))
		deliver(s, SIGCONT);
}

static int status_of(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 125;
}

/* 1 when podman is gone (*@status set), 0 otherwise. */
static int handle_signals(struct supervisor *s, int *status)
{
	struct signalfd_siginfo si;
	int done = 0;

	while (read(s->sfd, &si, sizeof(si)) == sizeof(si)) {
		int sig = (int)si.ssi_signo;

		switch (sig) {
		case SIGCHLD: {
			int w;

			if (waitpid(s->child, &w, WNOHANG) == s->child) {
				*status = status_of(w);
				done = 1;
			}
			break;
		}
		case SIGPIPE:
			break;
		case SIGTSTP:
			if (!s->a->tty)
				suspend_self(s);
			else
				deliver(s, sig);
			break;
		default:
			deliver(s, sig);
			break;
		}
	}
	return done;
}

static void relay_close_out(struct supervisor *s)
{
	if (s->relay_out >= 0)
		close(s->relay_out);
	s->relay_out = -1;
	s->in_eof = true;
}

static void relay_read(struct supervisor *s)
{
	ssize_t n = read(s->relay_in, s->buf, SUPERVISE_RELAY_BUF);

	if (n > 0) {
		s->buf_len = (size_t)n;
		s->buf_off = 0;
	} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		/* End of input (Ctrl-D), or the terminal is gone. */
		s->in_eof = true;
		relay_close_out(s);
	}
}

static void relay_write(struct supervisor *s)
{
	ssize_t n = write(s->relay_out, s->buf + s->buf_off, s->buf_len - s->buf_off);

	if (n > 0) {
		s->buf_off += (size_t)n;
		if (s->buf_off == s->buf_len)
			s->buf_len = s->buf_off = 0;
	} else if (n < 0 && errno != EINTR && errno != EAGAIN) {
		/* podman closed the session's stdin (EPIPE): stop reading ours. */
		s->buf_len = s->buf_off = 0;
		relay_close_out(s);
	}
}

static int supervise_loop(struct supervisor *s)
{
	int status = 125;

	for (;;) {
		struct pollfd p[4];
		int n = 0, i_sfd, i_in = -1, i_out = -1, i_ifd = -1, timeout = -1;

		p[n] = (struct pollfd){.fd = s->sfd, .events = POLLIN};
		i_sfd = n++;
		if (s->relay_out >= 0 && s->buf_len == 0 && !s->in_eof) {
			p[n] = (struct pollfd){.fd = s->relay_in, .events = POLLIN};
			i_in = n++;
		}
		if (s->relay_out >= 0 && s->buf_len > 0) {
			p[n] = (struct pollfd){.fd = s->relay_out, .events = POLLOUT};
			i_out = n++;
		}
		if (s->pending) {
			long long left = SUPERVISE_PID_WAIT_MS - ms_since(&s->pending_since);

			timeout = left > 0 ? (int)left : 0;
			if (s->ifd >= 0) {
				p[n] = (struct pollfd){.fd = s->ifd, .events = POLLIN};
				i_ifd = n++;
			}
		}
		if (poll(p, (nfds_t)n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_LVL_ERROR, errno, "cannot wait for podman");
			kill(s->child, SIGTERM);
			RETRY_EINTR(waitpid(s->child, NULL, 0));
			return 125;
		}
		if (p[i_sfd].revents && handle_signals(s, &status))
			return status;
		if (i_in >= 0 && p[i_in].revents)
			relay_read(s);
		if (i_out >= 0 && p[i_out].revents)
			relay_write(s);
		if (i_ifd >= 0 && p[i_ifd].revents) {
			char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

			while (read(s->ifd, ev, sizeof(ev)) > 0)
				;
		}
		if (s->pending)
			flush_pending(s, ms_since(&s->pending_since) >= SUPERVISE_PID_WAIT_MS);
	}
}

/* In the child: podman's own process group unless it shares our terminal, then exec. */
static void NORETURN supervise_child(const struct supervise_args *a, const char **argv,
				     int relay_fd, const sigset_t *mask)
{
	if (!a->tty)
		setpgid(0, 0);
	if (relay_fd >= 0 && dup2(relay_fd, STDIN_FILENO) < 0)
		_exit(125);
	fd_close_from(3 + (int)a->preserve_fds);
	sigprocmask(SIG_SETMASK, mask, NULL);
	execv(argv[0], (char *const *)argv);
	_exit(errno == ENOENT ? 127 : 126);
}

int supervise_run(const struct supervise_args *a)
{
	_cleanup_free_ const char **argv = NULL;
	_cleanup_free_ char *buf = NULL;
	struct supervisor s = {.a = a, .sfd = -1, .ifd = -1, .relay_in = -1, .relay_out = -1};
	struct proc_stat ps;
	struct termios saved;
	bool have_termios = false;
	int relay[2] = {-1, -1};
	sigset_t set, old;
	int status;

	argv = podman_argv(a->podman_args);
	if (!argv) {
		log_msg(LOG_LVL_ERROR, 0, "%s", PODMAN_MISSING_MSG);
		return 125;
	}
	if (log_get_level() >= LOG_LVL_DEBUG) {
		for (size_t i = 0; argv[i]; i++)
			log_msg(LOG_LVL_DEBUG, 0, "podman argv[%zu] = %s", i, argv[i]);
	}

	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(supervise_signals); i++)
		sigaddset(&set, supervise_signals[i]);
	/* An ignored SIGCHLD would reap podman behind our back. */
	signal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_BLOCK, &set, &old);
	s.sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s.sfd < 0) {
		log_msg(LOG_LVL_ERROR, errno, "cannot set up signal handling");
		status = 125;
		goto out;
	}
	if (a->relay_stdin) {
		buf = malloc(SUPERVISE_RELAY_BUF);
		if (!buf || pipe2(relay, O_CLOEXEC) < 0) {
			log_msg(LOG_LVL_ERROR, errno ? errno : ENOMEM,
				"cannot set up the input relay");
			status = 125;
			goto out;
		}
	}
	if (a->tty && tcgetattr(STDIN_FILENO, &saved) == 0)
		have_termios = true;

	s.child = fork();
	if (s.child < 0) {
		log_msg(LOG_LVL_ERROR, errno, "cannot start podman");
		status = 125;
		goto out;
	}
	if (s.child == 0)
		supervise_child(a, argv, relay[0], &old);
	if (!a->tty)
		setpgid(s.child, s.child); /* also here: whichever runs first */
	if (proc_stat_read(s.child, &ps) == 0)
		s.child_start = ps.starttime;
	if (relay[0] >= 0) {
		close(relay[0]);
		relay[0] = -1;
		s.relay_in = STDIN_FILENO;
		s.relay_out = steal_fd(&relay[1]);
		fcntl(s.relay_out, F_SETFL, O_NONBLOCK);
		s.buf = buf;
	}
	status = supervise_loop(&s);

out:
	if (have_termios)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	if (a->session_file)
		unlink(a->session_file);
	for (int i = 0; i < 2; i++) {
		if (relay[i] >= 0)
			close(relay[i]);
	}
	if (s.relay_out >= 0)
		close(s.relay_out);
	if (s.ifd >= 0)
		close(s.ifd);
	if (s.sfd >= 0) {
		struct signalfd_siginfo si;

		/* What came after podman's end (an EPIPE's SIGPIPE ...) is ours to drop. */
		while (read(s.sfd, &si, sizeof(si)) == sizeof(si))
			;
		close(s.sfd);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}
