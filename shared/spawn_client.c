// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * host-spawn's conversation with the relay (docs/INTERFACES.md, "Host-command relay"):
 *
 *   -> HELLO            <- HELLO (or ERROR: refused)
 *   -> ARGV..., ENV..., SPAWN + our fds
 *   <- STARTED          (or SPAWN_FAILED)
 *   -> SIGNAL / WINSIZE / INPUT while it runs;  <- STOPPED when it is stopped
 *   <- EXITED
 *
 * Our stdin/stdout/stderr travel with SPAWN: without a terminal the host command uses
 * them directly, nothing passes through us. With a terminal (stdin is one and we are in
 * its foreground), the relay allocates a pty on the host and copies between it and our
 * terminal fd itself; we only put the terminal in raw mode, restore it on every way out,
 * and report window sizes. Signals we get are forwarded; when the host command stops
 * (Ctrl-Z on the host terminal), we stop too, so the container's shell gets its prompt.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "spawn_client.h"
#include "log.h"
#include "macros.h"
#include "proto.h"
#include "proto_io.h"

/* Forwarded to the host command (SIGSTOP cannot be caught; see the man page). */
static const int forwarded_signals[] = {SIGINT,	 SIGTERM, SIGHUP,   SIGQUIT, SIGUSR1,
					SIGUSR2, SIGCONT, SIGWINCH, SIGTSTP};

struct client {
	const struct spawn_run *run;
	int sock;
	int sfd;
	bool pty;   /* a host terminal runs */
	bool raw;   /* our terminal is in raw mode (saved in @saved) */
	bool input; /* the relay reads our terminal */
	struct termios saved;
	uint8_t *buf; /* PROTO_RECV_BUF */
};

/* ---- pure helpers ---- */

int spawn_exit_status(unsigned how, unsigned value)
{
	if (how == PROTO_EXIT_CODE)
		return (int)(value & 0xff);
	return 128 + (int)value;
}

int spawn_failed_status(unsigned stage, unsigned err)
{
	if (stage == PROTO_STAGE_EXEC)
		return err == ENOENT ? 127 : 126;
	if (stage == PROTO_STAGE_POLICY && (err == EPERM || err == EACCES))
		return 126;
	return 125;
}

void spawn_env_forward_free(char **env, size_t n)
{
	if (!env)
		return;
	for (size_t i = 0; i < n; i++)
		free(env[i]);
	free(env);
}

int spawn_env_forward(const char *forward, const char *const *env, size_t n_env,
		      const char *(*getenv_fn)(const char *), char ***out, size_t *n)
{
	size_t cap = n_env + 1, used = 0;
	char **v;

	for (const char *p = forward; p && *p; p++)
		cap += *p == ',';
	v = calloc(cap, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (const char *p = forward; p && *p;) {
		size_t len = strcspn(p, ",");
		char name[256];
		const char *val;

		if (len > 0 && len < sizeof(name)) {
			memcpy(name, p, len);
			name[len] = '\0';
			val = strchr(name, '=') ? NULL : getenv_fn(name);
			if (val && asprintf(&v[used], "%s=%s", name, val) < 0) {
				v[used] = NULL;
				spawn_env_forward_free(v, used);
				return -ENOMEM;
			}
			if (val)
				used++;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	for (size_t i = 0; i < n_env; i++) {
		v[used] = strdup(env[i]);
		if (!v[used]) {
			spawn_env_forward_free(v, used);
			return -ENOMEM;
		}
		used++;
	}
	*out = v;
	*n = used;
	return 0;
}

/* ---- the terminal ---- */

static bool in_foreground(int fd)
{
	pid_t fg = tcgetpgrp(fd);

	return fg > 0 && fg == getpgrp();
}

static void terminal_raw(struct client *c)
{
	struct termios t;

	if (c->raw || !isatty(STDIN_FILENO) || !in_foreground(STDIN_FILENO))
		return;
	if (tcgetattr(STDIN_FILENO, &c->saved) < 0)
		return;
	t = c->saved;
	cfmakeraw(&t);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
		c->raw = true;
}

/* Put the terminal back as we found it; from the background too (SIGTTOU held off). */
static void terminal_restore(struct client *c)
{
	sigset_t ttou, old;

	if (!c->raw)
		return;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	(void)tcsetattr(STDIN_FILENO, TCSADRAIN, &c->saved);
	sigprocmask(SIG_SETMASK, &old, NULL);
	c->raw = false;
}

static bool get_winsize(struct proto_winsize *ws)
{
	struct winsize w;

	for (int fd = 0; fd <= 2; fd++) {
		if (ioctl(fd, TIOCGWINSZ, &w) == 0) {
			*ws = (struct proto_winsize){.rows = w.ws_row,
						     .cols = w.ws_col,
						     .xpixel = w.ws_xpixel,
						     .ypixel = w.ws_ypixel};
			return true;
		}
	}
	return false;
}

/* ---- messages ---- */

static int send_signal(struct client *c, int sig)
{
	struct proto_msg m = {.type = PROTO_SIGNAL};

	m.signal.signo = (uint32_t)sig;
	return proto_send_msg(c->sock, &m, NULL, 0);
}

static int send_winsize(struct client *c)
{
	struct proto_msg m = {.type = PROTO_WINSIZE};

	if (!get_winsize(&m.winsize))
		return 0;
	return proto_send_msg(c->sock, &m, NULL, 0);
}

static int send_input(struct client *c, bool on)
{
	struct proto_msg m = {.type = PROTO_INPUT};

	if (c->input == on)
		return 0;
	c->input = on;
	m.input.enabled = on;
	return proto_send_msg(c->sock, &m, NULL, 0);
}

/* Send @strs as ARGV/ENV messages, as many per message as fit. */
static int send_strings(struct client *c, uint16_t type, const char *const *strs, size_t n)
{
	_cleanup_free_ uint8_t *payload = malloc(PROTO_STRV_ROOM);
	size_t done = 0;

	if (!payload)
		return -ENOMEM;
	while (done < n) {
		struct proto_msg m = {.type = type};
		size_t k;
		size_t len = proto_strv_pack(payload, PROTO_STRV_ROOM, strs + done, n - done, &k);
		int r;

		if (k == 0)
			return -E2BIG;
		m.strv = (struct proto_strv){
			.p = payload, .len = (uint32_t)len, .count = (uint32_t)k};
		r = proto_send_msg(c->sock, &m, NULL, 0);
		if (r < 0)
			return r;
		done += k;
	}
	return 0;
}

/* ---- setting up ---- */

static void report_connect_error(const struct client *c, const char *path, int err)
{
	const struct spawn_run *run = c->run;

	if (run->fallback)
		log_msg(LOG_LVL_DEBUG, err, "cannot reach %s at %s", run->peer, path);
	else if (err == ENOENT || err == ECONNREFUSED)
		log_msg(LOG_LVL_ERROR, 0, "cannot reach %s at %s (%s); %s", run->peer, path,
			strerror(err), run->start_hint);
	else if (err == EACCES || err == EPERM)
		log_msg(LOG_LVL_ERROR, 0,
			"cannot reach %s at %s (%s); only the user who owns it may use it: run "
			"%s as that user, not as root",
			run->peer, path, strerror(err), run->prog);
	else
		log_msg(LOG_LVL_ERROR, err, "cannot reach %s at %s", run->peer, path);
}

static void report_error_msg(const struct client *c, const struct proto_msg *m)
{
	log_msg(c->run->fallback ? LOG_LVL_DEBUG : LOG_LVL_ERROR, 0, "%s refused: %.*s",
		c->run->peer, (int)m->error.text.len, (const char *)m->error.text.p);
}

/* Problems before the command was handed over are for debugging when we may fall back. */
static int quiet(const struct client *c)
{
	return c->run->fallback ? LOG_LVL_DEBUG : LOG_LVL_ERROR;
}

static int handshake(struct client *c)
{
	struct proto_msg m;
	int r;

	r = proto_send_hello(c->sock, PROTO_VERSION, PROTO_VERSION, PROTO_FEAT_PTY);
	if (r < 0) {
		/* A relay that refuses us answers at once and closes: read why. */
		if (proto_recv_msg(c->sock, c->buf, &m, NULL, 0, NULL) == 1 &&
		    m.type == PROTO_ERROR) {
			report_error_msg(c, &m);
			return -1;
		}
		log_msg(quiet(c), -r, "cannot talk to %s", c->run->peer);
		return -1;
	}
	r = proto_recv_msg(c->sock, c->buf, &m, NULL, 0, NULL);
	/* A reset may come before an answer that is already there. */
	if (r == -ECONNRESET)
		r = proto_recv_msg(c->sock, c->buf, &m, NULL, 0, NULL);
	if (r <= 0) {
		log_msg(quiet(c), r < 0 ? -r : 0, "%s %s", c->run->peer,
			r == 0 ? "closed the connection" : "sent a bad answer");
		return -1;
	}
	if (m.type == PROTO_ERROR) {
		report_error_msg(c, &m);
		return -1;
	}
	if (m.type != PROTO_HELLO || proto_pick_version(&m, PROTO_VERSION, PROTO_VERSION) == 0) {
		log_msg(quiet(c), 0, "%s speaks another protocol version; %s", c->run->peer,
			c->run->start_hint);
		return -1;
	}
	return 0;
}

/* The working directory to ask for: absolute, "" for the home directory. */
static char *spawn_cwd(const char *want)
{
	_cleanup_free_ char *here = getcwd(NULL, 0);
	char *out = NULL;

	if (want && want[0] == '/')
		return strdup(want);
	if (!here)
		return strdup("");
	if (!want)
		return steal_ptr(&here);
	if (asprintf(&out, "%s/%s", strcmp(here, "/") == 0 ? "" : here, want) < 0)
		return NULL;
	return out;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static int send_spawn(struct client *c, char **env, size_t n_env)
{
	const struct spawn_run *run = c->run;
	struct proto_msg m = {.type = PROTO_SPAWN};
	_cleanup_free_ char *cwd = spawn_cwd(run->cwd);
	int fds[PROTO_MAX_FDS];
	size_t argc = 0, nfds = 0;
	bool fg = isatty(STDIN_FILENO) && in_foreground(STDIN_FILENO);
	int r;

	if (!cwd)
		return -ENOMEM;
	while (run->argv[argc])
		argc++;
	if (argc > PROTO_MAX_STRINGS || n_env > PROTO_MAX_STRINGS || strlen(cwd) > PROTO_PATH_MAX)
		return -E2BIG;
	c->pty = run->pty == SPAWN_PTY_ON || (run->pty == SPAWN_PTY_AUTO && fg);
	for (int fd = 0; fd <= 2; fd++) {
		if (!fd_open(fd))
			continue;
		m.spawn.fd_target[nfds] = (uint16_t)fd;
		fds[nfds++] = fd;
	}
	for (size_t i = 0; i < run->n_extra; i++) {
		if (nfds >= PROTO_MAX_FDS)
			return -EMFILE;
		if (!fd_open(run->extra_fds[i])) {
			log_msg(LOG_LVL_ERROR, 0, "--forward-fd=%d: no such open file descriptor",
				run->extra_fds[i]);
			return -EBADF;
		}
		m.spawn.fd_target[nfds] = (uint16_t)run->extra_fds[i];
		fds[nfds++] = run->extra_fds[i];
	}
	m.spawn.nfds = (uint32_t)nfds;
	m.spawn.argc = (uint32_t)argc;
	m.spawn.envc = (uint32_t)n_env;
	if (c->pty) {
		m.spawn.flags |= PROTO_SPAWN_PTY;
		if (isatty(STDOUT_FILENO))
			m.spawn.flags |= PROTO_SPAWN_PTY_STDOUT;
		if (isatty(STDERR_FILENO))
			m.spawn.flags |= PROTO_SPAWN_PTY_STDERR;
		(void)get_winsize(&m.spawn.ws);
	}
	if (run->clear_env)
		m.spawn.flags |= PROTO_SPAWN_CLEAR_ENV;
	m.spawn.cwd = (struct proto_bytes){.p = (const uint8_t *)cwd, .len = (uint32_t)strlen(cwd)};

	r = send_strings(c, PROTO_ARGV, (const char *const *)run->argv, argc);
	if (r == 0 && n_env)
		r = send_strings(c, PROTO_ENV, (const char *const *)env, n_env);
	if (r == 0)
		r = proto_send_msg(c->sock, &m, fds, nfds);
	if (r == -E2BIG)
		log_msg(LOG_LVL_ERROR, 0, "an argument or variable is too long for %s", run->peer);
	else if (r < 0)
		log_msg(LOG_LVL_ERROR, -r, "cannot send the command to %s", run->peer);
	return r;
}

static int setup_signals(struct client *c, sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		sigaddset(&set, forwarded_signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, old) < 0)
		return -errno;
	c->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (c->sfd < 0)
		return -errno;
	return 0;
}

/* ---- running ---- */

static void report_failed(const struct client *c, const struct proto_msg *m)
{
	const char *cmd = c->run->argv[0];
	unsigned err = m->spawn_failed.err;

	switch (m->spawn_failed.stage) {
	case PROTO_STAGE_EXEC:
		if (err == ENOENT)
			log_msg(LOG_LVL_ERROR, 0, "command not found %s: %s", c->run->where, cmd);
		else
			log_msg(LOG_LVL_ERROR, (int)err, "cannot execute %s %s", cmd,
				c->run->where);
		break;
	case PROTO_STAGE_POLICY:
		if (err == EPERM || err == EACCES)
			log_msg(LOG_LVL_ERROR, 0, "%s", c->run->policy_msg);
		else
			log_msg(LOG_LVL_ERROR, (int)err,
				"%s cannot tell whether this caller may run commands %s (see its "
				"log)",
				c->run->peer, c->run->where);
		break;
	case PROTO_STAGE_PTY:
		log_msg(LOG_LVL_ERROR, (int)err, "cannot allocate a terminal %s for %s",
			c->run->where, cmd);
		break;
	case PROTO_STAGE_REQUEST:
		log_msg(LOG_LVL_ERROR, (int)err, "%s rejected the request for %s", c->run->peer,
			cmd);
		break;
	default:
		log_msg(LOG_LVL_ERROR, (int)err, "cannot start %s %s", cmd, c->run->where);
		break;
	}
}

/* The host command was stopped: stop too, so that our shell takes the terminal back. */
static void stop_self(struct client *c)
{
	sigset_t tstp, pending;
	bool was_raw = c->raw;

	if (c->pty)
		(void)send_input(c, false);
	terminal_restore(c);
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	signal(SIGTSTP, SIG_DFL);
	kill(getpid(), SIGTSTP);
	sigprocmask(SIG_UNBLOCK, &tstp, NULL);
	/* Stopped here; or not at all when our process group is orphaned. */
	sigprocmask(SIG_BLOCK, &tstp, NULL);
	sigemptyset(&pending);
	if (sigpending(&pending) == 0 && sigismember(&pending, SIGCONT))
		return; /* the SIGCONT in the signalfd does the rest */
	log_msg(LOG_LVL_DEBUG, 0, "cannot stop here (orphaned process group): continuing");
	(void)send_signal(c, SIGCONT);
	if (was_raw)
		terminal_raw(c);
	if (c->pty && c->raw)
		(void)send_input(c, true);
}

static int handle_signals(struct client *c)
{
	struct signalfd_siginfo si;

	for (;;) {
		ssize_t n = read(c->sfd, &si, sizeof(si));
		int sig, r = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(si))
			return 0;
		sig = (int)si.ssi_signo;
		log_msg(LOG_LVL_DEBUG, 0, "signal %d: forwarding", sig);
		if (sig == SIGWINCH && c->pty) {
			r = send_winsize(c);
		} else if (sig == SIGCONT && c->pty) {
			r = send_signal(c, sig);
			if (r == 0 && isatty(STDIN_FILENO) && in_foreground(STDIN_FILENO)) {
				terminal_raw(c);
				r = send_winsize(c);
				if (r == 0)
					r = send_input(c, true);
			} else if (r == 0) {
				/* Continued in the background: leave the terminal to the shell. */
				r = send_input(c, false);
			}
		} else {
			r = send_signal(c, sig);
		}
		if (r < 0)
			return r;
	}
}

/* Returns the exit status once the command ended or the relay went away. */
static int run_loop(struct client *c)
{
	for (;;) {
		struct pollfd p[2] = {{.fd = c->sock, .events = POLLIN},
				      {.fd = c->sfd, .events = POLLIN}};
		struct proto_msg m;
		int r;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_LVL_ERROR, errno, "poll");
			return 125;
		}
		if (p[1].revents & POLLIN)
			(void)handle_signals(c);
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = proto_recv_msg(c->sock, c->buf, &m, NULL, 0, NULL);
		if (r == 0) {
			log_msg(LOG_LVL_ERROR, 0, "%s closed the connection before %s ended",
				c->run->peer, c->run->argv[0]);
			return 125;
		}
		if (r < 0) {
			log_msg(LOG_LVL_ERROR, -r, "bad message from %s", c->run->peer);
			return 125;
		}
		switch (m.type) {
		case PROTO_EXITED:
			return spawn_exit_status(m.exited.how, m.exited.value);
		case PROTO_STOPPED:
			stop_self(c);
			break;
		case PROTO_ERROR:
			log_msg(LOG_LVL_ERROR, 0, "%s: %.*s", c->run->peer, (int)m.error.text.len,
				(const char *)m.error.text.p);
			return 125;
		default:
			log_msg(LOG_LVL_DEBUG, 0, "ignoring %s from %s", proto_type_name(m.type),
				c->run->peer);
			break;
		}
	}
}

static int wait_started(struct client *c)
{
	struct proto_msg m;
	int r = proto_recv_msg(c->sock, c->buf, &m, NULL, 0, NULL);

	if (r <= 0) {
		log_msg(LOG_LVL_ERROR, r < 0 ? -r : 0, "%s %s", c->run->peer,
			r == 0 ? "closed the connection" : "sent a bad answer");
		return 125;
	}
	switch (m.type) {
	case PROTO_STARTED:
		log_msg(LOG_LVL_DEBUG, 0, "%s runs %s as pid %u%s", c->run->argv[0], c->run->where,
			m.started.pid,
			(m.started.flags & PROTO_SPAWN_PTY) ? " with a terminal" : "");
		if (!(m.started.flags & PROTO_SPAWN_PTY))
			c->pty = false;
		return 0;
	case PROTO_SPAWN_FAILED:
		report_failed(c, &m);
		return spawn_failed_status(m.spawn_failed.stage, m.spawn_failed.err);
	case PROTO_ERROR:
		log_msg(LOG_LVL_ERROR, 0, "%s refused: %.*s", c->run->peer, (int)m.error.text.len,
			(const char *)m.error.text.p);
		return 125;
	default:
		log_msg(LOG_LVL_ERROR, 0, "unexpected %s from %s", proto_type_name(m.type),
			c->run->peer);
		return 125;
	}
}

static const char *env_get(const char *name)
{
	return getenv(name);
}

int spawn_client_run(const struct spawn_run *run)
{
	struct client c = {.run = run, .sock = -1, .sfd = -1, .input = true};
	char **env = NULL;
	size_t n_env = 0;
	const char *forward = run->forward;
	sigset_t old;
	int status = 125, r;

	/* flatpak-spawn passes nothing on by itself; a terminal still needs TERM. */
	if (!forward && run->term_with_pty && run->pty != SPAWN_PTY_OFF && isatty(STDIN_FILENO))
		forward = "TERM";
	r = spawn_env_forward(forward, run->env, run->n_env, env_get, &env, &n_env);
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, -r, "cannot build the environment");
		return 125;
	}
	c.buf = malloc(PROTO_RECV_BUF);
	if (!c.buf) {
		log_msg(LOG_LVL_ERROR, ENOMEM, "%s", run->prog);
		goto out;
	}
	c.sock = proto_connect(run->socket);
	if (c.sock < 0) {
		report_connect_error(&c, run->socket, -c.sock);
		status = run->fallback ? SPAWN_UNAVAILABLE : 125;
		goto out;
	}
	if (handshake(&c) < 0) {
		status = run->fallback ? SPAWN_UNAVAILABLE : 125;
		goto out;
	}
	r = setup_signals(&c, &old);
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, -r, "cannot set up signal forwarding");
		goto out;
	}
	if (send_spawn(&c, env, n_env) < 0)
		goto out;
	status = wait_started(&c);
	if (status != 0)
		goto out;
	if (c.pty)
		terminal_raw(&c);
	status = run_loop(&c);
out:
	terminal_restore(&c);
	if (c.sfd >= 0)
		close(c.sfd);
	if (c.sock >= 0)
		close(c.sock);
	free(c.buf);
	spawn_env_forward_free(env, n_env);
	return status;
}
