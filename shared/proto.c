// SPDX-License-Identifier: GPL-2.0-or-later
/* The wire codec of proto.h: explicit little-endian packing, every length checked. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "proto.h"

/* ---- reading ---- */

struct rd {
	const uint8_t *p;
	size_t len, off;
};

static bool rd_u16(struct rd *r, uint16_t *v)
{
	if (r->len - r->off < 2)
		return false;
	*v = (uint16_t)(r->p[r->off] | (r->p[r->off + 1] << 8));
	r->off += 2;
	return true;
}

static bool rd_u32(struct rd *r, uint32_t *v)
{
	const uint8_t *p = r->p + r->off;

	if (r->len - r->off < 4)
		return false;
	*v = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	     ((uint32_t)p[3] << 24);
	r->off += 4;
	return true;
}

static bool rd_bytes(struct rd *r, uint32_t n, struct proto_bytes *b)
{
	if (r->len - r->off < n)
		return false;
	b->p = r->p + r->off;
	b->len = n;
	r->off += n;
	return true;
}

/* The rest of the payload as one string. */
static void rd_rest(struct rd *r, struct proto_bytes *b)
{
	b->p = r->p + r->off;
	b->len = (uint32_t)(r->len - r->off);
	r->off = r->len;
}

static bool rd_done(const struct rd *r)
{
	return r->off == r->len;
}

static bool no_nul(const struct proto_bytes *b)
{
	return b->len == 0 || !memchr(b->p, '\0', b->len);
}

/* ---- validation, shared by decode and encode ---- */

static bool valid_winsize(const struct proto_winsize *ws)
{
	(void)ws; /* every size is a size */
	return true;
}

static bool valid_signal(uint32_t signo)
{
	return signo >= 1 && signo <= PROTO_MAX_SIGNAL;
}

static bool valid_spawn(const struct proto_msg *m)
{
	const struct proto_bytes *cwd = &m->spawn.cwd;

	if (m->spawn.flags & ~PROTO_SPAWN_FLAGS_ALL)
		return false;
	/* Which std fd is the terminal only means something with a terminal. */
	if (!(m->spawn.flags & PROTO_SPAWN_PTY) &&
	    (m->spawn.flags & (PROTO_SPAWN_PTY_STDOUT | PROTO_SPAWN_PTY_STDERR)))
		return false;
	if (m->spawn.argc < 1 || m->spawn.argc > PROTO_MAX_STRINGS ||
	    m->spawn.envc > PROTO_MAX_STRINGS)
		return false;
	if (m->spawn.nfds > PROTO_MAX_FDS)
		return false;
	for (uint32_t i = 0; i < m->spawn.nfds; i++) {
		if (m->spawn.fd_target[i] > PROTO_MAX_FD_TARGET)
			return false;
		for (uint32_t j = 0; j < i; j++) {
			if (m->spawn.fd_target[j] == m->spawn.fd_target[i])
				return false;
		}
	}
	if (cwd->len > PROTO_PATH_MAX || !no_nul(cwd))
		return false;
	if (cwd->len > 0 && cwd->p[0] != '/')
		return false;
	return valid_winsize(&m->spawn.ws);
}

/* Packed strings: exactly @count well-formed entries filling @len bytes. */
static bool valid_strv(const struct proto_strv *v)
{
	struct rd r = {.p = v->p, .len = v->len};

	if (v->count < 1 || v->count > PROTO_MAX_STRINGS)
		return false;
	for (uint32_t i = 0; i < v->count; i++) {
		uint32_t n;
		struct proto_bytes s;

		if (!rd_u32(&r, &n) || !rd_bytes(&r, n, &s) || !no_nul(&s))
			return false;
	}
	return rd_done(&r);
}

static bool valid_msg(const struct proto_msg *m)
{
	switch (m->type) {
	case PROTO_HELLO:
		return m->hello.min_version >= 1 && m->hello.min_version <= m->hello.max_version;
	case PROTO_ERROR:
		return m->error.text.len <= PROTO_TEXT_MAX && no_nul(&m->error.text);
	case PROTO_ARGV:
	case PROTO_ENV:
		return valid_strv(&m->strv);
	case PROTO_SPAWN:
		return valid_spawn(m);
	case PROTO_STARTED:
		return m->started.pid > 0 && !(m->started.flags & ~PROTO_SPAWN_PTY);
	case PROTO_SPAWN_FAILED:
		return m->spawn_failed.stage >= 1 && m->spawn_failed.stage <= PROTO_STAGE_MAX &&
		       m->spawn_failed.err >= 1 && m->spawn_failed.err <= 4095;
	case PROTO_EXITED:
		if (m->exited.how == PROTO_EXIT_CODE)
			return m->exited.value <= 255;
		return (m->exited.how == PROTO_EXIT_SIGNAL ||
			m->exited.how == PROTO_EXIT_SIGNAL_CORE) &&
		       valid_signal(m->exited.value);
	case PROTO_SIGNAL:
	case PROTO_STOPPED:
		return valid_signal(m->signal.signo);
	case PROTO_WINSIZE:
		return valid_winsize(&m->winsize);
	case PROTO_INPUT:
		return m->input.enabled <= 1;
	case PROTO_DATA:
		return m->data.stream <= PROTO_MAX_STREAM && m->data.data.len >= 1;
	case PROTO_EOF:
		return m->eof.stream <= PROTO_MAX_STREAM;
	default:
		return false;
	}
}

/* ---- decode ---- */

static bool decode_payload(struct rd *r, struct proto_msg *m)
{
	uint32_t n;

	switch (m->type) {
	case PROTO_HELLO:
		return rd_u16(r, &m->hello.min_version) && rd_u16(r, &m->hello.max_version) &&
		       rd_u32(r, &m->hello.features);
	case PROTO_ERROR:
		if (!rd_u32(r, &m->error.code))
			return false;
		rd_rest(r, &m->error.text);
		return true;
	case PROTO_ARGV:
	case PROTO_ENV:
		if (!rd_u32(r, &m->strv.count))
			return false;
		m->strv.p = r->p + r->off;
		m->strv.len = (uint32_t)(r->len - r->off);
		r->off = r->len;
		return true;
	case PROTO_SPAWN:
		if (!rd_u32(r, &m->spawn.flags) || !rd_u32(r, &m->spawn.argc) ||
		    !rd_u32(r, &m->spawn.envc) || !rd_u16(r, &m->spawn.ws.rows) ||
		    !rd_u16(r, &m->spawn.ws.cols) || !rd_u16(r, &m->spawn.ws.xpixel) ||
		    !rd_u16(r, &m->spawn.ws.ypixel) || !rd_u32(r, &m->spawn.nfds))
			return false;
		if (m->spawn.nfds > PROTO_MAX_FDS)
			return false;
		for (uint32_t i = 0; i < m->spawn.nfds; i++) {
			if (!rd_u16(r, &m->spawn.fd_target[i]))
				return false;
		}
		return rd_u32(r, &n) && rd_bytes(r, n, &m->spawn.cwd);
	case PROTO_STARTED:
		return rd_u32(r, &m->started.pid) && rd_u32(r, &m->started.flags);
	case PROTO_SPAWN_FAILED:
		return rd_u32(r, &m->spawn_failed.stage) && rd_u32(r, &m->spawn_failed.err);
	case PROTO_EXITED:
		return rd_u32(r, &m->exited.how) && rd_u32(r, &m->exited.value);
	case PROTO_SIGNAL:
	case PROTO_STOPPED:
		return rd_u32(r, &m->signal.signo);
	case PROTO_WINSIZE:
		return rd_u16(r, &m->winsize.rows) && rd_u16(r, &m->winsize.cols) &&
		       rd_u16(r, &m->winsize.xpixel) && rd_u16(r, &m->winsize.ypixel);
	case PROTO_INPUT:
		return rd_u32(r, &m->input.enabled);
	case PROTO_DATA:
		if (!rd_u32(r, &m->data.stream))
			return false;
		rd_rest(r, &m->data.data);
		return true;
	case PROTO_EOF:
		return rd_u32(r, &m->eof.stream);
	default:
		return false;
	}
}

int proto_decode(const void *buf, size_t len, struct proto_msg *m)
{
	struct rd hdr = {.p = buf, .len = len};
	struct rd body;
	uint16_t type, reserved;
	uint32_t plen;

	memset(m, 0, sizeof(*m));
	if (!buf || len < PROTO_HDR_LEN || len > PROTO_MSG_MAX)
		return -EBADMSG;
	if (!rd_u16(&hdr, &type) || !rd_u16(&hdr, &reserved) || !rd_u32(&hdr, &plen))
		return -EBADMSG;
	if (reserved != 0 || plen != len - PROTO_HDR_LEN)
		return -EBADMSG;
	if (type < 1 || type > PROTO_TYPE_MAX)
		return -EPROTONOSUPPORT;
	m->type = type;
	body = (struct rd){.p = (const uint8_t *)buf + PROTO_HDR_LEN, .len = plen};
	if (!decode_payload(&body, m) || !rd_done(&body) || !valid_msg(m)) {
		memset(m, 0, sizeof(*m));
		return -EBADMSG;
	}
	return 0;
}

/* ---- encode ---- */

struct wr {
	uint8_t *p;
	size_t cap, off;
	bool overflow;
};

static void wr_u16(struct wr *w, uint16_t v)
{
	if (w->cap - w->off < 2) {
		w->overflow = true;
		return;
	}
	w->p[w->off] = (uint8_t)(v & 0xff);
	w->p[w->off + 1] = (uint8_t)(v >> 8);
	w->off += 2;
}

static void wr_u32(struct wr *w, uint32_t v)
{
	if (w->cap - w->off < 4) {
		w->overflow = true;
		return;
	}
	for (int i = 0; i < 4; i++)
		w->p[w->off + (size_t)i] = (uint8_t)((v >> (8 * i)) & 0xff);
	w->off += 4;
}

static void wr_bytes(struct wr *w, const void *b, size_t n)
{
	if (w->cap - w->off < n) {
		w->overflow = true;
		return;
	}
	if (n)
		memcpy(w->p + w->off, b, n);
	w->off += n;
}

static void encode_payload(struct wr *w, const struct proto_msg *m)
{
	switch (m->type) {
	case PROTO_HELLO:
		wr_u16(w, m->hello.min_version);
		wr_u16(w, m->hello.max_version);
		wr_u32(w, m->hello.features);
		break;
	case PROTO_ERROR:
		wr_u32(w, m->error.code);
		wr_bytes(w, m->error.text.p, m->error.text.len);
		break;
	case PROTO_ARGV:
	case PROTO_ENV:
		wr_u32(w, m->strv.count);
		wr_bytes(w, m->strv.p, m->strv.len);
		break;
	case PROTO_SPAWN:
		wr_u32(w, m->spawn.flags);
		wr_u32(w, m->spawn.argc);
		wr_u32(w, m->spawn.envc);
		wr_u16(w, m->spawn.ws.rows);
		wr_u16(w, m->spawn.ws.cols);
		wr_u16(w, m->spawn.ws.xpixel);
		wr_u16(w, m->spawn.ws.ypixel);
		wr_u32(w, m->spawn.nfds);
		for (uint32_t i = 0; i < m->spawn.nfds && i < PROTO_MAX_FDS; i++)
			wr_u16(w, m->spawn.fd_target[i]);
		wr_u32(w, m->spawn.cwd.len);
		wr_bytes(w, m->spawn.cwd.p, m->spawn.cwd.len);
		break;
	case PROTO_STARTED:
		wr_u32(w, m->started.pid);
		wr_u32(w, m->started.flags);
		break;
	case PROTO_SPAWN_FAILED:
		wr_u32(w, m->spawn_failed.stage);
		wr_u32(w, m->spawn_failed.err);
		break;
	case PROTO_EXITED:
		wr_u32(w, m->exited.how);
		wr_u32(w, m->exited.value);
		break;
	case PROTO_SIGNAL:
	case PROTO_STOPPED:
		wr_u32(w, m->signal.signo);
		break;
	case PROTO_WINSIZE:
		wr_u16(w, m->winsize.rows);
		wr_u16(w, m->winsize.cols);
		wr_u16(w, m->winsize.xpixel);
		wr_u16(w, m->winsize.ypixel);
		break;
	case PROTO_INPUT:
		wr_u32(w, m->input.enabled);
		break;
	case PROTO_DATA:
		wr_u32(w, m->data.stream);
		wr_bytes(w, m->data.data.p, m->data.data.len);
		break;
	case PROTO_EOF:
		wr_u32(w, m->eof.stream);
		break;
	default:
		break;
	}
}

ssize_t proto_encode(const struct proto_msg *m, void *buf, size_t cap)
{
	struct wr w = {.p = buf, .cap = cap > PROTO_MSG_MAX ? PROTO_MSG_MAX : cap};
	size_t plen;

	if (!m || !buf || m->type < 1 || m->type > PROTO_TYPE_MAX || !valid_msg(m))
		return -EINVAL;
	if (w.cap < PROTO_HDR_LEN)
		return -EMSGSIZE;
	w.off = PROTO_HDR_LEN;
	encode_payload(&w, m);
	if (w.overflow)
		return -EMSGSIZE;
	plen = w.off - PROTO_HDR_LEN;
	w.off = 0;
	wr_u16(&w, m->type);
	wr_u16(&w, 0);
	wr_u32(&w, (uint32_t)plen);
	return (ssize_t)(plen + PROTO_HDR_LEN);
}

/* ---- packed strings ---- */

void proto_strv_iter_init(struct proto_strv_iter *it, const struct proto_strv *v)
{
	it->p = v->p;
	it->end = v->p ? v->p + v->len : v->p;
}

int proto_strv_next(struct proto_strv_iter *it, const uint8_t **s, uint32_t *len)
{
	struct rd r;
	uint32_t n;
	struct proto_bytes b;

	if (!it->p || it->p == it->end)
		return 0;
	r = (struct rd){.p = it->p, .len = (size_t)(it->end - it->p)};
	if (!rd_u32(&r, &n) || !rd_bytes(&r, n, &b)) {
		it->p = it->end;
		return 0;
	}
	*s = b.p;
	*len = b.len;
	it->p += r.off;
	return 1;
}

size_t proto_strv_pack(void *buf, size_t cap, const char *const *strs, size_t n, size_t *consumed)
{
	struct wr w = {.p = buf, .cap = cap};
	size_t i;

	for (i = 0; i < n && i < PROTO_MAX_STRINGS; i++) {
		size_t len = strlen(strs[i]);

		if (len > PROTO_STRV_ROOM - 4 || w.cap - w.off < 4 + len)
			break;
		wr_u32(&w, (uint32_t)len);
		wr_bytes(&w, strs[i], len);
	}
	*consumed = i;
	return w.off;
}

const char *proto_type_name(unsigned type)
{
	static const char *const names[] = {
		[PROTO_HELLO] = "HELLO",
		[PROTO_ERROR] = "ERROR",
		[PROTO_ARGV] = "ARGV",
		[PROTO_ENV] = "ENV",
		[PROTO_SPAWN] = "SPAWN",
		[PROTO_STARTED] = "STARTED",
		[PROTO_SPAWN_FAILED] = "SPAWN_FAILED",
		[PROTO_EXITED] = "EXITED",
		[PROTO_SIGNAL] = "SIGNAL",
		[PROTO_WINSIZE] = "WINSIZE",
		[PROTO_STOPPED] = "STOPPED",
		[PROTO_INPUT] = "INPUT",
		[PROTO_DATA] = "DATA",
		[PROTO_EOF] = "EOF",
	};

	if (type < 1 || type > PROTO_TYPE_MAX)
		return "?";
	return names[type];
}
