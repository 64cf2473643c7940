// SPDX-License-Identifier: GPL-2.0-or-later
/* toolbox-init: parse the global options and hand over to the subcommand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostspawn.h"
#include "init_container.h"
#include "log.h"
#include "cmdline.h"
#include "session.h"

static void usage(FILE *f)
{
	fputs("Usage: toolbox-init [--log-level LEVEL] [-v] COMMAND [OPTION...]\n"
	      "\n"
	      "The init and session entry of toolbox containers.\n"
	      "\n"
	      "Commands:\n"
	      "  init-container   set the container up for the user, then run as its init\n"
	      "  exec             run a command (or the login shell) as the user, without\n"
	      "                   capabilities, in the given working directory\n"
	      "  host-spawn       run a command on the host (also: flatpak-spawn --host)\n"
	      "\n"
	      "Options:\n"
	      "  --log-level LEVEL  error, warn, info or debug (also $TOOLBOX_LOG_LEVEL)\n"
	      "  -v, --verbose      one log level more\n"
	      "  --version          print the version\n"
	      "  -h, --help         print this help\n",
	      f);
}

/* Called as host-spawn, flatpak-spawn or through a host-spawn shim: the relay client. */
static int dispatch_name(int argc, char **argv, int *status)
{
	const char *base = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;
	const char *shim;

	if (argc < 1 || !argv[0])
		return 0;
	base = base ? base + 1 : argv[0];
	if (strcmp(base, "host-spawn") == 0) {
		*status = hostspawn_main(HOSTSPAWN_HOST_SPAWN, argc, argv);
		return 1;
	}
	if (strcmp(base, "flatpak-spawn") == 0) {
		*status = hostspawn_main(HOSTSPAWN_FLATPAK, argc, argv);
		return 1;
	}
	shim = hostspawn_detect_shim(argv[0]);
	if (shim) {
		*status = hostspawn_shim_main(shim, argc, argv);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct global_opts g;
	enum log_level lvl = LOG_LVL_WARN;
	const char *env = getenv("TOOLBOX_LOG_LEVEL");
	const char *cmd;
	char err[512];
	int status;

	if (dispatch_name(argc, argv, &status))
		return status;

	log_init("toolbox-init", LOG_LVL_WARN);
	if (env && log_parse_level(env, &lvl) == 0)
		log_set_level(lvl);

	if (cmdline_parse_global(argc, argv, &g, err, sizeof(err)) < 0) {
		log_msg(LOG_LVL_ERROR, 0, "%s (see toolbox-init --help)", err);
		return 2;
	}
	if (g.log_level_set)
		log_set_level(g.log_level);
	if (g.version) {
		printf("toolbox-init version %s\n", TB_VERSION);
		return 0;
	}
	if (g.help) {
		usage(stdout);
		return 0;
	}
	if (g.cmd_index >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[g.cmd_index];
	if (strcmp(cmd, "init-container") == 0)
		return init_container_main(argc - g.cmd_index, argv + g.cmd_index, &g);
	if (strcmp(cmd, "exec") == 0)
		return session_main(argc - g.cmd_index, argv + g.cmd_index);
	if (strcmp(cmd, "host-spawn") == 0)
		return hostspawn_main(HOSTSPAWN_HOST_SPAWN, argc - g.cmd_index, argv + g.cmd_index);
	if (strcmp(cmd, "flatpak-spawn") == 0)
		return hostspawn_main(HOSTSPAWN_FLATPAK, argc - g.cmd_index, argv + g.cmd_index);
	log_msg(LOG_LVL_ERROR, 0, "unknown command \"%s\" (see toolbox-init --help)", cmd);
	return 2;
}
