// SPDX-License-Identifier: GPL-2.0-or-later
/* toolbox list: Toolbx's two tables (or JSON, see list_print.h), one podman call for each. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "container.h"
#include "image.h"
#include "list_print.h"
#include "log.h"
#include "macros.h"
#include "podman.h"

void cmd_report_list_error(const char *what, int r, const char *err)
{
	if (r == -ENOEXEC)
		log_msg(LOG_LVL_ERROR, 0, PODMAN_MISSING_MSG);
	else if (r == -EIO)
		log_msg(LOG_LVL_ERROR, 0, "failed to get %s: %s", what,
			err ? err : "podman failed");
	else
		log_msg(LOG_LVL_ERROR, -r, "failed to get %s", what);
}

int list_parse(int argc, char **argv, struct list_opts *o, char *err, size_t errlen)
{
	static const struct option longopts[] = {
		{"containers", no_argument, NULL, 'c'},
		{"format", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{"images", no_argument, NULL, 'i'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	if (errlen)
		err[0] = '\0';
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:chi", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->containers = true;
			break;
		case 'i':
			o->images = true;
			break;
		case 'h':
			o->help = true;
			return 0;
		case 'F':
			if (strcmp(optarg, "json") == 0) {
				o->json = true;
			} else if (strcmp(optarg, "table") != 0) {
				snprintf(err, errlen,
					 "invalid argument for '--format': %s (use json or table)",
					 optarg);
				return -EINVAL;
			}
			break;
		default:
			snprintf(err, errlen,
				 "unknown or incomplete option %s for \"list\"; run 'toolbox list "
				 "--help' for usage",
				 argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(
			err, errlen,
			"\"list\" takes no arguments (got %s); run 'toolbox list --help' for usage",
			argv[optind]);
		return -EINVAL;
	}
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct list_opts o;
	bool ls_c, ls_i;
	struct container_summary *cs = NULL;
	struct image_info *imgs = NULL;
	size_t nc = 0, ni = 0;
	_cleanup_free_ char *err = NULL;
	char msg[512];
	int r, ret = TB_EXIT_FAILURE;
	int64_t now = (int64_t)time(NULL);

	if (list_parse(argc, argv, &o, msg, sizeof(msg)) < 0) {
		log_msg(LOG_LVL_ERROR, 0, "%s", msg);
		return TB_EXIT_FAILURE;
	}
	if (o.help)
		return help_show("list");
	/* As Toolbx: -c alone lists containers, -i alone images, neither or both lists both. */
	ls_c = !(o.images && !o.containers);
	ls_i = !(o.containers && !o.images);

	if (ls_i) {
		r = image_list_all(true, &imgs, &ni, &err);
		if (r < 0) {
			cmd_report_list_error("images", r, err);
			goto out;
		}
	}
	if (ls_c) {
		free(err);
		err = NULL;
		r = container_list_all(true, &cs, &nc, &err);
		if (r < 0) {
			cmd_report_list_error("containers", r, err);
			goto out;
		}
	}
	if (o.json) {
		r = list_print_json(stdout, imgs, ni, ls_i, cs, nc, ls_c);
	} else {
		r = 0;
		if (ni > 0)
			r = list_print_images(stdout, imgs, ni, now);
		if (r == 0 && ni > 0 && nc > 0)
			putchar('\n');
		if (r == 0 && nc > 0)
			r = list_print_containers(stdout, cs, nc, now, isatty(STDOUT_FILENO));
	}
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, -r, "cannot print the list");
		goto out;
	}
	if (fflush(stdout) != 0) {
		log_msg(LOG_LVL_ERROR, errno, "cannot write the list");
		goto out;
	}
	ret = 0;
out:
	container_list_free(cs, nc);
	image_list_free(imgs, ni);
	return ret;
}
