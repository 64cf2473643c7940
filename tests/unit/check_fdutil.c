// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * shared/fdutil.c on what a hostile image may put where a file is expected: a symbolic
 * link, a FIFO (which must not block the reader: check's timeout fails a hang), a file
 * past the size limit.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdutil.h"

static char tmpdir[PATH_MAX];
static int dfd = -1;

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_fdutil.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	dfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);
}

static void teardown(void)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
	dfd = -1;
	ck_assert_int_eq(rmdir(tmpdir), 0);
}

static void write_file(const char *name, const char *text)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fd_write_all(fd, text, strlen(text)), 0);
	close(fd);
}

START_TEST(test_read_regular)
{
	char *text = NULL;
	size_t len = 0;

	write_file("f", "hello\n");
	ck_assert_int_eq(fd_read_file_at(dfd, "f", 64, &text, &len), 0);
	ck_assert_str_eq(text, "hello\n");
	ck_assert_uint_eq(len, 6);
	free(text);
	ck_assert_int_eq(fd_read_file_at(dfd, "f", 5, &text, &len), -EFBIG);
	ck_assert_int_eq(fd_read_file_at(dfd, "missing", 64, &text, &len), -ENOENT);
}
END_TEST

START_TEST(test_read_refuses_non_files)
{
	char *text = NULL;

	write_file("target", "secret\n");
	ck_assert_int_eq(symlinkat("target", dfd, "link"), 0);
	ck_assert_int_eq(fd_read_file_at(dfd, "link", 64, &text, NULL), -ELOOP);
	/* a FIFO with no writer: refused at once, not waited on */
	ck_assert_int_eq(mkfifoat(dfd, "fifo", 0644), 0);
	ck_assert_int_eq(fd_read_file_at(dfd, "fifo", 64, &text, NULL), -EINVAL);
	ck_assert_int_eq(fd_read_file_at(dfd, ".", 64, &text, NULL), -EINVAL);
	ck_assert_ptr_null(text);
}
END_TEST

START_TEST(test_replace_never_follows)
{
	static const struct file_meta meta = {.mode = 0644, .uid = (uid_t)-1, .gid = (gid_t)-1};
	char *text = NULL;

	write_file("target", "keep\n");
	ck_assert_int_eq(symlinkat("target", dfd, "link"), 0);
	ck_assert_int_eq(fd_replace_file_at(dfd, "link", "new\n", 4, &meta), -ELOOP);
	ck_assert_int_eq(mkfifoat(dfd, "fifo", 0644), 0);
	ck_assert_int_eq(fd_replace_file_at(dfd, "fifo", "new\n", 4, &meta), -EINVAL);
	ck_assert_int_eq(fd_read_file_at(dfd, "target", 64, &text, NULL), 0);
	ck_assert_str_eq(text, "keep\n");
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fdutil");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_read_regular);
	tcase_add_test(tc, test_read_refuses_non_files);
	tcase_add_test(tc, test_replace_never_follows);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
