/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the launcher knows of one image: `podman image inspect REF`, parsed with json-c
 * (pure parser, fuzzed), and the image list of `podman images --format json`.
 */
#ifndef TB_IMAGE_H
#define TB_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jsonutil.h"

struct image_info {
	char *id;
	char **names; /* RepoTags, NULL-terminated (never NULL itself) */
	struct str_pair *labels;
	size_t n_labels;
	bool is_toolbox;    /* a toolbox label is "true" */
	int64_t created;    /* Unix time, 0 when unknown */
	int64_t containers; /* how many containers use it (`podman images` only, else -1) */
};

/*
 * Parse `podman image inspect` output (a JSON array; the first element). 0, -ENOENT for
 * an empty array, -EINVAL, -ENOMEM. @out is zeroed on failure.
 */
int image_parse_inspect(const char *json, size_t len, struct image_info *out);

/* Inspect @ref. 0; -ENOENT: no such image; -EIO with podman's line in *@err; -ENOEXEC: no podman. */
int image_inspect(const char *ref, struct image_info *out, char **err);

void image_info_free(struct image_info *info);

/* The value of label @key, or NULL. */
const char *image_label(const struct image_info *info, const char *key);

/* The name to show or use: the first RepoTag whose tag is not "latest", else the first; NULL if none. */
const char *image_best_name(const struct image_info *info);

/*
 * Parse `podman images --format json` (an array of objects with Id, Names, Labels,
 * Created, Containers). 0 with a malloc'ed array in *@out (*@n entries), -EINVAL, -ENOMEM.
 */
int image_parse_list(const char *json, size_t len, struct image_info **out, size_t *n);
void image_list_free(struct image_info *list, size_t n);

/*
 * All images (`podman images --format json`, one call), sorted by name. With
 * @toolbox_only, only those with a toolbox label. 0; -ENOEXEC; -EIO with *@err; -EINVAL.
 */
int image_list_all(bool toolbox_only, struct image_info **out, size_t *n, char **err);

#endif
