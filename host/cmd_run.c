// SPDX-License-Identifier: GPL-2.0-or-later
/* `toolbox run [OPTIONS] COMMAND [ARG...]`: run a command in a toolbox container. */
#include "cmd.h"
#include "run_session.h"

int cmd_run(int argc, char **argv)
{
	return run_session_main(argc, argv, false);
}
