// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdutil.h"
#include "macros.h"
#include "osrelease.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Decode the value in [p, end) into a malloc'ed string, as a shell would for one word. */
static char *decode_value(const char *p, const char *end)
{
	char *out = malloc((size_t)(end - p) + 1), *o = out;
	char quote = 0;

	if (!out)
		return NULL;
	while (p < end && is_blank(end[-1]))
		end--;
	for (; p < end; p++) {
		char c = *p;

		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			else
				*o++ = c;
		} else if (c == '\\' && p + 1 < end && (!quote || strchr("\"\\$`", p[1]) != NULL)) {
			*o++ = *++p;
		} else if (c == '"' || (c == '\'' && !quote)) {
			quote = quote == c ? 0 : c;
		} else {
			*o++ = c;
		}
	}
	*o = '\0';
	return out;
}

int osrelease_get(const char *text, size_t len, const char *key, char **value)
{
	const char *p = text, *end = text + len, *best = NULL, *best_end = NULL;
	size_t klen = strlen(key);

	*value = NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;
		const char *nul = memchr(p, '\0', (size_t)(line_end - p));
		const char *q = p;

		if (nul)
			line_end = nul;
		while (q < line_end && is_blank(*q))
			q++;
		if ((size_t)(line_end - q) > klen && memcmp(q, key, klen) == 0 && q[klen] == '=') {
			best = q + klen + 1;
			best_end = line_end;
		}
		p = nl ? nl + 1 : end;
	}
	if (!best)
		return -ENOENT;
	*value = decode_value(best, best_end);
	return *value ? 0 : -ENOMEM;
}

static int get_optional(const char *text, size_t len, const char *key, char **out)
{
	int r = osrelease_get(text, len, key, out);

	return r == -ENOENT ? 0 : r;
}

void osrelease_free(struct os_release *osr)
{
	if (!osr)
		return;
	free(osr->id);
	free(osr->version_id);
	free(osr->version_codename);
	free(osr->id_like);
	free(osr->name);
	memset(osr, 0, sizeof(*osr));
}

int osrelease_parse(const char *text, size_t len, struct os_release *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = get_optional(text, len, "ID", &out->id)) < 0 ||
	    (r = get_optional(text, len, "VERSION_ID", &out->version_id)) < 0 ||
	    (r = get_optional(text, len, "VERSION_CODENAME", &out->version_codename)) < 0 ||
	    (r = get_optional(text, len, "ID_LIKE", &out->id_like)) < 0 ||
	    (r = get_optional(text, len, "NAME", &out->name)) < 0)
		goto fail;
	if (!out->id || !*out->id) {
		free(out->id);
		out->id = strdup("linux");
		if (!out->id) {
			r = -ENOMEM;
			goto fail;
		}
	}
	if (out->version_id && !*out->version_id) {
		free(out->version_id);
		out->version_id = NULL;
	}
	return 0;
fail:
	osrelease_free(out);
	return r;
}

int osrelease_read_host(const char *root, struct os_release *out)
{
	static const char *const paths[] = {"/etc/os-release", "/usr/lib/os-release"};
	int r = -ENOENT;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		_cleanup_free_ char *path = NULL, *text = NULL;
		size_t len;

		if (asprintf(&path, "%s%s", root ? root : "", paths[i]) < 0)
			return -ENOMEM;
		/* /etc/os-release is usually a symlink to ../usr/lib/os-release: follow it. */
		r = fd_read_file_at(AT_FDCWD, path, OSRELEASE_MAX_SIZE, &text, &len);
		if (r == -ELOOP) {
			_cleanup_free_ char *real = realpath(path, NULL);

			r = real ? fd_read_file_at(AT_FDCWD, real, OSRELEASE_MAX_SIZE, &text, &len)
				 : -errno;
		}
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		return osrelease_parse(text, len, out);
	}
	return r;
}
