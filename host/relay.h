/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host-command relay: `toolbox relay serve` listens on
 * $XDG_RUNTIME_DIR/toolbox/relay.sock and runs commands on the host for host-spawn /
 * flatpak-spawn --host in toolbox containers (protocol: shared/proto.h; design:
 * docs/INTERFACES.md, "Host-command relay").
 *
 *   relay_server.c  the listener: socket, systemd activation, peer uid check, one handler
 *                   process per connection, idle exit
 *   relay_conn.c    a handler: the conversation, the spawn, signals, the client's end
 *   relay_spawn.c   the host process: fds, session, terminal, cwd, environment, exec
 *   relay_pty.c     the host terminal and the copy between it and the caller's terminal
 *   relay_policy.c  which container is calling, and `create --no-host-exec`
 *   relay_ensure.c  what create/enter/run call: start the relay unless it answers
 */
#ifndef TB_RELAY_H
#define TB_RELAY_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define RELAY_SOCKET_NAME "relay.sock"
#define RELAY_LOG_NAME "relay.log"
#define RELAY_POLICY_DIR "relay-policy"

/* Defaults; `toolbox relay serve` options and $TOOLBOX_RELAY_* override them. */
#define RELAY_DEFAULT_IDLE_S 600u    /* exit this long after the last toolbox container */
#define RELAY_DEFAULT_GRACE_MS 2000u /* SIGHUP ... SIGTERM ... SIGKILL steps */

struct relay_conf {
	char dir[PATH_MAX];    /* $XDG_RUNTIME_DIR/toolbox: lock, pid, log, policy cache */
	char socket[PATH_MAX]; /* the socket (default: dir/relay.sock) */
	char stamps[PATH_MAX]; /* readiness stamps to look at for running containers, or "":
				  dir, and /run/toolbox for root (Toolbx's layout) */
	unsigned idle_s;       /* 0: never exit when idle */
	unsigned grace_ms;
	int listen_fd;	 /* from systemd (LISTEN_FDS), or -1: bind our own */
	int ready_fd;	 /* write "ok\n" there once listening (relay_ensure), or -1 */
	char **base_env; /* the environment host commands start from (NULL-terminated) */
};

/*
 * The relay's directory and socket for this user: $XDG_RUNTIME_DIR/toolbox (resolved as
 * the launcher does) and its relay.sock, or $TOOLBOX_RELAY_SOCKET. 0, or -errno with a
 * one-line message in @err.
 */
int relay_conf_paths(struct relay_conf *conf, char *err, size_t errlen);

/*
 * Check (and create, 0700) the relay's directory: a directory owned by us that neither
 * group nor others may enter. 0, or -errno with a one-line message in @err.
 */
int relay_check_dir(const char *dir, char *err, size_t errlen);

/* Run the relay until SIGTERM/SIGINT or the idle timeout. The exit status. */
int relay_serve(struct relay_conf *conf);

/*
 * For create/enter/run, with the runtime directory they resolved (runtime_dir_resolve()):
 * make sure a relay answers on this user's socket. The warm path
 * is one connect(); when nobody listens, start `toolbox relay serve` in the background
 * (double fork, new session, log in dir/relay.log) and wait until it listens (at most
 * three seconds). Never fails the caller: problems are logged at debug level. 0 when a
 * relay answers, -errno otherwise. TOOLBOX_RELAY=0 in the environment turns it off.
 */
int relay_ensure_running(const char *rundir);

/* Same, with the socket and directory given (for tests and `toolbox relay start`). */
int relay_ensure_at(const char *dir, const char *socket_path);

#endif
