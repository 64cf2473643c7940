// SPDX-License-Identifier: GPL-2.0-or-later
/* shared/proto.c (the codec) and shared/proto_io.c (SCM_RIGHTS, truncation, credentials). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto.h"
#include "proto_io.h"

static uint8_t buf[PROTO_RECV_BUF];

/* Encode @m, decode it back, and check that re-encoding gives the same bytes. */
static struct proto_msg round_trip(const struct proto_msg *m, size_t *len_out)
{
	static uint8_t again[PROTO_MSG_MAX];
	struct proto_msg d;
	ssize_t n = proto_encode(m, buf, sizeof(buf));
	ssize_t n2;

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(proto_decode(buf, (size_t)n, &d), 0);
	ck_assert_uint_eq(d.type, m->type);
	n2 = proto_encode(&d, again, sizeof(again));
	ck_assert_int_eq(n2, n);
	ck_assert_mem_eq(again, buf, (size_t)n);
	if (len_out)
		*len_out = (size_t)n;
	return d;
}

static struct proto_bytes bytes(const char *s)
{
	return (struct proto_bytes){.p = (const uint8_t *)s, .len = (uint32_t)strlen(s)};
}

START_TEST(test_hello_layout)
{
	struct proto_msg m = {.type = PROTO_HELLO};
	static const uint8_t want[] = {1, 0, 0, 0, 8, 0, 0, 0, 1, 0, 2, 0, 0x78, 0x56, 0x34, 0x12};

	m.hello.min_version = 1;
	m.hello.max_version = 2;
	m.hello.features = 0x12345678;
	ck_assert_int_eq(proto_encode(&m, buf, sizeof(buf)), (ssize_t)sizeof(want));
	ck_assert_mem_eq(buf, want, sizeof(want));
	m = round_trip(&m, NULL);
	ck_assert_uint_eq(m.hello.features, 0x12345678);
	ck_assert_uint_eq(m.hello.max_version, 2);
}
END_TEST

START_TEST(test_all_types_round_trip)
{
	struct proto_msg m, d;
	uint8_t strv[64];
	const char *strs[] = {"sh", "-c", "echo \xff\xfe non-UTF-8", ""};
	size_t used, consumed;

	m = (struct proto_msg){.type = PROTO_ERROR};
	m.error.code = EACCES;
	m.error.text = bytes("refused");
	d = round_trip(&m, NULL);
	ck_assert_uint_eq(d.error.code, EACCES);
	ck_assert_uint_eq(d.error.text.len, 7);
	ck_assert_mem_eq(d.error.text.p, "refused", 7);

	used = proto_strv_pack(strv, sizeof(strv), strs, 4, &consumed);
	ck_assert_uint_eq(consumed, 4);
	m = (struct proto_msg){.type = PROTO_ARGV};
	m.strv = (struct proto_strv){.p = strv, .len = (uint32_t)used, .count = 4};
	d = round_trip(&m, NULL);
	{
		struct proto_strv_iter it;
		const uint8_t *s;
		uint32_t len;
		int i = 0;

		proto_strv_iter_init(&it, &d.strv);
		while (proto_strv_next(&it, &s, &len)) {
			ck_assert_uint_eq(len, strlen(strs[i]));
			ck_assert_mem_eq(s, strs[i], len);
			i++;
		}
		ck_assert_int_eq(i, 4);
	}
	m.type = PROTO_ENV;
	round_trip(&m, NULL);

	m = (struct proto_msg){.type = PROTO_SPAWN};
	m.spawn.flags = PROTO_SPAWN_PTY | PROTO_SPAWN_PTY_STDERR | PROTO_SPAWN_CLEAR_ENV;
	m.spawn.argc = 3;
	m.spawn.envc = 0;
	m.spawn.ws = (struct proto_winsize){.rows = 24, .cols = 80, .xpixel = 640, .ypixel = 480};
	m.spawn.nfds = 4;
	m.spawn.fd_target[0] = 0;
	m.spawn.fd_target[1] = 1;
	m.spawn.fd_target[2] = 2;
	m.spawn.fd_target[3] = 1023;
	m.spawn.cwd = bytes("/run/host/etc");
	d = round_trip(&m, NULL);
	ck_assert_uint_eq(d.spawn.flags, m.spawn.flags);
	ck_assert_uint_eq(d.spawn.fd_target[3], 1023);
	ck_assert_uint_eq(d.spawn.ws.ypixel, 480);
	ck_assert_uint_eq(d.spawn.cwd.len, 13);

	m = (struct proto_msg){.type = PROTO_STARTED};
	m.started.pid = 4194304;
	m.started.flags = PROTO_SPAWN_PTY;
	ck_assert_uint_eq(round_trip(&m, NULL).started.pid, 4194304);

	m = (struct proto_msg){.type = PROTO_SPAWN_FAILED};
	m.spawn_failed.stage = PROTO_STAGE_EXEC;
	m.spawn_failed.err = ENOENT;
	ck_assert_uint_eq(round_trip(&m, NULL).spawn_failed.err, ENOENT);

	m = (struct proto_msg){.type = PROTO_EXITED};
	m.exited.how = PROTO_EXIT_CODE;
	m.exited.value = 255;
	ck_assert_uint_eq(round_trip(&m, NULL).exited.value, 255);
	m.exited.how = PROTO_EXIT_SIGNAL_CORE;
	m.exited.value = 11;
	round_trip(&m, NULL);

	m = (struct proto_msg){.type = PROTO_SIGNAL};
	m.signal.signo = 64;
	round_trip(&m, NULL);
	m.type = PROTO_STOPPED;
	m.signal.signo = 20;
	round_trip(&m, NULL);

	m = (struct proto_msg){.type = PROTO_WINSIZE};
	m.winsize = (struct proto_winsize){.rows = 65535, .cols = 1};
	ck_assert_uint_eq(round_trip(&m, NULL).winsize.rows, 65535);

	m = (struct proto_msg){.type = PROTO_INPUT};
	m.input.enabled = 1;
	round_trip(&m, NULL);

	m = (struct proto_msg){.type = PROTO_DATA};
	m.data.stream = 2;
	m.data.data = bytes("x");
	round_trip(&m, NULL);

	m = (struct proto_msg){.type = PROTO_EOF};
	m.eof.stream = 0;
	round_trip(&m, NULL);
}
END_TEST

/* Every proper prefix of a valid message, and every extension, is rejected. */
START_TEST(test_truncated_and_trailing)
{
	struct proto_msg m = {.type = PROTO_SPAWN}, d;
	uint8_t copy[256];
	ssize_t n;

	m.spawn.argc = 1;
	m.spawn.nfds = 2;
	m.spawn.fd_target[1] = 5;
	m.spawn.cwd = bytes("/tmp");
	n = proto_encode(&m, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	for (ssize_t len = 0; len < n; len++) {
		memcpy(copy, buf, (size_t)len);
		/* Keep the header's length honest so only the payload is short. */
		if (len >= 8) {
			uint32_t plen = (uint32_t)len - 8;

			copy[4] = (uint8_t)plen;
			copy[5] = (uint8_t)(plen >> 8);
			copy[6] = copy[7] = 0;
		}
		ck_assert_int_eq(proto_decode(copy, (size_t)len, &d), -EBADMSG);
	}
	memcpy(copy, buf, (size_t)n);
	copy[n] = 0;
	copy[4]++;
	ck_assert_int_eq(proto_decode(copy, (size_t)n + 1, &d), -EBADMSG);
	/* The header says more than there is. */
	memcpy(copy, buf, (size_t)n);
	copy[4]++;
	ck_assert_int_eq(proto_decode(copy, (size_t)n, &d), -EBADMSG);
}
END_TEST

static int decode_hex(const char *hex, struct proto_msg *m)
{
	uint8_t raw[256];
	size_t n = 0;

	for (const char *p = hex; *p; p++) {
		unsigned v;

		if (*p == ' ')
			continue;
		ck_assert(sscanf(p, "%2x", &v) == 1);
		raw[n++] = (uint8_t)v;
		p++;
	}
	return proto_decode(raw, n, m);
}

START_TEST(test_rejects)
{
	struct proto_msg m;

	/* header */
	ck_assert_int_eq(decode_hex("", &m), -EBADMSG);
	ck_assert_int_eq(decode_hex("01 00 00 00 08 00 00", &m), -EBADMSG);
	ck_assert_int_eq(decode_hex("01 00 01 00 08 00 00 00 01 00 01 00 00 00 00 00", &m),
			 -EBADMSG); /* reserved */
	ck_assert_int_eq(decode_hex("63 00 00 00 00 00 00 00", &m), -EPROTONOSUPPORT);
	ck_assert_int_eq(decode_hex("00 00 00 00 00 00 00 00", &m), -EPROTONOSUPPORT);
	/* HELLO: min 0, min > max */
	ck_assert_int_eq(decode_hex("01 00 00 00 08 00 00 00 00 00 01 00 00 00 00 00", &m),
			 -EBADMSG);
	ck_assert_int_eq(decode_hex("01 00 00 00 08 00 00 00 02 00 01 00 00 00 00 00", &m),
			 -EBADMSG);
	/* ERROR text with a NUL */
	ck_assert_int_eq(decode_hex("02 00 00 00 06 00 00 00 0d 00 00 00 61 00", &m), -EBADMSG);
	/* ARGV: count 0; count 2 with one string; NUL inside; length past the end */
	ck_assert_int_eq(decode_hex("03 00 00 00 04 00 00 00 00 00 00 00", &m), -EBADMSG);
	ck_assert_int_eq(decode_hex("03 00 00 00 09 00 00 00 02 00 00 00 01 00 00 00 61", &m),
			 -EBADMSG);
	ck_assert_int_eq(decode_hex("03 00 00 00 0a 00 00 00 01 00 00 00 02 00 00 00 61 00", &m),
			 -EBADMSG);
	ck_assert_int_eq(decode_hex("03 00 00 00 09 00 00 00 01 00 00 00 05 00 00 00 61", &m),
			 -EBADMSG);
	ck_assert_int_eq(decode_hex("03 00 00 00 09 00 00 00 01 00 00 00 01 00 00 00 61", &m), 0);
	/* EXITED: status 256; signal 0; signal 65; unknown how */
	ck_assert_int_eq(decode_hex("08 00 00 00 08 00 00 00 00 00 00 00 00 01 00 00", &m),
			 -EBADMSG);
	ck_assert_int_eq(decode_hex("08 00 00 00 08 00 00 00 01 00 00 00 00 00 00 00", &m),
			 -EBADMSG);
	ck_assert_int_eq(decode_hex("08 00 00 00 08 00 00 00 01 00 00 00 41 00 00 00", &m),
			 -EBADMSG);
	ck_assert_int_eq(decode_hex("08 00 00 00 08 00 00 00 03 00 00 00 01 00 00 00", &m),
			 -EBADMSG);
	/* SIGNAL 0 */
	ck_assert_int_eq(decode_hex("09 00 00 00 04 00 00 00 00 00 00 00", &m), -EBADMSG);
	/* STARTED pid 0; unknown flag */
	ck_assert_int_eq(decode_hex("06 00 00 00 08 00 00 00 00 00 00 00 00 00 00 00", &m),
			 -EBADMSG);
	ck_assert_int_eq(decode_hex("06 00 00 00 08 00 00 00 01 00 00 00 02 00 00 00", &m),
			 -EBADMSG);
	/* SPAWN_FAILED stage 0, stage 7, errno 0, errno 4096 */
	ck_assert_int_eq(decode_hex("07 00 00 00 08 00 00 00 00 00 00 00 02 00 00 00", &m),
			 -EBADMSG);
	ck_assert_int_eq(decode_hex("07 00 00 00 08 00 00 00 07 00 00 00 02 00 00 00", &m),
			 -EBADMSG);
	ck_assert_int_eq(decode_hex("07 00 00 00 08 00 00 00 06 00 00 00 00 00 00 00", &m),
			 -EBADMSG);
	ck_assert_int_eq(decode_hex("07 00 00 00 08 00 00 00 06 00 00 00 00 10 00 00", &m),
			 -EBADMSG);
	/* INPUT 2; DATA empty; DATA stream 3; EOF stream 3 */
	ck_assert_int_eq(decode_hex("0c 00 00 00 04 00 00 00 02 00 00 00", &m), -EBADMSG);
	ck_assert_int_eq(decode_hex("0d 00 00 00 04 00 00 00 01 00 00 00", &m), -EBADMSG);
	ck_assert_int_eq(decode_hex("0d 00 00 00 05 00 00 00 03 00 00 00 61", &m), -EBADMSG);
	ck_assert_int_eq(decode_hex("0e 00 00 00 04 00 00 00 03 00 00 00", &m), -EBADMSG);
	/* WINSIZE one byte short */
	ck_assert_int_eq(decode_hex("0a 00 00 00 07 00 00 00 01 00 01 00 01 00 01", &m), -EBADMSG);
}
END_TEST

START_TEST(test_spawn_rules)
{
	struct proto_msg m = {.type = PROTO_SPAWN};

	m.spawn.argc = 1;
	m.spawn.cwd = bytes("/");
	ck_assert_int_gt(proto_encode(&m, buf, sizeof(buf)), 0);
	m.spawn.cwd = bytes("");
	ck_assert_int_gt(proto_encode(&m, buf, sizeof(buf)), 0);
	m.spawn.cwd = bytes("relative");
	ck_assert_int_eq(proto_encode(&m, buf, sizeof(buf)), -EINVAL);
	m.spawn.cwd = bytes("/");
	m.spawn.argc = 0;
	ck_assert_int_eq(proto_encode(&m, buf, sizeof(buf)), -EINVAL);
	m.spawn.argc = PROTO_MAX_STRINGS + 1;
	ck_assert_int_eq(proto_encode(&m, buf, sizeof(buf)), -EINVAL);
	m.spawn.argc = 1;
	m.spawn.flags = PROTO_SPAWN_PTY_STDOUT;
	ck_assert_int_eq(proto_encode(&m, buf, sizeof(buf)), -EINVAL);
	m.spawn.flags = 1u << 9;
	ck_assert_int_eq(proto_encode(&m, buf, sizeof(buf)), -EINVAL);
	m.spawn.flags = 0;
	m.spawn.nfds = 2;
	m.spawn.fd_target[0] = 7;
	m.spawn.fd_target[1] = 7;
	ck_assert_int_eq(proto_encode(&m, buf, sizeof(buf)), -EINVAL);
	m.spawn.fd_target[1] = PROTO_MAX_FD_TARGET + 1;
	ck_assert_int_eq(proto_encode(&m, buf, sizeof(buf)), -EINVAL);
	m.spawn.nfds = PROTO_MAX_FDS + 1;
	ck_assert_int_eq(proto_encode(&m, buf, sizeof(buf)), -EINVAL);
	/* nfds too large on the wire: rejected before the targets are read */
	m.spawn.nfds = 0;
	ck_assert_int_gt(proto_encode(&m, buf, sizeof(buf)), 0);
	buf[8 + 20] = 65;
	ck_assert_int_eq(proto_decode(buf, 8 + 32, &m), -EBADMSG);
}
END_TEST

START_TEST(test_encode_sizes)
{
	struct proto_msg m = {.type = PROTO_HELLO};
	static char big[PROTO_MSG_MAX];
	struct proto_msg d = {.type = PROTO_DATA};

	m.hello.min_version = m.hello.max_version = 1;
	ck_assert_int_eq(proto_encode(&m, buf, 15), -EMSGSIZE);
	ck_assert_int_eq(proto_encode(&m, buf, 16), 16);
	ck_assert_int_eq(proto_encode(NULL, buf, 16), -EINVAL);
	m.type = 99;
	ck_assert_int_eq(proto_encode(&m, buf, sizeof(buf)), -EINVAL);

	memset(big, 'a', sizeof(big));
	d.data.data = (struct proto_bytes){.p = (const uint8_t *)big,
					   .len = PROTO_MSG_MAX - PROTO_HDR_LEN - 4};
	ck_assert_int_eq(proto_encode(&d, buf, sizeof(buf)), (ssize_t)PROTO_MSG_MAX);
	ck_assert_int_eq(proto_decode(buf, PROTO_MSG_MAX, &m), 0);
	d.data.data.len++;
	ck_assert_int_eq(proto_encode(&d, buf, sizeof(buf)), -EMSGSIZE);
	/* Longer than a message may be: rejected before looking at it. */
	ck_assert_int_eq(proto_decode(buf, PROTO_MSG_MAX + 1, &m), -EBADMSG);
}
END_TEST

START_TEST(test_strv_pack)
{
	static char huge[PROTO_STRV_ROOM];
	const char *strs[] = {"aaaa", "bb", "c"};
	const char *too_long[] = {huge};
	uint8_t small[16];
	size_t consumed, used;

	used = proto_strv_pack(small, sizeof(small), strs, 3, &consumed);
	/* 4+4 and 4+2 fit in 16 bytes; 4+1 more does not */
	ck_assert_uint_eq(consumed, 2);
	ck_assert_uint_eq(used, 14);
	used = proto_strv_pack(small, 3, strs, 3, &consumed);
	ck_assert_uint_eq(consumed, 0);
	ck_assert_uint_eq(used, 0);
	memset(huge, 'x', sizeof(huge) - 1);
	used = proto_strv_pack(buf, sizeof(buf), too_long, 1, &consumed);
	ck_assert_uint_eq(consumed, 0);
	huge[PROTO_STRV_ROOM - 5] = '\0';
	used = proto_strv_pack(buf, sizeof(buf), too_long, 1, &consumed);
	ck_assert_uint_eq(consumed, 1);
	ck_assert_uint_eq(used, PROTO_STRV_ROOM - 1);
}
END_TEST

START_TEST(test_names_and_versions)
{
	struct proto_msg h = {.type = PROTO_HELLO};

	ck_assert_str_eq(proto_type_name(PROTO_SPAWN), "SPAWN");
	ck_assert_str_eq(proto_type_name(0), "?");
	ck_assert_str_eq(proto_type_name(PROTO_TYPE_MAX + 1), "?");
	h.hello.min_version = 1;
	h.hello.max_version = 5;
	ck_assert_uint_eq(proto_pick_version(&h, 1, 1), 1);
	ck_assert_uint_eq(proto_pick_version(&h, 2, 7), 5);
	h.hello.min_version = 3;
	ck_assert_uint_eq(proto_pick_version(&h, 1, 2), 0);
}
END_TEST

/* ---- proto_io ---- */

static void pair(int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
}

START_TEST(test_io_fds)
{
	struct proto_msg m = {.type = PROTO_SPAWN}, got;
	int sv[2], p[2], fds[PROTO_MAX_FDS];
	size_t nfds;
	char ch;

	pair(sv);
	ck_assert_int_eq(pipe(p), 0);
	m.spawn.argc = 1;
	m.spawn.nfds = 1;
	m.spawn.fd_target[0] = 0;
	ck_assert_int_eq(proto_send_msg(sv[0], &m, &p[1], 1), 0);
	ck_assert_int_eq(proto_recv_msg(sv[1], buf, &got, fds, PROTO_MAX_FDS, &nfds), 1);
	ck_assert_uint_eq(nfds, 1);
	ck_assert_int_ne(fds[0], p[1]);
	ck_assert_int_eq(fcntl(fds[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(write(fds[0], "z", 1), 1);
	ck_assert_int_eq(read(p[0], &ch, 1), 1);
	ck_assert_int_eq(ch, 'z');
	close(fds[0]);

	/* fds where none are expected: refused, and closed */
	ck_assert_int_eq(proto_send_msg(sv[0], &m, &p[1], 1), 0);
	ck_assert_int_eq(proto_recv_msg(sv[1], buf, &got, NULL, 0, NULL), -EBADMSG);
	/* EOF */
	close(sv[0]);
	ck_assert_int_eq(proto_recv_msg(sv[1], buf, &got, fds, PROTO_MAX_FDS, &nfds), 0);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(test_io_truncation)
{
	int sv[2], fds[PROTO_MAX_FDS], many[100];
	static uint8_t big[PROTO_RECV_BUF + 100];
	struct proto_msg got;
	size_t nfds;

	pair(sv);
	/* A datagram longer than any message: MSG_TRUNC */
	memset(big, 0, sizeof(big));
	ck_assert_int_eq(proto_send(sv[0], big, sizeof(big), NULL, 0), 0);
	ck_assert_int_eq(proto_recv(sv[1], buf, PROTO_RECV_BUF, fds, PROTO_MAX_FDS, &nfds),
			 -EBADMSG);
	/* Exactly PROTO_RECV_BUF: too long as well */
	ck_assert_int_eq(proto_send(sv[0], big, PROTO_RECV_BUF, NULL, 0), 0);
	ck_assert_int_eq(proto_recv(sv[1], buf, PROTO_RECV_BUF, fds, PROTO_MAX_FDS, &nfds),
			 -EBADMSG);
	/* More fds than our control buffer holds: MSG_CTRUNC */
	for (int i = 0; i < 100; i++)
		many[i] = 0;
	{
		union {
			struct cmsghdr align;
			char b[CMSG_SPACE(sizeof(int) * 100)];
		} c;
		struct iovec iov = {.iov_base = big, .iov_len = 16};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = c.b,
				    .msg_controllen = sizeof(c.b)};
		struct cmsghdr *h = CMSG_FIRSTHDR(&mh);

		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int) * 100);
		memcpy(CMSG_DATA(h), many, sizeof(many));
		ck_assert_int_eq(sendmsg(sv[0], &mh, 0), 16);
	}
	ck_assert_int_eq(proto_recv(sv[1], buf, PROTO_RECV_BUF, fds, PROTO_MAX_FDS, &nfds),
			 -EBADMSG);
	/* More fds than the caller takes */
	ck_assert_int_eq(proto_send_hello(sv[0], 1, 1, 0), 0);
	ck_assert_int_eq(proto_recv_msg(sv[1], buf, &got, fds, PROTO_MAX_FDS, &nfds), 1);
	ck_assert_int_eq(proto_send(sv[0], buf, 16, many, 3), 0);
	ck_assert_int_eq(proto_recv(sv[1], buf, PROTO_RECV_BUF, fds, 2, &nfds), -EBADMSG);
	/* Garbage: a decoding error, not a crash */
	ck_assert_int_eq(proto_send(sv[0], "garbage!", 8, NULL, 0), 0);
	ck_assert_int_eq(proto_recv_msg(sv[1], buf, &got, NULL, 0, NULL), -EBADMSG);
	ck_assert_int_eq(proto_send(sv[0], "\x63\x00\x00\x00\x00\x00\x00\x00", 8, NULL, 0), 0);
	ck_assert_int_eq(proto_recv_msg(sv[1], buf, &got, NULL, 0, NULL), -EPROTONOSUPPORT);
	ck_assert_int_eq(proto_send(sv[0], "\x01\x00\x00\x00\x09", 5, NULL, 0), 0);
	ck_assert_int_eq(proto_recv_msg(sv[1], buf, &got, NULL, 0, NULL), -EBADMSG);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_io_error_and_peer)
{
	struct proto_msg got;
	struct proto_peer peer;
	int sv[2];

	pair(sv);
	ck_assert_int_eq(proto_send_error(sv[0], -EACCES, "no %s", "way"), 0);
	ck_assert_int_eq(proto_recv_msg(sv[1], buf, &got, NULL, 0, NULL), 1);
	ck_assert_uint_eq(got.type, PROTO_ERROR);
	ck_assert_uint_eq(got.error.code, EACCES);
	ck_assert_mem_eq(got.error.text.p, "no way", 6);
	ck_assert_int_eq(proto_peer_get(sv[1], &peer), 0);
	ck_assert_int_eq(peer.pid, getpid());
	ck_assert_uint_eq(peer.uid, getuid());
	if (peer.pidfd >= 0)
		close(peer.pidfd);
	close(sv[0]);
	close(sv[1]);
	ck_assert(!proto_path_fits(""));
	ck_assert(proto_path_fits("/run/user/1000/toolbox/relay.sock"));
	{
		char longpath[200];

		memset(longpath, 'a', sizeof(longpath) - 1);
		longpath[sizeof(longpath) - 1] = '\0';
		ck_assert(!proto_path_fits(longpath));
		ck_assert_int_eq(proto_connect(longpath), -ENAMETOOLONG);
	}
	ck_assert_int_eq(proto_connect("/nonexistent/relay.sock"), -ENOENT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("proto");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_hello_layout);
	tcase_add_test(tc, test_all_types_round_trip);
	tcase_add_test(tc, test_truncated_and_trailing);
	tcase_add_test(tc, test_rejects);
	tcase_add_test(tc, test_spawn_rules);
	tcase_add_test(tc, test_encode_sizes);
	tcase_add_test(tc, test_strv_pack);
	tcase_add_test(tc, test_names_and_versions);
	tcase_add_test(tc, test_io_fds);
	tcase_add_test(tc, test_io_truncation);
	tcase_add_test(tc, test_io_error_and_peer);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
