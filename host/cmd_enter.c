// SPDX-License-Identifier: GPL-2.0-or-later
/* `toolbox enter [OPTIONS] [CONTAINER]`: an interactive login shell in a toolbox container. */
#include <errno.h>

#include "cmd.h"
#include "log.h"
#include "run_args.h"
#include "run_session.h"

int cmd_enter(int argc, char **argv)
{
	struct run_opts o;
	char err[512];
	int r;

	r = run_parse(argc, argv, true, &o, err, sizeof(err));
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
		return help_show("enter");
	}
	r = run_session(&o, true);
	run_opts_free(&o);
	return r;
}
