/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The global options (before the subcommand): -y/--assumeyes, --log-level LEVEL,
 * -v/--verbose, --version, -h/--help. Parsed by a pure function; main() stores the
 * result once with globals_set() and subcommands read it with globals_get().
 */
#ifndef TB_GLOBALS_H
#define TB_GLOBALS_H

#include <stdbool.h>
#include "log.h"

struct toolbox_globals {
	bool assume_yes;
	bool verbose;
	bool version;
	bool help;
	bool level_set;
	bool log_podman; /* --log-podman: pass our log level on to podman */
	enum log_level level;
	int cmd_index; /* index in argv of the subcommand, or argc when there is none */
};

/*
 * Parse the global options of @argv (argv[0] is the program). Stops at the first
 * non-option (the subcommand). Never prints or exits: on error points @bad at the
 * offending argument (or NULL) and returns -EINVAL (unknown option or missing value) or
 * -ERANGE (a --log-level that is not a level).
 */
int globals_parse(int argc, char **argv, struct toolbox_globals *out, const char **bad);

/* Keep @opts for the subcommands (copied). */
void globals_set(const struct toolbox_globals *opts);
/* The stored options; all false/defaults before globals_set(). */
const struct toolbox_globals *globals_get(void);

#endif
