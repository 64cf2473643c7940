/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small typed accessors over json-c for podman's JSON (inspect, ps, images). Every
 * getter accepts a NULL or wrongly-typed object and answers "absent", so the parsers
 * above stay short and never trust the shape of the input.
 */
#ifndef TB_JSONUTIL_H
#define TB_JSONUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct str_pair {
	char *key;
	char *value;
};

/*
 * Parse exactly one JSON value from @s (@len bytes, NUL not required; trailing white
 * space allowed). 0 with *@out owned by the caller (json_object_put), -EINVAL on a syntax
 * error or trailing garbage, -EFBIG past INT_MAX bytes, -ENOMEM.
 */
int jsonu_parse(const char *s, size_t len, json_object **out);

/* Member @key of object @o, or NULL (also when @o is NULL or not an object). */
json_object *jsonu_get(json_object *o, const char *key);
/* Member @key as a string, or NULL when absent or not a string. */
const char *jsonu_get_string(json_object *o, const char *key);
/* Member @key as an integer (a JSON integer only), or @def. */
int64_t jsonu_get_int(json_object *o, const char *key, int64_t def);
/* Member @key as a boolean (a JSON boolean only), or @def. */
bool jsonu_get_bool(json_object *o, const char *key, bool def);

/*
 * A string vector from @v: absent/null/"" give an empty vector, a string gives one
 * element, an array of strings gives them all; anything else is -EINVAL. *@out is a
 * NULL-terminated malloc'ed array of malloc'ed strings.
 */
int jsonu_strv(json_object *v, char ***out);
void jsonu_strv_free(char **v);
size_t jsonu_strv_len(char *const *v);

/*
 * The string members of object @o as pairs (non-string members are skipped; absent or
 * null gives none; another type is -EINVAL).
 */
int jsonu_string_map(json_object *o, struct str_pair **out, size_t *n);
void str_pairs_free(struct str_pair *p, size_t n);

#endif
