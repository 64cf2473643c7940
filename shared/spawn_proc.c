// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macros.h"
#include "proto.h"
#include "spawn_proc.h"
#include "syscalls.h"

/* ---- pure helpers ---- */

static size_t name_len(const char *entry)
{
	return strcspn(entry, "=");
}

const char *spawn_env_get(char *const *env, const char *name)
{
	size_t len = strlen(name);

	for (char *const *e = env; e && *e; e++) {
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			return *e + len + 1;
	}
	return NULL;
}

int spawn_env_build(char *const *base, bool clear, char *const *entries, size_t n, char ***out)
{
	size_t nbase = 0, used = 0;
	char **v;

	for (char *const *e = base; !clear && e && *e; e++)
		nbase++;
	v = calloc(nbase + n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < nbase; i++)
		v[used++] = base[i];
	for (size_t i = 0; i < n; i++) {
		const char *e = entries[i];
		size_t len = name_len(e);
		size_t j, k;

		/* Drop every earlier entry of that name, then add it unless it is an unset. */
		for (j = 0, k = 0; j < used; j++) {
			if (name_len(v[j]) == len && strncmp(v[j], e, len) == 0)
				continue;
			v[k++] = v[j];
		}
		used = k;
		if (e[len] == '=')
			v[used++] = entries[i];
	}
	v[used] = NULL;
	*out = v;
	return 0;
}

int spawn_env_base(char *const *env, char ***out)
{
	static const char *const drop_prefix[] = {"LISTEN_", "TOOLBOX_RELAY_"};
	static const char *const drop[] = {"NOTIFY_SOCKET", "WATCHDOG_PID", "WATCHDOG_USEC"};
	size_t n = 0, used = 0;
	char **v;

	for (char *const *e = env; e && *e; e++)
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *e = env[i];
		size_t len = name_len(e);
		bool skip = e[len] != '=' || len == 0;

		for (size_t j = 0; !skip && j < ARRAY_SIZE(drop_prefix); j++)
			skip = strncmp(e, drop_prefix[j], strlen(drop_prefix[j])) == 0;
		for (size_t j = 0; !skip && j < ARRAY_SIZE(drop); j++)
			skip = len == strlen(drop[j]) && strncmp(e, drop[j], len) == 0;
		if (!skip)
			v[used++] = env[i];
	}
	v[used] = NULL;
	*out = v;
	return 0;
}

/* ---- the child ----
 *
 * It is started with clone(CLONE_VM | CLONE_VFORK) on a stack of its own: no copy of our
 * address space (a fork here would copy the page tables and then fault on every page we
 * touch, which is most of what a relayed `true` costs). Until it execs, we are suspended
 * and it shares our memory, so it only makes system calls and writes its own stack and the
 * stage/errno fields of its context: no malloc, no stdio, no locks. It has its own fd
 * table and signal dispositions (no CLONE_FILES, no CLONE_SIGHAND).
 */

struct spawn_ctx {
	const struct spawn_req *req;
	const char *home; /* where to go when req->cwd does not exist; resolved before */
	char **sh_argv;	  /* "/bin/sh", the file, argv[1..]: a script without "#!" */
	unsigned stage;	  /* set by the child when it fails */
	int err;
	pid_t parent; /* the handler */
};

static NORETURN void child_fail(struct spawn_ctx *ctx, unsigned stage, int err)
{
	ctx->stage = stage;
	ctx->err = err > 0 ? err : EIO;
	_exit(127);
}

/* Mark every fd >= @from close-on-exec. */
static void cloexec_from(int from)
{
	struct rlimit rl;
	long max = 65536;

	if (sys_close_range((unsigned)from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	/* Before Linux 5.11: every possible fd (no /proc listing: that would allocate). */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)max)
		max = (long)rl.rlim_cur;
	for (long fd = from; fd < max; fd++)
		(void)fcntl((int)fd, F_SETFD, FD_CLOEXEC);
}

static int source_for(const struct spawn_req *req, int target)
{
	if (target <= 2 && req->tty_fd >= 0 && (req->tty_mask & (1u << target)))
		return req->tty_fd;
	for (size_t i = 0; i < req->nfds; i++) {
		if (req->fds[i].target == target)
			return req->fds[i].fd;
	}
	return -1;
}

/* Put every fd in place; everything else is closed at exec. */
static void place_fds(struct spawn_ctx *ctx)
{
	const struct spawn_req *req = ctx->req;
	int targets[PROTO_MAX_FDS + 3], high[PROTO_MAX_FDS + 3];
	size_t n = 0;
	int maxt = 2, base;

	for (size_t i = 0; i < req->nfds; i++) {
		if (req->fds[i].target > maxt)
			maxt = req->fds[i].target;
	}
	base = maxt + 1;
	for (int t = 0; t <= 2; t++)
		targets[n++] = t;
	for (size_t i = 0; i < req->nfds && n < ARRAY_SIZE(targets); i++) {
		if (req->fds[i].target > 2)
			targets[n++] = req->fds[i].target;
	}
	/* Lift every source above every target first, so no dup2 clobbers one. */
	for (size_t i = 0; i < n; i++) {
		int src = source_for(req, targets[i]);

		if (src < 0)
			src = open("/dev/null",
				   (targets[i] == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
		high[i] = src < 0 ? -1 : fcntl(src, F_DUPFD_CLOEXEC, base);
		if (high[i] < 0)
			child_fail(ctx, PROTO_STAGE_SETUP, errno);
	}
	for (size_t i = 0; i < n; i++) {
		if (dup2(high[i], targets[i]) < 0)
			child_fail(ctx, PROTO_STAGE_SETUP, errno);
	}
	for (int fd = 0; fd <= maxt; fd++) {
		bool is_target = false;

		for (size_t i = 0; i < n && !is_target; i++)
			is_target = targets[i] == fd;
		if (!is_target)
			close(fd);
	}
	cloexec_from(base);
}

/* A note on the command's stderr, without stdio. */
static void child_note(const struct spawn_req *req, const char *what, const char *to)
{
	char line[PROTO_PATH_MAX * 2 + 256];
	int n = snprintf(line, sizeof(line), "%s: directory %s %s; using %s\n", req->prog, req->cwd,
			 what, to);

	if (n > 0 && write(STDERR_FILENO, line,
			   (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1) < 0) {
		/* nowhere to say it */
	}
}

/* strerror() without the locale machinery: this runs in a vfork-like child. */
static const char *errno_text(int err)
{
#ifdef __GLIBC__
	const char *t = strerrordesc_np(err);

	return t ? t : "error";
#else
	return strerror(err);
#endif
}

static void child_chdir(struct spawn_ctx *ctx)
{
	const struct spawn_req *req = ctx->req;
	char what[256];
	const char *to;
	int err;

	if (req->cwd[0] && chdir(req->cwd) == 0)
		return;
	err = errno;
	to = chdir(ctx->home) == 0 ? ctx->home : "/";
	if (to[0] == '/' && to[1] == '\0' && chdir("/") < 0)
		return;
	if (!req->cwd[0])
		return;
	if (err == ENOENT || err == ENOTDIR)
		snprintf(what, sizeof(what), "does not exist %s", req->where);
	else
		snprintf(what, sizeof(what), "cannot be entered %s (%s)", req->where,
			 errno_text(err));
	child_note(req, what, to);
}

static void reset_signals(void)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigset_t none;

	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++) {
		/* libc refuses its own real-time signals: ask the kernel directly. */
		if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, &sa, NULL) < 0)
			(void)sys_signal_default(sig);
	}
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* execve(), and for a file that is no program and has no "#!", /bin/sh as execvp does. */
static int exec_one(struct spawn_ctx *ctx, const char *path)
{
	execve(path, ctx->req->argv, ctx->req->envp);
	if (errno != ENOEXEC || !ctx->sh_argv)
		return errno;
	ctx->sh_argv[1] = (char *)path;
	execve("/bin/sh", ctx->sh_argv, ctx->req->envp);
	return ENOEXEC;
}

/*
 * Run argv[0] as execvp() would, with $PATH from the command's environment, except that a
 * PATH directory we may not search is skipped like a missing one (glibc would report
 * EACCES for it, and a command that is nowhere would read "permission denied"). Returns
 * the errno to report.
 */
static int exec_path(struct spawn_ctx *ctx)
{
	const char *file = ctx->req->argv[0];
	const char *path = spawn_env_get(ctx->req->envp, "PATH");
	char cand[PATH_MAX];
	bool denied = false;

	if (ctx->req->file)
		return exec_one(ctx, ctx->req->file);
	if (!*file)
		return ENOENT;
	if (strchr(file, '/'))
		return exec_one(ctx, file);
	if (!path)
		path = SPAWN_DEFAULT_PATH;
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		size_t dlen = (size_t)(end - p);
		int n = snprintf(cand, sizeof(cand), "%.*s%s%s", (int)dlen, p, dlen ? "/" : "",
				 file);
		struct stat st;
		int err;

		if (n > 0 && (size_t)n < sizeof(cand) && stat(cand, &st) == 0) {
			err = exec_one(ctx, cand);
			if (err == EACCES)
				denied = true;
			else if (err != ENOENT && err != ENOTDIR)
				return err;
		}
		p = end;
		if (!*p)
			break;
	}
	return denied ? EACCES : ENOENT;
}

static int child_main(void *arg)
{
	struct spawn_ctx *ctx = arg;
	const struct spawn_req *req = ctx->req;

	if (setpgid(0, 0) < 0)
		child_fail(ctx, PROTO_STAGE_SETUP, errno);
	/*
	 * A handler that dies without ending us (SIGKILL, OOM) is a hangup: the handler's own
	 * SIGHUP ... SIGKILL steps cannot run then. (A change of credentials at exec, as a
	 * set-uid program or toolbox-init exec makes, clears it: a terminal's hangup remains.)
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGHUP) < 0 || getppid() != ctx->parent)
		child_fail(ctx, PROTO_STAGE_SETUP, ECHILD);
	/* SIGTTOU is blocked (inherited): a background group may take the terminal. */
	if (req->tty_fd >= 0 && tcsetpgrp(req->tty_fd, getpid()) < 0)
		child_fail(ctx, PROTO_STAGE_SETUP, errno);
	place_fds(ctx);
	child_chdir(ctx);
	reset_signals();
	child_fail(ctx, PROTO_STAGE_EXEC, exec_path(ctx));
}

/* The child's stack; one spawn per handler process at a time. */
#define SPAWN_STACK_SIZE (256u * 1024u)
static uint8_t spawn_stack[SPAWN_STACK_SIZE] __attribute__((aligned(64)));

int spawn_start(const struct spawn_req *req, pid_t *pid, unsigned *stage)
{
	struct spawn_ctx ctx = {.req = req, .parent = getpid()};
	_cleanup_free_ char **sh_argv = NULL;
	size_t argc = 0;
	pid_t p;

	*stage = PROTO_STAGE_FORK;
	ctx.home = spawn_env_get(req->envp, "HOME");
	if (!ctx.home || !*ctx.home) {
		struct passwd *pw = getpwuid(getuid());

		ctx.home = pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/";
	}
	while (req->argv[argc])
		argc++;
	sh_argv = calloc(argc + 2, sizeof(*sh_argv));
	if (sh_argv) {
		sh_argv[0] = "/bin/sh";
		for (size_t i = 1; i < argc; i++)
			sh_argv[i + 1] = req->argv[i];
	}
	ctx.sh_argv = sh_argv;
	p = clone(child_main, spawn_stack + SPAWN_STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD,
		  &ctx);
	if (p < 0)
		return -errno;
	/* Here it has exec'd, or failed and exited. */
	if (ctx.err) {
		(void)RETRY_EINTR(waitpid(p, NULL, 0));
		*stage = ctx.stage;
		return -ctx.err;
	}
	*pid = p;
	return 0;
}
