/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * os-release(5): a pure parser of the text, plus the host's default distro and release.
 * Lines are KEY=VALUE; VALUE may be quoted with " or ' and, outside single quotes, uses
 * the shell's backslash escapes (\" \\ \$ \` \'). Comments and blank lines are skipped,
 * malformed lines ignored, a later assignment wins.
 */
#ifndef TB_OSRELEASE_H
#define TB_OSRELEASE_H

#include <stddef.h>

/* Largest os-release text we read (the real ones are well under 1 KiB). */
#define OSRELEASE_MAX_SIZE (64u << 10)

struct os_release {
	char *id;		/* ID, e.g. "debian" ("linux" when absent, as the spec says) */
	char *version_id;	/* VERSION_ID, e.g. "12" (NULL when absent: testing, rolling) */
	char *version_codename; /* VERSION_CODENAME, e.g. "bookworm" (or NULL) */
	char *id_like;		/* ID_LIKE (or NULL) */
	char *name;		/* NAME (or NULL) */
};

/*
 * The value of @key in the os-release text @text (@len bytes; NUL bytes end a line's
 * usable part). 0 and a malloc'ed *@value; -ENOENT when absent; -ENOMEM.
 */
int osrelease_get(const char *text, size_t len, const char *key, char **value);

/* Parse the fields above. 0 or -ENOMEM; missing fields are NULL (ID: "linux"). */
int osrelease_parse(const char *text, size_t len, struct os_release *out);
void osrelease_free(struct os_release *osr);

/*
 * Read and parse the host's /etc/os-release, falling back to /usr/lib/os-release
 * (@root prefixes both when not NULL, for tests). 0 or -errno (-ENOENT: neither exists).
 */
int osrelease_read_host(const char *root, struct os_release *out);

#endif
