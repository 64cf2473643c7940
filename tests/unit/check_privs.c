// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * init/privs.c: what a session keeps and how PID 1 confines itself. Runs as root on the
 * host (CK_FORK: each test is its own process, so dropping privileges is contained).
 * Confinement checks run in a further child that reports over a pipe: check's own
 * machinery is not meant to run under the PID 1 seccomp filter.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macros.h"
#include "privs.h"

/* A "Key:\tvalue" line of /proc/self/status as a number (hex for Cap*, else decimal). */
static uint64_t status_value(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	uint64_t v = UINT64_MAX;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return UINT64_MAX;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) != 0 || line[klen] != ':')
			continue;
		v = strtoull(line + klen + 1, NULL, strncmp(key, "Cap", 3) == 0 ? 16 : 10);
		break;
	}
	fclose(f);
	return v;
}

/* Put @cap into the ambient set (it must be permitted and inheritable first). */
static void raise_ambient(cap_value_t cap)
{
	cap_t caps = cap_get_proc();

	ck_assert_ptr_nonnull(caps);
	ck_assert_int_eq(cap_set_flag(caps, CAP_INHERITABLE, 1, &cap, CAP_SET), 0);
	ck_assert_int_eq(cap_set_flag(caps, CAP_PERMITTED, 1, &cap, CAP_SET), 0);
	ck_assert_int_eq(cap_set_flag(caps, CAP_EFFECTIVE, 1, &cap, CAP_SET), 0);
	ck_assert_int_eq(cap_set_proc(caps), 0);
	cap_free(caps);
	ck_assert_int_eq(cap_set_ambient(cap, CAP_SET), 0);
}

static void assert_no_caps_but_bounding(uint64_t bnd)
{
	ck_assert_uint_eq(status_value("CapEff"), 0);
	ck_assert_uint_eq(status_value("CapPrm"), 0);
	ck_assert_uint_eq(status_value("CapInh"), 0);
	ck_assert_uint_eq(status_value("CapAmb"), 0);
	ck_assert_uint_eq(status_value("CapBnd"), bnd);
	ck_assert_uint_eq(status_value("NoNewPrivs"), 0);
}

START_TEST(drop_session_as_root)
{
	uint64_t bnd = status_value("CapBnd");

	ck_assert_uint_ne(bnd, 0);
	raise_ambient(CAP_NET_BIND_SERVICE);
	ck_assert_uint_ne(status_value("CapAmb"), 0);
	ck_assert_uint_ne(status_value("CapInh"), 0);

	ck_assert_int_eq(privs_drop_session(), 0);
	assert_no_caps_but_bounding(bnd);
	/* Idempotent. */
	ck_assert_int_eq(privs_drop_session(), 0);
	assert_no_caps_but_bounding(bnd);
}
END_TEST

/* What `podman exec --user` in a --privileged container hands us: a user with caps. */
START_TEST(drop_session_user_with_caps)
{
	uint64_t bnd = status_value("CapBnd");
	cap_t all;

	ck_assert_int_eq(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), 0);
	ck_assert_int_eq(setresgid(4243, 4243, 4243), 0);
	ck_assert_int_eq(setresuid(4242, 4242, 4242), 0);
	all = cap_get_proc();
	ck_assert_ptr_nonnull(all);
	ck_assert_int_eq(cap_fill(all, CAP_EFFECTIVE, CAP_PERMITTED), 0);
	ck_assert_int_eq(cap_set_proc(all), 0);
	cap_free(all);
	raise_ambient(CAP_NET_RAW);
	ck_assert_uint_ne(status_value("CapEff"), 0);
	ck_assert_uint_ne(status_value("CapAmb"), 0);

	ck_assert_int_eq(privs_drop_session(), 0);
	assert_no_caps_but_bounding(bnd);
	ck_assert_uint_eq(getuid(), 4242);
}
END_TEST

/* ---- PID 1 confinement, checked in a child that reports failures over a pipe ---- */

struct report {
	char buf[2048];
	size_t len;
	int failures;
};

static void PRINTF_LIKE(3, 4) expect(struct report *rep, bool ok, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ok)
		return;
	rep->failures++;
	va_start(ap, fmt);
	n = vsnprintf(rep->buf + rep->len, sizeof(rep->buf) - rep->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		rep->len += (size_t)n;
	if (rep->len >= sizeof(rep->buf) - 2)
		rep->len = sizeof(rep->buf) - 2;
	rep->buf[rep->len++] = '\n';
	rep->buf[rep->len] = '\0';
}

/* @ret == -1 with errno EPERM: the filter (or the missing capability) refused. */
static void expect_eperm(struct report *rep, long ret, const char *what)
{
	int e = errno;

	expect(rep, ret == -1 && e == EPERM, "%s: expected EPERM, got %ld (%s)", what, ret,
	       ret == -1 ? strerror(e) : "success");
}

static void expect_ok(struct report *rep, long ret, const char *what)
{
	int e = errno;

	expect(rep, ret >= 0, "%s: expected success, got %s", what, strerror(e));
}

static void check_denied(struct report *rep, const char *dir)
{
	void *p;
	char c = 'x';
	sigset_t set;

	expect_eperm(rep, mount("none", dir, "tmpfs", 0, NULL), "mount");
	expect_eperm(rep, unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)");
	expect_eperm(rep, unshare(CLONE_NEWUSER), "unshare(CLONE_NEWUSER)");
	expect_eperm(rep, ptrace(PTRACE_TRACEME, 0, NULL, NULL), "ptrace(PTRACE_TRACEME)");
	expect_eperm(rep, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket(AF_INET)");
	expect_eperm(rep, setuid(1000), "setuid");
	expect_eperm(rep, chroot(dir), "chroot");
	expect_eperm(rep, execl("/bin/true", "true", (char *)NULL), "execve");
	expect_eperm(rep, fork(), "fork");
	expect_eperm(rep, ioctl(STDIN_FILENO, TIOCSTI, &c), "ioctl(TIOCSTI)");
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	expect_eperm(rep, p == MAP_FAILED ? -1 : 0, "mmap(PROT_EXEC)");
	/* Still alive: the filter refuses, it never kills. */
	sigemptyset(&set);
	expect_ok(rep, sigprocmask(SIG_BLOCK, &set, NULL), "rt_sigprocmask");
}

static void check_allowed(struct report *rep, const char *dir, bool bounding_dropped)
{
	struct signalfd_siginfo si;
	char path[512], path2[512], buf[64];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct pollfd pfd;
	sigset_t set;
	DIR *d;
	int p[2] = {-1, -1}, fd, ino, sfd, sock, n = 0;
	void *mem;

	expect_ok(rep, pipe2(p, O_CLOEXEC), "pipe2");
	expect_ok(rep, write(p[1], "ping", 4), "write");
	pfd = (struct pollfd){.fd = p[0], .events = POLLIN};
	expect(rep, poll(&pfd, 1, 1000) == 1, "poll: %s", strerror(errno));
	expect(rep, ioctl(p[0], FIONREAD, &n) == 0 && n == 4, "ioctl(FIONREAD): %s",
	       strerror(errno));
	expect(rep, read(p[0], buf, sizeof(buf)) == 4, "read: %s", strerror(errno));

	ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	expect_ok(rep, ino, "inotify_init1");
	expect_ok(rep, inotify_add_watch(ino, dir, IN_CREATE | IN_MOVED_TO), "inotify_add_watch");

	snprintf(path, sizeof(path), "%s/stamp.tmp", dir);
	snprintf(path2, sizeof(path2), "%s/stamp", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	expect_ok(rep, fd, "openat(O_CREAT)");
	expect_ok(rep, write(fd, "1\n", 2), "write(file)");
	expect_ok(rep, fchmod(fd, 0600), "fchmod");
	expect_ok(rep, fchown(fd, 0, 0), "fchown");
	expect_ok(rep, fsync(fd), "fsync");
	expect_ok(rep, rename(path, path2), "rename");
	expect_ok(rep, symlink("stamp", path), "symlink");
	expect(rep, readlink(path, buf, sizeof(buf)) == 5, "readlink: %s", strerror(errno));
	expect_ok(rep, unlink(path), "unlink");
	snprintf(path, sizeof(path), "%s/sub", dir);
	expect_ok(rep, mkdir(path, 0700), "mkdir");
	d = opendir(dir);
	expect(rep, d && readdir(d), "opendir/readdir: %s", strerror(errno));
	if (d)
		closedir(d);

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	expect_ok(rep, sigprocmask(SIG_BLOCK, &set, NULL), "rt_sigprocmask");
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	expect_ok(rep, sfd, "signalfd");
	expect_ok(rep, kill(getpid(), SIGUSR1), "kill");
	expect(rep, read(sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGUSR1,
	       "read(signalfd): %s", strerror(errno));

	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	expect_ok(rep, sock, "socket(AF_UNIX)");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", dir);
	expect_ok(rep, bind(sock, (struct sockaddr *)&sa, sizeof(sa)), "bind");
	expect_ok(rep, listen(sock, 4), "listen");

	mem = malloc(1 << 20);
	expect(rep, mem != NULL, "malloc (mmap)");
	free(mem);
	expect(rep, status_value("NoNewPrivs") == 1, "NoNewPrivs is not 1");
	if (bounding_dropped)
		expect(rep, status_value("CapBnd") == 0, "CapBnd is %" PRIx64,
		       status_value("CapBnd"));
	expect(rep, status_value("CapEff") == 0, "CapEff is %" PRIx64, status_value("CapEff"));
	expect(rep, status_value("CapPrm") == 0, "CapPrm is %" PRIx64, status_value("CapPrm"));
	expect(rep, status_value("CapAmb") == 0, "CapAmb is %" PRIx64, status_value("CapAmb"));
	expect(rep, status_value("Seccomp") == 2, "Seccomp is not 2 (filter)");
}

/* Fork; the child confines itself and runs the checks. */
static void run_confined(bool drop_setpcap_first)
{
	int expected_ret = drop_setpcap_first ? -EPERM : 0;
	char dir[] = "/tmp/check_privs.XXXXXX";
	char msg[2048] = "";
	int p[2];
	pid_t pid;
	ssize_t n;
	int status;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct report rep = {.len = 0};
		int r;

		if (drop_setpcap_first) {
			cap_t caps = cap_get_proc();
			cap_value_t c = CAP_SETPCAP;

			cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_CLEAR);
			cap_set_flag(caps, CAP_PERMITTED, 1, &c, CAP_CLEAR);
			cap_set_proc(caps);
		}
		r = privs_confine_pid1();
		expect(&rep, r == expected_ret, "privs_confine_pid1() = %d, expected %d", r,
		       expected_ret);
		check_denied(&rep, dir);
		check_allowed(&rep, dir, !drop_setpcap_first);
		if (rep.len && write(p[1], rep.buf, rep.len) < 0)
			_exit(3);
		_exit(rep.failures ? 1 : 0);
	}
	close(p[1]);
	n = RETRY_EINTR(read(p[0], msg, sizeof(msg) - 1));
	msg[n > 0 ? n : 0] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "confined child (status 0x%x):\n%s", status, msg);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		ck_assert_int_eq(system(cmd), 0);
	}
}

START_TEST(confine_pid1)
{
	run_confined(false);
}
END_TEST

/* Without CAP_SETPCAP the bounding set stays, but every other step still happens. */
START_TEST(confine_pid1_without_setpcap)
{
	run_confined(true);
}
END_TEST

static Suite *privs_suite(void)
{
	Suite *s = suite_create("privs");
	TCase *tc = tcase_create("session");

	tcase_add_test(tc, drop_session_as_root);
	tcase_add_test(tc, drop_session_user_with_caps);
	suite_add_tcase(s, tc);
	tc = tcase_create("pid1");
	tcase_add_test(tc, confine_pid1);
	tcase_add_test(tc, confine_pid1_without_setpcap);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(privs_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
