// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec_socket.h"
#include "fdutil.h"
#include "macros.h"
#include "run_state.h"
#include "wait_ready.h"

#define RUN_STATE_MAGIC "toolbox-run-state 1"

static const char *kind_name(enum session_kind k)
{
	return k == SESSION_KIND_TOOLBX ? "toolbx" : "init";
}

static bool is_hex_id(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	}
	return n > 0 && n <= RUN_STATE_ID_MAX;
}

/* A value that fits on one line of the file: printable ASCII only. */
static bool is_line_safe(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	}
	return true;
}

int run_state_encode(const struct run_state *s, char *buf, size_t cap)
{
	int n;

	if (!is_hex_id(s->id) || s->pid <= 0 || !s->comm[0] || !is_line_safe(s->comm) ||
	    !s->stamp[0] || !is_line_safe(s->stamp) || strchr(s->stamp, '/') ||
	    s->stamp_mtime.tv_nsec < 0 || s->stamp_mtime.tv_nsec >= 1000000000)
		return -EINVAL;
	n = snprintf(buf, cap,
		     RUN_STATE_MAGIC "\n"
				     "id=%s\n"
				     "pid=%ld\n"
				     "starttime=%llu\n"
				     "comm=%s\n"
				     "kind=%s\n"
				     "stamp=%s\n"
				     "stamp_mtime=%lld.%09ld\n",
		     s->id, (long)s->pid, s->starttime, s->comm, kind_name(s->kind), s->stamp,
		     (long long)s->stamp_mtime.tv_sec, (long)s->stamp_mtime.tv_nsec);
	if (n < 0 || (size_t)n >= cap)
		return -ENOSPC;
	return n;
}

/* Strict unsigned decimal: digits only, no sign, no blanks, no overflow. */
static int parse_ull(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (max - (unsigned long long)(*s - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	*out = v;
	return 0;
}

static int copy_value(const char *v, char *dst, size_t cap)
{
	if (!*v || strlen(v) >= cap || !is_line_safe(v))
		return -EINVAL;
	strcpy(dst, v);
	return 0;
}

static int parse_mtime(const char *v, struct timespec *ts)
{
	char sec[32];
	const char *dot = strchr(v, '.');
	unsigned long long s, ns;

	if (!dot || (size_t)(dot - v) >= sizeof(sec) || strlen(dot + 1) != 9)
		return -EINVAL;
	memcpy(sec, v, (size_t)(dot - v));
	sec[dot - v] = '\0';
	/* Nanoseconds keep their leading zeros: parse them digit by digit. */
	ns = 0;
	for (const char *p = dot + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		ns = ns * 10 + (unsigned long long)(*p - '0');
	}
	if (parse_ull(sec, INT64_MAX, &s) < 0)
		return -EINVAL;
	ts->tv_sec = (time_t)s;
	ts->tv_nsec = (long)ns;
	return 0;
}

enum {
	KEY_ID = 1 << 0,
	KEY_PID = 1 << 1,
	KEY_START = 1 << 2,
	KEY_COMM = 1 << 3,
	KEY_KIND = 1 << 4,
	KEY_STAMP = 1 << 5,
	KEY_MTIME = 1 << 6,
	KEY_ALL = (1 << 7) - 1,
};

static int decode_line(char *line, struct run_state *s, unsigned int *seen)
{
	char *eq = strchr(line, '=');
	const char *k, *v;
	unsigned long long u = 0;
	unsigned int bit;
	int r;

	if (!eq)
		return -EINVAL;
	*eq = '\0';
	k = line;
	v = eq + 1;
	if (strcmp(k, "id") == 0) {
		bit = KEY_ID;
		r = is_hex_id(v) ? copy_value(v, s->id, sizeof(s->id)) : -EINVAL;
	} else if (strcmp(k, "pid") == 0) {
		bit = KEY_PID;
		r = parse_ull(v, INT32_MAX, &u);
		s->pid = (pid_t)u;
		if (r == 0 && s->pid <= 0)
			r = -EINVAL;
	} else if (strcmp(k, "starttime") == 0) {
		bit = KEY_START;
		r = parse_ull(v, UINT64_MAX, &s->starttime);
	} else if (strcmp(k, "comm") == 0) {
		bit = KEY_COMM;
		r = copy_value(v, s->comm, sizeof(s->comm));
	} else if (strcmp(k, "kind") == 0) {
		bit = KEY_KIND;
		r = 0;
		if (strcmp(v, "init") == 0)
			s->kind = SESSION_KIND_INIT;
		else if (strcmp(v, "toolbx") == 0)
			s->kind = SESSION_KIND_TOOLBX;
		else
			r = -EINVAL;
	} else if (strcmp(k, "stamp") == 0) {
		bit = KEY_STAMP;
		r = strchr(v, '/') ? -EINVAL : copy_value(v, s->stamp, sizeof(s->stamp));
	} else if (strcmp(k, "stamp_mtime") == 0) {
		bit = KEY_MTIME;
		r = parse_mtime(v, &s->stamp_mtime);
	} else {
		return -EINVAL;
	}
	if (r < 0 || (*seen & bit))
		return -EINVAL;
	*seen |= bit;
	return 0;
}

int run_state_decode(const char *buf, size_t len, struct run_state *s)
{
	char text[RUN_STATE_MAX + 1];
	unsigned int seen = 0;
	char *line, *next;
	size_t mlen = strlen(RUN_STATE_MAGIC);

	memset(s, 0, sizeof(*s));
	if (len > RUN_STATE_MAX || memchr(buf, '\0', len))
		return -EINVAL;
	memcpy(text, buf, len);
	text[len] = '\0';
	if (len == 0 || text[len - 1] != '\n' || strncmp(text, RUN_STATE_MAGIC, mlen) != 0 ||
	    text[mlen] != '\n')
		return -EINVAL;
	for (line = text + mlen + 1; *line; line = next) {
		char *nl = strchr(line, '\n');

		*nl = '\0';
		next = nl + 1;
		if (decode_line(line, s, &seen) < 0) {
			memset(s, 0, sizeof(*s));
			return -EINVAL;
		}
	}
	if (seen != KEY_ALL) {
		memset(s, 0, sizeof(*s));
		return -EINVAL;
	}
	return 0;
}

int proc_stat_parse(const char *buf, size_t len, struct proc_stat *out)
{
	char text[1024];
	const char *open, *close;
	char *p, *end;
	unsigned long long fields[20];
	size_t n;

	memset(out, 0, sizeof(*out));
	if (len >= sizeof(text) || memchr(buf, '\0', len))
		return -EINVAL;
	memcpy(text, buf, len);
	text[len] = '\0';
	/* "PID (COMM) S ...": COMM is anything, so take the last ')'. */
	open = strchr(text, '(');
	close = strrchr(text, ')');
	if (!open || !close || close < open || (size_t)(close - open - 1) > RUN_STATE_COMM_MAX)
		return -EINVAL;
	memcpy(out->comm, open + 1, (size_t)(close - open - 1));
	out->comm[close - open - 1] = '\0';
	if (close[1] != ' ' || !close[2] || close[3] != ' ')
		return -EINVAL;
	out->state = close[2];
	/* Fields 4 (ppid) to 22 (starttime); pgrp, session, tty_nr and tpgid may be
	 * negative (tpgid is -1 without a terminal). */
	p = (char *)close + 4;
	for (n = 0; n < 19; n++) {
		long long v;

		errno = 0;
		v = strtoll(p, &end, 10);
		if (errno || end == p || (*end != ' ' && *end != '\n' && *end != '\0'))
			return -EINVAL;
		fields[n] = (unsigned long long)v;
		if (n == 18 && (v < 0))
			return -EINVAL;
		p = end;
	}
	out->ppid = (pid_t)(long long)fields[0];
	out->pgrp = (pid_t)(long long)fields[1];
	out->session = (pid_t)(long long)fields[2];
	out->tty_nr = (int)(long long)fields[3];
	out->tpgid = (pid_t)(long long)fields[4];
	out->starttime = fields[18];
	return 0;
}

int proc_stat_read(pid_t pid, struct proc_stat *out)
{
	_cleanup_close_ int fd = -1;
	char path[64], buf[1024];
	ssize_t n;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = RETRY_EINTR(read(fd, buf, sizeof(buf) - 1));
	if (n < 0)
		return errno == ESRCH ? -ESRCH : -errno;
	return proc_stat_parse(buf, (size_t)n, out);
}

void proc_start_realtime(unsigned long long starttime, struct timespec *out)
{
	struct timespec boot, real;
	long hz = sysconf(_SC_CLK_TCK);
	long long since_boot_ns, ago_ns, real_ns;

	if (hz <= 0)
		hz = 100;
	clock_gettime(CLOCK_BOOTTIME, &boot);
	clock_gettime(CLOCK_REALTIME, &real);
	since_boot_ns = (long long)(starttime / (unsigned long long)hz) * 1000000000LL +
			(long long)(starttime % (unsigned long long)hz) * (1000000000LL / hz);
	ago_ns = ((long long)boot.tv_sec * 1000000000LL + boot.tv_nsec) - since_boot_ns;
	if (ago_ns < 0)
		ago_ns = 0;
	real_ns = (long long)real.tv_sec * 1000000000LL + real.tv_nsec - ago_ns;
	out->tv_sec = (time_t)(real_ns / 1000000000LL);
	out->tv_nsec = (long)(real_ns % 1000000000LL);
}

int run_state_dir_open(const char *ready)
{
	char dir[PATH_MAX];
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/launcher", ready) >= sizeof(dir))
		return -ENAMETOOLONG;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		r = ready_dir_make(ready);
		if (r < 0)
			return r;
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -errno;
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_uid != geteuid() || (st.st_mode & 022))
		return -EPERM;
	return steal_fd(&fd);
}

static int file_name(char *buf, size_t cap, const char *name, const char *suffix)
{
	int n;

	if (!*name || strchr(name, '/') || name[0] == '.')
		return -EINVAL;
	n = snprintf(buf, cap, "%s.%s", name, suffix);
	if (n < 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	return 0;
}

int run_state_load(int dirfd, const char *name, struct run_state *s)
{
	char file[NAME_MAX + 1], buf[RUN_STATE_MAX + 1];
	_cleanup_close_ int fd = -1;
	struct stat st;
	ssize_t n;
	int r;

	r = file_name(file, sizeof(file), name, "state");
	if (r < 0)
		return r;
	fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_size > RUN_STATE_MAX)
		return -EINVAL;
	n = RETRY_EINTR(read(fd, buf, sizeof(buf)));
	if (n < 0)
		return -errno;
	return run_state_decode(buf, (size_t)n, s);
}

int run_state_save(int dirfd, const char *name, const struct run_state *s)
{
	char file[NAME_MAX + 1], buf[RUN_STATE_MAX];
	struct file_meta meta = {.mode = 0600, .uid = geteuid(), .gid = getegid()};
	int n, r;

	r = file_name(file, sizeof(file), name, "state");
	if (r < 0)
		return r;
	n = run_state_encode(s, buf, sizeof(buf));
	if (n < 0)
		return n;
	return fd_replace_file_at(dirfd, file, buf, (size_t)n, &meta);
}

void run_state_forget(int dirfd, const char *name)
{
	char file[NAME_MAX + 1];

	if (file_name(file, sizeof(file), name, "state") == 0)
		unlinkat(dirfd, file, 0);
}

void run_state_forget_container(const char *name, const char *id)
{
	char dir[PATH_MAX], sock[PATH_MAX], stamp[NAME_MAX + 1];
	_cleanup_close_ int dfd = -1, rfd = -1;
	int n;

	if (ready_dir(dir, sizeof(dir)) < 0)
		return;
	dfd = run_state_dir_open(dir);
	if (dfd >= 0)
		run_state_forget(dfd, name);
	if (exec_socket_path(dir, id, sock, sizeof(sock)) < 0)
		return; /* no id, or not one that names a file */
	unlink(sock);
	rfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	n = snprintf(stamp, sizeof(stamp), "container-initialized-%s", id);
	if (rfd >= 0 && n > 0 && (size_t)n < sizeof(stamp))
		unlinkat(rfd, stamp, 0);
}

bool run_state_valid(const struct run_state *s, int ready_dirfd)
{
	struct proc_stat ps;
	struct stat st;

	if (proc_stat_read(s->pid, &ps) < 0)
		return false;
	if (ps.state == 'Z' || ps.state == 'X' || ps.starttime != s->starttime ||
	    strcmp(ps.comm, s->comm) != 0)
		return false;
	if (fstatat(ready_dirfd, s->stamp, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return false;
	return st.st_mtim.tv_sec == s->stamp_mtime.tv_sec &&
	       st.st_mtim.tv_nsec == s->stamp_mtime.tv_nsec;
}

int run_state_lock(int dirfd, const char *name)
{
	char file[NAME_MAX + 1];
	_cleanup_close_ int fd = -1;
	int r;

	r = file_name(file, sizeof(file), name, "lock");
	if (r < 0)
		return r;
	fd = openat(dirfd, file, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (RETRY_EINTR(flock(fd, LOCK_EX)) < 0)
		return -errno;
	return steal_fd(&fd);
}
