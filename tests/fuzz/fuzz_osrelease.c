// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: host/osrelease.c on arbitrary os-release text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "osrelease.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct os_release o;
	char *v = NULL;

	if (osrelease_parse((const char *)data, size, &o) == 0) {
		/* ID always set; values never hold a newline (one line each). */
		if (!o.id || strchr(o.id, '\n') || (o.version_id && strchr(o.version_id, '\n')))
			abort();
		osrelease_free(&o);
	}
	if (osrelease_get((const char *)data, size, "NAME", &v) == 0 && !v)
		abort();
	free(v);
	return 0;
}
