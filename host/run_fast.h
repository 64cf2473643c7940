/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast way into a running toolbox: hand the session to toolbox-init's exec socket
 * (shared/exec_socket.h) instead of running podman exec. The command, its environment
 * and our stdin/stdout/stderr (and --preserve-fds ones) travel over the socket; with a
 * terminal, the init allocates the session's pty in the container, as podman exec -t
 * would, and copies between it and ours.
 */
#ifndef TB_RUN_FAST_H
#define TB_RUN_FAST_H

#include <stdbool.h>

struct fast_req {
	const char *name;      /* the container, for messages */
	const char *socket;    /* its exec socket */
	char *const *entry;    /* exec_build_entry()'s argv */
	char *const *env_args; /* envlist_build()'s "--env=NAME=VALUE" */
	unsigned int preserve_fds;
	bool tty;      /* a terminal for the session (stdin and stdout are terminals) */
	bool fallback; /* SPAWN_UNAVAILABLE, silently, when the socket does not answer */
};

/*
 * Run the session. Returns its exit status as `podman exec` would give it (the command's,
 * 128+N for signal N, 125..127 from toolbox-init exec), or SPAWN_UNAVAILABLE when
 * @fallback and nothing was started (the caller uses podman exec then).
 */
int run_fast(const struct fast_req *r);

#endif
