// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * init/session.c: option parsing, and session_main() run for real in a forked child
 * (as root on the host) against this very binary as the probe: started with --probe, or
 * as a login shell (argv[0] "-..."), it prints what the process got: ids, groups, cwd,
 * environment, capabilities, signal state and open fds. User switching runs in a private
 * mount namespace with test /etc/passwd and /etc/group bind-mounted over the host's.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "macros.h"
#include "session.h"

#define TEST_UID 4242
#define TEST_GID 4243

static char probe_path[PATH_MAX];

/* ---- the probe ---- */

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void probe_fds(void)
{
	int fds[256], n = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) && n < (int)ARRAY_SIZE(fds)) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] != '.' && fd != dirfd(d))
			fds[n++] = fd;
	}
	closedir(d);
	qsort(fds, (size_t)n, sizeof(fds[0]), cmp_int);
	printf("fds=");
	for (int i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", fds[i]);
	printf("\n");
}

static int probe_main(char **argv)
{
	static const char *const env[] = {"HOME", "USER", "LOGNAME", "SHELL", "PATH"};
	static const char *const keys[] = {
		"SigBlk:", "SigIgn:", "CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:"};
	char line[512], cwd[PATH_MAX];
	gid_t groups[64];
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	int n;
	FILE *f;

	/* Before anything opens an fd of its own. */
	probe_fds();
	printf("argv0=%s\n", argv[0]);
	getresuid(&ru, &eu, &su);
	getresgid(&rg, &eg, &sg);
	printf("uid=%u %u %u\ngid=%u %u %u\n", ru, eu, su, rg, eg, sg);
	n = getgroups(ARRAY_SIZE(groups), groups);
	printf("groups=");
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", groups[i]);
	printf("\ncwd=%s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	for (size_t i = 0; i < ARRAY_SIZE(env); i++)
		printf("%s=%s\n", env[i], getenv(env[i]) ? getenv(env[i]) : "(unset)");
	f = fopen("/proc/self/status", "re");
	while (f && fgets(line, sizeof(line), f)) {
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
			if (strncmp(line, keys[i], strlen(keys[i])) == 0)
				fputs(line, stdout);
		}
	}
	if (f)
		fclose(f);
	return 0;
}

/* ---- running session_main ---- */

struct run {
	int status;
	char out[8192];
	char err[4096];
};

typedef void (*setup_fn)(void *arg);

static void read_all(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < cap && (n = RETRY_EINTR(read(fd, buf + len, cap - len - 1))) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd);
}

/* session_main(@argv) in a child after @setup; its exit status (128+N if killed), output. */
static void run_session(char **argv, setup_fn setup, void *arg, struct run *res)
{
	int out[2], err[2], argc = 0, status;
	pid_t pid;

	while (argv[argc])
		argc++;
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(err, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (dup2(out[1], STDOUT_FILENO) < 0 || dup2(err[1], STDERR_FILENO) < 0)
			_exit(99);
		log_init("toolbox-init", LOG_LVL_WARN);
		if (setup)
			setup(arg);
		_exit(session_main(argc, argv));
	}
	close(out[1]);
	close(err[1]);
	/* Outputs are small: the child never blocks on a full pipe. */
	read_all(out[0], res->out, sizeof(res->out));
	read_all(err[0], res->err, sizeof(res->err));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	res->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* @text contains the whole line @line. */
static bool has_line(const char *text, const char *line)
{
	size_t len = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++) {
		if ((p == text || p[-1] == '\n') && (p[len] == '\n' || p[len] == '\0'))
			return true;
	}
	return false;
}

static int count_lines(const char *text)
{
	int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

#define assert_line(text, line)                                                                    \
	ck_assert_msg(has_line(text, line), "no line '%s' in:\n%s", line, text)

static const char *const zero_caps[] = {
	"CapInh:\t0000000000000000",
	"CapPrm:\t0000000000000000",
	"CapEff:\t0000000000000000",
	"CapAmb:\t0000000000000000",
};

/* ---- parsing ---- */

static int parse(char **argv, struct session_opts *o, char *err, size_t errlen)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return session_parse(argc, argv, o, err, errlen);
}

START_TEST(parse_no_command)
{
	char *argv[] = {"exec", NULL};
	struct session_opts o;
	char err[256];

	ck_assert_int_eq(parse(argv, &o, err, sizeof(err)), 0);
	ck_assert_ptr_null(o.cwd);
	ck_assert_ptr_null(o.user);
	ck_assert_ptr_null(o.argv[0]);
	ck_assert_int_eq(o.preserve_fds, 0);
	ck_assert(!o.help);
}
END_TEST

START_TEST(parse_full)
{
	char *argv[] = {"exec", "--cwd", "/src", "--user", "alice", "--preserve-fds",
			"2",	"--",	 "ls",	 "-l",	   "--cwd", NULL};
	struct session_opts o;
	char err[256];

	ck_assert_int_eq(parse(argv, &o, err, sizeof(err)), 0);
	ck_assert_str_eq(o.cwd, "/src");
	ck_assert_str_eq(o.user, "alice");
	ck_assert_int_eq(o.preserve_fds, 2);
	ck_assert_str_eq(o.argv[0], "ls");
	ck_assert_str_eq(o.argv[1], "-l");
	ck_assert_str_eq(o.argv[2], "--cwd");
	ck_assert_ptr_null(o.argv[3]);
}
END_TEST

START_TEST(parse_stops_at_command)
{
	char *argv[] = {"exec", "--cwd=/a", "vim", "--cwd", "/b", NULL};
	struct session_opts o;
	char err[256];

	ck_assert_int_eq(parse(argv, &o, err, sizeof(err)), 0);
	ck_assert_str_eq(o.cwd, "/a");
	ck_assert_str_eq(o.argv[0], "vim");
	ck_assert_str_eq(o.argv[1], "--cwd");
	ck_assert_str_eq(o.argv[2], "/b");
	/* Nothing was permuted. */
	ck_assert_str_eq(argv[1], "--cwd=/a");
}
END_TEST

START_TEST(parse_dash_dash_only)
{
	/* o.argv points into these: they must outlive the asserts' own blocks. */
	char *argv1[] = {"exec", "--user", "bob", "--", NULL};
	char *argv2[] = {"exec", "--help", NULL};
	struct session_opts o;
	char err[256];

	ck_assert_int_eq(parse(argv1, &o, err, sizeof(err)), 0);
	ck_assert_str_eq(o.user, "bob");
	ck_assert_ptr_null(o.argv[0]);
	ck_assert_int_eq(parse(argv2, &o, err, sizeof(err)), 0);
	ck_assert(o.help);
}
END_TEST

static void assert_parse_error(char **argv, const char *needle)
{
	struct session_opts o;
	char err[256];

	ck_assert_int_eq(parse(argv, &o, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, needle), "error '%s' does not mention '%s'", err, needle);
	ck_assert_ptr_null(strchr(err, '\n'));
}

START_TEST(parse_errors)
{
	assert_parse_error((char *[]){"exec", "--cwd", NULL}, "--cwd");
	assert_parse_error((char *[]){"exec", "--user", NULL}, "--user");
	assert_parse_error((char *[]){"exec", "--bogus", "ls", NULL}, "--bogus");
	assert_parse_error((char *[]){"exec", "-x", NULL}, "-x");
	assert_parse_error((char *[]){"exec", "--preserve-fds", "abc", NULL}, "abc");
	assert_parse_error((char *[]){"exec", "--preserve-fds", "-1", NULL}, "-1");
	assert_parse_error((char *[]){"exec", "--user", "", "ls", NULL}, "--user");
	assert_parse_error((char *[]){"exec", "--cwd=", "ls", NULL}, "--cwd");
	assert_parse_error((char *[]){"exec", "--help=yes", NULL}, "--help");
}
END_TEST

/* getopt's state is reset on every call: an error leaves nothing behind. */
START_TEST(parse_twice)
{
	char *argv1[] = {"exec", "--cwd", "/x", "a", "b", NULL};
	char *argv2[] = {"exec", "-q", "--cwd", NULL};
	char *argv3[] = {"exec", "--user", "u", "id", NULL};
	struct session_opts o;
	char err[256];

	ck_assert_int_eq(parse(argv1, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(parse(argv2, &o, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(parse(argv3, &o, err, sizeof(err)), 0);
	ck_assert_ptr_null(o.cwd);
	ck_assert_str_eq(o.user, "u");
	ck_assert_str_eq(o.argv[0], "id");
}
END_TEST

START_TEST(main_bad_option_is_125)
{
	struct run r;

	run_session((char *[]){"exec", "--nope", "true", NULL}, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 125);
	ck_assert_int_eq(count_lines(r.err), 1);
	ck_assert_ptr_nonnull(strstr(r.err, "toolbox-init: error: exec: unknown option '--nope'"));
	ck_assert_str_eq(r.out, "");
}
END_TEST

START_TEST(main_help)
{
	struct run r;

	run_session((char *[]){"exec", "--help", NULL}, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "Usage: toolbox-init exec"));
	ck_assert_str_eq(r.err, "");
}
END_TEST

/* ---- exit statuses ---- */

START_TEST(exit_status_is_the_command_s)
{
	struct run r;

	run_session((char *[]){"exec", "--", "sh", "-c", "exit 42", NULL}, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 42);
	run_session((char *[]){"exec", "sh", "-c", "exit 0", NULL}, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 0);
	/* A command that itself exits 127 keeps it, and we say nothing. */
	run_session((char *[]){"exec", "sh", "-c", "exit 127", NULL}, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 127);
	ck_assert_str_eq(r.err, "");
	run_session((char *[]){"exec", "sh", "-c", "kill -TERM $$", NULL}, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 128 + SIGTERM);
}
END_TEST

static void set_session_file(void *arg)
{
	setenv("TOOLBOX_SESSION_FILE", arg, 1);
}

START_TEST(session_pid_file)
{
	char dir[] = "/tmp/check_session.XXXXXX", path[128], bad[128], text[64] = "";
	struct run r;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/session-0123456789abcdef0123456789abcdef.pid", dir);
	/* The command sees its own PID in the file, and not the variable. */
	run_session((char *[]){"exec", "sh", "-c", "echo $$; echo [$TOOLBOX_SESSION_FILE]", NULL},
		    set_session_file, path, &r);
	ck_assert_int_eq(r.status, 0);
	f = fopen(path, "re");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(text, sizeof(text), f));
	fclose(f);
	ck_assert_msg(strncmp(r.out, text, strlen(text)) == 0, "file %s, command %s", text, r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "[]"));
	/* Any other name is ignored, quietly, and the command still runs. */
	snprintf(bad, sizeof(bad), "%s/passwd", dir);
	run_session((char *[]){"exec", "true", NULL}, set_session_file, bad, &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.err, "");
	ck_assert_int_eq(access(bad, F_OK), -1);
	/* An existing file is never overwritten (O_EXCL), and that is not fatal. */
	run_session((char *[]){"exec", "true", NULL}, set_session_file, path, &r);
	ck_assert_int_eq(r.status, 0);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(not_found_is_127)
{
	struct run r;

	run_session((char *[]){"exec", "--", "tb-no-such-command-h6", "x", NULL}, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 127);
	ck_assert_int_eq(count_lines(r.err), 1);
	ck_assert_ptr_nonnull(strstr(r.err, "command not found: tb-no-such-command-h6"));

	run_session((char *[]){"exec", "/nonexistent/tb-cmd", NULL}, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 127);
	ck_assert_int_eq(count_lines(r.err), 1);
	ck_assert_ptr_nonnull(strstr(r.err, "command not found: /nonexistent/tb-cmd"));

	run_session((char *[]){"exec", "", NULL}, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 127);
}
END_TEST

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void set_path(void *arg)
{
	setenv("PATH", arg, 1);
}

START_TEST(cannot_execute_is_126)
{
	char dir[] = "/tmp/check_session.XXXXXX";
	char path[256];
	struct run r;

	ck_assert_ptr_nonnull(mkdtemp(dir));

	/* Not executable (root too needs an x bit). */
	snprintf(path, sizeof(path), "%s/noexec", dir);
	write_file(path, "#!/bin/sh\nexit 0\n", 0644);
	run_session((char *[]){"exec", path, NULL}, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 126);
	ck_assert_int_eq(count_lines(r.err), 1);
	ck_assert_ptr_nonnull(strstr(r.err, "cannot execute"));
	ck_assert_ptr_nonnull(strstr(r.err, "Permission denied"));
	/* The same through PATH. */
	run_session((char *[]){"exec", "noexec", NULL}, set_path, dir, &r);
	ck_assert_int_eq(r.status, 126);
	ck_assert_ptr_nonnull(strstr(r.err, path));

	/* A directory. */
	run_session((char *[]){"exec", dir, NULL}, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 126);
	ck_assert_ptr_nonnull(strstr(r.err, "Is a directory"));

	/* A script whose interpreter is missing: there, but cannot run (as bash says). */
	snprintf(path, sizeof(path), "%s/badinterp", dir);
	write_file(path, "#!/nonexistent/tb-interp -x\n", 0755);
	run_session((char *[]){"exec", path, NULL}, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 126);
	ck_assert_ptr_nonnull(strstr(r.err, "interpreter /nonexistent/tb-interp is missing"));
	run_session((char *[]){"exec", "badinterp", NULL}, set_path, dir, &r);
	ck_assert_int_eq(r.status, 126);

	/* Not a program at all. */
	snprintf(path, sizeof(path), "%s/garbage", dir);
	write_file(path, "\x01\x02\x03 garbage\n", 0755);
	run_session((char *[]){"exec", path, NULL}, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 126);
	ck_assert_ptr_nonnull(strstr(r.err, "Exec format error"));

	/* PATH search goes on past a non-executable match to a runnable one. */
	snprintf(path, sizeof(path), "%s:/usr/bin:/bin", dir);
	run_session((char *[]){"exec", "noexec", NULL}, set_path, path, &r);
	ck_assert_int_eq(r.status, 126);
	snprintf(path, sizeof(path), "%s/true", dir);
	write_file(path, "#!/bin/sh\nexit 0\n", 0644);
	snprintf(path, sizeof(path), "%s:/usr/bin:/bin", dir);
	run_session((char *[]){"exec", "true", NULL}, set_path, path, &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.err, "");

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

static void unset_path(void *arg)
{
	unsetenv("PATH");
}

START_TEST(default_path)
{
	struct run r;

	run_session((char *[]){"exec", "sh", "-c", "echo \"$PATH\"", NULL}, unset_path, NULL, &r);
	ck_assert_int_eq(r.status, 0);
	assert_line(r.out, "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
}
END_TEST

/* ---- working directory ---- */

static void set_home(void *arg)
{
	if (arg)
		setenv("HOME", arg, 1);
	else
		unsetenv("HOME");
}

START_TEST(cwd_kept_or_home)
{
	char dir[] = "/tmp/check_session.XXXXXX";
	char line[256];
	struct run r;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	run_session((char *[]){"exec", "--cwd", dir, probe_path, "--probe", NULL}, set_home, "/",
		    &r);
	ck_assert_int_eq(r.status, 0);
	snprintf(line, sizeof(line), "cwd=%s", dir);
	assert_line(r.out, line);
	ck_assert_str_eq(r.err, "");

	/* Missing: $HOME, with one line saying so. */
	run_session((char *[]){"exec", "--cwd", "/nonexistent/tb-dir", probe_path, "--probe", NULL},
		    set_home, dir, &r);
	ck_assert_int_eq(r.status, 0);
	assert_line(r.out, line);
	ck_assert_int_eq(count_lines(r.err), 1);
	snprintf(line, sizeof(line),
		 "toolbox-init: warning: directory /nonexistent/tb-dir does not exist in the "
		 "container; using %s instead",
		 dir);
	assert_line(r.err, line);

	rmdir(dir);
}
END_TEST

/* ---- process state ---- */

static void mess_up_signals(void *arg)
{
	static const int ignored[] = {SIGINT,  SIGQUIT, SIGPIPE, SIGHUP,
				      SIGTERM, SIGUSR1, SIGCHLD, SIGTTOU};
	struct sigaction sa = {.sa_handler = SIG_IGN};
	sigset_t all;

	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		unsigned long mask;
	} ksa = {.handler = SIG_IGN};

	for (size_t i = 0; i < ARRAY_SIZE(ignored); i++)
		sigaction(ignored[i], &sa, NULL);
	/* Signals 32 and 33, which libc keeps to itself: a CI runner may leave them ignored. */
	for (int sig = 32; sig <= 33; sig++)
		syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof(ksa.mask));
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
}

START_TEST(signals_reset)
{
	struct run r;

	run_session((char *[]){"exec", probe_path, "--probe", NULL}, mess_up_signals, NULL, &r);
	ck_assert_int_eq(r.status, 0);
	assert_line(r.out, "SigBlk:\t0000000000000000");
	/* The whole line on failure, whatever the rest of the output. */
	{
		const char *ign = strstr(r.out, "SigIgn:");
		char line[64] = "(missing)";

		if (ign)
			snprintf(line, sizeof(line), "%.*s", (int)strcspn(ign, "\n"), ign);
		ck_assert_str_eq(line, "SigIgn:\t0000000000000000");
	}
}
END_TEST

static void leak_fds(void *arg)
{
	int fd = open("/dev/null", O_RDONLY);

	for (int i = 3; i < 12; i++) {
		if (i != fd)
			dup2(fd, i);
	}
	if (dup2(fd, 100) < 0)
		_exit(98);
}

START_TEST(fds_closed)
{
	struct run r;

	run_session((char *[]){"exec", probe_path, "--probe", NULL}, leak_fds, NULL, &r);
	ck_assert_int_eq(r.status, 0);
	assert_line(r.out, "fds=0,1,2");

	run_session((char *[]){"exec", "--preserve-fds", "2", probe_path, "--probe", NULL},
		    leak_fds, NULL, &r);
	ck_assert_int_eq(r.status, 0);
	assert_line(r.out, "fds=0,1,2,3,4");
}
END_TEST

static void close_stdin(void *arg)
{
	close(STDIN_FILENO);
}

START_TEST(stdio_reopened)
{
	struct run r;

	run_session((char *[]){"exec", probe_path, "--probe", NULL}, close_stdin, NULL, &r);
	ck_assert_int_eq(r.status, 0);
	assert_line(r.out, "fds=0,1,2");
}
END_TEST

/* ---- users, in a private mount namespace with our own passwd and group ---- */

struct userdb {
	char dir[64];
	char passwd[128];
	char group[128];
};

static void userdb_create(struct userdb *db, const char *root_shell)
{
	char text[3 * PATH_MAX];

	snprintf(db->dir, sizeof(db->dir), "/tmp/check_session.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(db->dir));
	ck_assert_int_eq(chmod(db->dir, 0755), 0);
	snprintf(db->passwd, sizeof(db->passwd), "%s/passwd", db->dir);
	snprintf(db->group, sizeof(db->group), "%s/group", db->dir);
	snprintf(text, sizeof(text),
		 "root:x:0:0:root:/root:%s\n"
		 "broken line\n"
		 "tbsess:x:%d:%d:Session User:%s:%s\n"
		 "tbnoshell:x:4300:4300::/nonexistent-home:/nonexistent/shell\n",
		 root_shell, TEST_UID, TEST_GID, db->dir, probe_path);
	write_file(db->passwd, text, 0644);
	snprintf(text, sizeof(text),
		 "root:x:0:\n"
		 "tbsess:x:%d:\n"
		 "wheel:x:4250:other,tbsess\n"
		 "others:x:4251:other,tbsessx\n"
		 "dup:x:%d:tbsess\n"
		 "video:x:4252:tbsess\n",
		 TEST_GID, TEST_GID);
	write_file(db->group, text, 0644);
}

static void userdb_remove(struct userdb *db)
{
	unlink(db->passwd);
	unlink(db->group);
	rmdir(db->dir);
}

/* In the child: bind the test files over /etc/passwd and /etc/group, privately. */
static void userdb_mount(const struct userdb *db)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(db->passwd, "/etc/passwd", NULL, MS_BIND, NULL) < 0 ||
	    mount(db->group, "/etc/group", NULL, MS_BIND, NULL) < 0)
		_exit(97);
}

static void setup_userdb(void *arg)
{
	userdb_mount(arg);
	setenv("HOME", "/root", 1);
	setenv("USER", "root", 1);
}

/* Also feed the login shell a script on stdin. */
static void setup_userdb_stdin(void *arg)
{
	static const char script[] = "echo \"$(pwd) $0\"\n";
	int p[2];

	setup_userdb(arg);
	if (pipe(p) < 0 || write(p[1], script, sizeof(script) - 1) < 0 || close(p[1]) < 0 ||
	    dup2(p[0], STDIN_FILENO) < 0)
		_exit(94);
	close(p[0]);
}

START_TEST(switch_user)
{
	struct userdb db = {.dir = ""};
	char line[PATH_MAX + 16];
	struct run r;

	userdb_create(&db, "/bin/sh");
	run_session(
		(char *[]){"exec", "--user", "tbsess", "--cwd", "/", probe_path, "--probe", NULL},
		setup_userdb, &db, &r);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	assert_line(r.out, "uid=4242 4242 4242");
	assert_line(r.out, "gid=4243 4243 4243");
	assert_line(r.out, "groups=4243,4250,4252");
	snprintf(line, sizeof(line), "HOME=%s", db.dir);
	assert_line(r.out, line);
	assert_line(r.out, "USER=tbsess");
	assert_line(r.out, "LOGNAME=tbsess");
	snprintf(line, sizeof(line), "SHELL=%s", probe_path);
	assert_line(r.out, line);
	assert_line(r.out, "cwd=/");
	for (size_t i = 0; i < ARRAY_SIZE(zero_caps); i++)
		assert_line(r.out, zero_caps[i]);
	ck_assert_str_eq(r.err, "");

	/* A uid works as well. */
	run_session((char *[]){"exec", "--user", "4242", probe_path, "--probe", NULL}, setup_userdb,
		    &db, &r);
	ck_assert_int_eq(r.status, 0);
	assert_line(r.out, "uid=4242 4242 4242");
	assert_line(r.out, "USER=tbsess");
	userdb_remove(&db);
}
END_TEST

START_TEST(switch_user_login_shell)
{
	struct userdb db = {.dir = ""};
	char line[PATH_MAX + 16];
	struct run r;

	userdb_create(&db, "/bin/sh");
	run_session((char *[]){"exec", "--user", "tbsess", "--cwd", "/nonexistent/tb-dir", NULL},
		    setup_userdb, &db, &r);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	snprintf(line, sizeof(line), "argv0=-%s", strrchr(probe_path, '/') + 1);
	assert_line(r.out, line);
	snprintf(line, sizeof(line), "cwd=%s", db.dir);
	assert_line(r.out, line);
	ck_assert_int_eq(count_lines(r.err), 1);
	userdb_remove(&db);
}
END_TEST

START_TEST(switch_user_errors)
{
	struct userdb db = {.dir = ""};
	struct run r;

	userdb_create(&db, "/bin/sh");
	run_session((char *[]){"exec", "--user", "tb-nobody-h6", "true", NULL}, setup_userdb, &db,
		    &r);
	ck_assert_int_eq(r.status, 125);
	ck_assert_int_eq(count_lines(r.err), 1);
	ck_assert_ptr_nonnull(strstr(r.err, "user tb-nobody-h6 not found"));

	/* A shell that is not there: SHELL=/bin/sh, quietly for a command... */
	run_session((char *[]){"exec", "--user", "tbnoshell", "--cwd", "/", "sh", "-c",
			       "echo \"$SHELL $HOME\"", NULL},
		    setup_userdb, &db, &r);
	ck_assert_int_eq(r.status, 0);
	assert_line(r.out, "/bin/sh /nonexistent-home");
	ck_assert_str_eq(r.err, "");
	/* ... with a warning for a login shell; neither DIR nor HOME exist: / */
	run_session((char *[]){"exec", "--user", "tbnoshell", "--cwd", "/nonexistent/tb-dir", NULL},
		    setup_userdb_stdin, &db, &r);
	ck_assert_int_eq(r.status, 0);
	assert_line(r.out, "/ -sh");
	ck_assert_int_eq(count_lines(r.err), 2);
	assert_line(r.err, "toolbox-init: warning: directory /nonexistent/tb-dir does not exist in "
			   "the container; using / instead");
	assert_line(r.err, "toolbox-init: warning: login shell /nonexistent/shell of user "
			   "tbnoshell is not usable in the container; using /bin/sh");
	userdb_remove(&db);
}
END_TEST

/* Root without --user: stays root; the login shell comes from root's passwd entry. */
START_TEST(root_login_shell)
{
	struct userdb db = {.dir = ""};
	char line[PATH_MAX + 16];
	struct run r;

	userdb_create(&db, probe_path);
	run_session((char *[]){"exec", "--", NULL}, setup_userdb, &db, &r);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	snprintf(line, sizeof(line), "argv0=-%s", strrchr(probe_path, '/') + 1);
	assert_line(r.out, line);
	assert_line(r.out, "uid=0 0 0");
	/* podman's HOME and USER are kept; what is missing is filled in. */
	assert_line(r.out, "HOME=/root");
	assert_line(r.out, "LOGNAME=root");
	userdb_remove(&db);
}
END_TEST

/* podman exec --user in a --privileged container: a user with full capabilities. */
static void become_user_with_caps(void *arg)
{
	cap_t caps;

	userdb_mount(arg);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(0, NULL) < 0 ||
	    setresgid(TEST_GID, TEST_GID, TEST_GID) < 0 ||
	    setresuid(TEST_UID, TEST_UID, TEST_UID) < 0)
		_exit(96);
	caps = cap_get_proc();
	if (!caps || cap_fill(caps, CAP_EFFECTIVE, CAP_PERMITTED) < 0 ||
	    cap_fill(caps, CAP_INHERITABLE, CAP_PERMITTED) < 0 || cap_set_proc(caps) < 0 ||
	    cap_set_ambient(CAP_NET_RAW, CAP_SET) < 0)
		_exit(95);
	cap_free(caps);
	setenv("HOME", "/custom-home", 1);
	unsetenv("USER");
	unsetenv("LOGNAME");
	unsetenv("SHELL");
}

START_TEST(podman_switched_user)
{
	struct userdb db = {.dir = ""};
	char line[PATH_MAX + 16];
	struct run r;

	userdb_create(&db, "/bin/sh");
	run_session(
		(char *[]){"exec", "--user", "tbsess", "--cwd", "/", probe_path, "--probe", NULL},
		become_user_with_caps, &db, &r);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	assert_line(r.out, "uid=4242 4242 4242");
	for (size_t i = 0; i < ARRAY_SIZE(zero_caps); i++)
		assert_line(r.out, zero_caps[i]);
	assert_line(r.out, "HOME=/custom-home");
	assert_line(r.out, "USER=tbsess");
	assert_line(r.out, "LOGNAME=tbsess");
	snprintf(line, sizeof(line), "SHELL=%s", probe_path);
	assert_line(r.out, line);
	userdb_remove(&db);
}
END_TEST

static Suite *session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, parse_no_command);
	tcase_add_test(tc, parse_full);
	tcase_add_test(tc, parse_stops_at_command);
	tcase_add_test(tc, parse_dash_dash_only);
	tcase_add_test(tc, parse_errors);
	tcase_add_test(tc, parse_twice);
	suite_add_tcase(s, tc);

	tc = tcase_create("exec");
	tcase_add_test(tc, main_bad_option_is_125);
	tcase_add_test(tc, main_help);
	tcase_add_test(tc, exit_status_is_the_command_s);
	tcase_add_test(tc, not_found_is_127);
	tcase_add_test(tc, cannot_execute_is_126);
	tcase_add_test(tc, default_path);
	tcase_add_test(tc, cwd_kept_or_home);
	tcase_add_test(tc, signals_reset);
	tcase_add_test(tc, fds_closed);
	tcase_add_test(tc, stdio_reopened);
	suite_add_tcase(s, tc);

	tc = tcase_create("user");
	tcase_add_test(tc, switch_user);
	tcase_add_test(tc, switch_user_login_shell);
	tcase_add_test(tc, switch_user_errors);
	tcase_add_test(tc, root_login_shell);
	tcase_add_test(tc, podman_switched_user);
	tcase_add_test(tc, session_pid_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr;
	ssize_t n;
	int failed;

	/* Started by session_main as the probe, or as a login shell ("-check_session"). */
	if (argv[0][0] == '-' || (argc > 1 && strcmp(argv[1], "--probe") == 0))
		return probe_main(argv);

	n = readlink("/proc/self/exe", probe_path, sizeof(probe_path) - 1);
	if (n < 0) {
		perror("readlink /proc/self/exe");
		return EXIT_FAILURE;
	}
	probe_path[n] = '\0';
	sr = srunner_create(session_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
