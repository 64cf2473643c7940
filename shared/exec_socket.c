// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "exec_socket.h"
#include "proto_io.h"

int exec_socket_path(const char *stamp_dir, const char *id, char *path, size_t cap)
{
	int n;

	if (!id || !*id || strchr(id, '/'))
		return -EINVAL;
	n = snprintf(path, cap, "%s/%s/%s.sock", stamp_dir, EXEC_SOCKET_DIR, id);
	if (n < 0 || (size_t)n >= cap || !proto_path_fits(path))
		return -ENAMETOOLONG;
	return 0;
}
