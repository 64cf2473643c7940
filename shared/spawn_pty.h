/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host terminal of a relayed command, and the byte copy between it and the caller's
 * terminal (an fd received from the container: the relay reads and writes it itself, so
 * nothing passes through the client).
 */
#ifndef TB_SPAWN_PTY_H
#define TB_SPAWN_PTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct termios;
struct winsize;

/*
 * Allocate a pty: the master (CLOEXEC, O_NONBLOCK) and the slave (CLOEXEC), which becomes
 * our controlling terminal (call it as a session leader without one). The slave gets
 * @tio and @ws when given. 0 or -errno.
 */
int spawn_pty_open(int *master, int *slave, const struct termios *tio, const struct winsize *ws);

/* A one-way copy buffer. */
struct spawn_buf {
	uint8_t data[8192];
	size_t len, off;
};

static inline bool spawn_buf_empty(const struct spawn_buf *b)
{
	return b->off >= b->len;
}

/*
 * Read once from @fd into the (empty) buffer. Returns the bytes read, 0 at end of file
 * (EIO from a pty master whose slaves are all closed counts as the end), -EAGAIN when
 * nothing is there (non-blocking fd), -errno.
 */
ssize_t spawn_buf_fill(struct spawn_buf *b, int fd);

/* Write once from the buffer to @fd. 0, -EAGAIN (non-blocking fd, full), or -errno. */
int spawn_buf_flush(struct spawn_buf *b, int fd);

/*
 * Move everything that is still in @b and then readable from the non-blocking @master to
 * @out, until the master is empty. For the end of a command: its last output.
 */
void spawn_pty_drain(struct spawn_buf *b, int master, int out);

#endif
