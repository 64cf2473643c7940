// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "globals.h"

/* Set once by main() before the subcommand runs; read-only afterwards. */
static struct toolbox_globals globals_current = {.level = LOG_LVL_WARN};

int globals_parse(int argc, char **argv, struct toolbox_globals *out, const char **bad)
{
	enum { OPT_LOG_LEVEL = 256, OPT_VERSION, OPT_LOG_PODMAN };
	static const struct option longopts[] = {
		{"assumeyes", no_argument, NULL, 'y'},
		{"help", no_argument, NULL, 'h'},
		{"log-level", required_argument, NULL, OPT_LOG_LEVEL},
		{"log-podman", no_argument, NULL, OPT_LOG_PODMAN},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(out, 0, sizeof(*out));
	out->level = LOG_LVL_WARN;
	*bad = NULL;
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:hvy", longopts, NULL)) != -1) {
		switch (c) {
		case 'y':
			out->assume_yes = true;
			break;
		case 'h':
			out->help = true;
			break;
		case 'v':
			out->verbose = true;
			out->level = LOG_LVL_DEBUG;
			out->level_set = true;
			break;
		case OPT_VERSION:
			out->version = true;
			break;
		case OPT_LOG_PODMAN:
			out->log_podman = true;
			break;
		case OPT_LOG_LEVEL:
			if (log_parse_level(optarg, &out->level) < 0) {
				*bad = optarg;
				return -ERANGE;
			}
			out->level_set = true;
			break;
		default:
			*bad = optind > 0 && optind <= argc ? argv[optind - 1] : NULL;
			return -EINVAL;
		}
	}
	out->cmd_index = optind;
	return 0;
}

void globals_set(const struct toolbox_globals *opts)
{
	globals_current = *opts;
}

const struct toolbox_globals *globals_get(void)
{
	return &globals_current;
}
