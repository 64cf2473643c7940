// SPDX-License-Identifier: GPL-2.0-or-later
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})
#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

START_TEST(test_init_full)
{
	char *argv[] = {"init-container", "--uid",	"1000",		  "--gid",
			"1001",		  "--user",	"alice",	  "--home",
			"/home/alice",	  "--shell",	"/bin/bash",	  "--home-link",
			"--media-link",	  "--mnt-link", "--monitor-host", NULL};
	struct init_opts o;
	char err[256] = "";

	ck_assert_int_eq(cmdline_parse_init(ARGC(argv), argv, &o, err, sizeof(err)), 0);
	ck_assert_uint_eq(o.uid, 1000);
	ck_assert_uint_eq(o.gid, 1001);
	ck_assert_str_eq(o.user, "alice");
	ck_assert_str_eq(o.home, "/home/alice");
	ck_assert_str_eq(o.shell, "/bin/bash");
	ck_assert(o.home_link && o.media_link && o.mnt_link && o.monitor_host);
}
END_TEST

START_TEST(test_init_gid_defaults_to_uid_and_go_bools)
{
	char *argv[] = {"init-container",  "--uid=4294967294",	   "--user=u",	       "--home=/h",
			"--shell=/bin/sh", "--monitor-host=false", "--home-link=true", NULL};
	struct init_opts o;
	char err[256] = "";

	ck_assert_int_eq(cmdline_parse_init(ARGC(argv), argv, &o, err, sizeof(err)), 0);
	ck_assert_uint_eq(o.uid, 4294967294U);
	ck_assert_uint_eq(o.gid, 4294967294U);
	ck_assert(!o.monitor_host);
	ck_assert(o.home_link);
}
END_TEST

START_TEST(test_init_errors)
{
	struct {
		char **argv;
		const char *needle;
	} cases[] = {
		{ARGV("init-container", "--user", "u", "--home", "/h", "--shell", "/bin/sh"),
		 "--uid"},
		{ARGV("init-container", "--uid", "1", "--home", "/h", "--shell", "/bin/sh"),
		 "--user"},
		{ARGV("init-container", "--uid", "x1", "--user", "u", "--home", "/h", "--shell",
		      "/s"),
		 "invalid --uid"},
		{ARGV("init-container", "--uid", "4294967295", "--user", "u", "--home", "/h",
		      "--shell", "/s"),
		 "invalid --uid"},
		{ARGV("init-container", "--uid", "1", "--user", "a:b", "--home", "/h", "--shell",
		      "/s"),
		 "invalid user name"},
		{ARGV("init-container", "--uid", "1", "--user", "u", "--home", "rel", "--shell",
		      "/s"),
		 "invalid home"},
		{ARGV("init-container", "--uid", "1", "--user", "u", "--home", "/h", "--shell",
		      "/s", "--bogus"),
		 "unknown option"},
		{ARGV("init-container", "--uid", "1", "--user", "u", "--home", "/h", "--shell",
		      "/s", "extra"),
		 "unexpected argument"},
		{ARGV("init-container", "--uid", "1", "--user", "u", "--home", "/h", "--shell",
		      "/s", "--mnt-link=maybe"),
		 "invalid value"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct init_opts o;
		char err[256] = "";
		int argc = 0;

		while (cases[i].argv[argc])
			argc++;
		ck_assert_int_eq(cmdline_parse_init(argc, cases[i].argv, &o, err, sizeof(err)),
				 -EINVAL);
		ck_assert_msg(strstr(err, cases[i].needle), "case %zu: \"%s\" lacks \"%s\"", i, err,
			      cases[i].needle);
	}
}
END_TEST

START_TEST(test_global_toolbx_form)
{
	/* Toolbx's entry point: toolbox --log-level debug init-container ... */
	char *argv[] = {"toolbox", "--log-level", "debug", "init-container", "--uid", "1", NULL};
	struct global_opts g;
	char err[256] = "";

	ck_assert_int_eq(cmdline_parse_global(ARGC(argv), argv, &g, err, sizeof(err)), 0);
	ck_assert(g.log_level_set);
	ck_assert_int_eq(g.log_level, LOG_LVL_DEBUG);
	ck_assert_int_eq(g.cmd_index, 3);
}
END_TEST

START_TEST(test_global_bad_level)
{
	char *argv[] = {"toolbox-init", "--log-level", "loud", "exec", NULL};
	struct global_opts g;
	char err[256] = "";

	ck_assert_int_eq(cmdline_parse_global(ARGC(argv), argv, &g, err, sizeof(err)), -EINVAL);
	ck_assert(strstr(err, "loud"));
}
END_TEST

START_TEST(test_user_names)
{
	ck_assert_int_eq(cmdline_check_user_name("alice"), 0);
	ck_assert_int_eq(cmdline_check_user_name("a.b-c_d$"), 0);
	ck_assert_int_eq(cmdline_check_user_name("Ünïcode"), 0);
	ck_assert_int_eq(cmdline_check_user_name(""), -EINVAL);
	ck_assert_int_eq(cmdline_check_user_name("-x"), -EINVAL);
	ck_assert_int_eq(cmdline_check_user_name("+x"), -EINVAL);
	ck_assert_int_eq(cmdline_check_user_name("12345"), -EINVAL);
	ck_assert_int_eq(cmdline_check_user_name("a b"), -EINVAL);
	ck_assert_int_eq(cmdline_check_user_name("a\nb"), -EINVAL);
	ck_assert_int_eq(cmdline_check_user_name("a,b"), -EINVAL);
}
END_TEST

START_TEST(test_ids)
{
	unsigned int v;

	ck_assert_int_eq(cmdline_parse_id("0", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(cmdline_parse_id("2147483648", &v), 0);
	ck_assert_uint_eq(v, 2147483648U);
	ck_assert_int_eq(cmdline_parse_id("4294967295", &v), -ERANGE);
	ck_assert_int_eq(cmdline_parse_id("99999999999999999999", &v), -ERANGE);
	ck_assert_int_eq(cmdline_parse_id("-1", &v), -EINVAL);
	ck_assert_int_eq(cmdline_parse_id("", &v), -EINVAL);
	ck_assert_int_eq(cmdline_parse_id(" 1", &v), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cmdline");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_init_full);
	tcase_add_test(tc, test_init_gid_defaults_to_uid_and_go_bools);
	tcase_add_test(tc, test_init_errors);
	tcase_add_test(tc, test_global_toolbx_form);
	tcase_add_test(tc, test_global_bad_level);
	tcase_add_test(tc, test_user_names);
	tcase_add_test(tc, test_ids);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
