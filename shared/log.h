/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One logger for both programs: "prog: message[: strerror]" on stderr, one line each. */
#ifndef TB_LOG_H
#define TB_LOG_H

#include <stdbool.h>
#include "macros.h"

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN = 1,
	LOG_LVL_INFO = 2,
	LOG_LVL_DEBUG = 3,
};

/* Program name used as the prefix; the string must outlive the program. */
void log_init(const char *prog, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Also send lines to this fd (e.g. a marker file); -1 to stop. Not owned. */
void log_set_fd(int fd);

/* "error"/"warn"/"warning"/"info"/"debug"/"trace"/"fatal"/"panic" or 0..3. -EINVAL if unknown. */
int log_parse_level(const char *s, enum log_level *out);

/*
 * Log one line at @level. @err > 0 appends ": strerror(err)" (pass errno or -r).
 * errno is preserved.
 */
void log_msg(enum log_level level, int err, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Log at ERROR with the errno appended (when err > 0) and exit(status). */
NORETURN void die_with(int status, int err, const char *fmt, ...) PRINTF_LIKE(3, 4);

#endif
