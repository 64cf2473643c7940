// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * probe: report what this process was given, one key=value a line, for the integration
 * tests (the idea of crun's tests/init.c). Static, so it runs in any image, even one
 * with no libc or no files at all.
 *
 *   probe [--env] [--fds] [--exit N] [--connect PATH]
 *
 * Keys: uid euid suid gid egid sgid groups (comma list, may be empty), CapInh CapPrm
 * CapEff CapBnd CapAmb NoNewPrivs Seccomp SigBlk SigIgn Umask (as /proc/self/status gives them),
 * fds (comma list of open fds, without the one used to list them), fd.N (what fd N
 * points to), tty (ttyname of fd 0, or "none"), cwd, pid ppid pgid sid, nofile nproc
 * (rlimits as SOFT:HARD, "unlimited" for no limit); with --env one env.NAME=VALUE per
 * variable, in order. --fds prints the fds and fd.N keys only (an fd-leak check).
 * --exit N exits with status N after printing (default 0).
 * --connect PATH connects to the Unix stream socket PATH first and prints
 * connect=ok and read=FIRST-LINE (what the server sent, if anything within a second), or
 * connect=error MESSAGE. Exit 2 on a usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

static void print_ids(void)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	gid_t groups[NGROUPS_MAX];
	int n, i;

	if (getresuid(&ruid, &euid, &suid) == 0)
		printf("uid=%u\neuid=%u\nsuid=%u\n", ruid, euid, suid);
	if (getresgid(&rgid, &egid, &sgid) == 0)
		printf("gid=%u\negid=%u\nsgid=%u\n", rgid, egid, sgid);
	n = getgroups(NGROUPS_MAX, groups);
	fputs("groups=", stdout);
	for (i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", groups[i]);
	putchar('\n');
}

/* The lines of /proc/self/status this probe reports, printed as KEY=VALUE. */
static void print_status(void)
{
	static const char *const keys[] = {"CapInh",	 "CapPrm",  "CapEff", "CapBnd", "CapAmb",
					   "NoNewPrivs", "Seccomp", "SigBlk", "SigIgn", "Umask"};
	char line[512];
	FILE *f;
	size_t i;

	f = fopen("/proc/self/status", "re");
	if (!f) {
		printf("status=error %s\n", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		char *val;

		if (!colon)
			continue;
		*colon = '\0';
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(line, keys[i]) == 0)
				break;
		if (i == sizeof(keys) / sizeof(keys[0]))
			continue;
		val = colon + 1;
		val += strspn(val, " \t");
		val[strcspn(val, "\n")] = '\0';
		printf("%s=%s\n", line, val);
	}
	fclose(f);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static void print_fds(void)
{
	int fds[1024];
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;
	int self;

	d = opendir("/proc/self/fd");
	if (!d) {
		printf("fds=error %s\n", strerror(errno));
		return;
	}
	self = dirfd(d);
	while ((de = readdir(d)) && n < sizeof(fds) / sizeof(fds[0])) {
		char *end;
		long fd;

		if (de->d_name[0] == '.')
			continue;
		fd = strtol(de->d_name, &end, 10);
		if (*end || fd == self)
			continue;
		fds[n++] = (int)fd;
	}
	closedir(d);
	qsort(fds, n, sizeof(fds[0]), cmp_int);

	fputs("fds=", stdout);
	for (i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", fds[i]);
	putchar('\n');
	for (i = 0; i < n; i++) {
		char path[64], target[PATH_MAX];
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[i]);
		len = readlink(path, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = '\0';
		printf("fd.%d=%s\n", fds[i], target);
	}
}

static void print_rlimit(const char *name, int resource)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl) < 0) {
		printf("%s=error %s\n", name, strerror(errno));
		return;
	}
	printf("%s=", name);
	if (rl.rlim_cur == RLIM_INFINITY)
		fputs("unlimited:", stdout);
	else
		printf("%llu:", (unsigned long long)rl.rlim_cur);
	if (rl.rlim_max == RLIM_INFINITY)
		puts("unlimited");
	else
		printf("%llu\n", (unsigned long long)rl.rlim_max);
}

static void print_process(void)
{
	char cwd[PATH_MAX];
	char *tty;

	tty = ttyname(0);
	printf("tty=%s\n", tty ? tty : "none");
	if (getcwd(cwd, sizeof(cwd)))
		printf("cwd=%s\n", cwd);
	else
		printf("cwd=error %s\n", strerror(errno));
	printf("pid=%d\nppid=%d\npgid=%d\nsid=%d\n", (int)getpid(), (int)getppid(), (int)getpgid(0),
	       (int)getsid(0));
	print_rlimit("nofile", RLIMIT_NOFILE);
	print_rlimit("nproc", RLIMIT_NPROC);
}

static void print_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct pollfd pfd;
	char buf[256];
	ssize_t n = 0;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		printf("connect=error path too long\n");
		return;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		printf("connect=error %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	printf("connect=ok\n");
	pfd = (struct pollfd){.fd = fd, .events = POLLIN};
	if (poll(&pfd, 1, 1000) == 1)
		n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	printf("read=%s\n", buf);
	close(fd);
}

static int usage(void)
{
	fputs("usage: probe [--env] [--fds] [--exit N] [--connect PATH]\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	int show_env = 0, only_fds = 0, status = 0;
	const char *connect_path = NULL;
	char **e;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--env") == 0) {
			show_env = 1;
		} else if (strcmp(argv[i], "--fds") == 0) {
			only_fds = 1;
		} else if (strcmp(argv[i], "--connect") == 0 && i + 1 < argc) {
			connect_path = argv[++i];
		} else if (strcmp(argv[i], "--exit") == 0 && i + 1 < argc) {
			char *end;

			status = (int)strtol(argv[++i], &end, 10);
			if (*end || status < 0 || status > 255)
				return usage();
		} else {
			return usage();
		}
	}

	if (only_fds) {
		print_fds();
		return fflush(stdout) != 0 ? 125 : status;
	}
	if (connect_path)
		print_connect(connect_path);
	print_ids();
	print_status();
	print_fds();
	print_process();
	if (show_env)
		for (e = environ; *e; e++)
			printf("env.%s\n", *e);
	if (fflush(stdout) != 0)
		return 125;
	return status;
}
