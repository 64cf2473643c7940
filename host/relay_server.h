/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers of the relay's listener that are worth testing on their own. */
#ifndef TB_RELAY_SERVER_H
#define TB_RELAY_SERVER_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Pure: the relay's directory (@rundir/toolbox) and socket (@sock_override when set, else
 * the directory's relay.sock) into @dir and @sock (@cap bytes each). 0, or -ENAMETOOLONG
 * (also when the socket's path does not fit in sockaddr_un).
 */
int relay_paths_for(const char *rundir, const char *sock_override, char *dir, char *sock,
		    size_t cap);

/*
 * Whether a toolbox container runs for this user: a container-initialized-PID stamp in
 * @dir whose PID is alive and named toolbox-init or toolbox (Toolbx's own init).
 */
bool relay_toolbox_running(const char *dir);

#endif
