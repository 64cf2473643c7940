// SPDX-License-Identifier: GPL-2.0-or-later
/* init/hostspawn.c and the pure parts of init/hostspawn_client.c. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hostspawn.h"
#include "spawn_client.h"
#include "proto.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

START_TEST(test_host_spawn_go_options)
{
	char *argv[] = {"host-spawn", "-pty", "--cwd", "/srv", "-env=TERM,LANG", "--", "-x", NULL};
	struct hostspawn_req r;
	char err[256];

	ck_assert_int_eq(
		hostspawn_parse(HOSTSPAWN_HOST_SPAWN, ARGC(argv), argv, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.pty, SPAWN_PTY_ON);
	ck_assert_str_eq(r.cwd, "/srv");
	ck_assert_str_eq(r.forward, "TERM,LANG");
	ck_assert_str_eq(r.argv[0], "-x");
	ck_assert_ptr_null(r.argv[1]);
	hostspawn_req_free(&r);
}
END_TEST

START_TEST(test_host_spawn_command_stops_options)
{
	char *argv[] = {"host-spawn", "--no-pty", "ls", "-pty", "--cwd=/x", NULL};
	struct hostspawn_req r;
	char err[256];

	ck_assert_int_eq(
		hostspawn_parse(HOSTSPAWN_HOST_SPAWN, ARGC(argv), argv, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.pty, SPAWN_PTY_OFF);
	ck_assert_ptr_null(r.cwd);
	ck_assert_str_eq(r.forward, "TERM");
	ck_assert_str_eq(r.argv[0], "ls");
	ck_assert_str_eq(r.argv[1], "-pty");
	ck_assert_str_eq(r.argv[2], "--cwd=/x");
	hostspawn_req_free(&r);
}
END_TEST

/* An empty argument is a command, and is read no further than its NUL (found by
 * fuzz_cmdline_init: the parser looked at the byte after it; ASan sees it with SANITIZE=1). */
START_TEST(test_empty_argument)
{
	char *empty = strdup(""), *dash = strdup("-");
	char *argv[] = {"host-spawn", empty, "ls", NULL};
	char *argv2[] = {"flatpak-spawn", "--host", dash, NULL};
	struct hostspawn_req r;
	char err[256];

	ck_assert_ptr_nonnull(empty);
	ck_assert_ptr_nonnull(dash);
	ck_assert_int_eq(
		hostspawn_parse(HOSTSPAWN_HOST_SPAWN, ARGC(argv), argv, &r, err, sizeof(err)), 0);
	ck_assert_ptr_eq(r.argv[0], empty);
	hostspawn_req_free(&r);
	ck_assert_int_eq(
		hostspawn_parse(HOSTSPAWN_FLATPAK, ARGC(argv2), argv2, &r, err, sizeof(err)), 0);
	ck_assert_ptr_eq(r.argv[0], dash);
	hostspawn_req_free(&r);
	free(empty);
	free(dash);
}
END_TEST

START_TEST(test_host_spawn_help_version_errors)
{
	struct {
		char *argv[5];
		int ret;
		const char *needle;
	} cases[] = {
		{{"host-spawn", "-h", NULL}, 0, NULL},
		{{"host-spawn", "--version", NULL}, 0, NULL},
		{{"host-spawn", "-v", NULL}, 0, NULL},
		{{"host-spawn", NULL}, -EINVAL, "no command"},
		{{"host-spawn", "--pty", NULL}, -EINVAL, "no command"},
		{{"host-spawn", "--frob", "ls", NULL}, -EINVAL, "unknown option '--frob'"},
		{{"host-spawn", "-cwd", NULL}, -EINVAL, "needs a value"},
		{{"host-spawn", "--cwd=", "ls", NULL}, -EINVAL, "not an empty string"},
		{{"host-spawn", "--pty=yes", "ls", NULL}, -EINVAL, "takes no value"},
		{{"host-spawn", "--host", "ls", NULL}, -EINVAL, "unknown option"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hostspawn_req r;
		char err[256] = "";
		int argc = 0;

		while (cases[i].argv[argc])
			argc++;
		ck_assert_int_eq(hostspawn_parse(HOSTSPAWN_HOST_SPAWN, argc, cases[i].argv, &r, err,
						 sizeof(err)),
				 cases[i].ret);
		if (cases[i].needle)
			ck_assert_msg(strstr(err, cases[i].needle), "case %zu: '%s'", i, err);
		if (cases[i].ret == 0) {
			ck_assert(r.help || r.version);
			hostspawn_req_free(&r);
		}
	}
}
END_TEST

START_TEST(test_flatpak_spawn)
{
	char *argv[] = {"flatpak-spawn",
			"--host",
			"--watch-bus",
			"--env=A=B",
			"--env",
			"C=d=e",
			"--unset-env",
			"HOME",
			"--directory=/tmp",
			"--clear-env",
			"--forward-fd=5",
			"--forward-fd",
			"5",
			"-v",
			"sh",
			"-c",
			"echo $A",
			NULL};
	struct hostspawn_req r;
	char err[256];

	ck_assert_int_eq(hostspawn_parse(HOSTSPAWN_FLATPAK, ARGC(argv), argv, &r, err, sizeof(err)),
			 0);
	ck_assert(r.host && r.clear_env && r.verbose);
	ck_assert_uint_eq(r.n_env, 3);
	ck_assert_str_eq(r.env[0], "A=B");
	ck_assert_str_eq(r.env[1], "C=d=e");
	ck_assert_str_eq(r.env[2], "HOME");
	ck_assert_str_eq(r.cwd, "/tmp");
	ck_assert_uint_eq(r.n_fds, 1);
	ck_assert_int_eq(r.fds[0], 5);
	ck_assert_int_eq(r.pty, SPAWN_PTY_AUTO);
	ck_assert_str_eq(r.argv[0], "sh");
	ck_assert_str_eq(r.argv[2], "echo $A");
	hostspawn_req_free(&r);
}
END_TEST

START_TEST(test_flatpak_spawn_errors)
{
	struct {
		char *argv[5];
		const char *needle;
	} cases[] = {
		{{"flatpak-spawn", "ls", NULL}, "only --host"},
		{{"flatpak-spawn", "--host", NULL}, "no command"},
		{{"flatpak-spawn", "--host", "--env=NOVALUE", "ls", NULL}, "VAR=VALUE"},
		{{"flatpak-spawn", "--host", "--env==x", "ls", NULL}, "VAR=VALUE"},
		{{"flatpak-spawn", "--host", "--unset-env=A=B", "ls", NULL}, "variable name"},
		{{"flatpak-spawn", "--host", "--forward-fd=2", "ls", NULL}, "3 to 1023"},
		{{"flatpak-spawn", "--host", "--forward-fd=x", "ls", NULL}, "3 to 1023"},
		{{"flatpak-spawn", "--sandbox", "ls", NULL}, "sandbox mode"},
		{{"flatpak-spawn", "-host", "ls", NULL}, "unknown option '-host'"},
		{{"flatpak-spawn", "--host", "--directory", NULL}, "needs a value"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hostspawn_req r;
		char err[256] = "";
		int argc = 0;

		while (cases[i].argv[argc])
			argc++;
		ck_assert_int_eq(hostspawn_parse(HOSTSPAWN_FLATPAK, argc, cases[i].argv, &r, err,
						 sizeof(err)),
				 -EINVAL);
		ck_assert_msg(strstr(err, cases[i].needle), "case %zu: '%s'", i, err);
	}
}
END_TEST

START_TEST(test_shim_names)
{
	ck_assert_str_eq(hostspawn_shim_name("podman", "/usr/local/bin/podman", "host-spawn"),
			 "podman");
	ck_assert_str_eq(hostspawn_shim_name("xdg-open", "/home/u/bin/xdg-open",
					     "/usr/local/bin/host-spawn"),
			 "xdg-open");
	/* argv[0] set by the caller does not choose the command: the link's name does */
	ck_assert_str_eq(hostspawn_shim_name("anything", "./code", "host-spawn"), "code");
	ck_assert_ptr_null(
		hostspawn_shim_name("podman", "/usr/local/bin/podman", "/usr/bin/toolbox-init"));
	ck_assert_ptr_null(hostspawn_shim_name("podman", "/usr/local/bin/podman", NULL));
	ck_assert_ptr_null(hostspawn_shim_name("toolbox-init", "/x/podman", "host-spawn"));
	ck_assert_ptr_null(hostspawn_shim_name("podman", "/x/toolbox", "host-spawn"));
	ck_assert_ptr_null(hostspawn_shim_name("podman", "/x/", "host-spawn"));
	ck_assert(hostspawn_own_name("flatpak-spawn"));
	ck_assert(!hostspawn_own_name("podman"));
}
END_TEST

START_TEST(test_socket_path)
{
	char p[64];

	ck_assert_int_eq(hostspawn_socket_path("/s.sock", "/run/user/1", 1, p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/s.sock");
	ck_assert_int_eq(hostspawn_socket_path("", "/run/user/7", 1, p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/run/user/7/toolbox/relay.sock");
	ck_assert_int_eq(hostspawn_socket_path(NULL, "relative", 1000, p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/run/user/1000/toolbox/relay.sock");
	ck_assert_int_eq(hostspawn_socket_path(NULL, NULL, 0, p, 10), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_statuses)
{
	ck_assert_int_eq(spawn_exit_status(PROTO_EXIT_CODE, 0), 0);
	ck_assert_int_eq(spawn_exit_status(PROTO_EXIT_CODE, 255), 255);
	ck_assert_int_eq(spawn_exit_status(PROTO_EXIT_SIGNAL, 15), 143);
	ck_assert_int_eq(spawn_exit_status(PROTO_EXIT_SIGNAL_CORE, 11), 139);
	ck_assert_int_eq(spawn_failed_status(PROTO_STAGE_EXEC, ENOENT), 127);
	ck_assert_int_eq(spawn_failed_status(PROTO_STAGE_EXEC, EACCES), 126);
	ck_assert_int_eq(spawn_failed_status(PROTO_STAGE_EXEC, ENOEXEC), 126);
	ck_assert_int_eq(spawn_failed_status(PROTO_STAGE_POLICY, EPERM), 126);
	ck_assert_int_eq(spawn_failed_status(PROTO_STAGE_POLICY, EIO), 125);
	ck_assert_int_eq(spawn_failed_status(PROTO_STAGE_PTY, ENOSPC), 125);
	ck_assert_int_eq(spawn_failed_status(PROTO_STAGE_SETUP, EBADF), 125);
}
END_TEST

static const char *fake_getenv(const char *name)
{
	if (strcmp(name, "TERM") == 0)
		return "xterm";
	if (strcmp(name, "EMPTY") == 0)
		return "";
	return NULL;
}

START_TEST(test_env_build)
{
	const char *extra[] = {"A=B", "HOME"};
	char **env = NULL;
	size_t n = 0;

	ck_assert_int_eq(
		spawn_env_forward("TERM,,MISSING,EMPTY,X=Y", extra, 2, fake_getenv, &env, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(env[0], "TERM=xterm");
	ck_assert_str_eq(env[1], "EMPTY=");
	ck_assert_str_eq(env[2], "A=B");
	ck_assert_str_eq(env[3], "HOME");
	spawn_env_forward_free(env, n);
	ck_assert_int_eq(spawn_env_forward(NULL, NULL, 0, fake_getenv, &env, &n), 0);
	ck_assert_uint_eq(n, 0);
	spawn_env_forward_free(env, n);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostspawn_args");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_host_spawn_go_options);
	tcase_add_test(tc, test_host_spawn_command_stops_options);
	tcase_add_test(tc, test_host_spawn_help_version_errors);
	tcase_add_test(tc, test_empty_argument);
	tcase_add_test(tc, test_flatpak_spawn);
	tcase_add_test(tc, test_flatpak_spawn_errors);
	tcase_add_test(tc, test_shim_names);
	tcase_add_test(tc, test_socket_path);
	tcase_add_test(tc, test_statuses);
	tcase_add_test(tc, test_env_build);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
