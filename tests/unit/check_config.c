// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of host/config.c (toolbox.conf with inih), on temporary files. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

static char tmpdir[64];

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tb-conf-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_toml_values)
{
	struct tb_config c = {0};
	int line;

	ck_assert_int_eq(config_parse_string("[general]\n"
					     "# a comment\n"
					     "distro = \"fedora\"\n"
					     "release = '39' # trailing comment\n"
					     "image = \"registry.example.org/a/b:1\"\n"
					     "exec = \"podman\"\n"
					     "unknown = 1\n"
					     "[other]\n"
					     "distro = \"ignored\"\n",
					     &c, &line),
			 0);
	ck_assert_str_eq(c.distro, "fedora");
	ck_assert_str_eq(c.release, "39");
	ck_assert_str_eq(c.image, "registry.example.org/a/b:1");
	ck_assert_str_eq(c.exec, "podman");
	config_free(&c);
	ck_assert_ptr_null(c.exec);
}
END_TEST

START_TEST(test_debian_default_file)
{
	/* The file Debian's podman-toolbox installs: everything commented out. */
	struct tb_config c = {0};
	int line;

	ck_assert_int_eq(config_parse_string("[general]\n# Create ...\n## distro = \"fedora\"\n\n"
					     "## release = \"33\"\n",
					     &c, &line),
			 0);
	ck_assert_ptr_null(c.distro);
	ck_assert_ptr_null(c.release);
	ck_assert_ptr_null(c.image);
}
END_TEST

START_TEST(test_errors)
{
	struct tb_config c = {0};
	int line;

	ck_assert_int_eq(config_parse_string("[general]\ndistro = \"fedora\n", &c, &line), -EINVAL);
	ck_assert_int_eq(line, 2);
	ck_assert_ptr_null(c.distro); /* unchanged on error */
	ck_assert_int_eq(config_parse_string("[general]\nrelease = \"1\" x\n", &c, &line), -EINVAL);
	ck_assert_int_eq(config_parse_string("[general\n", &c, &line), -EINVAL);
	ck_assert_int_eq(line, 1);
	ck_assert_int_eq(config_parse_string("[general]\njunk line\n", &c, &line), -EINVAL);
	ck_assert_int_eq(line, 2);
	ck_assert_int_eq(config_parse_string("[general]\nimage = \"a\\u0041\"\n", &c, &line),
			 -EINVAL);
}
END_TEST

START_TEST(test_unquote)
{
	char *v;

	ck_assert_int_eq(config_unquote("\"a\\\"b\\\\c\\td\"", &v), 0);
	ck_assert_str_eq(v, "a\"b\\c\td");
	free(v);
	ck_assert_int_eq(config_unquote("bare value # c", &v), 0);
	ck_assert_str_eq(v, "bare value");
	free(v);
	ck_assert_int_eq(config_unquote("''", &v), 0);
	ck_assert_str_eq(v, "");
	free(v);
	ck_assert_int_eq(config_unquote("'open", &v), -EINVAL);
}
END_TEST

START_TEST(test_user_overrides_system)
{
	struct tb_config c = {0};
	char sys[128], user[128], dir[128];
	int line;

	snprintf(sys, sizeof(sys), "%s/system.conf", tmpdir);
	snprintf(dir, sizeof(dir), "%s/containers", tmpdir);
	snprintf(user, sizeof(user), "%s/containers/toolbox.conf", tmpdir);
	write_file(sys, "[general]\ndistro=\"fedora\"\nrelease=\"38\"\n");
	mkdir(dir, 0700);
	write_file(user, "[general]\nrelease=\"40\"\n");
	ck_assert_int_eq(config_parse_file(sys, &c, &line), 0);
	ck_assert_int_eq(config_parse_file(user, &c, &line), 0);
	ck_assert_str_eq(c.distro, "fedora");
	ck_assert_str_eq(c.release, "40");
	config_free(&c);

	/* config_load: the user file via XDG_CONFIG_HOME; a missing file is no error. */
	setenv("XDG_CONFIG_HOME", tmpdir, 1);
	{
		char *bad = NULL;

		ck_assert_int_eq(config_load(&c, &bad, &line), 0);
		ck_assert_str_eq(c.release, "40");
		config_free(&c);
		write_file(user, "[general]\nrelease=\"40\n");
		ck_assert_int_eq(config_load(&c, &bad, &line), -EINVAL);
		ck_assert_str_eq(bad, user);
		ck_assert_int_eq(line, 2);
		free(bad);
		config_free(&c);
	}
	snprintf(sys, sizeof(sys), "%s/nonexistent.conf", tmpdir);
	ck_assert_int_eq(config_parse_file(sys, &c, &line), 0);
}
END_TEST

START_TEST(test_long_line)
{
	struct tb_config c = {0};
	char *text = malloc(5000);
	int line;

	strcpy(text, "[general]\nimage = \"");
	memset(text + strlen(text), 'a', 4000);
	strcpy(text + 19 + 4000, "\"\n");
	ck_assert_int_eq(config_parse_string(text, &c, &line), 0);
	ck_assert_uint_eq(strlen(c.image), 4000);
	config_free(&c);
	free(text);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("toolbox.conf");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_toml_values);
	tcase_add_test(tc, test_debian_default_file);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_unquote);
	tcase_add_test(tc, test_user_overrides_system);
	tcase_add_test(tc, test_long_line);
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
