/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running one `podman exec` session and staying its parent, so that the session ends
 * the way a local program would:
 * - exit status: podman's, which is the command's (128+N when podman itself was killed);
 * - signals sent to the launcher (SIGTERM, SIGINT, ...) go to the session's processes in
 *   the container, not to podman, which would only detach from a session that goes on;
 * - closing the terminal (SIGHUP) hangs the session up as a real terminal hangup would,
 *   although conmon keeps the container's pty open;
 * - Ctrl-C / Ctrl-Z in a non-tty session reach the command while podman, in its own
 *   process group, keeps relaying its output and status.
 * The session's PID comes from the file toolbox-init exec writes (docs/INTERFACES.md,
 * "Requests from the launcher"); under --pid host it is a host PID we can signal.
 */
#ifndef TB_RUN_SUPERVISE_H
#define TB_RUN_SUPERVISE_H

#include <stdbool.h>

struct supervise_args {
	const char *const *podman_args; /* after "podman": "exec", ... (NULL-terminated) */
	bool tty;			/* podman exec --tty: it shares our process group */
	bool relay_stdin;		/* stdin is a terminal, stdout is not: we copy it */
	unsigned int preserve_fds;	/* fds 3..3+N-1 are passed on */
	const char *session_dir;	/* where the session file appears (watched) */
	const char *session_file;	/* its full path (NULL: no signal forwarding) */
};

/*
 * Fork and exec podman with @a, forward signals until it exits, clean up (terminal mode,
 * session file). Returns the exit status for the launcher: podman's, 128+N, or 125 when
 * podman could not be started (after logging why).
 */
int supervise_run(const struct supervise_args *a);

/*
 * Where a signal @sig for the session goes, given the leader's PID and the foreground
 * process group of its terminal (@tpgid, <= 0 without one). Pure, for the tests:
 * *@group is the process group to signal (0: none), *@leader the single process
 * (0: none), *@cont whether SIGCONT follows (a hangup wakes stopped jobs).
 */
void supervise_route(int sig, int leader, int tpgid, int *group, int *leader_out, bool *cont);

#endif
