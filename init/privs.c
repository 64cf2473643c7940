// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Privileges: what a session keeps (nothing but the bounding set) and how PID 1 confines
 * itself once setup is over (no capabilities at all, no_new_privs, a seccomp allow-list).
 */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdbool.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "macros.h"
#include "privs.h"

/* Remember the first error of a sequence of steps that all run anyway. */
static void keep_first(int *first, int r)
{
	if (r < 0 && *first == 0)
		*first = r;
}

static int clear_ambient(void)
{
	if (cap_reset_ambient() == 0)
		return 0;
	/* Kernels before 4.3 have no ambient set: nothing to clear. */
	if (errno == EINVAL && cap_get_ambient(CAP_CHOWN) < 0)
		return 0;
	return -errno;
}

/* Empty the effective, permitted and inheritable sets. Dropping needs no privilege. */
static int clear_proc_caps(void)
{
	cap_t caps = cap_init();
	int r = 0;

	if (!caps)
		return -errno;
	if (cap_set_proc(caps) < 0)
		r = -errno;
	cap_free(caps);
	return r;
}

static int clear_bounding(void)
{
	cap_value_t max = cap_max_bits();
	int first = 0;

	for (cap_value_t c = 0; c < max; c++) {
		int on = cap_get_bound(c);

		if (on < 0) /* not known to this kernel */
			continue;
		if (on > 0 && cap_drop_bound(c) < 0)
			keep_first(&first, -errno);
	}
	return first;
}

int privs_drop_session(void)
{
	int first = 0;

	/* Ambient first: clearing the inheritable set would clear it too, but say so. */
	keep_first(&first, clear_ambient());
	keep_first(&first, clear_proc_caps());
	return first;
}

/*
 * The syscalls of the PID 1 loop (signalfd + poll, reaping, readiness files, inotify on
 * host files, the exec server's unix socket) plus what musl's malloc, stdio and exit
 * need. Names the native architecture lacks (open, poll... on aarch64) are skipped.
 * Calls that need a closer look (socket, mmap, mprotect, ioctl) get argument rules below.
 */
static const char *const pid1_syscalls[] = {
	/* I/O on fds we hold */
	"read", "readv", "pread64", "write", "writev", "pwrite64", "close", "close_range", "lseek",
	"fcntl", "dup", "dup2", "dup3", "pipe", "pipe2", "eventfd2", "getdents", "getdents64",
	"fsync", "fdatasync",
	/* waiting */
	"poll", "ppoll", "select", "pselect6", "epoll_create1", "epoll_ctl", "epoll_wait",
	"epoll_pwait", "epoll_pwait2", "timerfd_create", "timerfd_settime", "timerfd_gettime",
	"nanosleep", "clock_nanosleep", "sched_yield", "futex", "restart_syscall",
	/* signals and children */
	"rt_sigprocmask", "rt_sigreturn", "rt_sigaction", "rt_sigpending", "rt_sigtimedwait",
	"sigaltstack", "signalfd", "signalfd4", "wait4", "waitid", "kill", "tkill", "tgkill",
	"pidfd_open", "pidfd_send_signal",
	/* files: readiness stamps, monitored host files */
	"open", "openat", "stat", "lstat", "fstat", "newfstatat", "statx", "statfs", "fstatfs",
	"access", "faccessat", "faccessat2", "readlink", "readlinkat", "symlink", "symlinkat",
	"rename", "renameat", "renameat2", "unlink", "unlinkat", "mkdir", "mkdirat", "fchown",
	"fchownat", "fchmod", "fchmodat", "umask", "getcwd", "inotify_init1", "inotify_add_watch",
	"inotify_rm_watch",
	/* the exec server's socket (socket() itself is limited to AF_UNIX below) */
	"bind", "listen", "accept", "accept4", "recvmsg", "sendmsg", "recvfrom", "sendto",
	"getsockopt", "setsockopt", "getsockname", "getpeername", "shutdown",
	/* identity, time, memory, process */
	"getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getresuid",
	"getresgid", "getgroups", "clock_gettime", "clock_getres", "gettimeofday", "time", "uname",
	"getrandom", "brk", "munmap", "mremap", "madvise", "prctl", "set_tid_address", "exit",
	"exit_group"};

static const unsigned long pid1_ioctls[] = {TCGETS, TIOCGWINSZ, FIONREAD};

static int add_rule(scmp_filter_ctx ctx, const char *name, unsigned int argc,
		    const struct scmp_arg_cmp *args)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr < 0) /* unknown here, or a pseudo-syscall: this architecture lacks it */
		return 0;
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, argc, args);
}

static int add_pid1_rules(scmp_filter_ctx ctx)
{
	const struct scmp_arg_cmp unix_only[] = {SCMP_A0(SCMP_CMP_EQ, AF_UNIX)};
	const struct scmp_arg_cmp no_exec[] = {SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)};
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(pid1_syscalls); i++) {
		r = add_rule(ctx, pid1_syscalls[i], 0, NULL);
		if (r < 0)
			return r;
	}
	/* No new sockets but unix ones; no executable memory. */
	r = add_rule(ctx, "socket", ARRAY_SIZE(unix_only), unix_only);
	if (r == 0)
		r = add_rule(ctx, "socketpair", ARRAY_SIZE(unix_only), unix_only);
	if (r == 0)
		r = add_rule(ctx, "mmap", ARRAY_SIZE(no_exec), no_exec);
	if (r == 0)
		r = add_rule(ctx, "mprotect", ARRAY_SIZE(no_exec), no_exec);
	/* Terminal queries from stdio only: never TIOCSTI and friends. */
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(pid1_ioctls); i++) {
		const struct scmp_arg_cmp req[] = {
			SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, pid1_ioctls[i]),
		};

		r = add_rule(ctx, "ioctl", ARRAY_SIZE(req), req);
	}
	return r;
}

static int load_pid1_filter(void)
{
	scmp_filter_ctx ctx;
	int r;

	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx)
		return -ENOMEM;
	/* A foreign-ABI syscall (int 0x80, x32) fails too instead of killing PID 1. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(EPERM));
	if (r == 0)
		r = add_pid1_rules(ctx);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	/* libseccomp returns -errno already; keep any stray positive value an error. */
	return r > 0 ? -r : r;
}

int privs_confine_pid1(void)
{
	int first = 0;

	/* The bounding set needs CAP_SETPCAP, which the next steps take away. */
	keep_first(&first, clear_bounding());
	keep_first(&first, clear_ambient());
	keep_first(&first, clear_proc_caps());
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		keep_first(&first, -errno);
	keep_first(&first, load_pid1_filter());
	return first;
}
