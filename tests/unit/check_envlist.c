// SPDX-License-Identifier: GPL-2.0-or-later
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "envlist.h"

static size_t strv_len(char **v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static bool strv_has(char **v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++) {
		if (strcmp(v[i], s) == 0)
			return true;
	}
	return false;
}

START_TEST(test_allowed)
{
	ck_assert(envlist_allowed("DISPLAY"));
	ck_assert(envlist_allowed("WAYLAND_DISPLAY"));
	ck_assert(envlist_allowed("TERM"));
	ck_assert(envlist_allowed("LANG"));
	ck_assert(envlist_allowed("LANGUAGE"));
	ck_assert(envlist_allowed("LC_ALL"));
	ck_assert(envlist_allowed("LC_TIME"));
	ck_assert(envlist_allowed("XDG_RUNTIME_DIR"));
	ck_assert(envlist_allowed("XDG_SESSION_TYPE"));
	ck_assert(envlist_allowed("DBUS_SESSION_BUS_ADDRESS"));
	ck_assert(envlist_allowed("SSH_AUTH_SOCK"));
	ck_assert(envlist_allowed("TOOLBOX_PATH"));
	ck_assert(envlist_allowed("XAUTHORITY"));
	ck_assert(envlist_allowed("COLORTERM"));

	ck_assert(!envlist_allowed("PATH"));
	ck_assert(!envlist_allowed("HOME"));
	ck_assert(!envlist_allowed("LD_PRELOAD"));
	ck_assert(!envlist_allowed("USER"));
	ck_assert(!envlist_allowed("CONTAINERS_CONF"));
	ck_assert(!envlist_allowed("LC_"));
	ck_assert(!envlist_allowed("XDG_"));
	ck_assert(!envlist_allowed("display"));
	ck_assert(!envlist_allowed("DISPLAYX"));
	ck_assert(!envlist_allowed(""));
	ck_assert(!envlist_allowed(NULL));
	ck_assert(!envlist_allowed("LC_A-B"));
}
END_TEST

START_TEST(test_names)
{
	ck_assert(envlist_name_valid("A"));
	ck_assert(envlist_name_valid("_x9"));
	ck_assert(!envlist_name_valid("9x"));
	ck_assert(!envlist_name_valid("A B"));
	ck_assert(!envlist_name_valid("A=B"));
	ck_assert_int_eq(envlist_check_arg("FOO=bar"), 0);
	ck_assert_int_eq(envlist_check_arg("FOO="), 0);
	ck_assert_int_eq(envlist_check_arg("FOO"), 0);
	ck_assert_int_eq(envlist_check_arg("=bar"), -EINVAL);
	ck_assert_int_eq(envlist_check_arg("1FOO=bar"), -EINVAL);
	ck_assert_int_eq(envlist_check_arg(""), -EINVAL);
}
END_TEST

START_TEST(test_build_filters)
{
	char *envp[] = {"PATH=/usr/bin",
			"DISPLAY=:0",
			"HOME=/home/u",
			"LC_TIME=C",
			"SECRET=x",
			"XDG_RUNTIME_DIR=/run/user/1",
			"noequals",
			"TERM=xterm=256color",
			NULL};
	char **out;

	ck_assert_int_eq(envlist_build(envp, NULL, 0, &out), 0);
	ck_assert_uint_eq(strv_len(out), 4);
	/* The host's order is kept. */
	ck_assert_str_eq(out[0], "--env=DISPLAY=:0");
	ck_assert_str_eq(out[1], "--env=LC_TIME=C");
	ck_assert_str_eq(out[2], "--env=XDG_RUNTIME_DIR=/run/user/1");
	ck_assert_str_eq(out[3], "--env=TERM=xterm=256color");
	envlist_free(out);
}
END_TEST

START_TEST(test_build_edits)
{
	char *envp[] = {"DISPLAY=:0", "FOO=host", "LANG=C.UTF-8", NULL};
	struct env_edit edits[] = {
		{.arg = "FOO"},			   /* forward a host variable by name */
		{.arg = "DISPLAY", .unset = true}, /* drop an allowed one */
		{.arg = "LANG=de_DE.UTF-8"},	   /* replace an allowed one */
		{.arg = "NEW=1"},
		{.arg = "MISSING"}, /* the host has none: nothing */
		{.arg = "NEW=2"},   /* the last one wins */
	};
	char **out;

	ck_assert_int_eq(envlist_build(envp, edits, sizeof(edits) / sizeof(edits[0]), &out), 0);
	ck_assert_uint_eq(strv_len(out), 3);
	ck_assert(strv_has(out, "--env=FOO=host"));
	ck_assert(strv_has(out, "--env=LANG=de_DE.UTF-8"));
	ck_assert(strv_has(out, "--env=NEW=2"));
	ck_assert(!strv_has(out, "--env=DISPLAY=:0"));
	envlist_free(out);
}
END_TEST

START_TEST(test_build_bad_edits)
{
	char *envp[] = {NULL};
	struct env_edit bad1[] = {{.arg = "1X=2"}};
	struct env_edit bad2[] = {{.arg = "X=2", .unset = true}};
	char **out = (char **)1;

	ck_assert_int_eq(envlist_build(envp, bad1, 1, &out), -EINVAL);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(envlist_build(envp, bad2, 1, &out), -EINVAL);
	ck_assert_int_eq(envlist_build(NULL, NULL, 0, &out), 0);
	ck_assert_uint_eq(strv_len(out), 0);
	envlist_free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("envlist");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_allowed);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_build_filters);
	tcase_add_test(tc, test_build_edits);
	tcase_add_test(tc, test_build_bad_edits);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
