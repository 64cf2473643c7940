// SPDX-License-Identifier: GPL-2.0-or-later
/* SOCK_SEQPACKET I/O for proto.h: SCM_RIGHTS, MSG_TRUNC/MSG_CTRUNC, SO_PEERCRED. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "macros.h"
#include "proto.h"
#include "proto_io.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

/* Control buffer for up to PROTO_MAX_FDS fds, aligned for struct cmsghdr. */
union proto_cmsg {
	struct cmsghdr align;
	char buf[CMSG_SPACE(sizeof(int) * PROTO_MAX_FDS)];
};

static void close_all(int *fds, size_t n)
{
	if (!fds)
		return;
	for (size_t i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

ssize_t proto_recv(int sock, void *buf, size_t cap, int *fds, size_t maxfds, size_t *nfds)
{
	union proto_cmsg cbuf;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf.buf,
		.msg_controllen = sizeof(cbuf.buf),
	};
	int got[PROTO_MAX_FDS];
	size_t ngot = 0;
	bool bad = false;
	ssize_t n;

	if (nfds)
		*nfds = 0;
	n = RETRY_EINTR(recvmsg(sock, &mh, MSG_CMSG_CLOEXEC));
	if (n < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0)) {
			bad = true;
			continue;
		}
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (ngot < PROTO_MAX_FDS)
				got[ngot++] = fd;
			else
				close(fd);
		}
	}
	if (bad || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || ngot > maxfds || (size_t)n >= cap) {
		close_all(got, ngot);
		return -EBADMSG;
	}
	if (n == 0 && ngot > 0) {
		/* A zero-length datagram is not a message; fds with it are a protocol error. */
		close_all(got, ngot);
		return -EBADMSG;
	}
	for (size_t i = 0; i < ngot; i++)
		fds[i] = got[i];
	if (nfds)
		*nfds = ngot;
	return n;
}

int proto_send(int sock, const void *buf, size_t len, const int *fds, size_t nfds)
{
	union proto_cmsg cbuf;
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (nfds > PROTO_MAX_FDS)
		return -EINVAL;
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	n = RETRY_EINTR(sendmsg(sock, &mh, MSG_NOSIGNAL));
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int proto_send_msg(int sock, const struct proto_msg *m, const int *fds, size_t nfds)
{
	uint8_t small[512];
	_cleanup_free_ uint8_t *big = NULL;
	ssize_t n;

	n = proto_encode(m, small, sizeof(small));
	if (n == -EMSGSIZE) {
		big = malloc(PROTO_MSG_MAX);
		if (!big)
			return -ENOMEM;
		n = proto_encode(m, big, PROTO_MSG_MAX);
	}
	if (n < 0)
		return (int)n;
	return proto_send(sock, big ? big : small, (size_t)n, fds, nfds);
}

int proto_recv_msg(int sock, void *buf, struct proto_msg *m, int *fds, size_t maxfds, size_t *nfds)
{
	size_t got = 0;
	ssize_t n;
	int r;

	if (nfds)
		*nfds = 0;
	n = proto_recv(sock, buf, PROTO_RECV_BUF, fds, fds ? maxfds : 0, &got);
	if (n <= 0)
		return (int)n;
	r = proto_decode(buf, (size_t)n, m);
	if (r < 0) {
		close_all(fds, got);
		return r;
	}
	if (nfds)
		*nfds = got;
	return 1;
}

int proto_send_error(int sock, int code, const char *fmt, ...)
{
	char text[PROTO_TEXT_MAX + 1];
	struct proto_msg m = {.type = PROTO_ERROR};
	va_list ap;
	int n;

	va_start(ap, fmt);
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): started just above
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > PROTO_TEXT_MAX)
		n = (int)PROTO_TEXT_MAX;
	m.error.code = (uint32_t)(code < 0 ? -code : code);
	m.error.text.p = (const uint8_t *)text;
	m.error.text.len = (uint32_t)n;
	return proto_send_msg(sock, &m, NULL, 0);
}

int proto_send_hello(int sock, unsigned min_version, unsigned max_version, unsigned features)
{
	struct proto_msg m = {.type = PROTO_HELLO};

	m.hello.min_version = (uint16_t)min_version;
	m.hello.max_version = (uint16_t)max_version;
	m.hello.features = features;
	return proto_send_msg(sock, &m, NULL, 0);
}

unsigned proto_pick_version(const struct proto_msg *hello, unsigned min_version,
			    unsigned max_version)
{
	unsigned lo =
		hello->hello.min_version > min_version ? hello->hello.min_version : min_version;
	unsigned hi =
		hello->hello.max_version < max_version ? hello->hello.max_version : max_version;

	return lo <= hi ? hi : 0;
}

int proto_peer_get(int sock, struct proto_peer *peer)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int pidfd = -1;

	peer->pidfd = -1;
	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	if (len != sizeof(cred))
		return -EIO;
	peer->pid = cred.pid;
	peer->uid = cred.uid;
	peer->gid = cred.gid;
	len = sizeof(pidfd);
	/* The pidfd is CLOEXEC from birth (the kernel makes it so). */
	if (getsockopt(sock, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == 0 && pidfd >= 0)
		peer->pidfd = pidfd;
	return 0;
}

bool proto_path_fits(const char *path)
{
	struct sockaddr_un sa;

	return path && *path && strlen(path) < sizeof(sa.sun_path);
}

int proto_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = -1;

	if (!proto_path_fits(path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (RETRY_EINTR(connect(fd, (struct sockaddr *)&sa, sizeof(sa))) < 0)
		return -errno;
	return steal_fd(&fd);
}
