/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The thin I/O layer under proto.h: one message per SOCK_SEQPACKET datagram, fds passed
 * with SCM_RIGHTS (received CLOEXEC), truncated datagrams and control data rejected, peer
 * credentials. Blocking sockets; EINTR is retried.
 */
#ifndef TB_PROTO_IO_H
#define TB_PROTO_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "proto.h"

/* A receive buffer: one byte more than the largest message, so that MSG_TRUNC is seen. */
#define PROTO_RECV_BUF (PROTO_MSG_MAX + 1u)

/*
 * Receive one datagram into @buf (@cap >= PROTO_RECV_BUF) and up to @maxfds fds into
 * @fds (*@nfds set; the fds are CLOEXEC and the caller owns them). Returns the length,
 * 0 when the peer closed the connection, -EBADMSG when the datagram or its control data
 * was truncated or carried something else than SCM_RIGHTS (every fd received is closed
 * then), -errno otherwise.
 */
ssize_t proto_recv(int sock, void *buf, size_t cap, int *fds, size_t maxfds, size_t *nfds);

/* Send one datagram with @nfds fds (MSG_NOSIGNAL). 0 or -errno. */
int proto_send(int sock, const void *buf, size_t len, const int *fds, size_t nfds);

/* Encode @m and send it with @fds. 0, -EMSGSIZE/-EINVAL from the encoder, or -errno. */
int proto_send_msg(int sock, const struct proto_msg *m, const int *fds, size_t nfds);

/*
 * Receive and decode one message (@buf of PROTO_RECV_BUF bytes; @m points into it).
 * Returns 1 with a message, 0 when the peer closed, -EBADMSG/-EPROTONOSUPPORT from the
 * decoder or proto_recv() (received fds are closed then), -errno. With @fds NULL, a
 * message that carries fds is -EBADMSG.
 */
int proto_recv_msg(int sock, void *buf, struct proto_msg *m, int *fds, size_t maxfds, size_t *nfds);

/* Send ERROR with @code (an errno) and a printf-formatted line. 0 or -errno. */
int proto_send_error(int sock, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Send HELLO with our version range and @features. 0 or -errno. */
int proto_send_hello(int sock, unsigned min_version, unsigned max_version, unsigned features);

/*
 * The version both ends speak, from a peer's HELLO: the highest in both ranges. 0 when
 * the ranges do not meet.
 */
unsigned proto_pick_version(const struct proto_msg *hello, unsigned min_version,
			    unsigned max_version);

struct proto_peer {
	pid_t pid; /* in our pid namespace; 0 when the peer's is not visible */
	uid_t uid; /* in our user namespace; the overflow uid when unmapped */
	gid_t gid;
	int pidfd; /* SO_PEERPIDFD (Linux 6.5), CLOEXEC, or -1 */
};

/*
 * The credentials of the process that connected (as of connect()), and a pidfd for it
 * when the kernel has SO_PEERPIDFD (the caller closes it). 0 or -errno.
 */
int proto_peer_get(int sock, struct proto_peer *peer);

/* Connect a SOCK_SEQPACKET|SOCK_CLOEXEC socket to @path. The fd or -errno. */
int proto_connect(const char *path);

/* Whether @path fits in sockaddr_un.sun_path (with its NUL). */
bool proto_path_fits(const char *path);

#endif
