/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The wire format of toolbox's sockets: a pure codec, no I/O, no malloc, no exit.
 *
 * One message is one SOCK_SEQPACKET datagram: an 8-byte header (le16 type, le16 reserved
 * = 0, le32 payload length = datagram length - 8) and a payload whose layout depends on
 * the type. Every integer is little-endian and packed byte by byte: the two ends are built
 * with different libcs (musl in the container, glibc on the host), so no struct is ever
 * copied to the wire. Strings are byte strings with an explicit length (any byte but NUL:
 * non-UTF-8 survives). The encoding is canonical: proto_decode() accepts a buffer only if
 * proto_encode() of the result gives the same bytes back (the fuzz target checks it).
 *
 * Signal and errno numbers are Linux's (both ends run on the same kernel). Layouts and the
 * conversation are described in docs/INTERFACES.md ("Host-command relay").
 */
#ifndef TB_PROTO_H
#define TB_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROTO_VERSION 1u
#define PROTO_HDR_LEN 8u
/* Largest datagram, header included: one argv string may be 128 KiB (MAX_ARG_STRLEN). */
#define PROTO_MSG_MAX (160u * 1024u)
#define PROTO_MAX_FDS 64u	  /* fds with one SPAWN (SCM_MAX_FD is 253) */
#define PROTO_MAX_FD_TARGET 1023u /* highest fd number a passed fd may land on */
#define PROTO_TEXT_MAX 1024u	  /* ERROR text */
#define PROTO_PATH_MAX 4096u	  /* SPAWN cwd */
#define PROTO_MAX_STRINGS 65536u  /* argv or env entries of one spawn */
#define PROTO_MAX_SIGNAL 64u
#define PROTO_MAX_STREAM 2u /* DATA/EOF streams: 0 stdin, 1 stdout, 2 stderr */

enum proto_type {
	PROTO_HELLO = 1,	/* both ways, first: versions and features */
	PROTO_ERROR = 2,	/* both ways: errno-like code and one line of text; then close */
	PROTO_ARGV = 3,		/* client: some argv strings (any number of ARGV messages) */
	PROTO_ENV = 4,		/* client: some environment entries ("K=V" set, "K" unset) */
	PROTO_SPAWN = 5,	/* client: the request itself, with its fds (SCM_RIGHTS) */
	PROTO_STARTED = 6,	/* server: the command runs (its pid on the server's side) */
	PROTO_SPAWN_FAILED = 7, /* server: it could not be started: stage and errno */
	PROTO_EXITED = 8,	/* server: it ended: exit status or signal */
	PROTO_SIGNAL = 9,	/* client: deliver this signal to the command */
	PROTO_WINSIZE = 10,	/* client: the terminal's new size */
	PROTO_STOPPED = 11,	/* server: the command was stopped by this signal */
	PROTO_INPUT = 12,	/* client: read the terminal (1) or leave it alone (0) */
	PROTO_DATA = 13,	/* either way: bytes of one stream (when fds cannot be passed) */
	PROTO_EOF = 14,		/* either way: end of one stream */
	PROTO_TYPE_MAX = PROTO_EOF,
};

/* HELLO features (informative; a peer ignores bits it does not know). */
#define PROTO_FEAT_PTY (1u << 0)
#define PROTO_FEAT_STREAMS (1u << 1)

/* SPAWN flags. */
#define PROTO_SPAWN_PTY (1u << 0)	 /* allocate a terminal for the command, on its side */
#define PROTO_SPAWN_PTY_STDOUT (1u << 1) /* fd 1 is the terminal too (else the passed fd 1) */
#define PROTO_SPAWN_PTY_STDERR (1u << 2) /* fd 2 is the terminal too (else the passed fd 2) */
#define PROTO_SPAWN_CLEAR_ENV (1u << 3)	 /* start from an empty environment */
#define PROTO_SPAWN_FLAGS_ALL 0xfu

/* SPAWN_FAILED stages. */
enum proto_stage {
	PROTO_STAGE_REQUEST = 1, /* the request is invalid (errno says how) */
	PROTO_STAGE_POLICY = 2,	 /* refused: host commands are off for this caller */
	PROTO_STAGE_PTY = 3,	 /* no terminal could be allocated */
	PROTO_STAGE_FORK = 4,	 /* no process could be created */
	PROTO_STAGE_SETUP = 5,	 /* the new process could not be set up (session, fds) */
	PROTO_STAGE_EXEC = 6,	 /* execve failed: ENOENT not found, EACCES/ENOEXEC ... */
	PROTO_STAGE_MAX = PROTO_STAGE_EXEC,
};

/* EXITED how. */
enum proto_exit {
	PROTO_EXIT_CODE = 0,	    /* value: exit status 0..255 */
	PROTO_EXIT_SIGNAL = 1,	    /* value: signal number */
	PROTO_EXIT_SIGNAL_CORE = 2, /* value: signal number; a core was dumped */
};

/* A byte string inside a decoded buffer (not NUL-terminated). */
struct proto_bytes {
	const uint8_t *p;
	uint32_t len;
};

/* Packed strings: @count times (le32 length, bytes). */
struct proto_strv {
	const uint8_t *p;
	uint32_t len;
	uint32_t count;
};

struct proto_winsize {
	uint16_t rows, cols, xpixel, ypixel;
};

struct proto_msg {
	uint16_t type;
	union {
		struct {
			uint16_t min_version, max_version;
			uint32_t features;
		} hello;
		struct {
			uint32_t code;
			struct proto_bytes text;
		} error;
		struct proto_strv strv; /* ARGV, ENV */
		struct {
			uint32_t flags;
			uint32_t argc, envc; /* totals of the ARGV/ENV messages before */
			struct proto_winsize ws;
			uint32_t nfds;			   /* fds attached, in this order: */
			uint16_t fd_target[PROTO_MAX_FDS]; /* the fd number each gets */
			struct proto_bytes cwd;		   /* absolute, or empty: home */
		} spawn;
		struct {
			uint32_t pid;
			uint32_t flags; /* PROTO_SPAWN_PTY when a terminal was allocated */
		} started;
		struct {
			uint32_t stage; /* enum proto_stage */
			uint32_t err;	/* errno, 1..4095 */
		} spawn_failed;
		struct {
			uint32_t how; /* enum proto_exit */
			uint32_t value;
		} exited;
		struct {
			uint32_t signo; /* 1..PROTO_MAX_SIGNAL */
		} signal;		/* SIGNAL, STOPPED */
		struct proto_winsize winsize;
		struct {
			uint32_t enabled; /* 0 or 1 */
		} input;
		struct {
			uint32_t stream;
			struct proto_bytes data; /* at least one byte */
		} data;
		struct {
			uint32_t stream;
		} eof;
	};
};

/*
 * Decode one datagram. 0 with @m filled (byte strings point into @buf); -EBADMSG when it
 * is malformed (a length that does not add up, a reserved field not zero, a NUL inside a
 * string, a value out of range); -EPROTONOSUPPORT for a well-formed header of a type this
 * version does not know (the caller may answer with ERROR and go on).
 */
int proto_decode(const void *buf, size_t len, struct proto_msg *m);

/*
 * Encode @m into @buf. Returns the datagram's length, -EMSGSIZE when it does not fit in
 * @cap or in PROTO_MSG_MAX, -EINVAL when a field breaks a rule proto_decode() checks (so
 * a peer never receives what it would reject).
 */
ssize_t proto_encode(const struct proto_msg *m, void *buf, size_t cap);

/* Walk the strings of a decoded ARGV/ENV message. */
struct proto_strv_iter {
	const uint8_t *p, *end;
};
void proto_strv_iter_init(struct proto_strv_iter *it, const struct proto_strv *v);
/* 1 with the next string in @s/@len, 0 at the end. */
int proto_strv_next(struct proto_strv_iter *it, const uint8_t **s, uint32_t *len);

/*
 * Pack as many of the NUL-terminated @strs[0..n) as fit in @cap bytes into @buf (the
 * payload of ARGV/ENV). Returns the bytes used and sets @consumed; @consumed is 0 when the
 * first string alone does not fit (or is longer than a message can carry).
 */
size_t proto_strv_pack(void *buf, size_t cap, const char *const *strs, size_t n, size_t *consumed);

/* Bytes available for packed strings in one ARGV/ENV message. */
#define PROTO_STRV_ROOM (PROTO_MSG_MAX - PROTO_HDR_LEN - 4u)

/* "HELLO", "SPAWN", ...; "?" for an unknown type. */
const char *proto_type_name(unsigned type);

#endif
