// SPDX-License-Identifier: GPL-2.0-or-later
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "userdb.h"

#define PASSWD_DEBIAN                                                                              \
	"root:x:0:0:root:/root:/bin/bash\n"                                                        \
	"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"                                        \
	"bin:x:2:2:bin:/bin:/usr/sbin/nologin\n"                                                   \
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"

/* Parse, serialize, compare with the input. */
static void assert_round_trip(enum userdb_kind kind, const char *data, size_t len)
{
	struct userdb db;
	char *out = NULL;
	size_t olen = 0;

	ck_assert_int_eq(userdb_parse(&db, kind, data, len), 0);
	ck_assert_int_eq(userdb_serialize(&db, &out, &olen), 0);
	ck_assert_uint_eq(olen, len);
	ck_assert(len == 0 || memcmp(out, data, len) == 0);
	ck_assert_int_eq(out[olen], '\0');
	free(out);
	userdb_free(&db);
}

static char *dump(const struct userdb *db)
{
	char *out = NULL;
	size_t len;

	ck_assert_int_eq(userdb_serialize(db, &out, &len), 0);
	return out;
}

static void parse_str(struct userdb *db, enum userdb_kind kind, const char *s)
{
	ck_assert_int_eq(userdb_parse(db, kind, s, strlen(s)), 0);
}

START_TEST(test_round_trip_realistic)
{
	static const char group[] = "root:x:0:\nsudo:x:27:alice,bob\nusers:x:100:\n";
	static const char shadow[] = "root:*:19000:0:99999:7:::\nalice::19000:0:99999:7:::\n";
	static const char gshadow[] = "root:*::\nsudo:*::alice,bob\n";

	assert_round_trip(USERDB_PASSWD, PASSWD_DEBIAN, strlen(PASSWD_DEBIAN));
	assert_round_trip(USERDB_GROUP, group, strlen(group));
	assert_round_trip(USERDB_SHADOW, shadow, strlen(shadow));
	assert_round_trip(USERDB_GSHADOW, gshadow, strlen(gshadow));
}
END_TEST

START_TEST(test_round_trip_odd)
{
	static const char *const cases[] = {
		"",
		"\n",
		"\n\n\n",
		"root:x:0:0:root:/root:/bin/sh",
		"root:x:0:0:root:/root:/bin/sh\r\n",
		"# comment\n\n+::::::\n-bob:::::\n+@netgroup\n",
		"short:x:1\nlong:x:1:1:a:b:c:d:e:f\n:x:1:1:::\n",
		"   \t\n::::::\nno newline at the end",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int k = USERDB_PASSWD; k <= USERDB_GSHADOW; k++)
			assert_round_trip((enum userdb_kind)k, cases[i], strlen(cases[i]));
	}
}
END_TEST

START_TEST(test_round_trip_binary)
{
	static const char nul[] = "alice:x:1000:1000::/home/alice:/bin/sh\0junk\nbob\0\0\0\n\0";
	unsigned char buf[4096];
	unsigned seed = 12345;

	assert_round_trip(USERDB_PASSWD, nul, sizeof(nul) - 1);
	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i < sizeof(buf); i++) {
			seed = seed * 1103515245u + 12345u;
			/* Plenty of ':', '\n' and NUL among random bytes. */
			buf[i] = "::\n\0ab1"[(seed >> 16) % 7] ^ (round & 1 ? (seed >> 24) : 0);
		}
		for (int k = USERDB_PASSWD; k <= USERDB_GSHADOW; k++)
			assert_round_trip((enum userdb_kind)k, (const char *)buf, sizeof(buf));
	}
}
END_TEST

START_TEST(test_huge_input)
{
	size_t len = 4u << 20;
	char *big = malloc(USERDB_MAX_SIZE + 1);
	struct userdb db;

	ck_assert_ptr_nonnull(big);
	/* One 4 MiB line, then 4 MiB of newlines. */
	memset(big, 'a', len);
	big[len - 1] = '\n';
	memset(big + len, '\n', len);
	assert_round_trip(USERDB_PASSWD, big, 2 * len);
	memset(big, 'x', USERDB_MAX_SIZE + 1);
	ck_assert_int_eq(userdb_parse(&db, USERDB_PASSWD, big, USERDB_MAX_SIZE + 1), -EFBIG);
	ck_assert_ptr_null(db.lines);
	userdb_free(&db);
	free(big);
}
END_TEST

START_TEST(test_entries_and_queries)
{
	static const char text[] = "root:x:0:0:root:/root:/bin/sh\n"
				   "# alice:x:1000:1000::/home/alice:/bin/sh\n"
				   "alice:x:abc:1000::/home/alice:/bin/sh\n"
				   " alice:x:1000:1000::/home/alice:/bin/sh\n"
				   "+alice::::::\n"
				   "big:x:4294967295:0:::\n"
				   "toobig:x:4294967296:0:::\n"
				   "eleven:x:00000000001:0:::\n"
				   "alice:x:1000:1000::/home/alice:/bin/sh\n";
	struct userdb db;
	const char *p;
	size_t i, len;
	uint32_t v;

	parse_str(&db, USERDB_PASSWD, text);
	ck_assert_uint_eq(db.nlines, 9);
	ck_assert(db.lines[0].entry && !db.lines[1].entry && !db.lines[2].entry);
	ck_assert(!db.lines[3].entry && !db.lines[4].entry && db.lines[5].entry);
	ck_assert(!db.lines[6].entry && !db.lines[7].entry && db.lines[8].entry);
	ck_assert(userdb_find_name(&db, "alice", 0, &i));
	ck_assert_uint_eq(i, 8);
	ck_assert(!userdb_find_name(&db, "alice", 9, &i));
	ck_assert(!userdb_find_name(&db, "alic", 0, &i));
	ck_assert(!userdb_find_name(&db, "", 0, &i));
	ck_assert(userdb_find_id(&db, 1000, 0, &i));
	ck_assert_uint_eq(i, 8);
	ck_assert(userdb_find_id(&db, 4294967295u, 0, &i));
	ck_assert_uint_eq(i, 5);
	ck_assert(userdb_find_id(&db, 0, 0, &i));
	ck_assert_uint_eq(i, 0);
	ck_assert_int_eq(userdb_field(&db, 8, PW_DIR, &p, &len), 0);
	ck_assert_uint_eq(len, strlen("/home/alice"));
	ck_assert_mem_eq(p, "/home/alice", len);
	ck_assert(userdb_field_eq(&db, 8, PW_GECOS, ""));
	ck_assert(userdb_field_eq(&db, 8, PW_SHELL, "/bin/sh"));
	ck_assert(!userdb_field_eq(&db, 8, PW_SHELL, "/bin/s"));
	ck_assert_int_eq(userdb_get_number(&db, 8, PW_GID, &v), 0);
	ck_assert_uint_eq(v, 1000);
	ck_assert_int_eq(userdb_field(&db, 2, PW_DIR, &p, &len), -EINVAL);
	ck_assert_int_eq(userdb_field(&db, 8, PW_NFIELDS, &p, &len), -EINVAL);
	ck_assert_int_eq(userdb_field(&db, 99, PW_NAME, &p, &len), -EINVAL);
	userdb_free(&db);
}
END_TEST

START_TEST(test_lenient_claims)
{
	static const char text[] = "# alice:x:1000:1000::/h:/bin/sh\n"
				   " \talice:x:1000:1000::/h:/bin/sh\n"
				   "alice:x:1000\n"
				   "bob:x:01000:1:::/bin/sh:extra\n"
				   "carol:x:1000junk:1:::\n"
				   "dave:x:1000:1::/h:/bin/sh\0garbage\n"
				   "+alice::1000::::\n"
				   "eve:x:10000:1:::\n";
	struct userdb db;

	ck_assert_int_eq(userdb_parse(&db, USERDB_PASSWD, text, sizeof(text) - 1), 0);
	ck_assert(!userdb_line_claims(&db, 0, "alice"));
	ck_assert(userdb_line_claims(&db, 1, "alice"));
	ck_assert(userdb_line_claims(&db, 2, "alice"));
	ck_assert(!userdb_line_claims(&db, 2, "alic"));
	ck_assert(!userdb_line_claims(&db, 6, "alice"));
	ck_assert(!userdb_line_claims_id(&db, 0, 1000));
	ck_assert(userdb_line_claims_id(&db, 1, 1000));
	ck_assert(!userdb_line_claims_id(&db, 2, 1000));
	ck_assert(userdb_line_claims_id(&db, 3, 1000));
	ck_assert(userdb_line_claims_id(&db, 4, 1000));
	ck_assert(userdb_line_claims_id(&db, 5, 1000));
	ck_assert(userdb_line_claims(&db, 5, "dave"));
	ck_assert(!userdb_line_claims_id(&db, 6, 1000));
	ck_assert(!userdb_line_claims_id(&db, 7, 1000));
	ck_assert(!userdb_line_claims_id(&db, 99, 1000));
	userdb_free(&db);
}
END_TEST

START_TEST(test_set_field)
{
	struct userdb db;
	char *out;
	size_t i;

	parse_str(&db, USERDB_PASSWD, "# keep me\n" PASSWD_DEBIAN "junk line");
	ck_assert_int_eq(userdb_set_field(&db, 1, PW_PASSWD, ""), 0);
	ck_assert_int_eq(userdb_set_field(&db, 1, PW_SHELL, "/bin/zsh"), 0);
	ck_assert_int_eq(userdb_set_number(&db, 2, PW_UID, 4294967294u), 0);
	/* Same value: nothing changes. */
	ck_assert_int_eq(userdb_set_field(&db, 3, PW_DIR, "/bin"), 0);
	ck_assert(!db.lines[3].owned);
	ck_assert_int_eq(userdb_set_field(&db, 1, PW_SHELL, "/bin:x"), -EINVAL);
	ck_assert_int_eq(userdb_set_field(&db, 1, PW_SHELL, "/bin\nx"), -EINVAL);
	ck_assert_int_eq(userdb_set_field(&db, 1, PW_UID, "12a"), -EINVAL);
	ck_assert_int_eq(userdb_set_field(&db, 1, PW_UID, "4294967296"), -EINVAL);
	ck_assert_int_eq(userdb_set_field(&db, 1, PW_NAME, "+root"), -EINVAL);
	ck_assert_int_eq(userdb_set_field(&db, 1, PW_NAME, "a b"), -EINVAL);
	ck_assert_int_eq(userdb_set_field(&db, 0, PW_SHELL, "/bin/sh"), -EINVAL);
	ck_assert_int_eq(userdb_set_field(&db, 5, PW_SHELL, "/bin/sh"), -EINVAL);
	ck_assert_int_eq(userdb_set_field(&db, 1, PW_NFIELDS, "x"), -EINVAL);
	out = dump(&db);
	ck_assert_str_eq(out, "# keep me\n"
			      "root::0:0:root:/root:/bin/zsh\n"
			      "daemon:x:4294967294:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
			      "bin:x:2:2:bin:/bin:/usr/sbin/nologin\n"
			      "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
			      "junk line");
	ck_assert(userdb_find_id(&db, 4294967294u, 0, &i));
	ck_assert_uint_eq(i, 2);
	free(out);
	userdb_free(&db);
}
END_TEST

START_TEST(test_add_and_remove)
{
	static const char *const alice[] = {"alice", "x",	    "1000",   "1000",
					    "",	     "/home/alice", "/bin/sh"};
	static const char *const bad[] = {"bob", "x", "1000", "abc", "", "/", "/bin/sh"};
	struct userdb db;
	size_t i;
	char *out;

	/* The missing final newline is added before the new line. */
	parse_str(&db, USERDB_PASSWD, "root:x:0:0::/root:/bin/sh");
	ck_assert_int_eq(userdb_add(&db, alice, &i), 0);
	ck_assert_uint_eq(i, 1);
	ck_assert_int_eq(userdb_add(&db, bad, NULL), -EINVAL);
	out = dump(&db);
	ck_assert_str_eq(out,
			 "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
	free(out);
	ck_assert_int_eq(userdb_remove(&db, 0), 0);
	ck_assert_int_eq(userdb_remove(&db, 1), -ERANGE);
	out = dump(&db);
	ck_assert_str_eq(out, "alice:x:1000:1000::/home/alice:/bin/sh\n");
	free(out);
	userdb_free(&db);

	/* New entries go before NIS lines. */
	parse_str(&db, USERDB_PASSWD, "root:x:0:0::/root:/bin/sh\n+@admins::::::\n+::::::");
	ck_assert_int_eq(userdb_add(&db, alice, &i), 0);
	ck_assert_uint_eq(i, 1);
	out = dump(&db);
	ck_assert_str_eq(out, "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n"
			      "+@admins::::::\n+::::::");
	free(out);
	userdb_free(&db);

	/* Into nothing. */
	parse_str(&db, USERDB_SHADOW, "");
	ck_assert_int_eq(userdb_add(&db,
				    (const char *const[]){"alice", "", "19000", "0", "99999", "7",
							  "", "", ""},
				    NULL),
			 0);
	out = dump(&db);
	ck_assert_str_eq(out, "alice::19000:0:99999:7:::\n");
	free(out);
	userdb_free(&db);
}
END_TEST

START_TEST(test_members)
{
	struct userdb db;
	char *out;

	parse_str(&db, USERDB_GROUP,
		  "sudo:x:27:\nwheel:x:10:root\nusers:x:100:alice,al,alice,,bob\nodd:x:5:a,\n");
	ck_assert(!userdb_has_member(&db, 0, GR_MEM, "alice"));
	ck_assert_int_eq(userdb_add_member(&db, 0, GR_MEM, "alice"), 0);
	ck_assert_int_eq(userdb_add_member(&db, 0, GR_MEM, "alice"), 0);
	ck_assert_int_eq(userdb_add_member(&db, 1, GR_MEM, "alice"), 0);
	ck_assert_int_eq(userdb_add_member(&db, 3, GR_MEM, "b"), 0);
	ck_assert_int_eq(userdb_add_member(&db, 1, GR_MEM, "a,b"), -EINVAL);
	ck_assert_int_eq(userdb_add_member(&db, 1, GR_GID, "a"), -EINVAL);
	ck_assert(userdb_has_member(&db, 2, GR_MEM, "al"));
	ck_assert(!userdb_has_member(&db, 2, GR_MEM, "a"));
	ck_assert_int_eq(userdb_remove_member(&db, 2, GR_MEM, "alice"), 0);
	ck_assert_int_eq(userdb_remove_member(&db, 1, GR_MEM, "nobody"), 0);
	out = dump(&db);
	ck_assert_str_eq(
		out, "sudo:x:27:alice\nwheel:x:10:root,alice\nusers:x:100:al,bob\nodd:x:5:a,b\n");
	free(out);
	userdb_free(&db);

	parse_str(&db, USERDB_GSHADOW, "sudo:*:alice:alice\n");
	ck_assert_int_eq(userdb_remove_member(&db, 0, SG_ADM, "alice"), 0);
	ck_assert_int_eq(userdb_add_member(&db, 0, SG_MEM, "bob"), 0);
	out = dump(&db);
	ck_assert_str_eq(out, "sudo:*::alice,bob\n");
	free(out);
	userdb_free(&db);
}
END_TEST

START_TEST(test_kinds_and_names)
{
	struct userdb db;

	ck_assert_uint_eq(userdb_nfields(USERDB_PASSWD), 7);
	ck_assert_uint_eq(userdb_nfields(USERDB_GROUP), 4);
	ck_assert_uint_eq(userdb_nfields(USERDB_SHADOW), 9);
	ck_assert_uint_eq(userdb_nfields(USERDB_GSHADOW), 4);
	ck_assert_int_eq(userdb_parse(&db, (enum userdb_kind)7, "", 0), -EINVAL);
	userdb_free(&db);

	parse_str(&db, USERDB_SHADOW, "root:*:1:0:99999:7:::\nold:!\nlong:x:1:2:3:4:5:6:7:8\n");
	ck_assert(db.lines[0].entry && !db.lines[1].entry && !db.lines[2].entry);
	userdb_free(&db);
	/* Group: non-numeric gid is not an entry; shadow/gshadow numbers are not checked. */
	parse_str(&db, USERDB_GROUP, "a:x:1:\nb:x::\nc:x:-1:\n");
	ck_assert(db.lines[0].entry && !db.lines[1].entry && !db.lines[2].entry);
	userdb_free(&db);

	ck_assert(userdb_valid_name("alice"));
	ck_assert(userdb_valid_name("a.b-c_d$"));
	ck_assert(!userdb_valid_name(""));
	ck_assert(!userdb_valid_name("-alice"));
	ck_assert(!userdb_valid_name("al:ice"));
	ck_assert(!userdb_valid_name("al,ice"));
	ck_assert(!userdb_valid_name("al ice"));
	ck_assert(!userdb_valid_name("al\nice"));
	ck_assert(userdb_valid_value(""));
	ck_assert(userdb_valid_value("Alice Liddell,,,"));
	ck_assert(!userdb_valid_value("a\x7f"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("userdb");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_round_trip_realistic);
	tcase_add_test(tc, test_round_trip_odd);
	tcase_add_test(tc, test_round_trip_binary);
	tcase_add_test(tc, test_huge_input);
	tcase_add_test(tc, test_entries_and_queries);
	tcase_add_test(tc, test_lenient_claims);
	tcase_add_test(tc, test_set_field);
	tcase_add_test(tc, test_add_and_remove);
	tcase_add_test(tc, test_members);
	tcase_add_test(tc, test_kinds_and_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
