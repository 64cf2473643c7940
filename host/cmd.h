/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Subcommand entry points and the launcher's exit codes.
 *
 * Each subcommand gets argv starting at its own name (argv[0] = "create", ...), parses
 * its options with getopt_long (reset optind = 0 first) and returns the exit status.
 */
#ifndef TB_CMD_H
#define TB_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Exit codes (documented in toolbox(1)):
 *   0    success
 *   125  the launcher's own failure: bad usage, unknown or non-toolbox container, podman
 *        missing or failing, image missing, ... (podman's convention; Toolbx 0.0.99.3
 *        exits 1 for all of these: scripts that test for non-zero work with both)
 *   126  run: the command was found but could not be executed
 *   127  run: the command was not found
 *   128+N run/enter: the command was killed by signal N; create: interrupted by signal N
 *   other run/enter: the command's own status
 */
#define TB_EXIT_FAILURE 125
#define TB_EXIT_CANNOT_INVOKE 126
#define TB_EXIT_NOT_FOUND 127

int cmd_create(int argc, char **argv);
int cmd_enter(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_rmi(int argc, char **argv);

/* One line for a failed `podman ps`/`podman images` (@r and @err from *_list_all()). */
void cmd_report_list_error(const char *what, int r, const char *err);
int cmd_help(int argc, char **argv);
int cmd_relay(int argc, char **argv);

/*
 * `--help` of @command (NULL: the tool): our man page (man -l, replacing the process)
 * when it is installed or in the source tree, else the built-in usage on stdout.
 * Returns the exit status (0) when it did not exec.
 */
int help_show(const char *command);
/* Print the one-paragraph built-in usage of @command (NULL: the tool) to @f. */
void help_usage(const char *command, FILE *f);
/* Whether @command is one of ours. */
bool help_known_command(const char *command);

/* The options of rm and rmi: -a/--all, -f/--force, -h/--help. */
struct rm_opts {
	bool all, force, help;
};
/*
 * Parse them (@argv[0] is "rm" or "rmi"; options may follow the names, as in Toolbx).
 * Pure: the index of the first name, or -EINVAL with one line in @err.
 */
int rm_parse(int argc, char **argv, struct rm_opts *o, char *err, size_t errlen);

/* The options of list: -c/--containers, -i/--images, --format json|table, -h/--help. */
struct list_opts {
	bool containers, images, json, help;
};
/* Parse them (@argv[0] is "list"). Pure: 0, or -EINVAL with one line in @err. */
int list_parse(int argc, char **argv, struct list_opts *o, char *err, size_t errlen);

/* `relay SUBCOMMAND [OPTION...]` */
struct relay_args {
	const char *sub;    /* "serve", "start", ... (not checked here) */
	const char *socket; /* --socket, or NULL */
	const char *stamps; /* --stamps-dir; the caller's default is kept when not given */
	unsigned idle_s;    /* --idle-timeout; likewise */
	unsigned grace_ms;  /* --grace-ms; likewise */
	bool help;	    /* --help/-h, before or after the subcommand: usage on stdout */
	bool usage;	    /* no subcommand: usage on stderr, a failure */
};
/*
 * Parse them (@argv[0] is "relay"). @a holds the defaults on entry. Pure: 0 (check
 * help and usage), or -EINVAL with one line in @err.
 */
int relay_parse(int argc, char **argv, struct relay_args *a, char *err, size_t errlen);

#endif
