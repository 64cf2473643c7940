// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of host/osrelease.c. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "osrelease.h"

static const char debian12[] = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
			       "NAME=\"Debian GNU/Linux\"\n"
			       "VERSION_ID=\"12\"\n"
			       "VERSION=\"12 (bookworm)\"\n"
			       "VERSION_CODENAME=bookworm\n"
			       "ID=debian\n"
			       "HOME_URL=\"https://www.debian.org/\"\n";

START_TEST(test_debian)
{
	struct os_release o;

	ck_assert_int_eq(osrelease_parse(debian12, strlen(debian12), &o), 0);
	ck_assert_str_eq(o.id, "debian");
	ck_assert_str_eq(o.version_id, "12");
	ck_assert_str_eq(o.version_codename, "bookworm");
	ck_assert_str_eq(o.name, "Debian GNU/Linux");
	ck_assert_ptr_null(o.id_like);
	osrelease_free(&o);
}
END_TEST

static char *get(const char *text, const char *key)
{
	char *v = NULL;
	int r = osrelease_get(text, strlen(text), key, &v);

	return r == 0 ? v : NULL;
}

START_TEST(test_quoting)
{
	char *v;

	v = get("A='single \"q\" $x \\n'\n", "A");
	ck_assert_str_eq(v, "single \"q\" $x \\n");
	free(v);
	v = get("A=\"dbl \\\"q\\\" \\$x \\\\ \\n\"\n", "A");
	ck_assert_str_eq(v, "dbl \"q\" $x \\ \\n");
	free(v);
	v = get("A=bare\\ word  \r\n", "A");
	ck_assert_str_eq(v, "bare word");
	free(v);
	v = get("A=\"unterminated\n", "A");
	ck_assert_str_eq(v, "unterminated");
	free(v);
	v = get("  A=indented\n# A=comment\n", "A");
	ck_assert_str_eq(v, "indented");
	free(v);
	v = get("A=first\nA=second", "A");
	ck_assert_str_eq(v, "second");
	free(v);
	ck_assert_ptr_null(get("AB=x\nA =y\n", "A"));
	ck_assert_ptr_null(get("", "A"));
	v = get("ID=\n", "ID");
	ck_assert_str_eq(v, "");
	free(v);
}
END_TEST

START_TEST(test_defaults_and_nul)
{
	static const char t[] = "ID=arch\0junk\nBUILD_ID=rolling\n";
	struct os_release o;

	ck_assert_int_eq(osrelease_parse(t, sizeof(t) - 1, &o), 0);
	ck_assert_str_eq(o.id, "arch");
	ck_assert_ptr_null(o.version_id);
	osrelease_free(&o);
	ck_assert_int_eq(osrelease_parse("VERSION_ID=\n", 12, &o), 0);
	ck_assert_str_eq(o.id, "linux"); /* the spec's default */
	ck_assert_ptr_null(o.version_id);
	osrelease_free(&o);
}
END_TEST

START_TEST(test_read_host_root)
{
	char root[] = "/tmp/tb-osr-XXXXXX", path[256];
	struct os_release o;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(root));
	ck_assert_int_eq(osrelease_read_host(root, &o), -ENOENT);
	snprintf(path, sizeof(path), "%s/usr", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/usr/lib", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etc", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/usr/lib/os-release", root);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("ID=fedora\nVERSION_ID=40\n", f);
	fclose(f);
	ck_assert_int_eq(osrelease_read_host(root, &o), 0);
	ck_assert_str_eq(o.id, "fedora");
	osrelease_free(&o);
	/* /etc/os-release wins, and may be a symlink (it usually is). */
	snprintf(path, sizeof(path), "%s/etc/os-release", root);
	ck_assert_int_eq(symlink("../usr/lib/os-release", path), 0);
	ck_assert_int_eq(osrelease_read_host(root, &o), 0);
	ck_assert_str_eq(o.version_id, "40");
	osrelease_free(&o);
	unlink(path);
	snprintf(path, sizeof(path), "%s/usr/lib/os-release", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/usr/lib", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/usr", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/etc", root);
	rmdir(path);
	rmdir(root);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("osrelease");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_debian);
	tcase_add_test(tc, test_quoting);
	tcase_add_test(tc, test_defaults_and_nul);
	tcase_add_test(tc, test_read_host_root);
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
