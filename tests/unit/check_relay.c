// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The relay on the host (host/relay_*.c): pure helpers, then a real listener in a child
 * process talked to by the real client (init/hostspawn_client.c) and by hand-made
 * malformed conversations.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn_client.h"
#include "proto.h"
#include "proto_io.h"
#include "relay.h"
#include "spawn_conn.h"
#include "relay_policy.h"
#include "relay_server.h"
#include "spawn_proc.h"

START_TEST(test_map_cwd)
{
	char out[64];

	ck_assert_int_eq(relay_map_cwd("/run/host/etc", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/etc");
	ck_assert_int_eq(relay_map_cwd("/run/host", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/");
	ck_assert_int_eq(relay_map_cwd("/run/host/", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/");
	ck_assert_int_eq(relay_map_cwd("/run/hostile", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/run/hostile");
	ck_assert_int_eq(relay_map_cwd("/home/u/src", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/home/u/src");
	ck_assert_int_eq(relay_map_cwd("", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(relay_map_cwd("/a/very/long/path/that/does/not/fit", out, 8),
			 -ENAMETOOLONG);
}
END_TEST

START_TEST(test_env)
{
	char *base[] = {"HOME=/home/u",
			"PATH=/usr/bin",
			"LISTEN_FDS=1",
			"NOTIFY_SOCKET=/x",
			"TOOLBOX_RELAY_GRACE_MS=5",
			"A=1",
			"broken",
			NULL};
	char *entries[] = {"A=2", "PATH", "NEW=x=y", "A=3"};
	char **v = NULL, **b = NULL;

	ck_assert_int_eq(spawn_env_base(base, &b), 0);
	ck_assert_str_eq(b[0], "HOME=/home/u");
	ck_assert_str_eq(b[1], "PATH=/usr/bin");
	ck_assert_str_eq(b[2], "A=1");
	ck_assert_ptr_null(b[3]);
	ck_assert_int_eq(spawn_env_build(b, false, entries, 4, &v), 0);
	ck_assert_str_eq(v[0], "HOME=/home/u");
	ck_assert_str_eq(v[1], "NEW=x=y");
	ck_assert_str_eq(v[2], "A=3");
	ck_assert_ptr_null(v[3]);
	ck_assert_str_eq(spawn_env_get(v, "NEW"), "x=y");
	ck_assert_ptr_null(spawn_env_get(v, "PATH"));
	ck_assert_ptr_null(spawn_env_get(v, "NE"));
	free(v);
	ck_assert_int_eq(spawn_env_build(b, true, entries, 1, &v), 0);
	ck_assert_str_eq(v[0], "A=2");
	ck_assert_ptr_null(v[1]);
	free(v);
	free(b);
}
END_TEST

START_TEST(test_containerenv)
{
	static const char text[] =
		"engine=\"podman-4.3.1\"\n"
		"name=\"tbt-relay-1\"\n"
		"id=\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n"
		"image=\"localhost/x:1\"\n"
		"rootless=1\n";
	struct relay_caller c;

	relay_containerenv_parse(text, strlen(text), &c);
	ck_assert(c.in_container);
	ck_assert_str_eq(c.name, "tbt-relay-1");
	ck_assert_str_eq(c.id, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	relay_containerenv_parse("name=\"a b\"\nid=\"XYZ\"", 19, &c);
	ck_assert(c.in_container);
	ck_assert_str_eq(c.name, "");
	ck_assert_str_eq(c.id, "");
	relay_containerenv_parse("", 0, &c);
	ck_assert(c.in_container);
	ck_assert(relay_is_container_id(
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
	ck_assert(!relay_is_container_id("0123"));
	ck_assert(!relay_is_container_id(
		"0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
}
END_TEST

START_TEST(test_stat_pgrp)
{
	static const char line[] = "123 (a (b) c) S 1 456 456 0 -1 4194560 100";
	char st = 0;

	ck_assert_int_eq(spawn_stat_pgrp(line, strlen(line), &st), 456);
	ck_assert_int_eq(st, 'S');
	ck_assert_int_eq(spawn_stat_pgrp("123 (x) Z 1 77 77", 17, &st), 77);
	ck_assert_int_eq(st, 'Z');
	ck_assert_int_eq(spawn_stat_pgrp("123 (x", 6, NULL), -1);
	ck_assert_int_eq(spawn_stat_pgrp("123 (x) S 1", 11, NULL), -1);
	ck_assert_int_eq(spawn_stat_pgrp("123 (x) S 1 -4", 14, NULL), -1);
}
END_TEST

START_TEST(test_paths_and_times)
{
	char dir[PATH_MAX], sock[PATH_MAX];
	char longp[200];

	ck_assert_int_eq(relay_paths_for("/run/user/5", NULL, dir, sock, sizeof(dir)), 0);
	ck_assert_str_eq(dir, "/run/user/5/toolbox");
	ck_assert_str_eq(sock, "/run/user/5/toolbox/relay.sock");
	ck_assert_int_eq(relay_paths_for("/run/user/5", "/tmp/x.sock", dir, sock, sizeof(dir)), 0);
	ck_assert_str_eq(sock, "/tmp/x.sock");
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	ck_assert_int_eq(relay_paths_for(longp, NULL, dir, sock, sizeof(dir)), -ENAMETOOLONG);
	ck_assert_int_eq(spawn_ms_left(100, 50), 0);
	ck_assert_int_eq(spawn_ms_left(100, 150), 50);
}
END_TEST

static char tmpdir[PATH_MAX];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_relay.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

START_TEST(test_check_dir)
{
	char dir[PATH_MAX + 16], err[512];
	struct stat st;

	make_tmpdir();
	snprintf(dir, sizeof(dir), "%s/toolbox", tmpdir);
	ck_assert_int_eq(relay_check_dir(dir, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	ck_assert_int_eq(chmod(dir, 0750), 0);
	ck_assert_int_eq(relay_check_dir(dir, err, sizeof(err)), -EPERM);
	ck_assert_ptr_nonnull(strstr(err, "chmod 700"));
	ck_assert_int_eq(rmdir(dir), 0);
	ck_assert_int_eq(symlink("/tmp", dir), 0);
	ck_assert_int_eq(relay_check_dir(dir, err, sizeof(err)), -ENOTDIR);
	unlink(dir);
	rmdir(tmpdir);
}
END_TEST

START_TEST(test_pgrp_and_stamps)
{
	char dir[PATH_MAX + 16], stamp[PATH_MAX + 64];
	int p[2];
	pid_t leader;
	char ch;

	ck_assert_int_eq(pipe(p), 0);
	leader = fork();
	ck_assert_int_ge(leader, 0);
	if (leader == 0) {
		setpgid(0, 0);
		prctl(PR_SET_NAME, "toolbox-init");
		if (fork() == 0) {
			close(p[0]);
			pause();
			_exit(0);
		}
		close(p[0]);
		(void)!write(p[1], "x", 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &ch, 1), 1);
	ck_assert(spawn_pgrp_has_others(leader, leader));
	ck_assert(!spawn_pgrp_has_others(getpid() + 100000, leader));

	make_tmpdir();
	snprintf(dir, sizeof(dir), "%s", tmpdir);
	ck_assert(!relay_toolbox_running(dir));
	snprintf(stamp, sizeof(stamp), "%s/container-initialized-%d", dir, (int)getpid());
	ck_assert_int_eq(close(open(stamp, O_CREAT | O_WRONLY, 0600)), 0);
	ck_assert(!relay_toolbox_running(dir)); /* we are not named toolbox-init */
	unlink(stamp);
	snprintf(stamp, sizeof(stamp), "%s/container-initialized-%d", dir, (int)leader);
	ck_assert_int_eq(close(open(stamp, O_CREAT | O_WRONLY, 0600)), 0);
	ck_assert(relay_toolbox_running(dir));
	unlink(stamp);
	rmdir(tmpdir);
	kill(-leader, SIGKILL);
	waitpid(leader, NULL, 0);
	close(p[0]);
}
END_TEST

/* ---- a real relay ---- */

static char sockpath[PATH_MAX + 32];
static pid_t server;

static void start_server(void)
{
	char rundir[PATH_MAX];
	int p[2];
	char ok[8] = "";

	make_tmpdir();
	snprintf(rundir, sizeof(rundir), "%s", tmpdir);
	ck_assert_int_eq(pipe(p), 0);
	server = fork();
	ck_assert_int_ge(server, 0);
	if (server == 0) {
		static struct relay_conf conf;
		static char *env[] = {"PATH=/usr/bin:/bin", "HOME=/", "HELLO=world", NULL};

		close(p[0]);
		conf.listen_fd = -1;
		conf.ready_fd = p[1];
		conf.idle_s = 0;
		conf.grace_ms = 100;
		conf.base_env = env;
		relay_paths_for(rundir, NULL, conf.dir, conf.socket, sizeof(conf.dir));
		_exit(relay_serve(&conf));
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], ok, sizeof(ok) - 1), 3);
	ck_assert_str_eq(ok, "ok\n");
	close(p[0]);
	snprintf(sockpath, sizeof(sockpath), "%s/toolbox/relay.sock", rundir);
}

static void stop_server(void)
{
	int status;

	ck_assert_int_eq(kill(server, SIGTERM), 0);
	ck_assert_int_eq(waitpid(server, &status, 0), server);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(access(sockpath, F_OK), -1);
}

/* Run @argv through the relay with the real client; its status and stdout. */
static int relay_run(char *const *argv, char *out, size_t cap)
{
	int p[2], status;
	ssize_t n = 0, k;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct spawn_run run = {.argv = argv,
					.cwd = "/",
					.forward = "",
					.pty = SPAWN_PTY_OFF,
					.prog = "host-spawn",
					.socket = sockpath,
					.peer = "the toolbox relay",
					.where = "on the host",
					.start_hint = "start it",
					.policy_msg = "refused"};
		int devnull = open("/dev/null", O_RDWR);

		/* stdin from /dev/null; the client's expected error lines go there too */
		dup2(devnull, 0);
		dup2(p[1], 1);
		dup2(devnull, 2);
		close(p[0]);
		_exit(spawn_client_run(&run));
	}
	close(p[1]);
	while (cap > 1 && (k = read(p[0], out + n, cap - 1 - (size_t)n)) > 0)
		n += k;
	out[n] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* One raw conversation: send @n datagrams, return the first answer's type (0: closed). */
static int raw_exchange(const void *const *msgs, const size_t *lens, size_t n, struct proto_msg *m)
{
	static uint8_t rbuf[PROTO_RECV_BUF];
	int fd = proto_connect(sockpath), r;

	ck_assert_int_ge(fd, 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(proto_send(fd, msgs[i], lens[i], NULL, 0), 0);
	r = proto_recv_msg(fd, rbuf, m, NULL, 0, NULL);
	close(fd);
	return r == 1 ? m->type : r;
}

START_TEST(test_relay_end_to_end)
{
	char out[4096];
	char *ok[] = {"sh", "-c", "echo $HELLO; pwd; exit 3", NULL};
	char *missing[] = {"/nonexistent/command", NULL};
	char noexec_path[PATH_MAX + 64];
	char *noexec[] = {noexec_path, NULL};
	static uint8_t hello[16], spawn[64], big[PROTO_MSG_MAX + 64];
	struct proto_msg m = {.type = PROTO_HELLO}, a;
	const void *msgs[3];
	size_t lens[3];
	ssize_t hl, sl;

	start_server();
	snprintf(noexec_path, sizeof(noexec_path), "%s/data", tmpdir);
	ck_assert_int_eq(close(open(noexec_path, O_CREAT | O_WRONLY, 0644)), 0);
	ck_assert_int_eq(relay_run(ok, out, sizeof(out)), 3);
	ck_assert_str_eq(out, "world\n/\n");
	ck_assert_int_eq(relay_run(missing, out, sizeof(out)), 127);
	ck_assert_int_eq(relay_run(noexec, out, sizeof(out)), 126);

	m.hello.min_version = m.hello.max_version = 1;
	hl = proto_encode(&m, hello, sizeof(hello));
	ck_assert_int_gt(hl, 0);

	/* garbage first */
	msgs[0] = "garbage!";
	lens[0] = 8;
	ck_assert_int_eq(raw_exchange(msgs, lens, 1, &a), PROTO_ERROR);
	ck_assert_uint_eq(a.error.code, EBADMSG);
	/* an unknown version */
	m.hello.min_version = m.hello.max_version = 9;
	ck_assert_int_gt(proto_encode(&m, big, sizeof(big)), 0);
	msgs[0] = big;
	lens[0] = (size_t)hl;
	ck_assert_int_eq(raw_exchange(msgs, lens, 1, &a), PROTO_ERROR);
	ck_assert_uint_eq(a.error.code, EPROTONOSUPPORT);
	/* HELLO, then a datagram longer than any message */
	memset(big, 0, sizeof(big));
	msgs[0] = hello;
	lens[0] = (size_t)hl;
	msgs[1] = big;
	lens[1] = sizeof(big);
	{
		int fd = proto_connect(sockpath);
		static uint8_t rbuf[PROTO_RECV_BUF];

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(proto_send(fd, hello, (size_t)hl, NULL, 0), 0);
		ck_assert_int_eq(proto_recv_msg(fd, rbuf, &a, NULL, 0, NULL), 1);
		ck_assert_uint_eq(a.type, PROTO_HELLO);
		ck_assert_int_eq(proto_send(fd, big, sizeof(big), NULL, 0), 0);
		ck_assert_int_eq(proto_recv_msg(fd, rbuf, &a, NULL, 0, NULL), 1);
		ck_assert_uint_eq(a.type, PROTO_ERROR);
		ck_assert_uint_eq(a.error.code, EBADMSG);
		close(fd);
	}
	/* SPAWN that does not match what came before (argc 1, no ARGV) */
	m = (struct proto_msg){.type = PROTO_SPAWN};
	m.spawn.argc = 1;
	sl = proto_encode(&m, spawn, sizeof(spawn));
	ck_assert_int_gt(sl, 0);
	{
		int fd = proto_connect(sockpath);
		static uint8_t rbuf[PROTO_RECV_BUF];

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(proto_send(fd, hello, (size_t)hl, NULL, 0), 0);
		ck_assert_int_eq(proto_recv_msg(fd, rbuf, &a, NULL, 0, NULL), 1);
		ck_assert_int_eq(proto_send(fd, spawn, (size_t)sl, NULL, 0), 0);
		ck_assert_int_eq(proto_recv_msg(fd, rbuf, &a, NULL, 0, NULL), 1);
		ck_assert_uint_eq(a.type, PROTO_ERROR);
		/* truncated: a SPAWN cut short */
		close(fd);
	}
	msgs[0] = hello;
	lens[0] = (size_t)hl;
	msgs[1] = spawn;
	lens[1] = (size_t)sl - 3;
	ck_assert_int_eq(raw_exchange(msgs, lens, 2, &a), PROTO_HELLO);
	/* a connection that says nothing and goes (relay_ensure_running's check) */
	close(proto_connect(sockpath));
	/* still serving */
	ck_assert_int_eq(relay_run(ok, out, sizeof(out)), 3);
	stop_server();
	unlink(noexec_path);
	snprintf(noexec_path, sizeof(noexec_path), "%s.lock", sockpath);
	ck_assert_int_eq(unlink(noexec_path), 0);
	snprintf(noexec_path, sizeof(noexec_path), "%s/toolbox", tmpdir);
	ck_assert_int_eq(rmdir(noexec_path), 0);
	ck_assert_int_eq(rmdir(tmpdir), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("relay");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_map_cwd);
	tcase_add_test(tc, test_env);
	tcase_add_test(tc, test_containerenv);
	tcase_add_test(tc, test_stat_pgrp);
	tcase_add_test(tc, test_paths_and_times);
	tcase_add_test(tc, test_check_dir);
	tcase_add_test(tc, test_pgrp_and_stamps);
	tcase_add_test(tc, test_relay_end_to_end);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
