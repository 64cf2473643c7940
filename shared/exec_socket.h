/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where toolbox-init's exec socket is: STAMPDIR/exec/ID.sock, STAMPDIR being the
 * readiness directory ($XDG_RUNTIME_DIR/toolbox, /run/toolbox for root), which the
 * container and the host see at the same path. The server is init/exec_server.c, the
 * client host/run_fast.c.
 */
#ifndef TB_EXEC_SOCKET_H
#define TB_EXEC_SOCKET_H

#include <stddef.h>

#define EXEC_SOCKET_DIR "exec"
/* What a request's argv must start with: the init's path in every toolbox container. */
#define EXEC_SOCKET_INIT_PATH "/usr/bin/toolbox-init"

/*
 * Pure: @path = @stamp_dir/exec/@id.sock. 0, -EINVAL when @id is empty or has a '/',
 * -ENAMETOOLONG when it does not fit in a socket address.
 */
int exec_socket_path(const char *stamp_dir, const char *id, char *path, size_t cap);

#endif
