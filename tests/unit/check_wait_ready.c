// SPDX-License-Identifier: GPL-2.0-or-later
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init_pid.h"
#include "syscalls.h"
#include "wait_ready.h"

static char tmpdir[64];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Teardown (in the test's own process): the temp tree goes. */
static void cleanup(void)
{
	if (tmpdir[0])
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
static char dir[128];

static void setup_dirs(void)
{
	strcpy(tmpdir, "/tmp/check_wait_ready.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	/* A user's layout under the temp directory (root's would be the real /run/toolbox). */
	ck_assert_int_eq(ready_dir_for(4242, tmpdir, dir, sizeof(dir)), 0);
}

static void write_file(const char *name, const char *text)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int fd;

	/* As the init does: a temp file renamed into place. */
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%s", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(tmp, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ck_assert_int_eq(rename(tmp, path), 0);
}

/* A child that writes @name after @ms milliseconds, then exits. */
static pid_t later(const char *name, const char *text, int ms)
{
	pid_t p = fork();

	if (p == 0) {
		struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

		nanosleep(&ts, NULL);
		if (name)
			write_file(name, text);
		_exit(0);
	}
	return p;
}

static void reap(pid_t p)
{
	int st;

	waitpid(p, &st, 0);
}

START_TEST(test_dir_for)
{
	char buf[PATH_MAX];

	ck_assert_int_eq(ready_dir_for(4242, "/run/user/4242", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/run/user/4242/toolbox");
	ck_assert_int_eq(ready_dir_for(4242, "/tmp/xdg", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/tmp/xdg/toolbox");
	/* Unset or relative: logind's place. */
	ck_assert_int_eq(ready_dir_for(4242, NULL, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/run/user/4242/toolbox");
	ck_assert_int_eq(ready_dir_for(4242, "relative", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/run/user/4242/toolbox");
	/* Root: Toolbx's place, whatever XDG_RUNTIME_DIR says. */
	ck_assert_int_eq(ready_dir_for(0, "/run/user/0", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/run/toolbox");
	ck_assert_int_eq(ready_dir_for(4242, "/x", buf, 4), -ENAMETOOLONG);
	/* The current user's. */
	setenv("XDG_RUNTIME_DIR", "/tmp/xdg", 1);
	ck_assert_int_eq(ready_dir(buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, getuid() == 0 ? "/run/toolbox" : "/tmp/xdg/toolbox");
}
END_TEST

START_TEST(test_watch_makes_dir)
{
	struct ready_watch w;
	struct stat st;

	setup_dirs();
	ck_assert_int_eq(ready_watch_open(&w, dir), 0);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	ready_watch_close(&w);
	/* Existing: fine. */
	ck_assert_int_eq(ready_watch_open(&w, dir), 0);
	ready_watch_close(&w);
	ck_assert_int_eq(ready_watch_open(&w, "/nonexistent-wr/a/b/toolbox"), -ENOENT);
}
END_TEST

START_TEST(test_ok_later)
{
	struct ready_watch w;
	struct ready_wait_args a = {.ok = {"container-initialized-abc", "container-initialized-7"},
				    .fail = {"container-failed-abc"},
				    .pidfd = -1,
				    .timeout_ms = 5000};
	struct ready_result res;
	pid_t p;

	setup_dirs();
	ck_assert_int_eq(ready_watch_open(&w, dir), 0);
	write_file("container-initialized-other", ""); /* someone else's: ignored */
	p = later("container-initialized-7", "", 150);
	ck_assert_int_eq(ready_wait(&w, &a, &res), 0);
	ck_assert_int_eq(res.outcome, READY_OK);
	ck_assert_str_eq(res.name, "container-initialized-7");
	ck_assert(res.mtime.tv_sec > 0);
	reap(p);
	ready_watch_close(&w);
}
END_TEST

START_TEST(test_already_there)
{
	struct ready_watch w;
	struct ready_wait_args a = {
		.ok = {"container-initialized-abc"}, .pidfd = -1, .timeout_ms = 0};
	struct ready_result res;

	setup_dirs();
	ck_assert_int_eq(ready_watch_open(&w, dir), 0);
	write_file("container-initialized-abc", "");
	ck_assert_int_eq(ready_check(w.dirfd, &a, &res), 1);
	ck_assert_int_eq(ready_wait(&w, &a, &res), 0);
	ck_assert_int_eq(res.outcome, READY_OK);
	ready_watch_close(&w);
}
END_TEST

START_TEST(test_failed_message)
{
	struct ready_watch w;
	struct ready_wait_args a = {.ok = {"container-initialized-abc"},
				    .fail = {"container-failed-abc", "container-failed-9"},
				    .pidfd = -1,
				    .timeout_ms = 5000};
	struct ready_result res;
	pid_t p;

	setup_dirs();
	ck_assert_int_eq(ready_watch_open(&w, dir), 0);
	p = later("container-failed-9", "cannot write /etc/passwd: Read-only file system\nmore\n",
		  100);
	ck_assert_int_eq(ready_wait(&w, &a, &res), 0);
	ck_assert_int_eq(res.outcome, READY_FAILED);
	ck_assert_str_eq(res.msg, "cannot write /etc/passwd: Read-only file system");
	reap(p);
	ready_watch_close(&w);
}
END_TEST

START_TEST(test_timeout)
{
	struct ready_watch w;
	struct ready_wait_args a = {
		.ok = {"container-initialized-abc"}, .pidfd = -1, .timeout_ms = 200};
	struct ready_result res;
	struct timespec t0, t1;
	long ms;

	setup_dirs();
	ck_assert_int_eq(ready_watch_open(&w, dir), 0);
	write_file("unrelated", "");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(ready_wait(&w, &a, &res), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_eq(res.outcome, READY_TIMEOUT);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	ck_assert_int_ge(ms, 190);
	ck_assert_int_lt(ms, 2000);
	ready_watch_close(&w);
}
END_TEST

START_TEST(test_init_exits)
{
	struct ready_watch w;
	struct ready_wait_args a = {.ok = {"container-initialized-abc"},
				    .fail = {"container-failed-abc"},
				    .timeout_ms = 5000};
	struct ready_result res;
	pid_t p;

	setup_dirs();
	ck_assert_int_eq(ready_watch_open(&w, dir), 0);
	p = later(NULL, NULL, 100); /* dies without a stamp */
	a.pidfd = sys_pidfd_open(p, 0);
	ck_assert_int_ge(a.pidfd, 0);
	ck_assert_int_eq(ready_wait(&w, &a, &res), 0);
	ck_assert_int_eq(res.outcome, READY_EXITED);
	reap(p);
	close(a.pidfd);

	/* The marker written just before it exits wins over the exit. */
	p = later("container-failed-abc", "boom\n", 50);
	a.pidfd = sys_pidfd_open(p, 0);
	ck_assert_int_eq(ready_wait(&w, &a, &res), 0);
	ck_assert_int_eq(res.outcome, READY_FAILED);
	ck_assert_str_eq(res.msg, "boom");
	reap(p);
	close(a.pidfd);
	ready_watch_close(&w);
}
END_TEST

START_TEST(test_stale_and_odd_files)
{
	struct ready_watch w;
	struct ready_wait_args a = {
		.ok = {"container-initialized-abc"}, .pidfd = -1, .timeout_ms = 100};
	struct ready_result res;
	char path[PATH_MAX];
	struct timespec old[2] = {{.tv_sec = 1000}, {.tv_sec = 1000}};

	setup_dirs();
	ck_assert_int_eq(ready_watch_open(&w, dir), 0);
	/* Left by an earlier run: older than the init. */
	write_file("container-initialized-abc", "");
	snprintf(path, sizeof(path), "%s/container-initialized-abc", dir);
	ck_assert_int_eq(utimensat(AT_FDCWD, path, old, 0), 0);
	clock_gettime(CLOCK_REALTIME, &a.not_before);
	ck_assert_int_eq(ready_wait(&w, &a, &res), 0);
	ck_assert_int_eq(res.outcome, READY_TIMEOUT);
	/* A symlink or a directory is not a stamp. */
	unlink(path);
	ck_assert_int_eq(symlink("/etc/hostname", path), 0);
	a.not_before.tv_sec = 0;
	ck_assert_int_eq(ready_check(w.dirfd, &a, &res), 0);
	unlink(path);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(ready_check(w.dirfd, &a, &res), 0);
	ready_watch_close(&w);
}
END_TEST

START_TEST(test_first_line)
{
	char out[8];

	ready_first_line("abc\ndef", out, sizeof(out));
	ck_assert_str_eq(out, "abc");
	ready_first_line("a\tb\033c", out, sizeof(out));
	ck_assert_str_eq(out, "a?b?c");
	ready_first_line("0123456789", out, sizeof(out));
	ck_assert_str_eq(out, "0123456");
	ready_first_line("", out, sizeof(out));
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_init_pid_parse)
{
	ck_assert_int_eq(init_pid_stamp_parse("container-initialized-4242"), 4242);
	ck_assert_int_eq(init_pid_stamp_parse("container-initialized-2"), 2);
	/* PID 1 (--pid private) says nothing about the host; IDs, odd and huge are not PIDs. */
	ck_assert_int_eq(init_pid_stamp_parse("container-initialized-1"), 0);
	ck_assert_int_eq(init_pid_stamp_parse("container-initialized-0"), 0);
	ck_assert_int_eq(init_pid_stamp_parse("container-initialized-012"), 0);
	ck_assert_int_eq(init_pid_stamp_parse("container-initialized-abc123"), 0);
	ck_assert_int_eq(init_pid_stamp_parse("container-initialized-12a"), 0);
	ck_assert_int_eq(init_pid_stamp_parse("container-initialized-"), 0);
	ck_assert_int_eq(init_pid_stamp_parse("container-initialized-99999999999"), 0);
	ck_assert_int_eq(init_pid_stamp_parse("container-failed-4242"), 0);
	ck_assert_int_eq(init_pid_stamp_parse(".tmp-container-initialized-4242"), 0);
}
END_TEST

START_TEST(test_init_pid_not_in_container)
{
	struct ready_watch w;
	struct timespec t0 = {0}, a, b;
	char name[64];
	pid_t pid = 0;
	long ms;

	setup_dirs();
	ck_assert_int_eq(ready_watch_open(&w, dir), 0);
	/* A fresh stamp of a live process that is in no container: not the init we want. */
	snprintf(name, sizeof(name), "container-initialized-%d", (int)getpid());
	write_file(name, "");
	ck_assert_int_eq(init_pid_find(w.dirfd,
				       "0123456789abcdef0123456789abcdef0123456789abcdef"
				       "0123456789abcdef",
				       &t0, &pid),
			 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	ck_assert_int_eq(init_pid_wait(&w, "0123", &t0, 150, &pid), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	ck_assert_int_ge(ms, 140);
	ck_assert_int_lt(ms, 2000);
	ck_assert_int_eq(pid, 0);
	ready_watch_close(&w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("wait_ready");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 20);
	tcase_add_checked_fixture(tc, NULL, cleanup);
	tcase_add_test(tc, test_dir_for);
	tcase_add_test(tc, test_watch_makes_dir);
	tcase_add_test(tc, test_ok_later);
	tcase_add_test(tc, test_already_there);
	tcase_add_test(tc, test_failed_message);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_init_exits);
	tcase_add_test(tc, test_stale_and_odd_files);
	tcase_add_test(tc, test_first_line);
	tcase_add_test(tc, test_init_pid_parse);
	tcase_add_test(tc, test_init_pid_not_in_container);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
