// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"

static const char *log_prog = "toolbox";
static enum log_level log_level = LOG_LVL_WARN;
static int log_fd = -1;

void log_init(const char *prog, enum log_level level)
{
	log_prog = prog;
	log_level = level;
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

void log_set_fd(int fd)
{
	log_fd = fd;
}

int log_parse_level(const char *s, enum log_level *out)
{
	static const struct {
		const char *name;
		enum log_level level;
	} names[] = {
		{"panic", LOG_LVL_ERROR}, {"fatal", LOG_LVL_ERROR},  {"error", LOG_LVL_ERROR},
		{"warn", LOG_LVL_WARN},	  {"warning", LOG_LVL_WARN}, {"info", LOG_LVL_INFO},
		{"debug", LOG_LVL_DEBUG}, {"trace", LOG_LVL_DEBUG},
	};

	if (!s || !*s)
		return -EINVAL;
	if (s[0] >= '0' && s[0] <= '3' && s[1] == '\0') {
		*out = (enum log_level)(s[0] - '0');
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (strcasecmp(s, names[i].name) == 0) {
			*out = names[i].level;
			return 0;
		}
	}
	return -EINVAL;
}

static void log_vmsg(enum log_level level, int err, const char *fmt, va_list ap)
{
	static const char *const tags[] = {"error: ", "warning: ", "", "debug: "};
	char line[1024];
	int n, m;

	n = snprintf(line, sizeof(line), "%s: %s", log_prog, tags[level]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): callers va_start it
	m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n >= sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	if (err > 0) {
		m = snprintf(line + n, sizeof(line) - (size_t)n, ": %s", strerror(err));
		if (m > 0)
			n += m;
		if ((size_t)n >= sizeof(line) - 2)
			n = (int)sizeof(line) - 2;
	}
	line[n++] = '\n';
	/* One write per line so concurrent writers do not interleave. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nothing sensible to do */
	}
	if (log_fd >= 0 && write(log_fd, line, (size_t)n) < 0) {
		/* same */
	}
}

void log_msg(enum log_level level, int err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (level > log_level) {
		errno = saved;
		return;
	}
	va_start(ap, fmt);
	log_vmsg(level, err, fmt, ap);
	va_end(ap);
	errno = saved;
}

void die_with(int status, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_ERROR, err, fmt, ap);
	va_end(ap);
	exit(status);
}
