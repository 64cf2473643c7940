// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A relay connection's process. The conversation (docs/INTERFACES.md):
 *
 *   <- HELLO  -> HELLO
 *   <- ARGV..., ENV..., SPAWN + fds    -> STARTED | SPAWN_FAILED
 *   <- SIGNAL / WINSIZE / INPUT         -> STOPPED ...
 *                                       -> EXITED
 *
 * When the caller goes away before the command ended (its socket hangs up), the command's
 * process group gets SIGHUP (and SIGCONT), SIGTERM after the grace period, SIGKILL after
 * another; the leader stays unreaped (a zombie keeps its group id from being reused)
 * until the group is empty or killed.
 */
#include <dirent.h>
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "macros.h"
#include "proto.h"
#include "proto_io.h"
#include "spawn_conn.h"
#include "spawn_pty.h"
#include "spawn_proc.h"

/* Bytes of argv and environment one request may carry (the kernel's ARG_MAX is less). */
#define SPAWN_REQUEST_MAX (8u << 20)

struct strlist {
	char **v;
	size_t n, cap;
};

struct conn {
	int sock;
	const struct proto_peer *peer;
	const struct spawn_service *svc;
	uint8_t *buf;
	/* the request */
	struct strlist argv, env;
	size_t bytes;
	uint32_t flags;
	struct proto_winsize ws;
	char cwd[PROTO_PATH_MAX + 1];
	int fds[PROTO_MAX_FDS];
	uint16_t targets[PROTO_MAX_FDS];
	size_t nfds;
	char who[300];	  /* the caller, for the audit line */
	const char *file; /* what to execute, from admit() (NULL: argv[0]) */
	/* the command */
	pid_t pid;
	int sfd;
	int master, in_fd, out_fd;
	bool input_on, in_eof, master_eof;
	bool have_saved;
	struct termios saved;
	struct spawn_buf to_master, to_out;
	/* the caller went away */
	bool gone;
	int step;
	long long next_step_ms;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int spawn_ms_left(long long now, long long deadline)
{
	long long d = deadline - now;

	if (d <= 0)
		return 0;
	return d > INT32_MAX ? INT32_MAX : (int)d;
}

/* ---- the process group ---- */

pid_t spawn_stat_pgrp(const char *stat, size_t len, char *state)
{
	const char *p = NULL, *end = stat + len;
	long v;
	char *num_end;

	/* "PID (COMM) STATE PPID PGRP ...": COMM may hold anything, so from its last ')'. */
	for (size_t i = len; i > 0; i--) {
		if (stat[i - 1] == ')') {
			p = stat + i;
			break;
		}
	}
	if (!p || end - p < 2 || p[0] != ' ')
		return -1;
	p++;
	if (state)
		*state = *p;
	/* STATE, PPID, then PGRP. */
	for (int field = 0; field < 2; field++) {
		while (p < end && *p != ' ')
			p++;
		while (p < end && *p == ' ')
			p++;
	}
	if (p >= end || *p < '0' || *p > '9')
		return -1;
	errno = 0;
	v = strtol(p, &num_end, 10);
	if (errno || num_end == p || num_end > end || v <= 0 || v > INT32_MAX)
		return -1;
	return (pid_t)v;
}

bool spawn_pgrp_has_others(pid_t pgid, pid_t leader)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	bool found = false;

	if (!d)
		return true; /* cannot tell: assume so */
	while (!found && (de = readdir(d))) {
		char path[64], line[512], state = '?';
		long pid;
		char *end;
		ssize_t n;
		int fd;

		pid = strtol(de->d_name, &end, 10);
		if (*end || end == de->d_name || pid <= 0 || pid == leader)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, line, sizeof(line) - 1);
		close(fd);
		if (n <= 0)
			continue;
		line[n] = '\0';
		/* Zombies do not count: they are gone, only not reaped (by someone else). */
		if (spawn_stat_pgrp(line, (size_t)n, &state) == pgid && state != 'Z' &&
		    state != 'X')
			found = true;
	}
	closedir(d);
	return found;
}

/* ---- the request ---- */

static void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	*l = (struct strlist){0};
}

static int strlist_add(struct strlist *l, const uint8_t *s, uint32_t len)
{
	if (l->n + 1 >= l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		char **nv = realloc(l->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n] = strndup((const char *)s, len);
	if (!l->v[l->n])
		return -ENOMEM;
	l->v[++l->n] = NULL;
	return 0;
}

static int add_strings(struct conn *c, struct strlist *l, const struct proto_strv *v)
{
	struct proto_strv_iter it;
	const uint8_t *s;
	uint32_t len;

	if (l->n + v->count > PROTO_MAX_STRINGS || c->bytes + v->len > SPAWN_REQUEST_MAX)
		return -E2BIG;
	c->bytes += v->len;
	proto_strv_iter_init(&it, v);
	while (proto_strv_next(&it, &s, &len)) {
		int r = strlist_add(l, s, len);

		if (r < 0)
			return r;
	}
	return 0;
}

static void close_fds(struct conn *c)
{
	for (size_t i = 0; i < c->nfds; i++) {
		if (c->fds[i] >= 0)
			close(c->fds[i]);
		c->fds[i] = -1;
	}
	c->nfds = 0;
}

static int fd_for(const struct conn *c, int target)
{
	for (size_t i = 0; i < c->nfds; i++) {
		if (c->targets[i] == target)
			return c->fds[i];
	}
	return -1;
}

static int send_failed(struct conn *c, unsigned stage, int err)
{
	struct proto_msg m = {.type = PROTO_SPAWN_FAILED};

	m.spawn_failed.stage = stage;
	m.spawn_failed.err = (uint32_t)(err > 0 && err < 4096 ? err : EIO);
	return proto_send_msg(c->sock, &m, NULL, 0);
}

/* HELLO both ways. 0, or < 0 after answering with ERROR where it makes sense. */
static int handshake(struct conn *c)
{
	struct proto_msg m;
	int r = proto_recv_msg(c->sock, c->buf, &m, NULL, 0, NULL);

	if (r == 0)
		return -ECONNRESET;
	if (r < 0) {
		(void)proto_send_error(c->sock, -r, "malformed HELLO");
		return r;
	}
	if (m.type != PROTO_HELLO) {
		(void)proto_send_error(c->sock, EPROTO, "expected HELLO, got %s",
				       proto_type_name(m.type));
		return -EPROTO;
	}
	if (proto_pick_version(&m, PROTO_VERSION, PROTO_VERSION) == 0) {
		(void)proto_send_error(c->sock, EPROTONOSUPPORT,
				       "protocol versions %u..%u are not supported (this relay "
				       "speaks %u)",
				       m.hello.min_version, m.hello.max_version, PROTO_VERSION);
		return -EPROTONOSUPPORT;
	}
	return proto_send_hello(c->sock, PROTO_VERSION, PROTO_VERSION, PROTO_FEAT_PTY);
}

/* ARGV/ENV messages until SPAWN. 0 with the request in @c. */
static int receive_request(struct conn *c)
{
	for (;;) {
		struct proto_msg m;
		size_t nfds = 0;
		int r = proto_recv_msg(c->sock, c->buf, &m, c->fds, PROTO_MAX_FDS, &nfds);

		if (r == 0)
			return -ECONNRESET;
		if (r < 0) {
			(void)proto_send_error(c->sock, -r, "malformed message");
			return r;
		}
		if (nfds > 0 && m.type != PROTO_SPAWN) {
			for (size_t i = 0; i < nfds; i++)
				close(c->fds[i]);
			(void)proto_send_error(c->sock, EBADMSG, "fds with %s",
					       proto_type_name(m.type));
			return -EBADMSG;
		}
		switch (m.type) {
		case PROTO_ARGV:
		case PROTO_ENV:
			r = add_strings(c, m.type == PROTO_ARGV ? &c->argv : &c->env, &m.strv);
			if (r < 0) {
				(void)proto_send_error(c->sock, -r, "request too large");
				return r;
			}
			break;
		case PROTO_SPAWN:
			c->nfds = nfds;
			if (m.spawn.nfds != nfds || m.spawn.argc != c->argv.n ||
			    m.spawn.envc != c->env.n) {
				(void)proto_send_error(c->sock, EBADMSG,
						       "SPAWN does not match what came before it");
				return -EBADMSG;
			}
			for (size_t i = 0; i < nfds; i++)
				c->targets[i] = m.spawn.fd_target[i];
			c->flags = m.spawn.flags;
			c->ws = m.spawn.ws;
			memcpy(c->cwd, m.spawn.cwd.p, m.spawn.cwd.len);
			c->cwd[m.spawn.cwd.len] = '\0';
			return 0;
		default:
			(void)proto_send_error(c->sock, EPROTO, "unexpected %s",
					       proto_type_name(m.type));
			return -EPROTO;
		}
	}
}

/* ---- the audit line ---- */

static void append_quoted(char *out, size_t cap, size_t *len, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	if (*len + 2 >= cap)
		return;
	out[(*len)++] = ' ';
	out[(*len)++] = '"';
	for (; *s && *len + 6 < cap; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			out[(*len)++] = '\\';
			out[(*len)++] = (char)ch;
		} else if (ch < 0x20 || ch >= 0x7f) {
			out[(*len)++] = '\\';
			out[(*len)++] = 'x';
			out[(*len)++] = hex[ch >> 4];
			out[(*len)++] = hex[ch & 15];
		} else {
			out[(*len)++] = (char)ch;
		}
	}
	if (*len + 1 < cap)
		out[(*len)++] = '"';
	out[*len] = '\0';
}

static void audit(const struct conn *c, const char *cwd)
{
	char args[700] = "";
	size_t len = 0;

	if (log_get_level() < LOG_LVL_DEBUG)
		return;
	for (size_t i = 0; i < c->argv.n; i++)
		append_quoted(args, sizeof(args), &len, c->argv.v[i]);
	log_msg(LOG_LVL_DEBUG, 0, "spawn for uid %u, caller pid %d in %s: pid %d%s, cwd \"%s\":%s",
		(unsigned)c->peer->uid, (int)c->peer->pid,
		c->who[0] ? c->who : "an unidentified process", (int)c->pid,
		c->master >= 0 ? " on a pty" : "", cwd[0] ? cwd : "$HOME", args);
}

int spawn_request_set_argv(struct spawn_request *req, char *const *argv)
{
	size_t n = 0;
	char **v;

	while (argv[n])
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		v[i] = strdup(argv[i]);
		if (!v[i]) {
			while (i--)
				free(v[i]);
			free(v);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < req->argc; i++)
		free(req->argv[i]);
	free(req->argv);
	req->argv = v;
	req->argc = n;
	return 0;
}

/* Let the service refuse or rewrite the request (argv and cwd). */
static int admit(struct conn *c, unsigned *stage)
{
	struct spawn_request req = {.argv = c->argv.v, .argc = c->argv.n, .flags = c->flags};
	int r;

	*stage = PROTO_STAGE_POLICY;
	if (!c->svc->admit)
		return 0;
	memcpy(req.cwd, c->cwd, sizeof(req.cwd));
	r = c->svc->admit(c->svc, c->peer, &req, stage, c->who, sizeof(c->who));
	c->argv.v = req.argv;
	c->argv.n = req.argc;
	c->argv.cap = req.argc + 1;
	memcpy(c->cwd, req.cwd, sizeof(c->cwd));
	c->file = req.file;
	return r;
}

/* ---- starting the command ---- */

static int start_command(struct conn *c)
{
	struct spawn_fd_map map[PROTO_MAX_FDS];
	char cwd[PROTO_PATH_MAX + 1];
	_cleanup_free_ char **envp = NULL;
	struct winsize ws = {0};
	unsigned stage = PROTO_STAGE_REQUEST;
	int slave = -1, r;

	r = admit(c, &stage);
	if (r < 0)
		return send_failed(c, stage, -r);
	memcpy(cwd, c->cwd, sizeof(cwd));
	stage = PROTO_STAGE_REQUEST;
	r = spawn_env_build(c->svc->base_env, c->flags & PROTO_SPAWN_CLEAR_ENV, c->env.v, c->env.n,
			    &envp);
	if (r < 0)
		return send_failed(c, PROTO_STAGE_REQUEST, -r);

	if (c->flags & PROTO_SPAWN_PTY) {
		c->in_fd = fd_for(c, 0);
		c->out_fd = (c->flags & PROTO_SPAWN_PTY_STDOUT)	  ? fd_for(c, 1)
			    : (c->flags & PROTO_SPAWN_PTY_STDERR) ? fd_for(c, 2)
								  : c->in_fd;
		if (c->in_fd >= 0 && isatty(c->in_fd) && tcgetattr(c->in_fd, &c->saved) == 0)
			c->have_saved = true;
		ws = (struct winsize){.ws_row = c->ws.rows,
				      .ws_col = c->ws.cols,
				      .ws_xpixel = c->ws.xpixel,
				      .ws_ypixel = c->ws.ypixel};
		if (!ws.ws_row && !ws.ws_col && c->in_fd >= 0)
			(void)ioctl(c->in_fd, TIOCGWINSZ, &ws);
		r = spawn_pty_open(&c->master, &slave, c->have_saved ? &c->saved : NULL, &ws);
		if (r < 0) {
			log_msg(LOG_LVL_WARN, -r, "cannot allocate a terminal");
			return send_failed(c, PROTO_STAGE_PTY, -r);
		}
		/* The command's user owns its terminal, as a login's would. */
		if (c->svc->tty_uid != (uid_t)-1 &&
		    (fchown(slave, c->svc->tty_uid, c->svc->tty_gid) < 0 ||
		     fchmod(slave, 0620) < 0))
			log_msg(LOG_LVL_DEBUG, errno, "cannot hand the terminal over");
	}
	for (size_t i = 0; i < c->nfds; i++)
		map[i] = (struct spawn_fd_map){.fd = c->fds[i], .target = c->targets[i]};
	r = spawn_start(
		&(struct spawn_req){
			.argv = c->argv.v,
			.envp = envp,
			.cwd = cwd,
			.fds = map,
			.nfds = c->nfds,
			.tty_fd = slave,
			.tty_mask =
				slave < 0 ? 0
					  : 1u | ((c->flags & PROTO_SPAWN_PTY_STDOUT) ? 2u : 0) |
						    ((c->flags & PROTO_SPAWN_PTY_STDERR) ? 4u : 0),
			.file = c->file,
			.prog = c->svc->prog,
			.where = c->svc->where,
		},
		&c->pid, &stage);
	if (slave >= 0)
		close(slave);
	if (r < 0) {
		log_msg(LOG_LVL_DEBUG, -r, "spawn of %s failed at stage %u", c->argv.v[0], stage);
		return send_failed(c, stage, -r);
	}
	audit(c, cwd);
	/* The command holds what it needs; we keep only the terminal's two ends. */
	for (size_t i = 0; i < c->nfds; i++) {
		if (c->fds[i] != c->in_fd && c->fds[i] != c->out_fd)
			close(c->fds[i]);
		c->fds[i] = -1;
	}
	c->nfds = 0;
	{
		struct proto_msg m = {.type = PROTO_STARTED};

		m.started.pid = (uint32_t)c->pid;
		m.started.flags = c->master >= 0 ? PROTO_SPAWN_PTY : 0;
		r = proto_send_msg(c->sock, &m, NULL, 0);
	}
	return r < 0 ? r : 1;
}

/* ---- while it runs ---- */

static void kill_group(pid_t pgid, int sig)
{
	if (pgid > 0 && kill(-pgid, sig) < 0 && errno != ESRCH)
		log_msg(LOG_LVL_DEBUG, errno, "kill(-%d, %d)", (int)pgid, sig);
}

static void deliver(struct conn *c, int sig)
{
	pid_t fg = c->master >= 0 ? tcgetpgrp(c->master) : -1;

	/* What a terminal sends goes to its foreground group, the rest to the command's. */
	if (fg > 0 && (sig == SIGINT || sig == SIGQUIT || sig == SIGTSTP))
		kill_group(fg, sig);
	else
		kill_group(c->pid, sig);
	if ((sig == SIGCONT || sig == SIGHUP) && fg > 0 && fg != c->pid)
		kill_group(fg, sig);
}

/* Peek at the command's state. 1 when it has ended (not reaped), 0 otherwise. */
static int check_child(struct conn *c)
{
	for (;;) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)c->pid, &si,
			   WEXITED | WSTOPPED | WCONTINUED | WNOHANG | WNOWAIT) < 0)
			return errno == ECHILD ? 1 : 0;
		if (si.si_pid == 0)
			return 0;
		if (si.si_code == CLD_EXITED || si.si_code == CLD_KILLED ||
		    si.si_code == CLD_DUMPED)
			return 1;
		/* A stop or a continue: consume it. */
		memset(&si, 0, sizeof(si));
		(void)waitid(P_PID, (id_t)c->pid, &si, WSTOPPED | WCONTINUED | WNOHANG);
		if (si.si_code == CLD_STOPPED && !c->gone) {
			struct proto_msg m = {.type = PROTO_STOPPED};

			/* What it wrote before it stopped (the "^Z" echo) comes first. */
			if (c->master >= 0 && !c->master_eof)
				spawn_pty_drain(&c->to_out, c->master, c->out_fd);

			m.signal.signo = (uint32_t)si.si_status;
			if (m.signal.signo < 1 || m.signal.signo > PROTO_MAX_SIGNAL)
				m.signal.signo = SIGSTOP;
			(void)proto_send_msg(c->sock, &m, NULL, 0);
		}
	}
}

static void drain_signals(struct conn *c)
{
	struct signalfd_siginfo si;

	while (read(c->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		/* only SIGCHLD comes here */
	}
}

/* The caller went away: hang up, then escalate. */
static void caller_gone(struct conn *c)
{
	pid_t fg = c->master >= 0 ? tcgetpgrp(c->master) : -1;

	if (c->gone)
		return;
	c->gone = true;
	log_msg(LOG_LVL_DEBUG, 0, "caller of pid %d went away: SIGHUP to its group", (int)c->pid);
	/* It may have died in raw mode: give its terminal back as it was. */
	if (c->have_saved && c->in_fd >= 0)
		(void)tcsetattr(c->in_fd, TCSANOW, &c->saved);
	if (c->master >= 0) {
		close(c->master);
		c->master = -1;
	}
	kill_group(c->pid, SIGHUP);
	if (fg > 0 && fg != c->pid)
		kill_group(fg, SIGHUP);
	kill_group(c->pid, SIGCONT);
	if (fg > 0 && fg != c->pid)
		kill_group(fg, SIGCONT);
	c->step = 1;
	c->next_step_ms = now_ms() + c->svc->grace_ms;
}

/* 1 when it is time to stop waiting (everything is gone or killed). */
static int escalate(struct conn *c, bool leader_ended)
{
	if (leader_ended && !spawn_pgrp_has_others(c->pid, c->pid))
		return 1;
	if (spawn_ms_left(now_ms(), c->next_step_ms) > 0)
		return 0;
	if (c->step == 1) {
		log_msg(LOG_LVL_DEBUG, 0, "SIGTERM to group %d", (int)c->pid);
		kill_group(c->pid, SIGTERM);
		kill_group(c->pid, SIGCONT);
	} else if (c->step == 2) {
		log_msg(LOG_LVL_DEBUG, 0, "SIGKILL to group %d", (int)c->pid);
		kill_group(c->pid, SIGKILL);
	} else {
		return leader_ended;
	}
	c->step++;
	c->next_step_ms = now_ms() + c->svc->grace_ms;
	return 0;
}

static void on_client_message(struct conn *c)
{
	struct proto_msg m;
	int r = proto_recv_msg(c->sock, c->buf, &m, NULL, 0, NULL);

	if (r <= 0) {
		if (r < 0)
			log_msg(LOG_LVL_DEBUG, -r, "bad message from the caller");
		caller_gone(c);
		return;
	}
	switch (m.type) {
	case PROTO_SIGNAL:
		deliver(c, (int)m.signal.signo);
		break;
	case PROTO_WINSIZE:
		if (c->master >= 0) {
			struct winsize ws = {.ws_row = m.winsize.rows,
					     .ws_col = m.winsize.cols,
					     .ws_xpixel = m.winsize.xpixel,
					     .ws_ypixel = m.winsize.ypixel};

			(void)ioctl(c->master, TIOCSWINSZ, &ws);
		}
		break;
	case PROTO_INPUT:
		c->input_on = m.input.enabled;
		break;
	default:
		log_msg(LOG_LVL_DEBUG, 0, "ignoring %s from the caller", proto_type_name(m.type));
		break;
	}
}

/* The caller's stdin ended while a terminal runs: an end-of-file for the terminal. */
static void input_ended(struct conn *c)
{
	struct termios t;

	c->in_eof = true;
	if (c->master >= 0 && !isatty(c->in_fd) && tcgetattr(c->master, &t) == 0) {
		c->to_master.data[0] = t.c_cc[VEOF];
		c->to_master.len = 1;
		c->to_master.off = 0;
	}
}

static void pty_io(struct conn *c, short mrev, short irev, short orev)
{
	ssize_t n;

	if ((mrev & (POLLIN | POLLHUP | POLLERR)) && spawn_buf_empty(&c->to_out)) {
		n = spawn_buf_fill(&c->to_out, c->master);
		if (n == 0)
			c->master_eof = true;
		if (c->out_fd < 0)
			c->to_out.off = c->to_out.len;
	}
	if ((mrev & POLLOUT) && spawn_buf_flush(&c->to_master, c->master) < 0)
		c->to_master.off = c->to_master.len;
	if ((irev & (POLLIN | POLLHUP | POLLERR)) && spawn_buf_empty(&c->to_master)) {
		n = spawn_buf_fill(&c->to_master, c->in_fd);
		if (n == 0 || (n < 0 && n != -EAGAIN))
			input_ended(c);
	}
	if ((orev & (POLLOUT | POLLERR | POLLHUP)) && spawn_buf_flush(&c->to_out, c->out_fd) < 0) {
		/* Nobody reads the output any more: drop it from now on. */
		c->to_out.off = c->to_out.len;
		c->out_fd = -1;
	}
}

static int finish(struct conn *c)
{
	siginfo_t si;
	struct proto_msg m = {.type = PROTO_EXITED};

	memset(&si, 0, sizeof(si));
	if (c->master >= 0 && !c->master_eof)
		spawn_pty_drain(&c->to_out, c->master, c->out_fd);
	if (waitid(P_PID, (id_t)c->pid, &si, WEXITED) < 0)
		return -errno;
	if (c->gone)
		return 0;
	if (si.si_code == CLD_EXITED) {
		m.exited.how = PROTO_EXIT_CODE;
		m.exited.value = (uint32_t)si.si_status & 0xff;
	} else {
		m.exited.how =
			si.si_code == CLD_DUMPED ? PROTO_EXIT_SIGNAL_CORE : PROTO_EXIT_SIGNAL;
		m.exited.value = (uint32_t)si.si_status;
	}
	log_msg(LOG_LVL_DEBUG, 0, "pid %d ended: %s %u", (int)c->pid,
		m.exited.how == PROTO_EXIT_CODE ? "status" : "signal", m.exited.value);
	return proto_send_msg(c->sock, &m, NULL, 0);
}

static int supervise(struct conn *c)
{
	for (;;) {
		struct pollfd p[5];
		int np = 0, isock = -1, imaster = -1, iin = -1, iout = -1, timeout = -1;
		int ended;

		p[np++] = (struct pollfd){.fd = c->sfd, .events = POLLIN};
		if (!c->gone) {
			isock = np;
			p[np++] = (struct pollfd){.fd = c->sock, .events = POLLIN};
		}
		if (!c->gone && c->master >= 0) {
			short ev = 0;

			if (!c->master_eof && spawn_buf_empty(&c->to_out))
				ev |= POLLIN;
			if (!spawn_buf_empty(&c->to_master))
				ev |= POLLOUT;
			if (ev) {
				imaster = np;
				p[np++] = (struct pollfd){.fd = c->master, .events = ev};
			}
			if (c->in_fd >= 0 && c->input_on && !c->in_eof &&
			    spawn_buf_empty(&c->to_master)) {
				iin = np;
				p[np++] = (struct pollfd){.fd = c->in_fd, .events = POLLIN};
			}
			if (c->out_fd >= 0 && !spawn_buf_empty(&c->to_out)) {
				iout = np;
				p[np++] = (struct pollfd){.fd = c->out_fd, .events = POLLOUT};
			}
		}
		if (c->gone)
			timeout = spawn_ms_left(now_ms(), c->next_step_ms);
		if (poll(p, (nfds_t)np, timeout) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[0].revents)
			drain_signals(c);
		ended = check_child(c);
		if (c->gone) {
			if (escalate(c, ended))
				return finish(c);
			continue;
		}
		if (ended)
			return finish(c);
		if (imaster >= 0 || iin >= 0 || iout >= 0)
			pty_io(c, imaster >= 0 ? p[imaster].revents : 0,
			       iin >= 0 ? p[iin].revents : 0, iout >= 0 ? p[iout].revents : 0);
		if (isock >= 0 && p[isock].revents)
			on_client_message(c);
	}
}

/* ---- the connection ---- */

static int block_signals(void)
{
	sigset_t all;

	sigfillset(&all);
	/* Faults stay deliverable; everything else waits for the signalfd or nobody. */
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGABRT);
	sigdelset(&all, SIGTRAP);
	sigdelset(&all, SIGSYS);
	return sigprocmask(SIG_SETMASK, &all, NULL) < 0 ? -errno : 0;
}

int spawn_conn_main(int sock, const struct proto_peer *peer, const struct spawn_service *svc)
{
	struct conn c = {
		.sock = sock,
		.peer = peer,
		.svc = svc,
		.sfd = -1,
		.master = -1,
		.in_fd = -1,
		.out_fd = -1,
		.input_on = true,
	};
	sigset_t chld;
	int r;

	for (size_t i = 0; i < PROTO_MAX_FDS; i++)
		c.fds[i] = -1;
	/* Our own session: the command's terminal becomes its controlling terminal. */
	if (setsid() < 0)
		log_msg(LOG_LVL_DEBUG, errno, "setsid");
	r = block_signals();
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (r == 0) {
		c.sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
		if (c.sfd < 0)
			r = -errno;
	}
	c.buf = malloc(PROTO_RECV_BUF);
	if (r < 0 || !c.buf) {
		log_msg(LOG_LVL_ERROR, r < 0 ? -r : ENOMEM, "cannot set up the connection");
		r = 1;
		goto out;
	}
	r = handshake(&c);
	if (r == 0)
		r = receive_request(&c);
	if (r < 0) {
		log_msg(LOG_LVL_DEBUG, -r, "connection from pid %d ended before a command",
			(int)peer->pid);
		r = r == -ECONNRESET ? 0 : 1;
		goto out;
	}
	r = start_command(&c);
	if (r <= 0) {
		r = r < 0 ? 1 : 0;
		goto out;
	}
	r = supervise(&c) < 0 ? 1 : 0;
out:
	close_fds(&c);
	if (c.master >= 0)
		close(c.master);
	if (c.in_fd >= 0)
		close(c.in_fd);
	if (c.out_fd >= 0 && c.out_fd != c.in_fd)
		close(c.out_fd);
	if (c.sfd >= 0)
		close(c.sfd);
	strlist_free(&c.argv);
	strlist_free(&c.env);
	free(c.buf);
	return r;
}
