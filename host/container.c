// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "container.h"
#include "jsonutil.h"
#include "macros.h"
#include "podman.h"

bool container_labels_are_toolbox(const struct str_pair *labels, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((strcmp(labels[i].key, TOOLBOX_LABEL) == 0 ||
		     strcmp(labels[i].key, TOOLBOX_LABEL_OLD) == 0) &&
		    strcmp(labels[i].value, "true") == 0)
			return true;
	}
	return false;
}

const char *container_label(const struct container_info *info, const char *key)
{
	for (size_t i = 0; i < info->n_labels; i++) {
		if (strcmp(info->labels[i].key, key) == 0)
			return info->labels[i].value;
	}
	return NULL;
}

bool container_has_mount(const struct container_info *info, const char *dest)
{
	for (char **m = info->mounts; m && *m; m++) {
		if (strcmp(*m, dest) == 0)
			return true;
	}
	return false;
}

void container_info_free(struct container_info *info)
{
	if (!info)
		return;
	free(info->id);
	free(info->name);
	free(info->state);
	free(info->image_name);
	free(info->image_id);
	free(info->created);
	free(info->runtime);
	free(info->pid_mode);
	free(info->user);
	jsonu_strv_free(info->entrypoint);
	jsonu_strv_free(info->cmd);
	jsonu_strv_free(info->mounts);
	str_pairs_free(info->labels, info->n_labels);
	memset(info, 0, sizeof(*info));
	info->uid = (uid_t)-1;
}

/* Mounts[].Destination of every element that has one. */
static int parse_mounts(json_object *arr, char ***out)
{
	size_t n = 0, k = 0;
	char **v;

	if (arr && json_object_is_type(arr, json_type_array))
		n = json_object_array_length(arr);
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *d = jsonu_get_string(json_object_array_get_idx(arr, i), "Destination");

		if (!d)
			continue;
		v[k] = strdup(d);
		if (!v[k]) {
			jsonu_strv_free(v);
			return -ENOMEM;
		}
		k++;
	}
	*out = v;
	return 0;
}

static int parse_labels(json_object *obj, struct container_info *out)
{
	int r = jsonu_string_map(obj, &out->labels, &out->n_labels);

	if (r < 0)
		return r;
	out->is_toolbox = container_labels_are_toolbox(out->labels, out->n_labels);
	return 0;
}

/* The user the init was started for: `... init-container ... --user NAME --uid U ...`. */
static int parse_init_user(struct container_info *out)
{
	char **a = out->cmd;
	bool seen = false;

	for (size_t i = 0; a[i]; i++) {
		if (strcmp(a[i], "init-container") == 0) {
			seen = true;
			continue;
		}
		if (!seen || !a[i + 1])
			continue;
		if (strcmp(a[i], "--user") == 0 && !out->user) {
			out->user = strdup(a[i + 1]);
			if (!out->user)
				return -ENOMEM;
		} else if (strcmp(a[i], "--uid") == 0) {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(a[i + 1], &end, 10);
			if (!errno && end != a[i + 1] && !*end && a[i + 1][0] != '-' &&
			    v < UINT_MAX)
				out->uid = (uid_t)v;
		}
	}
	return 0;
}

static int dup_or_empty(const char *s, char **out)
{
	*out = strdup(s ? s : "");
	return *out ? 0 : -ENOMEM;
}

static int parse_one(json_object *c, struct container_info *out)
{
	json_object *state = NULL, *config = NULL, *host = NULL;
	const char *name;
	int64_t pid;
	int r;

	if (!json_object_is_type(c, json_type_object))
		return -EINVAL;
	if (!jsonu_get_string(c, "Id"))
		return -EINVAL;
	json_object_object_get_ex(c, "State", &state);
	json_object_object_get_ex(c, "Config", &config);
	json_object_object_get_ex(c, "HostConfig", &host);
	if (!state || !json_object_is_type(state, json_type_object))
		return -EINVAL;
	if (config && !json_object_is_type(config, json_type_object))
		return -EINVAL;

	name = jsonu_get_string(c, "Name");
	if (name && name[0] == '/')
		name++;
	pid = jsonu_get_int(state, "Pid", 0);
	if (pid < 0 || pid > INT_MAX)
		return -EINVAL;
	out->pid = (pid_t)pid;
	out->running = jsonu_get_bool(state, "Running", false);
	if ((r = dup_or_empty(jsonu_get_string(c, "Id"), &out->id)) < 0 ||
	    (r = dup_or_empty(name, &out->name)) < 0 ||
	    (r = dup_or_empty(jsonu_get_string(state, "Status"), &out->state)) < 0 ||
	    (r = dup_or_empty(jsonu_get_string(c, "ImageName"), &out->image_name)) < 0 ||
	    (r = dup_or_empty(jsonu_get_string(c, "Image"), &out->image_id)) < 0 ||
	    (r = dup_or_empty(jsonu_get_string(c, "Created"), &out->created)) < 0 ||
	    (r = dup_or_empty(jsonu_get_string(c, "OCIRuntime"), &out->runtime)) < 0 ||
	    (r = dup_or_empty(jsonu_get_string(host, "PidMode"), &out->pid_mode)) < 0)
		return r;
	if ((r = jsonu_strv(jsonu_get(config, "Entrypoint"), &out->entrypoint)) < 0 ||
	    (r = jsonu_strv(jsonu_get(config, "Cmd"), &out->cmd)) < 0 ||
	    (r = parse_mounts(jsonu_get(c, "Mounts"), &out->mounts)) < 0 ||
	    (r = parse_labels(jsonu_get(config, "Labels"), out)) < 0)
		return r;
	return parse_init_user(out);
}

int container_parse_inspect(const char *json, size_t len, struct container_info *out)
{
	json_object *root = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	out->uid = (uid_t)-1;
	r = jsonu_parse(json, len, &root);
	if (r < 0)
		return r;
	if (!json_object_is_type(root, json_type_array)) {
		r = -EINVAL;
	} else if (json_object_array_length(root) == 0) {
		r = -ENOENT;
	} else {
		r = parse_one(json_object_array_get_idx(root, 0), out);
		if (r < 0)
			container_info_free(out);
	}
	json_object_put(root);
	return r;
}

int container_inspect(const char *name, struct container_info *out, char **err)
{
	const char *args[] = {"inspect", "--type", "container", "--", name, NULL};
	struct podman_result res;
	int r;

	memset(out, 0, sizeof(*out));
	out->uid = (uid_t)-1;
	if (err)
		*err = NULL;
	r = podman_capture(args, &res);
	if (r == -ENOENT) {
		podman_result_free(&res);
		return -ENOEXEC;
	}
	if (r < 0) {
		podman_result_free(&res);
		return r;
	}
	if (res.status != 0) {
		const char *line = podman_result_errline(&res);

		/* podman: "inspecting object: no such container NAME", stdout "[]". */
		r = strstr(line, "no such container") ? -ENOENT : -EIO;
		if (err && r == -EIO)
			*err = strdup(line);
		podman_result_free(&res);
		return r;
	}
	r = container_parse_inspect(res.out, res.out_len, out);
	podman_result_free(&res);
	return r;
}

static void summary_free(struct container_summary *c)
{
	free(c->id);
	free(c->name);
	free(c->state);
	free(c->image);
	str_pairs_free(c->labels, c->n_labels);
	memset(c, 0, sizeof(*c));
}

void container_list_free(struct container_summary *list, size_t n)
{
	if (!list)
		return;
	for (size_t i = 0; i < n; i++)
		summary_free(&list[i]);
	free(list);
}

static int parse_summary(json_object *o, struct container_summary *out)
{
	json_object *names = jsonu_get(o, "Names"), *cmd;
	const char *name = NULL;
	int r;

	if (!json_object_is_type(o, json_type_object) || !jsonu_get_string(o, "Id"))
		return -EINVAL;
	/* podman 2+ writes an array, podman 1 a string. */
	if (names && json_object_is_type(names, json_type_array) &&
	    json_object_array_length(names) > 0) {
		json_object *first = json_object_array_get_idx(names, 0);

		if (first && json_object_is_type(first, json_type_string))
			name = json_object_get_string(first);
	} else if (names && json_object_is_type(names, json_type_string)) {
		name = json_object_get_string(names);
	}
	if ((r = dup_or_empty(jsonu_get_string(o, "Id"), &out->id)) < 0 ||
	    (r = dup_or_empty(name, &out->name)) < 0 ||
	    (r = dup_or_empty(jsonu_get_string(o, "State"), &out->state)) < 0 ||
	    (r = dup_or_empty(jsonu_get_string(o, "Image"), &out->image)) < 0 ||
	    (r = jsonu_string_map(jsonu_get(o, "Labels"), &out->labels, &out->n_labels)) < 0)
		return r;
	out->created = jsonu_get_int(o, "Created", 0);
	out->is_toolbox = container_labels_are_toolbox(out->labels, out->n_labels);
	cmd = jsonu_get(o, "Command");
	if (cmd && json_object_is_type(cmd, json_type_array) &&
	    json_object_array_length(cmd) == 1) {
		json_object *first = json_object_array_get_idx(cmd, 0);

		out->buildah = first && json_object_is_type(first, json_type_string) &&
			       strcmp(json_object_get_string(first), "buildah") == 0;
	}
	return 0;
}

int container_parse_list(const char *json, size_t len, struct container_summary **out, size_t *n)
{
	struct container_summary *list;
	json_object *root;
	size_t count;
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
		r = parse_summary(json_object_array_get_idx(root, i), &list[i]);
		if (r < 0) {
			container_list_free(list, i + 1);
			json_object_put(root);
			return r;
		}
	}
	json_object_put(root);
	*out = list;
	*n = count;
	return 0;
}

static int summary_cmp(const void *a, const void *b)
{
	return strcmp(((const struct container_summary *)a)->name,
		      ((const struct container_summary *)b)->name);
}

int container_list_all(bool toolbox_only, struct container_summary **out, size_t *n, char **err)
{
	const char *args[] = {"ps", "--all", "--format", "json", NULL};
	struct podman_result res;
	size_t k = 0;
	int r;

	*out = NULL;
	*n = 0;
	r = podman_capture_ok(args, &res, err);
	if (r == 0)
		r = container_parse_list(res.out, res.out_len, out, n);
	podman_result_free(&res);
	if (r < 0)
		return r;
	if (toolbox_only) {
		for (size_t i = 0; i < *n; i++) {
			if ((*out)[i].is_toolbox) {
				struct container_summary tmp = (*out)[k];

				(*out)[k++] = (*out)[i];
				(*out)[i] = tmp;
			}
		}
		for (size_t i = k; i < *n; i++)
			summary_free(&(*out)[i]);
		*n = k;
	}
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), summary_cmp);
	return 0;
}
