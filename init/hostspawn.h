/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `host-spawn` and `flatpak-spawn --host` in a toolbox container: run a command on the
 * host through the launcher's relay ($XDG_RUNTIME_DIR/toolbox/relay.sock), with the
 * caller's stdin/stdout/stderr, or a terminal allocated on the host when stdin is one.
 *
 * toolbox-init answers to these names (argv[0]) and subcommands, and to symlink shims:
 * a link whose own target is named host-spawn (`ln -s host-spawn /usr/local/bin/podman`)
 * runs the link's name on the host (`podman ARGS` on the host).
 */
#ifndef TB_HOSTSPAWN_H
#define TB_HOSTSPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spawn_client.h"

enum hostspawn_mode {
	HOSTSPAWN_HOST_SPAWN, /* host-spawn [OPTION...] COMMAND [ARG...] */
	HOSTSPAWN_FLATPAK,    /* flatpak-spawn --host [OPTION...] COMMAND [ARG...] */
	HOSTSPAWN_SHIM,	      /* NAME ARG...: every argument is the command's */
};

struct hostspawn_req {
	enum hostspawn_mode mode;
	char **argv;	  /* the command, NULL-terminated; points into the caller's argv */
	const char *cwd;  /* --directory/--cwd, or NULL: the current directory */
	const char **env; /* "K=V" to set, "K" to unset, in order (malloc'ed array) */
	size_t n_env;
	const char *forward; /* host-spawn --env: names to pass from our environment */
	int *fds;	     /* flatpak-spawn --forward-fd (malloc'ed) */
	size_t n_fds;
	enum spawn_pty pty;
	bool clear_env;
	bool host; /* flatpak-spawn --host */
	bool verbose;
	bool help;
	bool version;
};

/*
 * Pure: parse the options of @mode from @argv[1..@argc) (argv[0] is the program or
 * subcommand name; argv[argc] is NULL). Options stop at the first argument that is not
 * one, or after "--". host-spawn takes Go-style options (-pty or --pty, -cwd DIR,
 * -cwd=DIR), flatpak-spawn GNU-style ones (--env=A=B or --env A=B). Never exits or
 * prints: -EINVAL with one line in @err. Free with hostspawn_req_free().
 */
int hostspawn_parse(enum hostspawn_mode mode, int argc, char **argv, struct hostspawn_req *r,
		    char *err, size_t errlen);
void hostspawn_req_free(struct hostspawn_req *r);

/*
 * Pure: the name to run on the host when toolbox-init was started as @argv0 through the
 * path @execfn (AT_EXECFN), given @link, the target of the symlink @execfn (NULL when it
 * is not one). A shim is a symlink, named anything but one of our own names, whose target
 * is named host-spawn. Returns the basename of @execfn, or NULL when this is no shim.
 */
const char *hostspawn_shim_name(const char *argv0, const char *execfn, const char *link);

/* Whether the basename @name is one of the names toolbox-init answers to itself. */
bool hostspawn_own_name(const char *name);

/*
 * Impure side of hostspawn_shim_name(): looks at AT_EXECFN and its symlink. The shim's
 * name, or NULL.
 */
const char *hostspawn_detect_shim(const char *argv0);

/*
 * Entry points: `host-spawn ...`, `flatpak-spawn ...` (argv[0] is the name or the
 * subcommand) and a shim (argv[0] is whatever the caller gave). Return the exit status:
 * the host command's, 128+N when a signal N ended it, 127 not found on the host,
 * 126 cannot be executed there (or host commands are off for this container), 125 our own
 * failure, 2 a usage error.
 */
int hostspawn_main(enum hostspawn_mode mode, int argc, char **argv);
int hostspawn_shim_main(const char *name, int argc, char **argv);

/*
 * For init-container: link /usr/local/bin/host-spawn and (when the image has no
 * flatpak-spawn of its own) /usr/local/bin/flatpak-spawn to /usr/bin/toolbox-init. Never
 * replaces a file; failures (a read-only image, no /usr/local) are logged at debug level.
 */
void hostspawn_install_links(void);

/* The relay's socket, relative to the runtime directory. */
#define HOSTSPAWN_SOCKET_NAME "toolbox/relay.sock"

/*
 * Pure: the relay socket's path: @override ($TOOLBOX_RELAY_SOCKET) when set, else
 * @xdg/toolbox/relay.sock when @xdg ($XDG_RUNTIME_DIR) is absolute, else
 * /run/user/UID/toolbox/relay.sock. 0 or -ENAMETOOLONG.
 */
int hostspawn_socket_path(const char *override, const char *xdg, uid_t uid, char *buf, size_t cap);

#endif
