// SPDX-License-Identifier: GPL-2.0-or-later
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "run_args.h"
#include "run_supervise.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

START_TEST(test_run_basic)
{
	char *argv[] = {"run", "-c", "dev", "--preserve-fds", "2", "ls", "-l", "--", NULL};
	struct run_opts o;
	char err[256];

	ck_assert_int_eq(run_parse(ARGC(argv), argv, false, &o, err, sizeof(err)), 0);
	ck_assert_str_eq(o.container, "dev");
	ck_assert_uint_eq(o.preserve_fds, 2);
	/* Options stop at the command: its own options are its own. */
	ck_assert_str_eq(o.cmd[0], "ls");
	ck_assert_str_eq(o.cmd[1], "-l");
	ck_assert_str_eq(o.cmd[2], "--");
	ck_assert_ptr_null(o.cmd[3]);
	ck_assert(!o.help);
	run_opts_free(&o);
}
END_TEST

START_TEST(test_run_long_forms_and_env)
{
	char *argv[] = {"run",	       "--container=dev", "--distro", "fedora", "-r40", "-e", "A=1",
			"--unset-env", "DISPLAY",	  "--env=B",  "--",	"-x",	NULL};
	struct run_opts o;
	char err[256];

	ck_assert_int_eq(run_parse(ARGC(argv), argv, false, &o, err, sizeof(err)), 0);
	ck_assert_str_eq(o.container, "dev");
	ck_assert_str_eq(o.distro, "fedora");
	ck_assert_str_eq(o.release, "40");
	ck_assert_uint_eq(o.n_env, 3);
	ck_assert_str_eq(o.env[0].arg, "A=1");
	ck_assert(!o.env[0].unset);
	ck_assert_str_eq(o.env[1].arg, "DISPLAY");
	ck_assert(o.env[1].unset);
	ck_assert_str_eq(o.env[2].arg, "B");
	ck_assert_str_eq(o.cmd[0], "-x");
	run_opts_free(&o);
}
END_TEST

START_TEST(test_run_errors)
{
	struct {
		char *argv[8];
		const char *needle;
	} cases[] = {
		{{"run", NULL}, "missing argument for \"run\""},
		{{"run", "-c", "dev", NULL}, "missing argument"},
		{{"run", "-c", NULL}, "'-c' needs an argument"},
		{{"run", "--container", NULL}, "'--container' needs an argument"},
		{{"run", "--preserve-fds", "x", "ls", NULL}, "--preserve-fds"},
		{{"run", "--preserve-fds", "-1", "ls", NULL}, "--preserve-fds"},
		{{"run", "--preserve-fds", "99999999999", "ls", NULL}, "--preserve-fds"},
		{{"run", "-z", "ls", NULL}, "unknown option '-z'"},
		{{"run", "--bogus", "ls", NULL}, "unknown option '--bogus'"},
		{{"run", "-c", "-bad", "ls", NULL}, "container names must match"},
		{{"run", "-c", "a/b", "ls", NULL}, "container names must match"},
		{{"run", "-e", "1A=2", "ls", NULL}, "'--env'"},
		{{"run", "--unset-env", "A=2", "ls", NULL}, "'--unset-env'"},
		{{"run", "-d", "", "ls", NULL}, "'--distro'"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run_opts o;
		char err[256] = "";
		int argc = 0;

		while (cases[i].argv[argc])
			argc++;
		ck_assert_int_eq(run_parse(argc, cases[i].argv, false, &o, err, sizeof(err)),
				 -EINVAL);
		ck_assert_msg(strstr(err, cases[i].needle), "case %zu: '%s' lacks '%s'", i, err,
			      cases[i].needle);
		ck_assert_ptr_null(strchr(err, '\n'));
		run_opts_free(&o);
	}
}
END_TEST

START_TEST(test_run_help)
{
	char *argv[] = {"run", "--help", NULL};
	struct run_opts o;
	char err[256];

	ck_assert_int_eq(run_parse(ARGC(argv), argv, false, &o, err, sizeof(err)), 0);
	ck_assert(o.help);
	run_opts_free(&o);
}
END_TEST

START_TEST(test_enter)
{
	char *a1[] = {"enter", NULL};
	char *a2[] = {"enter", "dev", NULL};
	char *a3[] = {"enter", "-c", "dev", "dev", NULL};
	char *a4[] = {"enter", "-c", "dev", "other", NULL};
	char *a5[] = {"enter", "a", "b", NULL};
	char *a6[] = {"enter", "--preserve-fds", "1", NULL};
	char *a7[] = {"enter", "-d", "fedora", "-r", "40", NULL};
	struct run_opts o;
	char err[256];

	ck_assert_int_eq(run_parse(ARGC(a1), a1, true, &o, err, sizeof(err)), 0);
	ck_assert_ptr_null(o.container);
	ck_assert_ptr_null(o.cmd);
	run_opts_free(&o);
	ck_assert_int_eq(run_parse(ARGC(a2), a2, true, &o, err, sizeof(err)), 0);
	ck_assert_str_eq(o.container, "dev");
	run_opts_free(&o);
	ck_assert_int_eq(run_parse(ARGC(a3), a3, true, &o, err, sizeof(err)), 0);
	ck_assert_str_eq(o.container, "dev");
	run_opts_free(&o);
	ck_assert_int_eq(run_parse(ARGC(a4), a4, true, &o, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "named twice"));
	run_opts_free(&o);
	ck_assert_int_eq(run_parse(ARGC(a5), a5, true, &o, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "too many arguments"));
	run_opts_free(&o);
	ck_assert_int_eq(run_parse(ARGC(a6), a6, true, &o, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "--preserve-fds"));
	run_opts_free(&o);
	ck_assert_int_eq(run_parse(ARGC(a7), a7, true, &o, err, sizeof(err)), 0);
	ck_assert_str_eq(o.distro, "fedora");
	ck_assert_str_eq(o.release, "40");
	run_opts_free(&o);
}
END_TEST

static size_t find(const char **a, const char *s)
{
	for (size_t i = 0; a[i]; i++) {
		if (strcmp(a[i], s) == 0)
			return i;
	}
	return (size_t)-1;
}

START_TEST(test_exec_args_init)
{
	char *env[] = {"--env=TERM=xterm", NULL};
	char *cmd[] = {"ls", "-l", NULL};
	struct exec_spec s = {.target = "abc123",
			      .user = "alice",
			      .tty = true,
			      .preserve_fds = 3,
			      .env_args = env,
			      .kind = SESSION_KIND_INIT,
			      .cwd = "/home/alice/src",
			      .cmd = cmd};
	const char **a;
	size_t t;

	ck_assert_int_eq(exec_build_args(&s, &a), 0);
	ck_assert_str_eq(a[0], "exec");
	ck_assert(find(a, "--interactive") < find(a, "abc123"));
	ck_assert(find(a, "--tty") < find(a, "abc123"));
	ck_assert(find(a, "--detach-keys=") < find(a, "abc123"));
	ck_assert_str_eq(a[find(a, "--user") + 1], "alice");
	ck_assert_str_eq(a[find(a, "--preserve-fds") + 1], "3");
	ck_assert(find(a, "--env=TERM=xterm") < find(a, "abc123"));
	t = find(a, "abc123");
	ck_assert_str_eq(a[t + 1], "/usr/bin/toolbox-init");
	ck_assert_str_eq(a[t + 2], "exec");
	ck_assert_str_eq(a[t + 3], "--cwd");
	ck_assert_str_eq(a[t + 4], "/home/alice/src");
	ck_assert_str_eq(a[t + 5], "--preserve-fds");
	ck_assert_str_eq(a[t + 6], "3");
	ck_assert_str_eq(a[t + 7], "--");
	ck_assert_str_eq(a[t + 8], "ls");
	ck_assert_str_eq(a[t + 9], "-l");
	ck_assert_ptr_null(a[t + 10]);
	free(a);
}
END_TEST

START_TEST(test_exec_args_init_login_no_tty)
{
	struct exec_spec s = {.target = "c", .user = "u", .kind = SESSION_KIND_INIT};
	const char **a;
	size_t t;

	ck_assert_int_eq(exec_build_args(&s, &a), 0);
	ck_assert_uint_eq(find(a, "--tty"), (size_t)-1);
	ck_assert_uint_eq(find(a, "--preserve-fds"), (size_t)-1);
	t = find(a, "c");
	ck_assert_str_eq(a[t + 1], "/usr/bin/toolbox-init");
	ck_assert_str_eq(a[t + 2], "exec");
	/* No cwd, no command: the login shell where podman put us. */
	ck_assert_str_eq(a[t + 3], "--");
	ck_assert_ptr_null(a[t + 4]);
	free(a);
}
END_TEST

START_TEST(test_exec_args_toolbx)
{
	char *cmd[] = {"make", "-j4", NULL};
	struct exec_spec s = {
		.target = "c", .user = "u", .kind = SESSION_KIND_TOOLBX, .cwd = "/src", .cmd = cmd};
	struct exec_spec e = {
		.target = "c", .user = "u", .kind = SESSION_KIND_TOOLBX, .shell = "/bin/zsh"};
	const char **a;
	size_t t;

	ck_assert_int_eq(exec_build_args(&s, &a), 0);
	t = find(a, "c");
	ck_assert_str_eq(a[t + 1], "sh");
	ck_assert_str_eq(a[t + 2], "-c");
	ck_assert_ptr_eq(a[t + 3], exec_toolbx_script);
	ck_assert_str_eq(a[t + 4], "sh");
	ck_assert_str_eq(a[t + 5], "0");
	ck_assert_str_eq(a[t + 6], "/src");
	ck_assert_str_eq(a[t + 7], "make");
	ck_assert_str_eq(a[t + 8], "-j4");
	ck_assert_ptr_null(a[t + 9]);
	free(a);

	ck_assert_int_eq(exec_build_args(&e, &a), 0);
	t = find(a, "c");
	ck_assert_str_eq(a[t + 5], "1");
	ck_assert_str_eq(a[t + 6], "");
	ck_assert_str_eq(a[t + 7], "/bin/zsh");
	ck_assert_str_eq(a[t + 8], "-l");
	ck_assert_ptr_null(a[t + 9]);
	free(a);

	s.user = NULL;
	ck_assert_int_eq(exec_build_args(&s, &a), -EINVAL);
}
END_TEST

START_TEST(test_signal_routes)
{
	int group, one;
	bool cont;

	/* A hangup: the terminal's foreground group and the leader, then SIGCONT. */
	supervise_route(SIGHUP, 100, 120, &group, &one, &cont);
	ck_assert_int_eq(group, 120);
	ck_assert_int_eq(one, 100);
	ck_assert(cont);
	/* Without a terminal the leader's own group (runc made it a session leader). */
	supervise_route(SIGHUP, 100, -1, &group, &one, &cont);
	ck_assert_int_eq(group, 100);
	supervise_route(SIGINT, 100, 120, &group, &one, &cont);
	ck_assert_int_eq(group, 120);
	ck_assert_int_eq(one, 0);
	ck_assert(!cont);
	supervise_route(SIGQUIT, 100, 0, &group, &one, &cont);
	ck_assert_int_eq(group, 100);
	supervise_route(SIGTERM, 100, 120, &group, &one, &cont);
	ck_assert_int_eq(group, 0);
	ck_assert_int_eq(one, 100);
	supervise_route(SIGUSR1, 100, 120, &group, &one, &cont);
	ck_assert_int_eq(one, 100);
	supervise_route(SIGTSTP, 100, -1, &group, &one, &cont);
	ck_assert_int_eq(group, 100);
	ck_assert_int_eq(one, 0);
	/* Ctrl-Z stops the orphaned group with SIGSTOP (SIGTSTP would be dropped). */
	supervise_route(SIGSTOP, 100, -1, &group, &one, &cont);
	ck_assert_int_eq(group, 100);
	supervise_route(SIGCONT, 100, 130, &group, &one, &cont);
	ck_assert_int_eq(group, 130);
	ck_assert_int_eq(one, 0);
}
END_TEST

START_TEST(test_run_exec_option)
{
	char *ok[] = {"run", "--exec=socket", "true", NULL};
	char *ok2[] = {"enter", "--exec", "podman", "box", NULL};
	char *bad[] = {"run", "--exec=fast", "true", NULL};
	char *none[] = {"run", "true", NULL};
	struct run_opts o;
	enum run_exec m;
	char err[256];

	ck_assert_int_eq(run_parse(ARGC(ok), ok, false, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.exec, RUN_EXEC_SOCKET);
	run_opts_free(&o);
	ck_assert_int_eq(run_parse(ARGC(ok2), ok2, true, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.exec, RUN_EXEC_PODMAN);
	ck_assert_str_eq(o.container, "box");
	run_opts_free(&o);
	ck_assert_int_eq(run_parse(ARGC(bad), bad, false, &o, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "'--exec'"));
	ck_assert_ptr_nonnull(strstr(err, "'fast'"));
	run_opts_free(&o);
	/* Not given: toolbox.conf decides. */
	ck_assert_int_eq(run_parse(ARGC(none), none, false, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.exec, RUN_EXEC_UNSET);
	run_opts_free(&o);
	ck_assert_int_eq(run_exec_parse("auto", &m), 0);
	ck_assert_int_eq(m, RUN_EXEC_AUTO);
	ck_assert_int_eq(run_exec_parse("", &m), -EINVAL);
	ck_assert_int_eq(run_exec_parse("Podman", &m), -EINVAL);
}
END_TEST

START_TEST(test_exec_entry)
{
	char *cmd[] = {"ls", "-l", NULL};
	struct exec_spec s = {.cwd = "/home/u", .preserve_fds = 2, .cmd = cmd};
	const char **a = NULL;
	const char *want[] = {"/usr/bin/toolbox-init",
			      "exec",
			      "--cwd",
			      "/home/u",
			      "--preserve-fds",
			      "2",
			      "--",
			      "ls",
			      "-l",
			      NULL};

	ck_assert_int_eq(exec_build_entry(&s, &a), 0);
	for (size_t i = 0; want[i]; i++)
		ck_assert_str_eq(a[i], want[i]);
	ck_assert_ptr_null(a[9]);
	free(a);
	/* enter: no command, no cwd: the login shell, where toolbox-init exec puts it. */
	s = (struct exec_spec){0};
	ck_assert_int_eq(exec_build_entry(&s, &a), 0);
	ck_assert_str_eq(a[1], "exec");
	ck_assert_str_eq(a[2], "--");
	ck_assert_ptr_null(a[3]);
	free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("run_args");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_run_basic);
	tcase_add_test(tc, test_run_long_forms_and_env);
	tcase_add_test(tc, test_run_errors);
	tcase_add_test(tc, test_run_help);
	tcase_add_test(tc, test_enter);
	tcase_add_test(tc, test_exec_args_init);
	tcase_add_test(tc, test_exec_args_init_login_no_tty);
	tcase_add_test(tc, test_exec_args_toolbx);
	tcase_add_test(tc, test_signal_routes);
	tcase_add_test(tc, test_run_exec_option);
	tcase_add_test(tc, test_exec_entry);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
