/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one place that runs podman. Every podman invocation of the launcher goes through
 * these functions, so global options (--log-level) and the binary lookup live here.
 */
#ifndef TB_PODMAN_H
#define TB_PODMAN_H

#include <stdbool.h>
#include <stddef.h>

/*
 * podman's path: $TOOLBOX_PODMAN when set (tests), else the first "podman" in $PATH.
 * Resolved once. NULL (errno ENOENT) when there is none.
 */
const char *podman_path(void);

/* The one-line error for a missing podman, for callers to print. */
#define PODMAN_MISSING_MSG "podman not found in PATH; install podman (apt install podman)"

struct podman_result {
	char *out; /* stdout, NUL-terminated, malloc'ed (never NULL after success) */
	size_t out_len;
	char *err; /* stderr, NUL-terminated, malloc'ed (never NULL after success) */
	size_t err_len;
	int status; /* exit code, or 128+N when killed by signal N */
	int signo;  /* N when podman was killed by signal N, else 0 */
};

/*
 * Run `podman [global options] ARGS...` (@args is NULL-terminated and does not start
 * with "podman"), stdin from /dev/null, stdout and stderr captured. 0 when podman ran
 * (whatever its status: see res->status), -errno when it could not be run (-ENOENT: no
 * podman). Free @res with podman_result_free() in both cases.
 */
int podman_capture(const char *const *args, struct podman_result *res);
void podman_result_free(struct podman_result *res);

/*
 * podman_capture() for callers that only want success: 0 when podman exited 0 (output in
 * @res), -ENOEXEC when there is no podman, -errno when it could not run, -EIO when it
 * failed, with its one-line error in *@err (malloc'ed; @err may be NULL). Free @res always.
 */
int podman_capture_ok(const char *const *args, struct podman_result *res, char **err);

/*
 * podman's error as one line: the last non-empty line of its stderr, without the
 * "Error: " prefix podman adds. Points into @res (valid until it is freed; the buffer
 * is modified). "" when stderr is empty.
 */
const char *podman_result_errline(struct podman_result *res);

/*
 * Why podman failed, for "failed to ...: WHY": "podman was killed by signal N" when it
 * was (a kill leaves no error line: its last one may be any warning), else its error
 * line, else "podman exited with status N". Points into @res or @buf.
 */
const char *podman_result_why(struct podman_result *res, char *buf, size_t len);

/*
 * Same as podman_capture() with stdin, stdout and stderr inherited. SIGINT and SIGQUIT
 * are ignored by the launcher while podman runs (as system(3) does), so a Ctrl-C ends
 * podman and the caller can report and clean up. Returns podman's status (>= 0, 128+N
 * on signal) or -errno when it could not be run.
 */
int podman_run_inherit(const char *const *args);

/*
 * execv() podman in place of the launcher: the warm path, one execve and nothing after.
 * Every fd that is not CLOEXEC (e.g. for --preserve-fds) is passed on as is; the signal
 * mask is emptied first. Handlers are reset by execve itself; ignored signals stay
 * ignored (nohup keeps working), so a caller that ignored one must restore it.
 * Returns -errno only on failure.
 */
int podman_exec_replace(const char *const *args);

/*
 * Build podman's full argv: path, global options, @args. Malloc'ed array (the strings
 * are borrowed, not copied); NULL + errno on failure. Exposed for tests and for callers
 * that fork themselves.
 */
const char **podman_argv(const char *const *args);

/* Whether we run podman as root (rootful) or as a regular user (rootless). */
bool podman_is_rootless(void);

#endif
