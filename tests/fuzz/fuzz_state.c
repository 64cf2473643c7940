// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the small text formats the launcher reads from places it does not write
 * alone. The first byte picks the parser, the rest is the file's text:
 *
 *   0  run_state_decode(): the warm path's launcher/NAME.state (host/run_state.c); a
 *      decoded state must encode, and decode back to the same state
 *   1  proc_stat_parse(): /proc/PID/stat, whose comm any process chooses
 *   2  ready_first_line(): the first line of an init's failure marker (host/wait_ready.c),
 *      written inside the container
 *   3  relay_containerenv_parse(): a caller's /run/.containerenv (host/relay_policy.c),
 *      which the container's owner controls
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay_policy.h"
#include "run_state.h"
#include "wait_ready.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_state: %s:%d: check failed: %s\n", __FILE__,         \
				__LINE__, #cond);                                                  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static bool same_state(const struct run_state *a, const struct run_state *b)
{
	return strcmp(a->id, b->id) == 0 && a->pid == b->pid && a->starttime == b->starttime &&
	       strcmp(a->comm, b->comm) == 0 && a->kind == b->kind &&
	       strcmp(a->stamp, b->stamp) == 0 && a->stamp_mtime.tv_sec == b->stamp_mtime.tv_sec &&
	       a->stamp_mtime.tv_nsec == b->stamp_mtime.tv_nsec;
}

static void do_run_state(const char *p, size_t len)
{
	struct run_state s, again;
	char buf[RUN_STATE_MAX + 1];
	int n;

	if (run_state_decode(p, len, &s) < 0)
		return;
	CHECK(s.pid > 0 && s.id[0] && s.comm[0] && s.stamp[0] && !strchr(s.stamp, '/'));
	n = run_state_encode(&s, buf, sizeof(buf));
	CHECK(n > 0 && (size_t)n < sizeof(buf));
	CHECK(run_state_decode(buf, (size_t)n, &again) == 0);
	CHECK(same_state(&s, &again));
	/* A buffer one byte short is an error, not a cut line. */
	CHECK(run_state_encode(&s, buf, (size_t)n) < 0);
}

static void do_proc_stat(const char *p, size_t len)
{
	struct proc_stat st;

	if (proc_stat_parse(p, len, &st) < 0)
		return;
	CHECK(strlen(st.comm) <= RUN_STATE_COMM_MAX);
	CHECK(st.state != '\0');
}

static void do_first_line(const char *p, size_t len)
{
	char *text = malloc(len + 1);
	char out[512];
	size_t cap;

	CHECK(text);
	memcpy(text, p, len);
	text[len] = '\0';
	/* Every capacity from 0 to the whole buffer, picked by the first byte. */
	cap = len ? (unsigned char)p[0] * sizeof(out) / 256 + 1 : sizeof(out);
	memset(out, 'X', sizeof(out));
	ready_first_line(text, out, cap);
	CHECK(strlen(out) < cap);
	for (const char *q = out; *q; q++)
		CHECK((unsigned char)*q >= 0x20 && *q != 0x7f);
	ready_first_line(text, out, 0);
	free(text);
}

static void do_containerenv(const char *p, size_t len)
{
	struct relay_caller c;

	CHECK(relay_containerenv_parse(p, len, &c) == 0);
	CHECK(c.in_container);
	CHECK(!c.id[0] || relay_is_container_id(c.id));
	CHECK(strlen(c.name) < sizeof(c.name));
	for (const char *q = c.name; *q; q++)
		CHECK((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		      (*q >= '0' && *q <= '9') || *q == '_' || *q == '.' || *q == '-');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p;
	char *copy;
	size_t len;

	if (size < 1)
		return 0;
	/* An exact-size copy: a read past the text's end is caught. */
	len = size - 1;
	copy = malloc(len ? len : 1);
	CHECK(copy);
	memcpy(copy, data + 1, len);
	p = copy;
	switch (data[0] % 4) {
	case 0:
		do_run_state(p, len);
		break;
	case 1:
		do_proc_stat(p, len);
		break;
	case 2:
		do_first_line(p, len);
		break;
	default:
		do_containerenv(p, len);
		break;
	}
	free(copy);
	return 0;
}
