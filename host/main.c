// SPDX-License-Identifier: GPL-2.0-or-later
/* toolbox: parse the global options, then dispatch to one cmd_<name>(). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "globals.h"
#include "log.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{"create", cmd_create}, {"enter", cmd_enter}, {"help", cmd_help},   {"list", cmd_list},
	{"rm", cmd_rm},		{"rmi", cmd_rmi},     {"relay", cmd_relay}, {"run", cmd_run},
};

int main(int argc, char **argv)
{
	struct toolbox_globals g;
	const char *bad, *name;
	int r;

	log_init("toolbox", LOG_LVL_WARN);
	r = globals_parse(argc, argv, &g, &bad);
	if (r == -ERANGE) {
		log_msg(LOG_LVL_ERROR, 0,
			"invalid argument for '--log-level': %s (use error, warn, info or debug)",
			bad);
		return TB_EXIT_FAILURE;
	}
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, 0,
			"unknown or incomplete option %s; run 'toolbox --help' "
			"for usage",
			bad ? bad : "");
		return TB_EXIT_FAILURE;
	}
	log_set_level(g.level);
	globals_set(&g);
	if (g.version) {
		printf("toolbox version %s\n", TB_VERSION);
		return 0;
	}
	if (g.cmd_index >= argc) {
		if (g.help)
			return help_show(NULL);
		log_msg(LOG_LVL_ERROR, 0, "missing command; run 'toolbox --help' for usage");
		return TB_EXIT_FAILURE;
	}
	name = argv[g.cmd_index];
	if (g.help) /* `toolbox --help create` shows the help of create */
		return help_known_command(name) ? help_show(name) : help_show(NULL);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].fn(argc - g.cmd_index, argv + g.cmd_index);
	}
	log_msg(LOG_LVL_ERROR, 0, "unknown command \"%s\"; run 'toolbox --help' for the commands",
		name);
	return TB_EXIT_FAILURE;
}
