/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client side of a spawn socket (the host-command relay, used by host-spawn in a
 * container; the exec socket of toolbox-init, used by `toolbox run` on the host): connect,
 * hand over the command with our stdin/stdout/stderr (SCM_RIGHTS), put our terminal in raw
 * mode while a terminal of the other side runs, forward signals and window sizes, and
 * exit with the command's status.
 */
#ifndef TB_SPAWN_CLIENT_H
#define TB_SPAWN_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum spawn_pty {
	SPAWN_PTY_AUTO, /* a terminal on the other side when stdin is a terminal we own */
	SPAWN_PTY_ON,
	SPAWN_PTY_OFF,
};

/* spawn_client_run(): the other side is not there, or refused before the command went. */
#define SPAWN_UNAVAILABLE (-1)

struct spawn_run {
	char *const *argv;	/* the command, NULL-terminated */
	const char *cwd;	/* NULL: the current directory */
	const char *const *env; /* "K=V" set / "K" unset, applied after @forward */
	size_t n_env;
	const char *forward; /* comma-separated names passed on from our environment */
	const int *extra_fds;
	size_t n_extra;
	enum spawn_pty pty;
	bool clear_env;
	bool term_with_pty;	/* pass TERM on when a terminal is allocated (flatpak-spawn) */
	const char *prog;	/* for messages */
	const char *socket;	/* the server's socket */
	const char *peer;	/* the server, in messages: "the toolbox relay" */
	const char *where;	/* where commands run, in messages: "on the host" */
	const char *start_hint; /* what to do when nobody listens */
	const char *policy_msg; /* what a refusal by policy means */
	/*
	 * Return SPAWN_UNAVAILABLE, silently, when the socket is not there or the server
	 * refuses before the command was handed over (the caller has another way).
	 */
	bool fallback;
};

/*
 * Run it; returns the exit status (0..255: the command's, 128+N for signal N, 125/126/127
 * as spawn_failed_status() says), or SPAWN_UNAVAILABLE (see @fallback). Prints its own
 * errors.
 */
int spawn_client_run(const struct spawn_run *run);

/* Pure: our exit status for EXITED (how, value): the status, or 128+N for signal N. */
int spawn_exit_status(unsigned how, unsigned value);

/*
 * Pure: our exit status for SPAWN_FAILED (stage, err): 127 not found (exec, ENOENT), 126
 * cannot execute or refused by policy, 125 anything else.
 */
int spawn_failed_status(unsigned stage, unsigned err);

/*
 * Pure: the environment entries to send: NAME=VALUE for each name in the comma-separated
 * @forward that @getenv_fn finds, then @env. malloc'ed array of @n malloc'ed strings
 * (free with spawn_env_forward_free()). 0 or -ENOMEM.
 */
int spawn_env_forward(const char *forward, const char *const *env, size_t n_env,
		      const char *(*getenv_fn)(const char *), char ***out, size_t *n);
void spawn_env_forward_free(char **env, size_t n);

#endif
