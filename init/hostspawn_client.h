/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client side of the host-command relay: connect, hand over the command with our
 * stdin/stdout/stderr (SCM_RIGHTS), put our terminal in raw mode while a host terminal
 * runs, forward signals and window sizes, and exit with the host command's status.
 */
#ifndef TB_HOSTSPAWN_CLIENT_H
#define TB_HOSTSPAWN_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "hostspawn.h"

/* The relay's socket, relative to the runtime directory. */
#define HOSTSPAWN_SOCKET_NAME "toolbox/relay.sock"

struct hostspawn_run {
	char *const *argv;	/* the command, NULL-terminated */
	const char *cwd;	/* NULL: the current directory */
	const char *const *env; /* "K=V" set / "K" unset, applied after @forward */
	size_t n_env;
	const char *forward; /* comma-separated names passed on from our environment */
	const int *extra_fds;
	size_t n_extra;
	enum hostspawn_pty pty;
	bool clear_env;
	bool term_with_pty; /* pass TERM on when a terminal is allocated (flatpak-spawn) */
	const char *prog;   /* for messages */
};

/* Run it; returns the exit status (see hostspawn_main()). Prints its own errors. */
int hostspawn_client_run(const struct hostspawn_run *run);

/*
 * Pure: the relay socket's path: @override ($TOOLBOX_RELAY_SOCKET) when set, else
 * @xdg/toolbox/relay.sock when @xdg ($XDG_RUNTIME_DIR) is absolute, else
 * /run/user/UID/toolbox/relay.sock. 0 or -ENAMETOOLONG.
 */
int hostspawn_socket_path(const char *override, const char *xdg, uid_t uid, char *buf, size_t cap);

/* Pure: our exit status for EXITED (how, value): the status, or 128+N for signal N. */
int hostspawn_exit_status(unsigned how, unsigned value);

/*
 * Pure: our exit status for SPAWN_FAILED (stage, err): 127 not found (exec, ENOENT), 126
 * cannot execute or refused by policy, 125 anything else.
 */
int hostspawn_failed_status(unsigned stage, unsigned err);

/*
 * Pure: the environment entries to send: NAME=VALUE for each name in the comma-separated
 * @forward that @getenv_fn finds, then @env. malloc'ed array of @n malloc'ed strings
 * (free with hostspawn_env_free()). 0 or -ENOMEM.
 */
int hostspawn_env_build(const char *forward, const char *const *env, size_t n_env,
			const char *(*getenv_fn)(const char *), char ***out, size_t *n);
void hostspawn_env_free(char **env, size_t n);

#endif
