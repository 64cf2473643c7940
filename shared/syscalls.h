/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wrappers for syscalls that musl 1.2 (or older glibc) does not expose. */
#ifndef TB_SYSCALLS_H
#define TB_SYSCALLS_H

#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static inline int sys_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
	return (int)syscall(__NR_close_range, first, last, flags);
}

static inline int sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return (int)syscall(__NR_pidfd_open, pid, flags);
}

/*
 * Set @sig's disposition to SIG_DFL with the raw syscall. Both libcs refuse sigaction()
 * on the signals they keep for themselves (32 and 33 in glibc, 32..34 in musl), yet an
 * ignored disposition of those is inherited across execve like any other.
 */
static inline int sys_signal_default(int sig)
{
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		unsigned long mask;
	} ksa;

	memset(&ksa, 0, sizeof(ksa));
	ksa.handler = SIG_DFL;
	return (int)syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof(ksa.mask));
}

/* openat2(2): struct open_how and the RESOLVE_* flags, as the kernel defines them. */
struct tb_open_how {
	unsigned long long flags;
	unsigned long long mode;
	unsigned long long resolve;
};
#define TB_RESOLVE_NO_MAGICLINKS 0x02
#define TB_RESOLVE_IN_ROOT 0x10

static inline int sys_openat2(int dirfd, const char *path, struct tb_open_how *how, size_t size)
{
	return (int)syscall(__NR_openat2, dirfd, path, how, size);
}

#endif
