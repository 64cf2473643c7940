/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * userdb: a pure editor for the text of /etc/passwd, /etc/group, /etc/shadow and
 * /etc/gshadow. No I/O, no exit, no printing; actions return 0 or -errno.
 *
 * The text is kept as a list of lines. A line is an "entry" when this module understands
 * it: no NUL byte, exactly the field count of its kind (passwd 7, group 4, shadow 9,
 * gshadow 4), a non-empty name that does not start with '+' or '-' (NIS compat lines) or
 * '#' (comments) and has no blank, ',' or control character, and
 * for passwd the uid and gid, for group the gid, written as 1 to 10 decimal digits no
 * larger than 4294967295. Every other line (comments, blank lines, NIS lines, short or
 * long lines, binary junk) is kept byte for byte, in place, and is never matched by the
 * queries below. Serializing an unedited list gives back the input byte for byte,
 * including a missing final newline.
 *
 * Edits rebuild only the lines they touch. New entries go before the first NIS line
 * ('+' or '-'), as shadow-utils does, else at the end.
 */
#ifndef TB_USERDB_H
#define TB_USERDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest input userdb_parse() accepts; more is -EFBIG. */
#define USERDB_MAX_SIZE (16u << 20)

enum userdb_kind {
	USERDB_PASSWD,
	USERDB_GROUP,
	USERDB_SHADOW,
	USERDB_GSHADOW,
};

/* Field numbers, per kind. */
enum { PW_NAME, PW_PASSWD, PW_UID, PW_GID, PW_GECOS, PW_DIR, PW_SHELL, PW_NFIELDS };
enum { GR_NAME, GR_PASSWD, GR_GID, GR_MEM, GR_NFIELDS };
enum {
	SP_NAME,
	SP_PWDP,
	SP_LSTCHG,
	SP_MIN,
	SP_MAX,
	SP_WARN,
	SP_INACT,
	SP_EXPIRE,
	SP_FLAG,
	SP_NFIELDS
};
enum { SG_NAME, SG_PASSWD, SG_ADM, SG_MEM, SG_NFIELDS };

struct userdb_line {
	char *text; /* not NUL-terminated; points into userdb.buf unless owned */
	uint32_t len;
	uint32_t id;  /* uid (passwd) or gid (group) of an entry, else 0 */
	bool owned;   /* text is a malloc'ed copy made by an edit */
	bool newline; /* followed by '\n' when serialized (only the last line may lack it) */
	bool entry;   /* understood, see above */
};

struct userdb {
	enum userdb_kind kind;
	char *buf; /* copy of the parsed input */
	struct userdb_line *lines;
	size_t nlines;
	size_t cap;
};

/* Number of ':'-separated fields of an entry of @kind. */
unsigned userdb_nfields(enum userdb_kind kind);

/*
 * Split @len bytes of @data (any bytes, NUL included) into @db. @db is overwritten, not
 * freed first. 0, -EFBIG past USERDB_MAX_SIZE, -EINVAL for a bad kind, -ENOMEM.
 */
int userdb_parse(struct userdb *db, enum userdb_kind kind, const void *data, size_t len);
/* Free everything @db owns; @db is left empty and may be parsed into again. */
void userdb_free(struct userdb *db);
/* The whole text in a malloc'ed buffer (NUL-terminated past *len). 0 or -ENOMEM. */
int userdb_serialize(const struct userdb *db, char **out, size_t *len);

/* First entry at index >= @from named @name / with id @id (passwd uid, group gid). */
bool userdb_find_name(const struct userdb *db, const char *name, size_t from, size_t *idx);
bool userdb_find_id(const struct userdb *db, uint32_t id, size_t from, size_t *idx);
/*
 * Lenient matching, for lines that are not entries: would a forgiving parser (glibc skips
 * leading blanks and stops at a NUL byte; musl reads leading digits and takes extra
 * fields into the last one) read line @idx as naming @name ("@name:" after blanks), or as
 * having passwd uid / group gid @id (all fields present, the id field starting with the
 * digits of @id)? Comments ('#') and NIS lines never match. Entries match as the queries
 * above do.
 */
bool userdb_line_claims(const struct userdb *db, size_t idx, const char *name);
bool userdb_line_claims_id(const struct userdb *db, size_t idx, uint32_t id);

/* Field @field of entry @idx: pointer into the line (not NUL-terminated) and length. */
int userdb_field(const struct userdb *db, size_t idx, unsigned field, const char **p, size_t *len);
/* Field @field of entry @idx read as 1 to 10 decimal digits (at most 4294967295). */
int userdb_get_number(const struct userdb *db, size_t idx, unsigned field, uint32_t *value);
/* Field @field of entry @idx equals @s. */
bool userdb_field_eq(const struct userdb *db, size_t idx, unsigned field, const char *s);

/*
 * A value that may be stored in a field: no ':', '\n' or control character other than
 * '\t'. Names (and member list items) also refuse ',', blanks, a leading '+', '-' or '#',
 * and the empty string.
 */
bool userdb_valid_value(const char *s);
bool userdb_valid_name(const char *s);

/*
 * Set field @field of entry @idx to @value. Checks @value (userdb_valid_name for the
 * name field, digits for the numeric fields of passwd/group) and that the line stays an
 * entry. -EINVAL if not, -ENOMEM. Setting the same value changes nothing.
 */
int userdb_set_field(struct userdb *db, size_t idx, unsigned field, const char *value);
/* Same for a number (passwd uid/gid, group gid, shadow numeric fields). */
int userdb_set_number(struct userdb *db, size_t idx, unsigned field, uint32_t value);

/*
 * Add an entry made of userdb_nfields() @fields, checked as userdb_set_field() does,
 * before the first NIS line or at the end. Its index in *@idx when @idx is not NULL.
 */
int userdb_add(struct userdb *db, const char *const *fields, size_t *idx);
/* Remove line @idx (entry or not). -ERANGE past the end. */
int userdb_remove(struct userdb *db, size_t idx);

/* Comma-separated member lists: group GR_MEM, gshadow SG_ADM and SG_MEM. */
bool userdb_has_member(const struct userdb *db, size_t idx, unsigned field, const char *name);
/* Append @name unless already listed. */
int userdb_add_member(struct userdb *db, size_t idx, unsigned field, const char *name);
/* Drop every occurrence of @name (and empty items, when the list changes). */
int userdb_remove_member(struct userdb *db, size_t idx, unsigned field, const char *name);

#endif
