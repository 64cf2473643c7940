// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "image.h"
#include "podman.h"

void image_info_free(struct image_info *info)
{
	if (!info)
		return;
	free(info->id);
	jsonu_strv_free(info->names);
	str_pairs_free(info->labels, info->n_labels);
	memset(info, 0, sizeof(*info));
}

const char *image_label(const struct image_info *info, const char *key)
{
	for (size_t i = 0; i < info->n_labels; i++) {
		if (strcmp(info->labels[i].key, key) == 0)
			return info->labels[i].value;
	}
	return NULL;
}

const char *image_best_name(const struct image_info *info)
{
	for (char **n = info->names; n && *n; n++) {
		const char *slash = strrchr(*n, '/'), *colon = strrchr(slash ? slash : *n, ':');

		if (!colon || strcmp(colon + 1, "latest") != 0)
			return *n;
	}
	return info->names && info->names[0] ? info->names[0] : NULL;
}

/* One image object; @names_key is "RepoTags" (inspect) or "Names" (images). */
static int parse_image(json_object *o, const char *names_key, struct image_info *out)
{
	const char *id = jsonu_get_string(o, "Id");
	json_object *labels = jsonu_get(o, "Labels");
	int r;

	memset(out, 0, sizeof(*out));
	out->containers = -1;
	if (!json_object_is_type(o, json_type_object) || !id)
		return -EINVAL;
	out->id = strdup(id);
	if (!out->id)
		return -ENOMEM;
	if (!labels || json_object_is_type(labels, json_type_null))
		labels = jsonu_get(jsonu_get(o, "Config"), "Labels");
	if ((r = jsonu_strv(jsonu_get(o, names_key), &out->names)) < 0 ||
	    (r = jsonu_string_map(labels, &out->labels, &out->n_labels)) < 0) {
		image_info_free(out);
		return r;
	}
	out->is_toolbox = container_labels_are_toolbox(out->labels, out->n_labels);
	out->created = jsonu_get_int(o, "Created", 0);
	out->containers = jsonu_get_int(o, "Containers", -1);
	return 0;
}

int image_parse_inspect(const char *json, size_t len, struct image_info *out)
{
	json_object *root;
	int r;

	memset(out, 0, sizeof(*out));
	r = jsonu_parse(json, len, &root);
	if (r < 0)
		return r;
	if (!json_object_is_type(root, json_type_array))
		r = -EINVAL;
	else if (json_object_array_length(root) == 0)
		r = -ENOENT;
	else
		r = parse_image(json_object_array_get_idx(root, 0), "RepoTags", out);
	json_object_put(root);
	return r;
}

int image_inspect(const char *ref, struct image_info *out, char **err)
{
	const char *args[] = {"image", "inspect", "--", ref, NULL};
	struct podman_result res;
	int r;

	memset(out, 0, sizeof(*out));
	if (err)
		*err = NULL;
	r = podman_capture(args, &res);
	if (r < 0) {
		podman_result_free(&res);
		return r == -ENOENT ? -ENOEXEC : r;
	}
	if (res.status != 0) {
		const char *line = podman_result_errline(&res);

		r = strstr(line, "image not known") || strstr(line, "no such image") ? -ENOENT
										     : -EIO;
		if (err && r == -EIO)
			*err = strdup(line);
		podman_result_free(&res);
		return r;
	}
	r = image_parse_inspect(res.out, res.out_len, out);
	podman_result_free(&res);
	return r;
}

void image_list_free(struct image_info *list, size_t n)
{
	if (!list)
		return;
	for (size_t i = 0; i < n; i++)
		image_info_free(&list[i]);
	free(list);
}

int image_parse_list(const char *json, size_t len, struct image_info **out, size_t *n)
{
	json_object *root;
	struct image_info *list = NULL;
	size_t count = 0;
	int r;

	*out = NULL;
	*n = 0;
	r = jsonu_parse(json, len, &root);
	if (r < 0)
		return r;
	if (json_object_is_type(root, json_type_null)) {
		json_object_put(root);
		return 0;
	}
	if (!json_object_is_type(root, json_type_array)) {
		json_object_put(root);
		return -EINVAL;
	}
	count = json_object_array_length(root);
	list = calloc(count + 1, sizeof(*list));
	if (!list) {
		json_object_put(root);
		return -ENOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		r = parse_image(json_object_array_get_idx(root, i), "Names", &list[i]);
		if (r < 0) {
			image_list_free(list, i);
			json_object_put(root);
			return r;
		}
	}
	json_object_put(root);
	*out = list;
	*n = count;
	return 0;
}

static const char *sort_name(const struct image_info *i)
{
	return i->names && i->names[0] ? i->names[0] : "\x7f"; /* unnamed images last */
}

static int image_cmp(const void *a, const void *b)
{
	return strcmp(sort_name(a), sort_name(b));
}

int image_list_all(bool toolbox_only, struct image_info **out, size_t *n, char **err)
{
	const char *args[] = {"images", "--format", "json", NULL};
	struct podman_result res;
	size_t k = 0;
	int r;

	*out = NULL;
	*n = 0;
	r = podman_capture_ok(args, &res, err);
	if (r == 0)
		r = image_parse_list(res.out, res.out_len, out, n);
	podman_result_free(&res);
	if (r < 0)
		return r;
	if (toolbox_only) {
		for (size_t i = 0; i < *n; i++) {
			if ((*out)[i].is_toolbox) {
				struct image_info tmp = (*out)[k];

				(*out)[k++] = (*out)[i];
				(*out)[i] = tmp;
			}
		}
		for (size_t i = k; i < *n; i++)
			image_info_free(&(*out)[i]);
		*n = k;
	}
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), image_cmp);
	return 0;
}
