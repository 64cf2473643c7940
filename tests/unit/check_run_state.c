// SPDX-License-Identifier: GPL-2.0-or-later
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run_state.h"

static const char *ID64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static struct run_state sample(void)
{
	struct run_state s = {0};

	strcpy(s.id, ID64);
	s.pid = 4242;
	s.starttime = 123456789ULL;
	strcpy(s.comm, "toolbox (x) y");
	s.kind = SESSION_KIND_TOOLBX;
	strcpy(s.stamp, "container-initialized-4242");
	s.stamp_mtime.tv_sec = 1700000000;
	s.stamp_mtime.tv_nsec = 5;
	return s;
}

START_TEST(test_roundtrip)
{
	struct run_state s = sample(), d;
	char buf[RUN_STATE_MAX];
	int n;

	n = run_state_encode(&s, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_nonnull(strstr(buf, "stamp_mtime=1700000000.000000005\n"));
	ck_assert_int_eq(run_state_decode(buf, (size_t)n, &d), 0);
	ck_assert_str_eq(d.id, s.id);
	ck_assert_int_eq(d.pid, s.pid);
	ck_assert(d.starttime == s.starttime);
	ck_assert_str_eq(d.comm, s.comm);
	ck_assert_int_eq(d.kind, SESSION_KIND_TOOLBX);
	ck_assert_str_eq(d.stamp, s.stamp);
	ck_assert(d.stamp_mtime.tv_sec == s.stamp_mtime.tv_sec);
	ck_assert_int_eq(d.stamp_mtime.tv_nsec, 5);

	s.kind = SESSION_KIND_INIT;
	n = run_state_encode(&s, buf, sizeof(buf));
	ck_assert_int_eq(run_state_decode(buf, (size_t)n, &d), 0);
	ck_assert_int_eq(d.kind, SESSION_KIND_INIT);
	ck_assert_int_eq(run_state_encode(&s, buf, 10), -ENOSPC);
}
END_TEST

START_TEST(test_encode_refuses)
{
	struct run_state s;
	char buf[RUN_STATE_MAX];

	s = sample();
	strcpy(s.id, "XYZ");
	ck_assert_int_eq(run_state_encode(&s, buf, sizeof(buf)), -EINVAL);
	s = sample();
	s.pid = 0;
	ck_assert_int_eq(run_state_encode(&s, buf, sizeof(buf)), -EINVAL);
	s = sample();
	strcpy(s.comm, "a\nb");
	ck_assert_int_eq(run_state_encode(&s, buf, sizeof(buf)), -EINVAL);
	s = sample();
	strcpy(s.stamp, "../x");
	ck_assert_int_eq(run_state_encode(&s, buf, sizeof(buf)), -EINVAL);
}
END_TEST

START_TEST(test_decode_strict)
{
	static const char *bad[] = {
		"",
		"toolbox-run-state 2\n",
		"toolbox-run-state 1\nid=ab\n", /* missing keys */
		/* duplicate key */
		"toolbox-run-state "
		"1\nid=ab\nid=ab\npid=1\nstarttime=1\ncomm=c\nkind=init\nstamp=s\n"
		"stamp_mtime=1.000000000\n",
		/* unknown key */
		"toolbox-run-state 1\nid=ab\npid=1\nstarttime=1\ncomm=c\nkind=init\nstamp=s\n"
		"stamp_mtime=1.000000000\nx=y\n",
		/* no final newline */
		"toolbox-run-state 1\nid=ab\npid=1\nstarttime=1\ncomm=c\nkind=init\nstamp=s\n"
		"stamp_mtime=1.000000000",
		/* bad numbers, kinds, ids, paths */
		"toolbox-run-state 1\nid=ab\npid=-1\nstarttime=1\ncomm=c\nkind=init\nstamp=s\n"
		"stamp_mtime=1.000000000\n",
		"toolbox-run-state 1\nid=ab\npid=01\nstarttime=1\ncomm=c\nkind=init\nstamp=s\n"
		"stamp_mtime=1.000000000\n",
		"toolbox-run-state 1\nid=ab\npid=1\nstarttime=99999999999999999999999\ncomm=c\n"
		"kind=init\nstamp=s\nstamp_mtime=1.000000000\n",
		"toolbox-run-state 1\nid=ab\npid=1\nstarttime=1\ncomm=c\nkind=other\nstamp=s\n"
		"stamp_mtime=1.000000000\n",
		"toolbox-run-state 1\nid=AB\npid=1\nstarttime=1\ncomm=c\nkind=init\nstamp=s\n"
		"stamp_mtime=1.000000000\n",
		"toolbox-run-state 1\nid=ab\npid=1\nstarttime=1\ncomm=c\nkind=init\nstamp=a/b\n"
		"stamp_mtime=1.000000000\n",
		"toolbox-run-state 1\nid=ab\npid=1\nstarttime=1\ncomm=c\nkind=init\nstamp=s\n"
		"stamp_mtime=1.5\n",
		"toolbox-run-state 1\nid=ab\npid=1\nstarttime=1\ncomm=\nkind=init\nstamp=s\n"
		"stamp_mtime=1.000000000\n",
		"toolbox-run-state 1\nid=ab\npid=1\nstarttime=1\ncomm=c\nkind=init\nstamp=s\n"
		"stamp_mtime=1.000000000\n\n",
	};
	static const char good[] =
		"toolbox-run-state 1\nkind=init\nid=ab\npid=1\nstarttime=0\ncomm=c=d\nstamp=s\n"
		"stamp_mtime=0.000000000\n";
	struct run_state s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(run_state_decode(bad[i], strlen(bad[i]), &s) == -EINVAL, "case %zu",
			      i);
	ck_assert_int_eq(run_state_decode(good, strlen(good), &s), 0);
	ck_assert_str_eq(s.comm, "c=d");
	/* An embedded NUL is not text. */
	ck_assert_int_eq(run_state_decode(good, sizeof(good), &s), -EINVAL);
}
END_TEST

START_TEST(test_proc_stat_parse)
{
	static const char line[] =
		"4242 (tool) box)) S 1 4242 4242 34816 4300 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
		"987654 1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
	static const char notty[] = "7 (sh) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 55 0 0\n";
	struct proc_stat ps;

	ck_assert_int_eq(proc_stat_parse(line, strlen(line), &ps), 0);
	ck_assert_str_eq(ps.comm, "tool) box)");
	ck_assert_int_eq(ps.state, 'S');
	ck_assert_int_eq(ps.ppid, 1);
	ck_assert_int_eq(ps.pgrp, 4242);
	ck_assert_int_eq(ps.session, 4242);
	ck_assert_int_eq(ps.tty_nr, 34816);
	ck_assert_int_eq(ps.tpgid, 4300);
	ck_assert(ps.starttime == 987654ULL);
	ck_assert_int_eq(proc_stat_parse(notty, strlen(notty), &ps), 0);
	ck_assert_int_eq(ps.tpgid, -1);
	ck_assert(ps.starttime == 55ULL);

	ck_assert_int_eq(proc_stat_parse("1 (x S 1", 8, &ps), -EINVAL);
	ck_assert_int_eq(proc_stat_parse("1 (x) S 1 2 3", 13, &ps), -EINVAL);
	ck_assert_int_eq(proc_stat_parse("1 (x) S a b c d e f g h i j k l m n o p q r s", 45, &ps),
			 -EINVAL);
}
END_TEST

START_TEST(test_proc_stat_self)
{
	struct proc_stat ps;
	struct timespec start, now;

	ck_assert_int_eq(proc_stat_read(getpid(), &ps), 0);
	ck_assert_int_eq(ps.ppid, getppid());
	ck_assert_int_eq(ps.pgrp, getpgrp());
	ck_assert_int_eq(proc_stat_read(0x7ffffff0, &ps), -ESRCH);

	/* We started a moment ago (within this test run), not in the future. */
	ck_assert_int_eq(proc_stat_read(getpid(), &ps), 0);
	proc_start_realtime(ps.starttime, &start);
	clock_gettime(CLOCK_REALTIME, &now);
	ck_assert(start.tv_sec <= now.tv_sec);
	ck_assert(now.tv_sec - start.tv_sec < 120);
}
END_TEST

static char tmpdir[64];
static char readydir[96];

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

static void make_tmp(void)
{
	strcpy(tmpdir, "/tmp/check_run_state.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(readydir, sizeof(readydir), "%s/toolbox", tmpdir);
	ck_assert_int_eq(mkdir(readydir, 0700), 0);
}

START_TEST(test_save_load_valid)
{
	struct run_state s = {0}, d;
	struct proc_stat ps;
	char path[PATH_MAX];
	struct stat st;
	int dirfd, rdfd, fd;

	make_tmp();
	dirfd = run_state_dir_open(readydir);
	ck_assert_int_ge(dirfd, 0);
	snprintf(path, sizeof(path), "%s/toolbox/launcher", tmpdir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(run_state_load(dirfd, "dev", &d), -ENOENT);

	/* A stamp and a live process: ourselves. */
	snprintf(path, sizeof(path), "%s/toolbox", tmpdir);
	rdfd = open(path, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(rdfd, 0);
	fd = openat(rdfd, "container-initialized-1", O_CREAT | O_WRONLY, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(fstatat(rdfd, "container-initialized-1", &st, 0), 0);
	ck_assert_int_eq(proc_stat_read(getpid(), &ps), 0);
	strcpy(s.id, ID64);
	s.pid = getpid();
	s.starttime = ps.starttime;
	strcpy(s.comm, ps.comm);
	s.kind = SESSION_KIND_INIT;
	strcpy(s.stamp, "container-initialized-1");
	s.stamp_mtime = st.st_mtim;

	ck_assert_int_eq(run_state_save(dirfd, "dev", &s), 0);
	ck_assert_int_eq(run_state_load(dirfd, "dev", &d), 0);
	ck_assert_str_eq(d.id, ID64);
	ck_assert(run_state_valid(&d, rdfd));

	/* Each recorded fact matters. */
	d.starttime++;
	ck_assert(!run_state_valid(&d, rdfd));
	d.starttime--;
	strcpy(d.comm, "other");
	ck_assert(!run_state_valid(&d, rdfd));
	strcpy(d.comm, ps.comm);
	d.stamp_mtime.tv_nsec = (d.stamp_mtime.tv_nsec + 1) % 1000000000;
	ck_assert(!run_state_valid(&d, rdfd));
	d.stamp_mtime = st.st_mtim;
	ck_assert(run_state_valid(&d, rdfd));
	ck_assert_int_eq(unlinkat(rdfd, "container-initialized-1", 0), 0);
	ck_assert(!run_state_valid(&d, rdfd));
	d.pid = 0x7ffffff0;
	ck_assert(!run_state_valid(&d, rdfd));

	/* Names that are not file names are refused; forget removes. */
	ck_assert_int_eq(run_state_save(dirfd, "../x", &s), -EINVAL);
	ck_assert_int_eq(run_state_load(dirfd, ".hidden", &d), -EINVAL);
	run_state_forget(dirfd, "dev");
	ck_assert_int_eq(run_state_load(dirfd, "dev", &d), -ENOENT);

	/* A state file that is not ours in content is refused. */
	fd = openat(dirfd, "junk.state", O_CREAT | O_WRONLY, 0600);
	ck_assert_int_eq(write(fd, "hello\n", 6), 6);
	close(fd);
	ck_assert_int_eq(run_state_load(dirfd, "junk", &d), -EINVAL);
	close(rdfd);
	close(dirfd);
}
END_TEST

START_TEST(test_dir_permissions)
{
	char path[PATH_MAX];
	int fd;

	make_tmp();
	snprintf(path, sizeof(path), "%s/toolbox/launcher", tmpdir);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	ck_assert_int_eq(chmod(path, 0777), 0);
	/* Others could plant a state: not trusted. */
	ck_assert_int_eq(run_state_dir_open(readydir), -EPERM);
	ck_assert_int_eq(chmod(path, 0700), 0);
	fd = run_state_dir_open(readydir);
	ck_assert_int_ge(fd, 0);
	close(fd);
	/* No runtime directory at all: an error, not a crash, and nothing made. */
	ck_assert_int_eq(run_state_dir_open("/nonexistent-check-run-state/toolbox"), -ENOENT);
}
END_TEST

START_TEST(test_lock)
{
	int dirfd, l1;
	pid_t child;
	int status;

	make_tmp();
	dirfd = run_state_dir_open(readydir);
	ck_assert_int_ge(dirfd, 0);
	l1 = run_state_lock(dirfd, "dev");
	ck_assert_int_ge(l1, 0);
	child = fork();
	if (child == 0) {
		char file[] = "dev.lock";
		int fd = openat(dirfd, file, O_RDWR);

		/* Held by the parent: a non-blocking attempt fails. */
		_exit(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(l1);
	close(dirfd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("run_state");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, NULL, cleanup);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_encode_refuses);
	tcase_add_test(tc, test_decode_strict);
	tcase_add_test(tc, test_proc_stat_parse);
	tcase_add_test(tc, test_proc_stat_self);
	tcase_add_test(tc, test_save_load_valid);
	tcase_add_test(tc, test_dir_permissions);
	tcase_add_test(tc, test_lock);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
