/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `toolbox-init exec`: the session entry that `podman exec` runs in a toolbox container. */
#ifndef TB_SESSION_H
#define TB_SESSION_H

#include <stdbool.h>
#include <stddef.h>

struct session_opts {
	const char *cwd;  /* --cwd DIR, or NULL: stay where podman put us */
	const char *user; /* --user NAME (or a uid), or NULL: stay who we are */
	char **argv;	  /* NULL-terminated; argv[0] == NULL => the user's login shell */
	int preserve_fds; /* --preserve-fds N: keep fds 3..3+N-1, as `podman exec` passed them */
	bool help;	  /* --help */
};

/*
 * Pure: getopt_long ("+" optstring) over
 * `exec [--cwd DIR] [--user NAME] [--preserve-fds N] [--help] [--] [CMD ARGS...]`
 * (argv[0] is "exec"; argv[argc] must be NULL). Never exits or prints; on error fills @err
 * with one line and returns -EINVAL.
 */
int session_parse(int argc, char **argv, struct session_opts *o, char *err, size_t errlen);

/*
 * `toolbox-init exec ...`: switch user (when root and --user names someone else), drop
 * capabilities, chdir, restore a clean signal and fd state, and exec the command (PATH
 * search) or the login shell. Returns an exit status only when it did not exec:
 * 0 for --help, 125 for our own failure, 126 cannot execute, 127 command not found.
 */
int session_main(int argc, char **argv);

#endif
