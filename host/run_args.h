/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `toolbox run` and `toolbox enter`: their command lines, parsed by pure functions, and
 * the `podman exec` command line of a session, built by a pure function. No I/O here.
 */
#ifndef TB_RUN_ARGS_H
#define TB_RUN_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "envlist.h"
#include "run_state.h"

/* Largest --preserve-fds we pass on (podman takes any uint; this is plenty). */
#define RUN_MAX_PRESERVE_FDS 65536

/* How a session gets into the container. */
enum run_exec {
	RUN_EXEC_UNSET = 0, /* not on the command line: toolbox.conf, else auto */
	RUN_EXEC_AUTO,	    /* the init's exec socket when it answers, else podman exec */
	RUN_EXEC_SOCKET,    /* the exec socket only (an error when it does not answer) */
	RUN_EXEC_PODMAN,    /* podman exec only */
};

/* Pure: "auto", "socket", "podman" -> the mode; -EINVAL for anything else. */
int run_exec_parse(const char *s, enum run_exec *out);

struct run_opts {
	const char *container; /* -c/--container, or enter's CONTAINER; NULL: the default */
	const char *distro;    /* -d/--distro */
	const char *release;   /* -r/--release */
	unsigned int preserve_fds;
	struct env_edit *env; /* -e/--env and --unset-env, in order (malloc'ed) */
	size_t n_env;
	char **cmd;	    /* run: the command (never empty); enter: NULL */
	enum run_exec exec; /* --exec */
	bool help;
};

/*
 * Parse `run [OPTIONS] COMMAND [ARG...]` (@argv[0] is "run") or `enter [OPTIONS]
 * [CONTAINER]` (@enter, argv[0] "enter"). Never prints or exits: -EINVAL with one line in
 * @err (no "toolbox: " prefix), -ENOMEM. Free with run_opts_free() either way.
 */
int run_parse(int argc, char **argv, bool enter, struct run_opts *o, char *err, size_t errlen);
void run_opts_free(struct run_opts *o);

/* What a session needs from podman exec. */
struct exec_spec {
	const char *target; /* the container's ID (or name) */
	const char *user;   /* user name for --user */
	bool tty;
	unsigned int preserve_fds;
	char *const *env_args; /* "--env=NAME=VALUE" ..., NULL-terminated (may be NULL) */
	enum session_kind kind;
	const char *cwd;   /* working directory to keep, or NULL */
	char *const *cmd;  /* NULL or empty: the login shell */
	const char *shell; /* SESSION_KIND_TOOLBX with no cmd: the user's shell */
	char fds_buf[16];  /* scratch for the --preserve-fds number */
};

/*
 * The command line inside the container for a toolbox-init session:
 * "/usr/bin/toolbox-init", "exec", --cwd, --preserve-fds, "--", the command: what podman
 * exec runs, and what the exec socket is asked to run. Same ownership as below.
 */
int exec_build_entry(struct exec_spec *s, const char ***out);

/* The script toolbx-kind sessions run with `sh -c` (exposed for the tests). */
extern const char exec_toolbx_script[];

/*
 * The arguments after "podman" (and its global options): "exec", options, the target,
 * the entry (toolbox-init exec ... or the sh script) and the command. *@out is a
 * malloc'ed NULL-terminated array whose strings are borrowed from @s (and its fds_buf)
 * or static. 0 or -ENOMEM / -EINVAL.
 */
int exec_build_args(struct exec_spec *s, const char ***out);

#endif
