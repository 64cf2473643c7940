// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for userdb and setup_user_edit().
 *
 * Input: a request line "NAME UID GID HOME SHELL" (missing fields: alice 1000 1000
 * /home/alice /bin/sh), then up to four sections separated by lines "====": passwd, group,
 * shadow, gshadow. A missing section is a missing file. Each section is parsed as each of
 * the four kinds and must serialize back byte for byte; then the request is applied. A
 * request setup_user_check_req() refuses must fail with -EINVAL and one line; any other
 * must succeed, the result must hold the invariants setup_user.h promises, and applying
 * it again must change nothing.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "setup_user.h"
#include "setup_user_int.h"
#include "userdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_userdb: %s:%d: check failed: %s\n", __FILE__,        \
				__LINE__, #cond);                                                  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static const enum userdb_kind kinds[] = {USERDB_PASSWD, USERDB_GROUP, USERDB_SHADOW,
					 USERDB_GSHADOW};

struct section {
	const char *p;
	size_t len;
	bool present;
};

static void round_trip(const char *p, size_t len)
{
	for (size_t k = 0; k < 4; k++) {
		struct userdb db;
		char *out;
		size_t olen;

		if (userdb_parse(&db, kinds[k], p, len) < 0)
			continue;
		/* Queries on every entry find it; setting a field to itself changes nothing. */
		for (size_t i = 0; i < db.nlines; i++) {
			const char *f;
			size_t flen, j;
			char *name;

			if (!db.lines[i].entry)
				continue;
			CHECK(userdb_field(&db, i, 0, &f, &flen) == 0);
			name = strndup(f, flen);
			CHECK(name);
			CHECK(userdb_find_name(&db, name, 0, &j) && j <= i);
			CHECK(userdb_line_claims(&db, i, name));
			free(name);
			CHECK(userdb_field(&db, i, 1, &f, &flen) == 0);
			name = strndup(f, flen);
			CHECK(name);
			if (userdb_valid_value(name))
				CHECK(userdb_set_field(&db, i, 1, name) == 0);
			CHECK(!db.lines[i].owned);
			free(name);
		}
		CHECK(userdb_serialize(&db, &out, &olen) == 0);
		CHECK(olen == len && memcmp(out, p, len) == 0);
		free(out);
		userdb_free(&db);
	}
}

/* The request line; the strings point into @line (which must outlive @req). */
static void parse_request(const char *p, size_t len, struct setup_user_req *req, char *line,
			  size_t linelen)
{
	char *save = NULL, *tok;
	size_t n = 0;

	*req = (struct setup_user_req){.name = "alice",
				       .uid = 1000,
				       .gid = 1000,
				       .home = "/home/alice",
				       .shell = "/bin/sh",
				       .lastchg = 19000};
	while (n < len && n < linelen - 1 && p[n] != '\n' && p[n] != '\0') {
		line[n] = p[n];
		n++;
	}
	line[n] = '\0';
	tok = strtok_r(line, " ", &save);
	if (tok)
		req->name = tok;
	tok = strtok_r(NULL, " ", &save);
	if (tok)
		req->uid = (uid_t)strtoul(tok, NULL, 10);
	tok = strtok_r(NULL, " ", &save);
	req->gid = tok ? (gid_t)strtoul(tok, NULL, 10) : req->uid;
	tok = strtok_r(NULL, " ", &save);
	if (tok)
		req->home = tok;
	tok = strtok_r(NULL, " ", &save);
	if (tok)
		req->shell = tok;
	/* uid 0 is the root case, whatever the name (as toolbox-init is run for root). */
	if (req->uid == 0)
		req->name = "root";
}

static void load(struct setup_user_dbs *dbs, const struct section *sec)
{
	struct userdb *db[] = {&dbs->passwd, &dbs->group, &dbs->shadow, &dbs->gshadow};
	bool *has[] = {&dbs->has_passwd, &dbs->has_group, &dbs->has_shadow, &dbs->has_gshadow};

	for (size_t k = 0; k < 4; k++) {
		CHECK(userdb_parse(db[k], kinds[k], sec[k].present ? sec[k].p : "",
				   sec[k].present ? sec[k].len : 0) == 0);
		*has[k] = sec[k].present;
	}
}

static char *dump(const struct userdb *db, size_t *len)
{
	char *out;

	CHECK(userdb_serialize(db, &out, len) == 0);
	return out;
}

/* Entries of @db claiming @name, and lines that are no entry but claim it. */
static void count_name(const struct userdb *db, const char *name, unsigned *entries,
		       unsigned *stale)
{
	*entries = *stale = 0;
	for (size_t i = 0; i < db->nlines; i++) {
		if (!userdb_line_claims(db, i, name))
			continue;
		if (db->lines[i].entry)
			(*entries)++;
		else
			(*stale)++;
	}
}

static void check_result(const struct setup_user_dbs *dbs, const struct setup_user_req *req)
{
	const struct userdb *pw = &dbs->passwd;
	unsigned entries, stale, n = 0;
	size_t i, pi = 0, gi;

	if (req->uid == 0) {
		CHECK(userdb_find_name(pw, "root", 0, &i) || userdb_find_id(pw, 0, 0, &i));
		if (!dbs->has_shadow) {
			CHECK(userdb_field_eq(pw, i, PW_PASSWD, ""));
		} else {
			const char *f;
			size_t flen;
			char *name;

			CHECK(userdb_field(pw, i, PW_NAME, &f, &flen) == 0);
			name = strndup(f, flen);
			CHECK(name);
			CHECK(userdb_find_name(&dbs->shadow, name, 0, &i));
			CHECK(userdb_field_eq(&dbs->shadow, i, SP_PWDP, ""));
			free(name);
		}
		return;
	}
	/* Exactly one passwd line for the uid and one for the name, the same. */
	for (i = 0; i < pw->nlines; i++) {
		if (userdb_line_claims_id(pw, i, req->uid)) {
			CHECK(pw->lines[i].entry);
			pi = i;
			n++;
		}
	}
	CHECK(n == 1);
	count_name(pw, req->name, &entries, &stale);
	CHECK(entries == 1 && stale == 0);
	CHECK(userdb_line_claims(pw, pi, req->name));
	CHECK(pw->lines[pi].id == req->uid);
	CHECK(userdb_get_number(pw, pi, PW_GID, &(uint32_t){0}) == 0);
	CHECK(userdb_field_eq(pw, pi, PW_DIR, req->home));
	CHECK(userdb_field_eq(pw, pi, PW_SHELL, req->shell));
	CHECK(userdb_field_eq(pw, pi, PW_PASSWD, dbs->has_shadow ? "x" : ""));
	if (dbs->has_shadow) {
		count_name(&dbs->shadow, req->name, &entries, &stale);
		CHECK(entries == 1 && stale == 0);
		CHECK(userdb_find_name(&dbs->shadow, req->name, 0, &i));
		CHECK(userdb_field_eq(&dbs->shadow, i, SP_PWDP, ""));
	}
	/* The primary group resolves; the admin group lists the user. */
	CHECK(userdb_find_id(&dbs->group, req->gid, 0, &gi));
	CHECK((userdb_find_name(&dbs->group, "wheel", 0, &gi) ||
	       userdb_find_name(&dbs->group, "sudo", 0, &gi)) &&
	      userdb_has_member(&dbs->group, gi, GR_MEM, req->name));
	/* root is still there. */
	CHECK(userdb_find_name(pw, "root", 0, &i) || userdb_find_id(pw, 0, 0, &i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	struct section sec[4] = {0};
	struct setup_user_dbs dbs = {0}, again = {0};
	struct setup_user_req req;
	char line[512], err[512] = "";
	size_t k = 0;
	bool valid;
	int r;

	parse_request(p, size, &req, line, sizeof(line));
	valid = setup_user_check_req(&req, NULL, 0) == 0;
	nl = memchr(p, '\n', size);
	p = nl ? nl + 1 : end;
	/* Sections: from here to the next "====\n" line (or the end). */
	while (p <= end && k < 4) {
		const char *q = p, *stop = end;

		while (q < end) {
			const char *e = memchr(q, '\n', (size_t)(end - q));

			if ((size_t)(end - q) >= 5 && !memcmp(q, "====\n", 5)) {
				stop = q;
				break;
			}
			if (!e)
				break;
			q = e + 1;
		}
		sec[k].p = p;
		sec[k].len = (size_t)(stop - p);
		sec[k].present = true;
		k++;
		if (stop == end)
			break;
		p = stop + 5;
	}
	for (k = 0; k < 4; k++) {
		if (sec[k].present)
			round_trip(sec[k].p, sec[k].len);
	}

	load(&dbs, sec);
	r = setup_user_edit(&dbs, &req, err, sizeof(err));
	if (!valid) {
		CHECK(r == -EINVAL && err[0] && !strchr(err, '\n'));
		setup_user_dbs_free(&dbs);
		return 0;
	}
	if (r == -ENOMEM || r == -EFBIG) {
		setup_user_dbs_free(&dbs);
		return 0;
	}
	if (r < 0) {
		fprintf(stderr, "fuzz_userdb: setup_user_edit: %s\n", err);
		abort();
	}
	CHECK(strchr(err, '\n') == NULL);
	check_result(&dbs, &req);

	/* Serialize, re-parse: same invariants, and a second run changes nothing. */
	{
		struct userdb *db[] = {&dbs.passwd, &dbs.group, &dbs.shadow, &dbs.gshadow};
		struct userdb *db2[] = {&again.passwd, &again.group, &again.shadow, &again.gshadow};
		char *out[4];
		size_t olen[4];

		for (k = 0; k < 4; k++) {
			out[k] = dump(db[k], &olen[k]);
			CHECK(userdb_parse(db2[k], kinds[k], out[k], olen[k]) == 0);
		}
		again.has_passwd = dbs.has_passwd;
		again.has_group = dbs.has_group;
		again.has_shadow = dbs.has_shadow;
		again.has_gshadow = dbs.has_gshadow;
		check_result(&again, &req);
		CHECK(setup_user_edit(&again, &req, err, sizeof(err)) == 0);
		for (k = 0; k < 4; k++) {
			size_t l2;
			char *o2 = dump(db2[k], &l2);

			CHECK(l2 == olen[k] && memcmp(o2, out[k], l2) == 0);
			free(o2);
			free(out[k]);
		}
	}
	setup_user_dbs_free(&again);
	setup_user_dbs_free(&dbs);
	return 0;
}
