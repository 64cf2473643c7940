/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `toolbox-init init-container`: set the container up, say so, then serve as PID 1. */
#ifndef TB_INIT_CONTAINER_H
#define TB_INIT_CONTAINER_H

#include "cmdline.h"

/* argv[0] is "init-container". Returns the process exit status. */
int init_container_main(int argc, char **argv, const struct global_opts *g);

#endif
