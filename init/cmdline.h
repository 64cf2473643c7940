/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command-line parsing for toolbox-init: pure functions that never exit or print. */
#ifndef TB_CMDLINE_H
#define TB_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "log.h"

/* Options before the subcommand: `toolbox-init [--log-level L] [-v] [--version] [--help] CMD`. */
struct global_opts {
	enum log_level log_level;
	bool log_level_set;
	bool version;
	bool help;
	int cmd_index; /* argv index of the subcommand, or argc when none */
};

/* `init-container` options, as Toolbx's. */
struct init_opts {
	uid_t uid;
	gid_t gid;
	const char *user;
	const char *home;
	const char *shell;
	bool gid_set;
	bool home_link;
	bool media_link;
	bool mnt_link;
	bool monitor_host;
	bool help;
	enum log_level log_level;
	bool log_level_set;
};

int cmdline_parse_global(int argc, char **argv, struct global_opts *o, char *err, size_t errlen);
/* argv[0] is the subcommand name ("init-container"). */
int cmdline_parse_init(int argc, char **argv, struct init_opts *o, char *err, size_t errlen);
/* Parse a decimal uid/gid (0 .. 2^32-2). 0 or -EINVAL/-ERANGE. */
int cmdline_parse_id(const char *s, unsigned int *out);
/* A login name as shadow-utils would accept it (and a few more): 0 or -EINVAL. */
int cmdline_check_user_name(const char *name);

#endif
