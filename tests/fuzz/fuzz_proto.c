// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for shared/proto.c: the input is one datagram. Decoding must either
 * fail cleanly or succeed; a decoded message must encode back to exactly the same bytes
 * (the encoding is canonical) and its packed strings must walk to their count.
 * `make check-fuzz` replays tests/fuzz/corpus/proto with tests/fuzz/replay_main.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_proto: %s:%d: check failed: %s\n", __FILE__,         \
				__LINE__, #cond);                                                  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static uint8_t out[PROTO_MSG_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_msg m;
	int r = proto_decode(data, size, &m);
	ssize_t n;

	CHECK(r == 0 || r == -EBADMSG || r == -EPROTONOSUPPORT);
	if (r < 0)
		return 0;
	CHECK(m.type >= 1 && m.type <= PROTO_TYPE_MAX);
	n = proto_encode(&m, out, sizeof(out));
	CHECK(n > 0);
	CHECK((size_t)n == size);
	CHECK(memcmp(out, data, size) == 0);
	/* Too small a buffer is an error, never an overflow. */
	CHECK(proto_encode(&m, out, size - 1) == -EMSGSIZE);
	if (m.type == PROTO_ARGV || m.type == PROTO_ENV) {
		struct proto_strv_iter it;
		const uint8_t *s;
		uint32_t len, count = 0;

		proto_strv_iter_init(&it, &m.strv);
		while (proto_strv_next(&it, &s, &len)) {
			CHECK(s >= data && s + len <= data + size);
			CHECK(!memchr(s, '\0', len));
			count++;
		}
		CHECK(count == m.strv.count);
	}
	if (m.type == PROTO_SPAWN) {
		CHECK(m.spawn.nfds <= PROTO_MAX_FDS);
		CHECK(m.spawn.argc >= 1);
		CHECK(m.spawn.cwd.len == 0 || m.spawn.cwd.p[0] == '/');
	}
	return 0;
}
