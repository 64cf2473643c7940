/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ownership helpers, EINTR retry and small utilities shared by both trees. */
#ifndef TB_MACROS_H
#define TB_MACROS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Retry an expression that fails with -1/EINTR. Never wrap close() in it. */
#define RETRY_EINTR(expr)                                                                          \
	({                                                                                         \
		__typeof__(expr) _r;                                                               \
		do {                                                                               \
			_r = (expr);                                                               \
		} while (_r == -1 && errno == EINTR);                                              \
		_r;                                                                                \
	})

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

/* Closes and keeps errno: usable on error paths. Accepts -1. */
static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void cleanup_fclosep(FILE **f)
{
	if (*f) {
		int saved = errno;
		fclose(*f);
		errno = saved;
	}
}

#define _cleanup_free_ __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_ __attribute__((cleanup(cleanup_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(cleanup_fclosep)))

/* Hand ownership out of a cleanup variable. */
static inline int steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

static inline void *steal_ptr_impl(void **p)
{
	void *r = *p;
	*p = NULL;
	return r;
}
#define steal_ptr(p) steal_ptr_impl((void **)(p))

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))

#endif
