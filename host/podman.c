// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdutil.h"
#include "log.h"
#include "macros.h"
#include "globals.h"
#include "podman.h"

/* podman's output we are ready to hold in memory (a `ps -a` of thousands of containers). */
#define PODMAN_CAPTURE_MAX (64u << 20)
/* Status of a child that failed between fork and exec (podman's own "failure" code). */
#define PODMAN_CHILD_FAILED 125

/* Resolved once per process; the launcher is short-lived. */
static char *podman_resolved;
static bool podman_looked_up;

static bool podman_is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static char *podman_search_path(const char *name)
{
	const char *path = getenv("PATH");
	const char *p, *end;

	if (strchr(name, '/'))
		return podman_is_executable(name) ? strdup(name) : NULL;
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p; p = *end ? end + 1 : end) {
		char *cand;
		size_t len;

		end = strchrnul(p, ':');
		len = (size_t)(end - p);
		if (len == 0) /* an empty entry is the current directory: never for podman */
			continue;
		if (asprintf(&cand, "%.*s/%s", (int)len, p, name) < 0)
			return NULL;
		if (podman_is_executable(cand))
			return cand;
		free(cand);
	}
	return NULL;
}

const char *podman_path(void)
{
	if (!podman_looked_up) {
		const char *over = getenv("TOOLBOX_PODMAN");

		podman_resolved = podman_search_path(over && *over ? over : "podman");
		podman_looked_up = true;
	}
	if (!podman_resolved)
		errno = ENOENT;
	return podman_resolved;
}

bool podman_is_rootless(void)
{
	return geteuid() != 0;
}

static const char *podman_level_name(enum log_level level)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};

	return names[level];
}

const char **podman_argv(const char *const *args)
{
	const struct toolbox_globals *g = globals_get();
	const char *path = podman_path();
	const char **argv;
	size_t n = 0, i = 0;

	if (!path)
		return NULL;
	while (args[n])
		n++;
	argv = calloc(n + 4, sizeof(*argv));
	if (!argv)
		return NULL;
	argv[i++] = path;
	/* podman's own log level follows ours only when asked: its debug output is loud. */
	if (g->log_podman || log_get_level() == LOG_LVL_DEBUG) {
		argv[i++] = "--log-level";
		argv[i++] = podman_level_name(log_get_level());
	}
	for (size_t k = 0; k < n; k++)
		argv[i++] = args[k];
	argv[i] = NULL;
	return argv;
}

static void podman_log_argv(const char *const *argv)
{
	char line[768];
	size_t off = 0;

	if (log_get_level() < LOG_LVL_DEBUG)
		return;
	line[0] = '\0';
	for (size_t i = 0; argv[i] && off < sizeof(line) - 1; i++) {
		int n = snprintf(line + off, sizeof(line) - off, "%s%s", i ? " " : "", argv[i]);

		if (n < 0)
			break;
		off += (size_t)n;
	}
	log_msg(LOG_LVL_DEBUG, 0, "running: %s", line);
}

/* In the child, before execv: defaults for what we may have changed, no stray fds. */
static void podman_child_prepare(void)
{
	sigset_t none;

	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	fd_close_from(3);
}

void podman_result_free(struct podman_result *res)
{
	if (!res)
		return;
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
	res->out_len = res->err_len = 0;
}

struct capture_buf {
	char *data;
	size_t len, cap;
};

static int capture_read(int fd, struct capture_buf *b)
{
	if (b->cap - b->len < 4096) {
		size_t ncap = b->cap ? b->cap * 2 : 16384;
		char *n;

		if (ncap > PODMAN_CAPTURE_MAX + 4096)
			return -EFBIG;
		n = realloc(b->data, ncap);
		if (!n)
			return -ENOMEM;
		b->data = n;
		b->cap = ncap;
	}
	for (;;) {
		ssize_t r = read(fd, b->data + b->len, b->cap - b->len - 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		b->len += (size_t)r;
		b->data[b->len] = '\0';
		return r == 0 ? 1 : 0; /* 1: end of file */
	}
}

static int status_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return PODMAN_CHILD_FAILED;
}

static int wait_child(pid_t pid, int *signo)
{
	int wstatus = 0;

	if (RETRY_EINTR(waitpid(pid, &wstatus, 0)) < 0)
		return -errno;
	if (signo)
		*signo = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	return status_code(wstatus);
}

int podman_capture(const char *const *args, struct podman_result *res)
{
	_cleanup_free_ const char **argv = NULL;
	int outp[2] = {-1, -1}, errp[2] = {-1, -1};
	struct capture_buf bufs[2] = {{0}, {0}};
	struct pollfd pfd[2];
	pid_t pid;
	int r = 0, open_fds = 2;

	memset(res, 0, sizeof(*res));
	argv = podman_argv(args);
	if (!argv)
		return -errno;
	podman_log_argv(argv);
	if (pipe2(outp, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(errp, O_CLOEXEC) < 0) {
		r = -errno;
		goto out_close;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto out_close;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (null < 0 || dup2(null, 0) < 0 || dup2(outp[1], 1) < 0 || dup2(errp[1], 2) < 0)
			_exit(PODMAN_CHILD_FAILED);
		podman_child_prepare();
		execv(argv[0], (char *const *)argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;
	pfd[0] = (struct pollfd){.fd = outp[0], .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = errp[0], .events = POLLIN};
	while (open_fds > 0) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		for (int i = 0; i < 2; i++) {
			int k;

			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			k = capture_read(pfd[i].fd, &bufs[i]);
			if (k < 0 && r == 0)
				r = k;
			if (k != 0) {
				pfd[i].fd = -1;
				open_fds--;
			}
		}
	}
	res->status = wait_child(pid, &res->signo);
	if (res->status < 0 && r == 0)
		r = res->status;
	for (int i = 0; i < 2; i++) {
		if (!bufs[i].data) {
			bufs[i].data = strdup("");
			if (!bufs[i].data && r == 0)
				r = -ENOMEM;
		}
	}
	res->out = bufs[0].data;
	res->out_len = bufs[0].len;
	res->err = bufs[1].data;
	res->err_len = bufs[1].len;
out_close:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	return r;
}

int podman_capture_ok(const char *const *args, struct podman_result *res, char **err)
{
	int r;

	if (err)
		*err = NULL;
	r = podman_capture(args, res);
	if (r < 0)
		return r == -ENOENT ? -ENOEXEC : r;
	if (res->status != 0) {
		if (err)
			*err = strdup(podman_result_errline(res));
		return -EIO;
	}
	return 0;
}

const char *podman_result_errline(struct podman_result *res)
{
	char *s = res->err, *line = NULL;

	if (!s)
		return "";
	/* Find the last non-empty line, cutting the trailing newlines. */
	for (char *p = s; *p;) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = '\0';
		if (*p)
			line = p;
		if (!nl)
			break;
		p = nl + 1;
	}
	if (!line)
		return "";
	if (strncmp(line, "Error: ", 7) == 0)
		line += 7;
	return line;
}

const char *podman_result_why(struct podman_result *res, char *buf, size_t len)
{
	const char *line;

	/* Killed, it never said why: what it wrote last may be any warning. */
	if (res->signo > 0) {
		snprintf(buf, len, "podman was killed by signal %d", res->signo);
		return buf;
	}
	line = podman_result_errline(res);
	if (*line)
		return line;
	snprintf(buf, len, "podman exited with status %d", res->status);
	return buf;
}

int podman_run_inherit(const char *const *args)
{
	_cleanup_free_ const char **argv = NULL;
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_int, old_quit;
	pid_t pid;
	int status;

	argv = podman_argv(args);
	if (!argv)
		return -errno;
	podman_log_argv(argv);
	/* Like system(3): a Ctrl-C ends podman, and we stay to report it and clean up. */
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	pid = fork();
	if (pid == 0) {
		podman_child_prepare();
		execv(argv[0], (char *const *)argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	status = pid < 0 ? -errno : wait_child(pid, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	return status;
}

int podman_exec_replace(const char *const *args)
{
	_cleanup_free_ const char **argv = NULL;
	sigset_t none;

	argv = podman_argv(args);
	if (!argv)
		return -errno;
	podman_log_argv(argv);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(argv[0], (char *const *)argv);
	return -errno;
}
