/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The exec socket: the fast way into a running toolbox. toolbox-init listens on
 * STAMPDIR/exec/ID.sock (STAMPDIR is $XDG_RUNTIME_DIR/toolbox, /run/toolbox for root:
 * where the readiness stamps are, seen at the same path on the host) and runs
 * `toolbox-init exec ...` requests from the container's user, so that `toolbox run` on
 * the host needs no podman at all. Conversation and spawn: shared/spawn_conn.h (the
 * host-command relay's, with the roles swapped); docs/INTERFACES.md, "Exec socket".
 *
 * The server is a child of PID 1 forked before PID 1 confines itself, so the sessions it
 * starts begin where `podman exec` would: root with the container's capabilities, no
 * seccomp of ours, no no_new_privs. `toolbox-init exec` then does the rest, as it does
 * for podman exec.
 */
#ifndef TB_EXEC_SERVER_H
#define TB_EXEC_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "exec_socket.h"

struct exec_server_conf {
	const char *stamp_dir; /* readiness directory (exists, owned by @uid) */
	const char *id;	       /* the container's id: the socket's name */
	const char *user;      /* the user sessions run as (toolbox-init exec --user) */
	uid_t uid;	       /* the only peer uid served (as this user namespace sees it) */
	gid_t gid;
	unsigned grace_ms; /* SIGHUP ... SIGTERM ... SIGKILL when the caller goes away */
};

/*
 * Pure: check a request's argv (`/usr/bin/toolbox-init exec [--cwd D] [--preserve-fds N]
 * [--] [CMD...]`, no --user: the server chooses the user) and build what the server runs:
 * a malloc'ed NULL-terminated argv of "toolbox-init", "exec", "--user", @user, then
 * @argv[2..]: strings borrowed from @argv. 0, -EINVAL (with one line in @err), -ENOMEM.
 */
int exec_server_rewrite(char **argv, size_t argc, const char *user, char ***out, char *err,
			size_t errlen);

/*
 * Make the directory and the socket (0600, owned by the user), and fork the server. It
 * lives as long as its parent (PR_SET_PDEATHSIG). 0 with *@pid, or -errno (nothing left
 * behind); the caller goes on without a fast path then.
 */
int exec_server_start(const struct exec_server_conf *conf, pid_t *pid);

#endif
