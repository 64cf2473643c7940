// SPDX-License-Identifier: GPL-2.0-or-later
/* `toolbox run [OPTIONS] COMMAND [ARG...]`: run a command in a toolbox container. */
#include <errno.h>

#include "cmd.h"
#include "log.h"
#include "run_args.h"
#include "run_session.h"

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	char err[512];
	int r;

	r = run_parse(argc, argv, false, &o, err, sizeof(err));
	if (r < 0) {
		if (r == -EINVAL)
			log_msg(LOG_LVL_ERROR, 0, "%s", err);
		else
			log_msg(LOG_LVL_ERROR, -r, "cannot parse the command line");
		run_opts_free(&o);
		return TB_EXIT_FAILURE;
	}
	if (o.help) {
		run_opts_free(&o);
		return help_show("run");
	}
	r = run_session(&o, false);
	run_opts_free(&o);
	return r;
}
