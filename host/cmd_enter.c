// SPDX-License-Identifier: GPL-2.0-or-later
/* `toolbox enter [OPTIONS] [CONTAINER]`: an interactive login shell in a toolbox container. */
#include "cmd.h"
#include "run_session.h"

int cmd_enter(int argc, char **argv)
{
	return run_session_main(argc, argv, true);
}
