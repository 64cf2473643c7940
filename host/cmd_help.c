// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "fdutil.h"
#include "log.h"
#include "paths.h"

struct cmd_doc {
	const char *name;
	const char *summary;
	const char *synopsis;
};

static const struct cmd_doc docs[] = {
	{"create", "Create a new toolbox container",
	 "toolbox create [--authfile FILE] [--distro DISTRO | -d DISTRO]\n"
	 "               [--image NAME | -i NAME] [--release RELEASE | -r RELEASE]\n"
	 "               [--pid host|private] [--no-host-exec] [--image-init]\n"
	 "               [CONTAINER | -c CONTAINER]"},
	{"enter", "Enter a toolbox container for interactive use",
	 "toolbox enter [--distro DISTRO | -d DISTRO] [--release RELEASE | -r RELEASE]\n"
	 "              [--exec auto|socket|podman] [CONTAINER | -c CONTAINER]"},
	{"help", "Display help information about Toolbox", "toolbox help [COMMAND]"},
	{"list", "List existing toolbox containers and images",
	 "toolbox list [--containers | -c] [--images | -i] [--format json]"},
	{"relay", "Run host commands for host-spawn and flatpak-spawn in toolbox containers",
	 "toolbox relay serve [--socket PATH] [--idle-timeout SECONDS] [--grace-ms MS]\n"
	 "toolbox relay start|stop|status [--socket PATH]"},
	{"rm", "Remove one or more toolbox containers",
	 "toolbox rm [--all | -a] [--force | -f] [CONTAINER...]"},
	{"rmi", "Remove one or more toolbox images",
	 "toolbox rmi [--all | -a] [--force | -f] [IMAGE...]"},
	{"run", "Run a command in an existing toolbox container",
	 "toolbox run [--container NAME | -c NAME] [--distro DISTRO | -d DISTRO]\n"
	 "            [--preserve-fds N] [--release RELEASE | -r RELEASE]\n"
	 "            [--exec auto|socket|podman] COMMAND [ARG...]"},
};

static const struct cmd_doc *doc_find(const char *command)
{
	for (size_t i = 0; command && i < ARRAY_SIZE(docs); i++) {
		if (strcmp(docs[i].name, command) == 0)
			return &docs[i];
	}
	return NULL;
}

bool help_known_command(const char *command)
{
	return doc_find(command) != NULL;
}

void help_usage(const char *command, FILE *f)
{
	const struct cmd_doc *d = doc_find(command);

	if (d) {
		fprintf(f, "%s\n\nUsage:\n  %s\n\nSee toolbox-%s(1) for the details.\n", d->summary,
			d->synopsis, d->name);
		return;
	}
	fputs("toolbox - Tool for containerized command line environments on Linux\n\n"
	      "Usage:\n"
	      "  toolbox [--assumeyes | -y] [--help | -h] [--log-level LEVEL] [--log-podman]\n"
	      "          [--verbose | -v] [--version] COMMAND [ARGS...]\n\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < ARRAY_SIZE(docs); i++)
		fprintf(f, "  %-8s %s\n", docs[i].name, docs[i].summary);
	fputs("\nRun 'toolbox COMMAND --help' for the help of a command.\n", f);
}

int help_show(const char *command)
{
	char page[64], path[PATH_MAX];

	snprintf(page, sizeof(page), "%s%s", command ? "toolbox-" : "toolbox",
		 command ? command : "");
	if (paths_find_man(page, path, sizeof(path)) == 0) {
		/* As Toolbx does: man's own errors go where its output goes. */
		fflush(stdout);
		dup2(STDOUT_FILENO, STDERR_FILENO);
		execlp("man", "man", "-l", path, (char *)NULL);
		log_msg(LOG_LVL_DEBUG, errno, "cannot run man for %s", path);
	}
	help_usage(command, stdout);
	return fflush(stdout) == 0 ? 0 : TB_EXIT_FAILURE;
}

int cmd_help(int argc, char **argv)
{
	if (argc > 2) {
		log_msg(LOG_LVL_ERROR, 0,
			"help takes at most one command; run 'toolbox --help' "
			"for usage");
		return TB_EXIT_FAILURE;
	}
	if (argc == 2 && strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0) {
		if (!help_known_command(argv[1])) {
			log_msg(LOG_LVL_ERROR, 0,
				"unknown command \"%s\" for \"toolbox help\"; run 'toolbox --help' "
				"for the list of commands",
				argv[1]);
			return TB_EXIT_FAILURE;
		}
		return help_show(argv[1]);
	}
	return help_show(argc == 2 ? "help" : NULL);
}
