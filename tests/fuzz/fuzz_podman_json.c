// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: podman's JSON as the launcher handles it. The parsers (host/container.c,
 * host/image.c, host/jsonutil.c) of `inspect --type container`, `ps -a --format json`,
 * `image inspect` and `images --format json`, all on the same input; then what is done
 * with a parse: the session kind and labels of an inspected container, and `toolbox list`'s
 * tables and JSON (host/list_print.c) for the listed containers and images. The JSON
 * printed must parse back with one entry per container and image.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "image.h"
#include "jsonutil.h"
#include "list_print.h"
#include "run_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A fixed "now" (2026-11-23), so that a replay prints what the fuzzer printed. */
#define FUZZ_NOW 1795392000

static FILE *devnull(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "we");
	if (!f)
		abort();
	return f;
}

/* `toolbox list --format json`: printed, parsed back, counted. */
static void check_json(const struct image_info *il, size_t ni, const struct container_summary *cs,
		       size_t nc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	json_object *root = NULL;
	int r;

	if (!f)
		abort();
	r = list_print_json(f, il, ni, il != NULL, cs, nc, cs != NULL);
	if (fclose(f) != 0 || !text)
		abort();
	if (r == 0) {
		if (jsonu_parse(text, len, &root) < 0)
			abort();
		if (il && json_object_array_length(jsonu_get(root, "images")) != ni)
			abort();
		if (cs && json_object_array_length(jsonu_get(root, "containers")) != nc)
			abort();
		json_object_put(root);
	} else if (r != -ENOMEM) {
		abort();
	}
	free(text);
}

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
		(void)run_session_kind(&ci);
		for (size_t i = 0; i < ci.n_labels; i++)
			if (!container_label(&ci, ci.labels[i].key))
				abort();
		for (char **m = ci.mounts; *m; m++)
			if (!container_has_mount(&ci, *m))
				abort();
		container_info_free(&ci);
	}
	if (container_parse_list(s, size, &cs, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			if (!cs[i].id || !cs[i].name || !cs[i].state || !cs[i].image)
				abort();
		(void)list_print_containers(devnull(), cs, n, FUZZ_NOW, n & 1);
		check_json(NULL, 0, cs, n);
		container_list_free(cs, n);
	}
	if (image_parse_inspect(s, size, &ii) == 0) {
		if (!ii.id || !ii.names)
			abort();
		(void)image_best_name(&ii);
		for (size_t i = 0; i < ii.n_labels; i++)
			if (!image_label(&ii, ii.labels[i].key))
				abort();
		image_info_free(&ii);
	}
	if (image_parse_list(s, size, &il, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			if (!il[i].id || !il[i].names)
				abort();
		(void)list_print_images(devnull(), il, n, FUZZ_NOW);
		check_json(il, n, NULL, 0);
		image_list_free(il, n);
	}
	return 0;
}
