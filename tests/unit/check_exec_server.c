// SPDX-License-Identifier: GPL-2.0-or-later
/* The exec socket's pure parts: its path, and what a request may ask for. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "exec_server.h"
#include "exec_socket.h"

#define ARGC(a) (sizeof(a) / sizeof((a)[0]) - 1)

START_TEST(test_socket_path)
{
	char p[256], small[40];
	char id[65];

	memset(id, 'a', 64);
	id[64] = '\0';
	ck_assert_int_eq(exec_socket_path("/run/user/1000/toolbox", id, p, sizeof(p)), 0);
	ck_assert_str_eq(p + strlen(p) - 5, ".sock");
	ck_assert_ptr_nonnull(strstr(p, "/run/user/1000/toolbox/exec/aaaa"));
	ck_assert_int_eq(exec_socket_path("/run/toolbox", "", p, sizeof(p)), -EINVAL);
	ck_assert_int_eq(exec_socket_path("/run/toolbox", "a/b", p, sizeof(p)), -EINVAL);
	ck_assert_int_eq(exec_socket_path("/run/toolbox", id, small, sizeof(small)), -ENAMETOOLONG);
	/* Longer than a socket address can hold. */
	{
		char dir[200];

		memset(dir, 'd', sizeof(dir) - 1);
		dir[0] = '/';
		dir[sizeof(dir) - 1] = '\0';
		ck_assert_int_eq(exec_socket_path(dir, id, p, sizeof(p)), -ENAMETOOLONG);
	}
}
END_TEST

START_TEST(test_rewrite_ok)
{
	char *argv[] = {"/usr/bin/toolbox-init", "exec", "--cwd", "/w", "--", "ls", NULL};
	char **out = NULL;
	char err[256];

	ck_assert_int_eq(exec_server_rewrite(argv, ARGC(argv), "alice", &out, err, sizeof(err)), 0);
	ck_assert_str_eq(out[0], "toolbox-init");
	ck_assert_str_eq(out[1], "exec");
	ck_assert_str_eq(out[2], "--user");
	ck_assert_str_eq(out[3], "alice");
	ck_assert_str_eq(out[4], "--cwd");
	ck_assert_str_eq(out[5], "/w");
	ck_assert_str_eq(out[6], "--");
	ck_assert_str_eq(out[7], "ls");
	ck_assert_ptr_null(out[8]);
	free(out);
}
END_TEST

START_TEST(test_rewrite_refused)
{
	char *bare[] = {"ls", "-l", NULL};
	char *other[] = {"/usr/bin/toolbox-init", "init-container", NULL};
	char *user[] = {"/usr/bin/toolbox-init", "exec", "--user", "root", "--", "id", NULL};
	char *user_eq[] = {"/usr/bin/toolbox-init", "exec", "--user=root", "id", NULL};
	char *help[] = {"/usr/bin/toolbox-init", "exec", "--help", NULL};
	char *bad[] = {"/usr/bin/toolbox-init", "exec", "--bogus", NULL};
	char *one[] = {"/usr/bin/toolbox-init", NULL};
	char **out = NULL;
	char err[256];

	ck_assert_int_eq(exec_server_rewrite(bare, ARGC(bare), "a", &out, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "toolbox-init exec"));
	ck_assert_int_eq(exec_server_rewrite(other, ARGC(other), "a", &out, err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(exec_server_rewrite(user, ARGC(user), "a", &out, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "--user"));
	ck_assert_int_eq(exec_server_rewrite(user_eq, ARGC(user_eq), "a", &out, err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(exec_server_rewrite(help, ARGC(help), "a", &out, err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(exec_server_rewrite(bad, ARGC(bad), "a", &out, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(exec_server_rewrite(one, ARGC(one), "a", &out, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_null(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("exec_server");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_socket_path);
	tcase_add_test(tc, test_rewrite_ok);
	tcase_add_test(tc, test_rewrite_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
