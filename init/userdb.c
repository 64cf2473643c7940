// SPDX-License-Identifier: GPL-2.0-or-later
/* Pure editor for passwd/group/shadow/gshadow text; see userdb.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macros.h"
#include "userdb.h"

unsigned userdb_nfields(enum userdb_kind kind)
{
	switch (kind) {
	case USERDB_PASSWD:
		return PW_NFIELDS;
	case USERDB_GROUP:
		return GR_NFIELDS;
	case USERDB_SHADOW:
		return SP_NFIELDS;
	case USERDB_GSHADOW:
		return SG_NFIELDS;
	}
	return 0;
}

/* 1 to 10 decimal digits, at most UINT32_MAX. */
static bool parse_u32(const char *p, size_t len, uint32_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Locate field @field of @text: offset and length. False when the line is too short. */
static bool locate_field(const char *text, size_t len, unsigned field, size_t *off, size_t *flen)
{
	size_t start = 0;
	unsigned n = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || text[i] == ':') {
			if (n == field) {
				*off = start;
				*flen = i - start;
				return true;
			}
			n++;
			start = i + 1;
		}
	}
	return false;
}

/* Numeric fields this module checks: passwd uid and gid, group gid. */
static bool is_id_field(enum userdb_kind kind, unsigned field)
{
	return (kind == USERDB_PASSWD && (field == PW_UID || field == PW_GID)) ||
	       (kind == USERDB_GROUP && field == GR_GID);
}

/* Decide whether @line is an entry, and cache its id. */
static void classify(enum userdb_kind kind, struct userdb_line *line)
{
	const char *t = line->text;
	size_t len = line->len, colons = 0, off, flen;
	uint32_t id = 0;

	line->entry = false;
	line->id = 0;
	/* Blank, comment, NIS, leading blank or NUL: not an entry. */
	if (len == 0 || t[0] == '\0' || strchr(":+-# \t", t[0]))
		return;
	if (memchr(t, '\0', len))
		return;
	for (size_t i = 0; i < len; i++)
		colons += t[i] == ':';
	if (colons + 1 != userdb_nfields(kind))
		return;
	/* A name this module could write back: no blank, ',' or control character. */
	for (size_t i = 0; i < len && t[i] != ':'; i++) {
		unsigned char c = (unsigned char)t[i];

		if (c < 0x20 || c == 0x7f || c == ' ' || c == ',')
			return;
	}
	for (unsigned f = 0; f < userdb_nfields(kind); f++) {
		if (!is_id_field(kind, f))
			continue;
		if (!locate_field(t, len, f, &off, &flen) || !parse_u32(t + off, flen, &id))
			return;
		if (kind == USERDB_GROUP || f == PW_UID)
			line->id = id;
	}
	line->entry = true;
}

static void line_free(struct userdb_line *line)
{
	if (line->owned)
		free(line->text);
	line->text = NULL;
	line->owned = false;
}

void userdb_free(struct userdb *db)
{
	for (size_t i = 0; i < db->nlines; i++)
		line_free(&db->lines[i]);
	free(db->lines);
	free(db->buf);
	db->lines = NULL;
	db->buf = NULL;
	db->nlines = 0;
	db->cap = 0;
}

static int reserve(struct userdb *db, size_t want)
{
	struct userdb_line *nl;
	size_t cap;

	if (want <= db->cap)
		return 0;
	cap = db->cap ? db->cap : 16;
	while (cap < want) {
		if (cap > SIZE_MAX / 2 / sizeof(*nl))
			return -ENOMEM;
		cap *= 2;
	}
	nl = realloc(db->lines, cap * sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	db->lines = nl;
	db->cap = cap;
	return 0;
}

int userdb_parse(struct userdb *db, enum userdb_kind kind, const void *data, size_t len)
{
	size_t start = 0;
	int r;

	memset(db, 0, sizeof(*db));
	if (userdb_nfields(kind) == 0)
		return -EINVAL;
	if (len > USERDB_MAX_SIZE)
		return -EFBIG;
	db->kind = kind;
	/* One byte more so that an empty input still gets a buffer. */
	db->buf = malloc(len + 1);
	if (!db->buf)
		return -ENOMEM;
	if (len)
		memcpy(db->buf, data, len);
	db->buf[len] = '\0';

	while (start < len) {
		const char *nl = memchr(db->buf + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - db->buf) : len;
		struct userdb_line *line;

		r = reserve(db, db->nlines + 1);
		if (r < 0) {
			userdb_free(db);
			return r;
		}
		line = &db->lines[db->nlines++];
		line->text = db->buf + start;
		line->len = (uint32_t)(end - start);
		line->owned = false;
		line->newline = nl != NULL;
		classify(kind, line);
		start = end + 1;
	}
	return 0;
}

int userdb_serialize(const struct userdb *db, char **out, size_t *len)
{
	size_t total = 0, pos = 0;
	char *buf;

	for (size_t i = 0; i < db->nlines; i++) {
		size_t add = (size_t)db->lines[i].len + db->lines[i].newline;

		if (total > SIZE_MAX - 1 - add)
			return -ENOMEM;
		total += add;
	}
	buf = malloc(total + 1);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < db->nlines; i++) {
		const struct userdb_line *line = &db->lines[i];

		if (line->len)
			memcpy(buf + pos, line->text, line->len);
		pos += line->len;
		if (line->newline)
			buf[pos++] = '\n';
	}
	buf[pos] = '\0';
	*out = buf;
	*len = total;
	return 0;
}

static bool name_matches(const struct userdb_line *line, const char *name)
{
	size_t n = strlen(name);

	return line->len > n && line->text[n] == ':' && memcmp(line->text, name, n) == 0;
}

/*
 * The part of a line a forgiving C parser would look at: up to the first NUL, past
 * leading blanks. False for what every parser skips: blank, comment and NIS lines.
 */
static bool loose_text(const struct userdb_line *line, const char **p, size_t *len)
{
	const char *t = line->text;
	const char *nul = memchr(t, '\0', line->len);
	size_t n = nul ? (size_t)(nul - t) : line->len, i = 0;

	while (i < n && (t[i] == ' ' || t[i] == '\t'))
		i++;
	if (i == n || t[i] == '#' || t[i] == '+' || t[i] == '-')
		return false;
	*p = t + i;
	*len = n - i;
	return true;
}

bool userdb_line_claims(const struct userdb *db, size_t idx, const char *name)
{
	size_t n = strlen(name), len;
	const char *p;

	if (idx >= db->nlines || !*name || !loose_text(&db->lines[idx], &p, &len))
		return false;
	return len > n && p[n] == ':' && memcmp(p, name, n) == 0;
}

bool userdb_line_claims_id(const struct userdb *db, size_t idx, uint32_t id)
{
	unsigned field = db->kind == USERDB_PASSWD ? PW_UID : GR_GID;
	size_t len, off, flen, digits = 0;
	uint32_t v;
	const char *p;

	if (db->kind != USERDB_PASSWD && db->kind != USERDB_GROUP)
		return false;
	if (idx >= db->nlines || !loose_text(&db->lines[idx], &p, &len))
		return false;
	/* Parsers skip lines with too few fields; extra ones musl folds into the last. */
	if (!locate_field(p, len, userdb_nfields(db->kind) - 1, &off, &flen) ||
	    !locate_field(p, len, field, &off, &flen))
		return false;
	while (digits < flen && p[off + digits] >= '0' && p[off + digits] <= '9')
		digits++;
	/* Leading zeros do not change the value; more than 10 significant digits do. */
	while (digits > 1 && p[off] == '0') {
		off++;
		digits--;
	}
	return parse_u32(p + off, digits, &v) && v == id;
}

bool userdb_find_name(const struct userdb *db, const char *name, size_t from, size_t *idx)
{
	for (size_t i = from; i < db->nlines; i++) {
		if (db->lines[i].entry && name_matches(&db->lines[i], name)) {
			*idx = i;
			return true;
		}
	}
	return false;
}

bool userdb_find_id(const struct userdb *db, uint32_t id, size_t from, size_t *idx)
{
	if (db->kind != USERDB_PASSWD && db->kind != USERDB_GROUP)
		return false;
	for (size_t i = from; i < db->nlines; i++) {
		if (db->lines[i].entry && db->lines[i].id == id) {
			*idx = i;
			return true;
		}
	}
	return false;
}

int userdb_field(const struct userdb *db, size_t idx, unsigned field, const char **p, size_t *len)
{
	size_t off;

	if (idx >= db->nlines || !db->lines[idx].entry || field >= userdb_nfields(db->kind))
		return -EINVAL;
	if (!locate_field(db->lines[idx].text, db->lines[idx].len, field, &off, len))
		return -EINVAL;
	*p = db->lines[idx].text + off;
	return 0;
}

int userdb_get_number(const struct userdb *db, size_t idx, unsigned field, uint32_t *value)
{
	const char *p;
	size_t len;
	int r;

	r = userdb_field(db, idx, field, &p, &len);
	if (r < 0)
		return r;
	return parse_u32(p, len, value) ? 0 : -EINVAL;
}

bool userdb_field_eq(const struct userdb *db, size_t idx, unsigned field, const char *s)
{
	const char *p;
	size_t len;

	if (userdb_field(db, idx, field, &p, &len) < 0)
		return false;
	return strlen(s) == len && memcmp(p, s, len) == 0;
}

bool userdb_valid_value(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == ':' || (*p < 0x20 && *p != '\t') || *p == 0x7f)
			return false;
	}
	return true;
}

bool userdb_valid_name(const char *s)
{
	if (!*s || *s == '+' || *s == '-' || *s == '#' || !userdb_valid_value(s))
		return false;
	return strpbrk(s, ", \t") == NULL;
}

static bool valid_for_field(enum userdb_kind kind, unsigned field, const char *value)
{
	uint32_t id;

	if (field == 0)
		return userdb_valid_name(value);
	if (is_id_field(kind, field))
		return parse_u32(value, strlen(value), &id);
	return userdb_valid_value(value);
}

/*
 * Replace field @field of line @idx with @len bytes of @value, unchecked (callers check).
 * The new text must still be an entry, else -EINVAL and nothing changes.
 */
static int replace_field(struct userdb *db, size_t idx, unsigned field, const char *value,
			 size_t vlen)
{
	struct userdb_line *line = &db->lines[idx];
	struct userdb_line nline = *line;
	size_t off, flen, nlen;
	char *t;

	if (!line->entry || !locate_field(line->text, line->len, field, &off, &flen))
		return -EINVAL;
	if (flen == vlen && memcmp(line->text + off, value, vlen) == 0)
		return 0;
	if (vlen > USERDB_MAX_SIZE || line->len - flen > USERDB_MAX_SIZE - vlen)
		return -EFBIG;
	nlen = line->len - flen + vlen;
	t = malloc(nlen ? nlen : 1);
	if (!t)
		return -ENOMEM;
	memcpy(t, line->text, off);
	if (vlen)
		memcpy(t + off, value, vlen);
	memcpy(t + off + vlen, line->text + off + flen, line->len - off - flen);
	nline.text = t;
	nline.len = (uint32_t)nlen;
	nline.owned = true;
	classify(db->kind, &nline);
	if (!nline.entry) {
		free(t);
		return -EINVAL;
	}
	line_free(line);
	*line = nline;
	return 0;
}

int userdb_set_field(struct userdb *db, size_t idx, unsigned field, const char *value)
{
	if (idx >= db->nlines || field >= userdb_nfields(db->kind) ||
	    !valid_for_field(db->kind, field, value))
		return -EINVAL;
	return replace_field(db, idx, field, value, strlen(value));
}

int userdb_set_number(struct userdb *db, size_t idx, unsigned field, uint32_t value)
{
	char num[16];

	snprintf(num, sizeof(num), "%" PRIu32, value);
	return userdb_set_field(db, idx, field, num);
}

/* Index a new entry goes to: before the first NIS line, else the end. */
static size_t insert_point(const struct userdb *db)
{
	for (size_t i = 0; i < db->nlines; i++) {
		const struct userdb_line *line = &db->lines[i];

		if (line->len && (line->text[0] == '+' || line->text[0] == '-'))
			return i;
	}
	return db->nlines;
}

int userdb_add(struct userdb *db, const char *const *fields, size_t *idx)
{
	unsigned nf = userdb_nfields(db->kind);
	struct userdb_line nline = {0};
	size_t total = 0, pos = 0, at;
	char *t;
	int r;

	for (unsigned f = 0; f < nf; f++) {
		size_t l;

		if (!fields[f] || !valid_for_field(db->kind, f, fields[f]))
			return -EINVAL;
		l = strlen(fields[f]);
		if (l > USERDB_MAX_SIZE || total > USERDB_MAX_SIZE - l - 1)
			return -EFBIG;
		total += l + 1;
	}
	r = reserve(db, db->nlines + 1);
	if (r < 0)
		return r;
	t = malloc(total);
	if (!t)
		return -ENOMEM;
	for (unsigned f = 0; f < nf; f++) {
		size_t l = strlen(fields[f]);

		memcpy(t + pos, fields[f], l);
		pos += l;
		if (f + 1 < nf)
			t[pos++] = ':';
	}
	nline.text = t;
	nline.len = (uint32_t)pos;
	nline.owned = true;
	nline.newline = true;
	classify(db->kind, &nline);
	if (!nline.entry) {
		free(t);
		return -EINVAL;
	}
	at = insert_point(db);
	/* Only the last line may lack its newline; it is no longer last. */
	if (at == db->nlines && at > 0)
		db->lines[at - 1].newline = true;
	memmove(&db->lines[at + 1], &db->lines[at], (db->nlines - at) * sizeof(nline));
	db->lines[at] = nline;
	db->nlines++;
	if (idx)
		*idx = at;
	return 0;
}

int userdb_remove(struct userdb *db, size_t idx)
{
	if (idx >= db->nlines)
		return -ERANGE;
	line_free(&db->lines[idx]);
	memmove(&db->lines[idx], &db->lines[idx + 1],
		(db->nlines - idx - 1) * sizeof(db->lines[0]));
	db->nlines--;
	return 0;
}

static bool is_member_field(enum userdb_kind kind, unsigned field)
{
	return (kind == USERDB_GROUP && field == GR_MEM) ||
	       (kind == USERDB_GSHADOW && (field == SG_ADM || field == SG_MEM));
}

bool userdb_has_member(const struct userdb *db, size_t idx, unsigned field, const char *name)
{
	size_t len, n = strlen(name), start = 0;
	const char *p;

	if (!is_member_field(db->kind, field) || userdb_field(db, idx, field, &p, &len) < 0)
		return false;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || p[i] == ',') {
			if (i - start == n && memcmp(p + start, name, n) == 0)
				return true;
			start = i + 1;
		}
	}
	return false;
}

int userdb_add_member(struct userdb *db, size_t idx, unsigned field, const char *name)
{
	size_t len, n = strlen(name);
	const char *p;
	char *v;
	int r;

	if (!is_member_field(db->kind, field) || !userdb_valid_name(name) ||
	    userdb_field(db, idx, field, &p, &len) < 0)
		return -EINVAL;
	if (userdb_has_member(db, idx, field, name))
		return 0;
	if (len > USERDB_MAX_SIZE || n > USERDB_MAX_SIZE)
		return -EFBIG;
	v = malloc(len + n + 2);
	if (!v)
		return -ENOMEM;
	memcpy(v, p, len);
	/* "a," already ends with a separator; "" needs none. */
	if (len && p[len - 1] != ',')
		v[len++] = ',';
	memcpy(v + len, name, n); // NOLINT(bugprone-not-null-terminated-result): sized below
	r = replace_field(db, idx, field, v, len + n);
	free(v);
	return r;
}

int userdb_remove_member(struct userdb *db, size_t idx, unsigned field, const char *name)
{
	size_t len, n = strlen(name), start = 0, out = 0;
	const char *p;
	char *v;
	int r;

	if (!is_member_field(db->kind, field) || userdb_field(db, idx, field, &p, &len) < 0)
		return -EINVAL;
	if (!userdb_has_member(db, idx, field, name))
		return 0;
	v = malloc(len + 1);
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || p[i] == ',') {
			size_t l = i - start;

			if (l && !(l == n && memcmp(p + start, name, n) == 0)) {
				if (out)
					v[out++] = ',';
				memcpy(v + out, p + start, l);
				out += l;
			}
			start = i + 1;
		}
	}
	r = replace_field(db, idx, field, v, out);
	free(v);
	return r;
}
