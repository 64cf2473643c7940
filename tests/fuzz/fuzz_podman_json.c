// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the parsers of podman's JSON (host/container.c, host/image.c,
 * host/jsonutil.c): `inspect --type container`, `ps -a --format json`, `image inspect`,
 * `images --format json`, all on the same input.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct container_info ci;
	struct container_summary *cs;
	struct image_info ii, *il;
	size_t n;

	if (container_parse_inspect(s, size, &ci) == 0) {
		if (!ci.id || !ci.name || !ci.state || !ci.cmd || !ci.entrypoint || !ci.mounts)
			abort();
		if (ci.is_toolbox != container_labels_are_toolbox(ci.labels, ci.n_labels))
			abort();
		container_info_free(&ci);
	}
	if (container_parse_list(s, size, &cs, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			if (!cs[i].id || !cs[i].name || !cs[i].state || !cs[i].image)
				abort();
		container_list_free(cs, n);
	}
	if (image_parse_inspect(s, size, &ii) == 0) {
		if (!ii.id || !ii.names)
			abort();
		(void)image_best_name(&ii);
		image_info_free(&ii);
	}
	if (image_parse_list(s, size, &il, &n) == 0)
		image_list_free(il, n);
	return 0;
}
