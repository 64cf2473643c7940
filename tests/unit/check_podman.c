// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of host/podman.c (with stand-ins for podman), host/globals.c, host/humanize.c. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "globals.h"
#include "humanize.h"
#include "log.h"
#include "podman.h"

static char script[64];

/* A fake podman: prints its arguments on stdout, "Error: boom" on stderr, exits 3. */
static void setup(void)
{
	int fd;
	static const char body[] = "#!/bin/sh\n"
				   "printf '%s|' \"$@\"\n"
				   "ls /proc/self/fd | wc -l >&2\n"
				   "printf 'Error: first\\n\\nError: boom\\n\\n' >&2\n"
				   "exit 3\n";

	snprintf(script, sizeof(script), "/tmp/tb-podman-XXXXXX");
	fd = mkstemp(script);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, body, sizeof(body) - 1), (ssize_t)(sizeof(body) - 1));
	fchmod(fd, 0755);
	close(fd);
	setenv("TOOLBOX_PODMAN", script, 1);
}

static void teardown(void)
{
	unlink(script);
}

START_TEST(test_capture)
{
	const char *args[] = {"ps", "--all", "a b", NULL};
	struct podman_result res;
	int leak = open("/dev/null", O_RDONLY); /* not CLOEXEC: must not reach podman */

	ck_assert_int_ge(leak, 3);
	ck_assert_str_eq(podman_path(), script);
	ck_assert_int_eq(podman_capture(args, &res), 0);
	ck_assert_int_eq(res.status, 3);
	ck_assert_str_eq(res.out, "ps|--all|a b|");
	ck_assert_uint_eq(res.out_len, 13);
	/* fds 0, 1, 2 and the one ls opens: nothing of ours leaked. */
	ck_assert_int_eq(atoi(res.err), 4);
	ck_assert_str_eq(podman_result_errline(&res), "boom");
	podman_result_free(&res);
	podman_result_free(&res);
	close(leak);
}
END_TEST

START_TEST(test_why)
{
	struct podman_result res = {0};
	char buf[64];

	/* Nothing on stderr: killed, or an exit status. */
	res.err = strdup("");
	res.status = 137;
	res.signo = 9;
	ck_assert_str_eq(podman_result_why(&res, buf, sizeof(buf)),
			 "podman was killed by signal 9");
	res.signo = 0;
	res.status = 2;
	ck_assert_str_eq(podman_result_why(&res, buf, sizeof(buf)), "podman exited with status 2");
	podman_result_free(&res);
	/* Its own last line, when it said something and was not killed. */
	res.err = strdup("Error: first\nError: name is already in use\n");
	res.status = 125;
	ck_assert_str_eq(podman_result_why(&res, buf, sizeof(buf)), "name is already in use");
	podman_result_free(&res);
	/* Killed after a warning: the kill is the reason. */
	res.err = strdup("time=\"...\" level=warning msg=\"Found incomplete layer\"\n");
	res.status = 137;
	res.signo = 9;
	ck_assert_str_eq(podman_result_why(&res, buf, sizeof(buf)),
			 "podman was killed by signal 9");
	podman_result_free(&res);
}
END_TEST

START_TEST(test_inherit_and_missing)
{
	const char *args[] = {"x", NULL};
	int null = open("/dev/null", O_WRONLY);

	/* Inherited stdio: keep the fake podman's output out of the test log. */
	dup2(null, 1);
	dup2(null, 2);
	close(null);
	ck_assert_int_eq(podman_run_inherit(args), 3);
}
END_TEST

START_TEST(test_missing)
{
	const char *args[] = {"x", NULL};
	struct podman_result res;

	setenv("TOOLBOX_PODMAN", "/nonexistent/podman", 1);
	ck_assert_ptr_null(podman_path());
	ck_assert_int_eq(podman_capture(args, &res), -ENOENT);
	podman_result_free(&res);
	ck_assert_int_eq(podman_run_inherit(args), -ENOENT);
	ck_assert_int_eq(podman_exec_replace(args), -ENOENT);
}
END_TEST

START_TEST(test_argv_log_level)
{
	const char *args[] = {"ps", NULL};
	const char **v;

	log_set_level(LOG_LVL_WARN);
	v = podman_argv(args);
	ck_assert_str_eq(v[1], "ps");
	free(v);
	log_set_level(LOG_LVL_DEBUG);
	v = podman_argv(args);
	ck_assert_str_eq(v[1], "--log-level");
	ck_assert_str_eq(v[2], "debug");
	ck_assert_str_eq(v[3], "ps");
	ck_assert_ptr_null(v[4]);
	free(v);
	log_set_level(LOG_LVL_WARN);
}
END_TEST

static int gparse(struct toolbox_globals *g, const char **bad, const char *const *args)
{
	char *argv[16];
	int argc = 0;

	for (; args[argc]; argc++)
		argv[argc] = (char *)args[argc];
	argv[argc] = NULL;
	return globals_parse(argc, argv, g, bad);
}

START_TEST(test_globals)
{
	struct toolbox_globals g;
	const char *bad;

	ck_assert_int_eq(gparse(&g, &bad,
				(const char *const[]){"toolbox", "-y", "--log-level", "info",
						      "list", "-c", NULL}),
			 0);
	ck_assert(g.assume_yes);
	ck_assert_int_eq(g.level, LOG_LVL_INFO);
	ck_assert_int_eq(g.cmd_index, 4);
	ck_assert_int_eq(
		gparse(&g, &bad, (const char *const[]){"toolbox", "-v", "--version", NULL}), 0);
	ck_assert(g.verbose && g.version);
	ck_assert_int_eq(g.level, LOG_LVL_DEBUG);
	ck_assert_int_eq(g.cmd_index, 3);
	ck_assert_int_eq(
		gparse(&g, &bad, (const char *const[]){"toolbox", "--log-level", "loud", NULL}),
		-ERANGE);
	ck_assert_str_eq(bad, "loud");
	ck_assert_int_eq(gparse(&g, &bad, (const char *const[]){"toolbox", "--bogus", NULL}),
			 -EINVAL);
	ck_assert_int_eq(gparse(&g, &bad, (const char *const[]){"toolbox", "--log-level", NULL}),
			 -EINVAL);
	/* Options after the command belong to the command. */
	ck_assert_int_eq(gparse(&g, &bad, (const char *const[]){"toolbox", "rm", "-y", NULL}), 0);
	ck_assert(!g.assume_yes);
	ck_assert_int_eq(g.cmd_index, 1);
}
END_TEST

START_TEST(test_humanize)
{
	char b[64];

	humanize_since(1000, 1000, b, sizeof(b));
	ck_assert_str_eq(b, "Less than a second ago");
	humanize_since(1000, 1001, b, sizeof(b));
	ck_assert_str_eq(b, "1 second ago");
	humanize_since(1000, 1059, b, sizeof(b));
	ck_assert_str_eq(b, "59 seconds ago");
	humanize_since(1000, 1100, b, sizeof(b));
	ck_assert_str_eq(b, "About a minute ago");
	humanize_since(1000, 1000 + 59 * 60, b, sizeof(b));
	ck_assert_str_eq(b, "59 minutes ago");
	humanize_since(1000, 1000 + 3600, b, sizeof(b));
	ck_assert_str_eq(b, "About an hour ago");
	humanize_since(1000, 1000 + 5 * 3600, b, sizeof(b));
	ck_assert_str_eq(b, "5 hours ago");
	humanize_since(1000, 1000 + 3 * 86400, b, sizeof(b));
	ck_assert_str_eq(b, "3 days ago");
	humanize_since(1000, 1000 + 20 * 86400, b, sizeof(b));
	ck_assert_str_eq(b, "2 weeks ago");
	humanize_since(1000, 1000 + 100 * 86400, b, sizeof(b));
	ck_assert_str_eq(b, "3 months ago");
	humanize_since(1000, 1000 + 800 * 86400, b, sizeof(b));
	ck_assert_str_eq(b, "2 years ago");
	humanize_since(0, 1000, b, sizeof(b));
	ck_assert_str_eq(b, "unknown");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("podman");
	TCase *tc = tcase_create("run");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_capture);
	tcase_add_test(tc, test_why);
	tcase_add_test(tc, test_inherit_and_missing);
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_argv_log_level);
	tcase_add_test(tc, test_globals);
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
