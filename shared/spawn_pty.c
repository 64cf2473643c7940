// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "macros.h"
#include "spawn_pty.h"

int spawn_pty_open(int *master, int *slave, const struct termios *tio, const struct winsize *ws)
{
	_cleanup_close_ int m = -1, s = -1;
	char name[PATH_MAX];
	int r;

	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return -errno;
	if (grantpt(m) < 0 || unlockpt(m) < 0)
		return -errno;
	r = ptsname_r(m, name, sizeof(name));
	if (r != 0)
		return -r;
	/* No O_NOCTTY: a session leader without a terminal acquires this one. */
	s = open(name, O_RDWR | O_CLOEXEC);
	if (s < 0)
		return -errno;
	(void)ioctl(s, TIOCSCTTY, 0);
	if (tio && tcsetattr(s, TCSANOW, tio) < 0)
		return -errno;
	if (ws && (ws->ws_row || ws->ws_col) && ioctl(s, TIOCSWINSZ, ws) < 0)
		return -errno;
	r = fcntl(m, F_GETFL);
	if (r < 0 || fcntl(m, F_SETFL, r | O_NONBLOCK) < 0)
		return -errno;
	*master = steal_fd(&m);
	*slave = steal_fd(&s);
	return 0;
}

ssize_t spawn_buf_fill(struct spawn_buf *b, int fd)
{
	ssize_t n = RETRY_EINTR(read(fd, b->data, sizeof(b->data)));

	if (n < 0)
		return errno == EIO ? 0 : (errno == EWOULDBLOCK ? -EAGAIN : -errno);
	b->len = (size_t)n;
	b->off = 0;
	return n;
}

int spawn_buf_flush(struct spawn_buf *b, int fd)
{
	ssize_t n;

	if (spawn_buf_empty(b))
		return 0;
	n = RETRY_EINTR(write(fd, b->data + b->off, b->len - b->off));
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	b->off += (size_t)n;
	return 0;
}

void spawn_pty_drain(struct spawn_buf *b, int master, int out)
{
	for (int rounds = 0; rounds < 4096; rounds++) {
		while (!spawn_buf_empty(b)) {
			if (spawn_buf_flush(b, out) < 0)
				return;
		}
		if (spawn_buf_fill(b, master) <= 0)
			return;
	}
}
