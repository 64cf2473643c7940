/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bind mounts from the host (/run/host) into the container, as Toolbx makes them. */
#ifndef TB_SETUP_MOUNTS_H
#define TB_SETUP_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>

struct mount_opts {
	const char *host_root; /* "/run/host" */
	bool media_link;
	bool mnt_link;
	bool home_link;
};

/*
 * Bind every host path that exists (absent ones are skipped quietly), make the links
 * (/media -> /run/media, /mnt -> /var/mnt, /home -> /var/home) when asked. A destination
 * that is a symlink in the image is left alone (logged), never followed. 0, or -errno
 * with a one-line reason in @err.
 */
int setup_mounts(const struct mount_opts *o, char *err, size_t errlen);

#endif
