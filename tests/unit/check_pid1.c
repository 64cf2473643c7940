// SPDX-License-Identifier: GPL-2.0-or-later
/* The PID 1 loop against real processes: a forked child runs it as a subreaper. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pid1.h"

/* Count zombies whose parent is @ppid. */
static int count_zombies(pid_t ppid)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		char path[300], buf[512], state;
		int pp;
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f)) {
			char *p = strrchr(buf, ')');

			if (p && sscanf(p + 2, "%c %d", &state, &pp) == 2 && pp == ppid &&
			    state == 'Z')
				n++;
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The child: become the reaper, make @orphans orphaned grandchildren, run the loop. */
static void run_reaper(int orphans, int report_fd)
{
	struct pid1 p;
	unsigned long reaped;

	if (pid1_begin(&p) < 0)
		_exit(100);
	for (int i = 0; i < orphans; i++) {
		pid_t c = fork();

		if (c < 0)
			_exit(101);
		if (c == 0) {
			/* The middle process exits at once: its child becomes our orphan. */
			if (fork() == 0) {
				usleep(20000);
				_exit(0);
			}
			_exit(0);
		}
	}
	if (pid1_loop(&p, NULL, 0) < 0)
		_exit(102);
	reaped = p.reaped;
	if (write(report_fd, &reaped, sizeof(reaped)) != sizeof(reaped))
		_exit(103);
	_exit(p.term_signal == SIGTERM ? 0 : 104);
}

START_TEST(test_reaps_orphans)
{
	const int orphans = 1000;
	unsigned long reaped = 0;
	int fds[2], status, zombies = -1;
	pid_t child;

	ck_assert_int_eq(pipe(fds), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		close(fds[0]);
		run_reaper(orphans, fds[1]);
	}
	close(fds[1]);
	/* Wait until everything has been reaped, or give up after 20 s. */
	for (int i = 0; i < 200; i++) {
		usleep(100000);
		zombies = count_zombies(child);
		if (zombies == 0 && i > 5)
			break;
	}
	ck_assert_int_eq(zombies, 0);
	ck_assert_int_eq(kill(child, SIGTERM), 0);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(read(fds[0], &reaped, sizeof(reaped)), (ssize_t)sizeof(reaped));
	/* Every middle process and every orphan. */
	ck_assert_uint_eq(reaped, 2UL * orphans);
	close(fds[0]);
}
END_TEST

START_TEST(test_term_is_immediate_other_signals_ignored)
{
	int fds[2], status;
	pid_t child;
	double t0;

	ck_assert_int_eq(pipe(fds), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		close(fds[0]);
		run_reaper(0, fds[1]);
	}
	close(fds[1]);
	usleep(100000);
	kill(child, SIGHUP);
	kill(child, SIGUSR1);
	kill(child, SIGPIPE);
	usleep(100000);
	ck_assert_int_eq(waitpid(child, &status, WNOHANG), 0); /* still running */
	t0 = now();
	kill(child, SIGTERM);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert_msg(now() - t0 < 0.5, "SIGTERM took %.3f s", now() - t0);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	close(fds[0]);
}
END_TEST

static int on_pipe(int fd, void *data)
{
	char c;
	int *count = data;

	if (read(fd, &c, 1) == 1)
		(*count)++;
	if (*count == 3)
		raise(SIGINT);	       /* blocked: arrives through the signalfd */
	return *count == 2 ? -EIO : 0; /* an error is logged, the loop goes on */
}

START_TEST(test_watch_handlers_and_sigint)
{
	struct pid1 p;
	struct pid1_watch w;
	int fds[2], count = 0;

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(pid1_begin(&p), 0);
	ck_assert_int_eq(write(fds[1], "abc", 3), 3);
	w = (struct pid1_watch){.fd = fds[0], .handle = on_pipe, .data = &count};
	ck_assert_int_eq(pid1_loop(&p, &w, 1), 0);
	ck_assert_int_eq(count, 3);
	ck_assert_int_eq(p.term_signal, SIGINT);
	pid1_end(&p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pid1");
	TCase *tc = tcase_create("loop");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_reaps_orphans);
	tcase_add_test(tc, test_term_is_immediate_other_signals_ignored);
	tcase_add_test(tc, test_watch_handlers_and_sigint);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
