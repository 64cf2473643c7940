/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `toolbox list` prints from podman's parsed JSON: Toolbx's two tables (columns
 * padded as Go's tabwriter pads them, running containers in colour on a terminal) or one
 * JSON document. No podman here: the lists are parameters, the output a FILE.
 */
#ifndef TB_LIST_PRINT_H
#define TB_LIST_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "container.h"
#include "image.h"

/* The image table, creation times relative to @now (Unix time). 0 or -ENOMEM. */
int list_print_images(FILE *f, const struct image_info *imgs, size_t n, int64_t now);
/* The container table; @color: running ones in bold green. 0 or -ENOMEM. */
int list_print_containers(FILE *f, const struct container_summary *cs, size_t n, int64_t now,
			  bool color);
/* {"images": [...], "containers": [...]}, each key only when asked for. 0, -ENOMEM, -EIO. */
int list_print_json(FILE *f, const struct image_info *imgs, size_t ni, bool ls_images,
		    const struct container_summary *cs, size_t nc, bool ls_containers);

#endif
