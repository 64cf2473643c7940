// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: host/config.c (toolbox.conf through inih) and its TOML string decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tb_config c = {0};
	char *text = malloc(size + 1), *v = NULL;
	int line = 0;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (config_parse_string(text, &c, &line) < 0) {
		/* A failure leaves nothing behind and names a line. */
		if (c.distro || c.release || c.image || line < 1)
			abort();
	}
	config_free(&c);
	if (config_unquote(text, &v) == 0 && (!v || strlen(v) > size))
		abort();
	free(v);
	free(text);
	return 0;
}
