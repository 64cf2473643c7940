// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the option parsers of list, rm/rmi and relay (host/cmd_list.c,
 * host/cmd_rm.c, host/cmd_relay.c), and of host/list_print.c.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "humanize.h"
#include "list_print.h"

#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)))
#define CALL(fn, o, err, ...) fn(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), o, err, 256)

START_TEST(test_rm_parse)
{
	struct rm_opts o;
	char err[256];

	ck_assert_int_eq(CALL(rm_parse, &o, err, "rm", "a", "b"), 1);
	ck_assert(!o.all && !o.force && !o.help);
	/* Options after the names, as Toolbx takes them: the names move to the end. */
	ck_assert_int_eq(CALL(rm_parse, &o, err, "rm", "a", "-f"), 2);
	ck_assert(o.force);
	ck_assert_int_eq(CALL(rm_parse, &o, err, "rmi", "--all", "--force"), 3);
	ck_assert(o.all && o.force);
	ck_assert_int_eq(CALL(rm_parse, &o, err, "rm", "-h", "--bogus"), 2);
	ck_assert(o.help);
	ck_assert_int_eq(CALL(rm_parse, &o, err, "rm"), -EINVAL);
	ck_assert_str_eq(err, "missing argument for \"rm\"; run 'toolbox rm --help' for usage");
	ck_assert_int_eq(CALL(rm_parse, &o, err, "rm", "--all", "somename"), -EINVAL);
	ck_assert_str_eq(err, "option --all takes no names (got somename)");
	ck_assert_int_eq(CALL(rm_parse, &o, err, "rmi", "--bogus", "x"), -EINVAL);
	ck_assert_str_eq(err,
			 "unknown option --bogus for \"rmi\"; run 'toolbox rmi --help' for usage");
}
END_TEST

START_TEST(test_list_parse)
{
	struct list_opts o;
	char err[256];

	ck_assert_int_eq(CALL(list_parse, &o, err, "list"), 0);
	ck_assert(!o.containers && !o.images && !o.json && !o.help);
	ck_assert_int_eq(CALL(list_parse, &o, err, "list", "-ci", "--format", "json"), 0);
	ck_assert(o.containers && o.images && o.json);
	ck_assert_int_eq(CALL(list_parse, &o, err, "list", "--format=table", "--images"), 0);
	ck_assert(o.images && !o.json);
	ck_assert_int_eq(CALL(list_parse, &o, err, "list", "--help", "--bogus"), 0);
	ck_assert(o.help);
	ck_assert_int_eq(CALL(list_parse, &o, err, "list", "--format", "yaml"), -EINVAL);
	ck_assert_str_eq(err, "invalid argument for '--format': yaml (use json or table)");
	ck_assert_int_eq(CALL(list_parse, &o, err, "list", "--format"), -EINVAL);
	ck_assert_str_eq(err, "unknown or incomplete option --format for \"list\"; run 'toolbox "
			      "list --help' for usage");
	ck_assert_int_eq(CALL(list_parse, &o, err, "list", "x"), -EINVAL);
	ck_assert_str_eq(
		err, "\"list\" takes no arguments (got x); run 'toolbox list --help' for usage");
}
END_TEST

START_TEST(test_relay_parse)
{
	struct relay_args a = {.stamps = "/env", .idle_s = 7, .grace_ms = 8};
	char err[256];

	ck_assert_int_eq(CALL(relay_parse, &a, err, "relay", "serve"), 0);
	ck_assert_str_eq(a.sub, "serve");
	ck_assert_ptr_null(a.socket);
	ck_assert_str_eq(a.stamps, "/env");
	ck_assert_uint_eq(a.idle_s, 7);
	ck_assert_uint_eq(a.grace_ms, 8);
	ck_assert_int_eq(CALL(relay_parse, &a, err, "relay", "serve", "--socket", "/s",
			      "--idle-timeout=0", "--grace-ms", "100", "--stamps-dir", "/d"),
			 0);
	ck_assert_str_eq(a.socket, "/s");
	ck_assert_str_eq(a.stamps, "/d");
	ck_assert_uint_eq(a.idle_s, 0);
	ck_assert_uint_eq(a.grace_ms, 100);
	ck_assert_int_eq(CALL(relay_parse, &a, err, "relay"), 0);
	ck_assert(a.usage && !a.help);
	ck_assert_int_eq(CALL(relay_parse, &a, err, "relay", "--bogus"), 0);
	ck_assert(a.usage);
	ck_assert_int_eq(CALL(relay_parse, &a, err, "relay", "-h"), 0);
	ck_assert(a.help && !a.usage);
	ck_assert_int_eq(CALL(relay_parse, &a, err, "relay", "stop", "--help"), 0);
	ck_assert(a.help);
	ck_assert_int_eq(CALL(relay_parse, &a, err, "relay", "serve", "--grace-ms", "600001"),
			 -EINVAL);
	ck_assert_str_eq(err, "--grace-ms needs milliseconds, not '600001'");
	ck_assert_int_eq(CALL(relay_parse, &a, err, "relay", "serve", "--idle-timeout", "-1"),
			 -EINVAL);
	ck_assert_str_eq(err, "--idle-timeout needs seconds, not '-1'");
	ck_assert_int_eq(CALL(relay_parse, &a, err, "relay", "start", "--socket"), -EINVAL);
	ck_assert_str_eq(err, "relay start: unknown or incomplete option '--socket'; see "
			      "'toolbox relay --help'");
	ck_assert_int_eq(CALL(relay_parse, &a, err, "relay", "status", "x"), -EINVAL);
	ck_assert_str_eq(err, "relay status: unexpected argument 'x'");
}
END_TEST

static char *print_containers(const struct container_summary *cs, size_t n, int64_t now)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(list_print_containers(f, cs, n, now, false), 0);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

START_TEST(test_list_print)
{
	struct container_summary cs[] = {
		{.id = "0123456789abcdef",
		 .name = "dev",
		 .state = "running",
		 .image = "fedora-toolbox:40",
		 .created = 1000},
		{.id = "fe", .name = "other", .state = "exited", .image = "x", .created = 0},
	};
	char *text = print_containers(cs, 2, 1000 + 3 * 3600);

	ck_assert_str_eq(text, "CONTAINER ID  CONTAINER NAME  CREATED      STATUS   IMAGE NAME\n"
			       "0123456789ab  dev             3 hours ago  running  "
			       "fedora-toolbox:40\n"
			       "fe            other           unknown      exited   x\n");
	free(text);
}
END_TEST

START_TEST(test_humanize)
{
	char buf[64];

	humanize_since(100, 100, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Less than a second ago");
	humanize_since(100, 160, buf, sizeof(buf));
	ck_assert_str_eq(buf, "About a minute ago");
	humanize_since(1, 1 + 3 * 365 * 86400, buf, sizeof(buf));
	ck_assert_str_eq(buf, "3 years ago");
	humanize_since(0, 100, buf, sizeof(buf));
	ck_assert_str_eq(buf, "unknown");
	humanize_since(1800, 1800 + 5399, buf, sizeof(buf));
	ck_assert_str_eq(buf, "About an hour ago");
	humanize_since(1800, 1800 + 5400, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2 hours ago");
	/* "Created" is any int64 in podman's JSON (seen when fuzz_podman_json was extended to
	 * the list output: the subtraction overflowed, UBSan with SANITIZE=1). */
	humanize_since(INT64_MIN, 1795392000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "unknown");
	humanize_since(INT64_MAX, 1795392000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Less than a second ago");
	humanize_since(1, INT64_MAX, buf, sizeof(buf));
	ck_assert_str_eq(buf, "292471208677 years ago");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cmd_args");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_rm_parse);
	tcase_add_test(tc, test_list_parse);
	tcase_add_test(tc, test_relay_parse);
	tcase_add_test(tc, test_list_print);
	tcase_add_test(tc, test_humanize);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
