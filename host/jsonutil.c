// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"

int jsonu_parse(const char *s, size_t len, json_object **out)
{
	struct json_tokener *tok;
	json_object *obj;
	size_t used;

	*out = NULL;
	if (len > INT_MAX)
		return -EFBIG;
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	obj = json_tokener_parse_ex(tok, s, (int)len);
	used = json_tokener_get_parse_end(tok);
	if (json_tokener_get_error(tok) == json_tokener_continue && used >= len) {
		/* A bare literal or number at the very end ("null", "12"): a blank ends it. */
		obj = json_tokener_parse_ex(tok, " ", 1);
		used = len;
	}
	/* NULL with success is the JSON null. */
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(obj);
		json_tokener_free(tok);
		return -EINVAL;
	}
	json_tokener_free(tok);
	for (; used < len; used++) {
		if (!isspace((unsigned char)s[used])) {
			json_object_put(obj);
			return -EINVAL;
		}
	}
	*out = obj;
	return 0;
}

json_object *jsonu_get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

const char *jsonu_get_string(json_object *o, const char *key)
{
	json_object *v = jsonu_get(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int64_t jsonu_get_int(json_object *o, const char *key, int64_t def)
{
	json_object *v = jsonu_get(o, key);

	return v && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : def;
}

bool jsonu_get_bool(json_object *o, const char *key, bool def)
{
	json_object *v = jsonu_get(o, key);

	return v && json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) : def;
}

void jsonu_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

size_t jsonu_strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int jsonu_strv(json_object *v, char ***out)
{
	size_t n = 0;
	char **r;

	*out = NULL;
	if (v && json_object_is_type(v, json_type_array))
		n = json_object_array_length(v);
	else if (v && json_object_is_type(v, json_type_string) && json_object_get_string_len(v))
		n = 1;
	else if (v && !json_object_is_type(v, json_type_null) &&
		 !json_object_is_type(v, json_type_string))
		return -EINVAL;
	r = calloc(n + 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_is_type(v, json_type_array)
					 ? json_object_array_get_idx(v, i)
					 : v;

		if (!e || !json_object_is_type(e, json_type_string)) {
			jsonu_strv_free(r);
			return -EINVAL;
		}
		r[i] = strdup(json_object_get_string(e));
		if (!r[i]) {
			jsonu_strv_free(r);
			return -ENOMEM;
		}
	}
	*out = r;
	return 0;
}

void str_pairs_free(struct str_pair *p, size_t n)
{
	if (!p)
		return;
	for (size_t i = 0; i < n; i++) {
		free(p[i].key);
		free(p[i].value);
	}
	free(p);
}

int jsonu_string_map(json_object *o, struct str_pair **out, size_t *n)
{
	struct str_pair *p;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	if (!o || json_object_is_type(o, json_type_null))
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return -EINVAL;
	p = calloc((size_t)json_object_object_length(o) + 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	json_object_object_foreach(o, key, val)
	{
		if (!val || !json_object_is_type(val, json_type_string))
			continue;
		p[k].key = strdup(key);
		p[k].value = strdup(json_object_get_string(val));
		if (!p[k].key || !p[k].value) {
			str_pairs_free(p, k + 1);
			return -ENOMEM;
		}
		k++;
	}
	*out = p;
	*n = k;
	return 0;
}
