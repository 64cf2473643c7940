// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The user's runtime directory (host/runtime_dir.c): resolved from XDG_RUNTIME_DIR, and
 * refused when it is not private to the user (group or others may enter it, another uid
 * owns it, it is not a directory).
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime_dir.h"

static char tmpdir[PATH_MAX];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_runtime_dir.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

START_TEST(test_check_private)
{
	static const mode_t bits[] = {01, 02, 04, 010, 020, 040};
	char err[512];

	make_tmpdir();
	ck_assert_int_eq(runtime_dir_check(tmpdir, getuid(), err, sizeof(err)), 0);
	/* group or others: any bit is too many */
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		ck_assert_int_eq(chmod(tmpdir, 0700 | bits[i]), 0);
		ck_assert_int_eq(runtime_dir_check(tmpdir, getuid(), err, sizeof(err)), -EPERM);
		ck_assert_ptr_nonnull(strstr(err, "accessible by group or others"));
		ck_assert_ptr_nonnull(strstr(err, "chmod 700"));
		ck_assert_ptr_nonnull(strstr(err, tmpdir));
		ck_assert_ptr_null(strchr(err, '\n'));
	}
	ck_assert_int_eq(chmod(tmpdir, 01777), 0);
	ck_assert_int_eq(runtime_dir_check(tmpdir, getuid(), err, sizeof(err)), -EPERM);
	ck_assert_ptr_nonnull(strstr(err, "(mode 1777)"));
	ck_assert_int_eq(chmod(tmpdir, 0700), 0);
	/* someone else's */
	ck_assert_int_eq(runtime_dir_check(tmpdir, getuid() + 1, err, sizeof(err)), -EPERM);
	ck_assert_ptr_nonnull(strstr(err, "not to you"));
	ck_assert_int_eq(rmdir(tmpdir), 0);
}
END_TEST

START_TEST(test_check_not_dir)
{
	char path[PATH_MAX + 16], err[512];
	FILE *f;

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/file", tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(runtime_dir_check(path, getuid(), err, sizeof(err)), -ENOTDIR);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(runtime_dir_check(path, getuid(), err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "XDG_RUNTIME_DIR"));
	/* a symlink to a private directory of ours is followed, as a path would be */
	ck_assert_int_eq(symlink(tmpdir, path), 0);
	ck_assert_int_eq(runtime_dir_check(path, getuid(), err, sizeof(err)), 0);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(tmpdir), 0);
}
END_TEST

START_TEST(test_resolve)
{
	char buf[PATH_MAX], err[512];

	make_tmpdir();
	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", tmpdir, 1), 0);
	ck_assert_int_eq(runtime_dir_resolve(buf, sizeof(buf), err, sizeof(err)), 0);
	ck_assert_str_eq(buf, tmpdir);
	ck_assert_int_eq(chmod(tmpdir, 0755), 0);
	ck_assert_int_eq(runtime_dir_resolve(buf, sizeof(buf), err, sizeof(err)), -EPERM);
	ck_assert_ptr_nonnull(strstr(err, "(mode 0755)"));
	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", "relative/dir", 1), 0);
	ck_assert_int_eq(runtime_dir_resolve(buf, sizeof(buf), err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not an absolute path"));
	ck_assert_int_eq(rmdir(tmpdir), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("runtime_dir");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_check_private);
	tcase_add_test(tc, test_check_not_dir);
	tcase_add_test(tc, test_resolve);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
