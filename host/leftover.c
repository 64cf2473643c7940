// SPDX-License-Identifier: GPL-2.0-or-later
/* Leftovers of podman commands killed part-way; see leftover.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "container.h"
#include "leftover.h"
#include "macros.h"
#include "podman.h"

/* A leftover is looked at this many times at most while it settles. */
#define LEFTOVER_LOOKS 3

int leftover_find(const char *name, struct leftover *lo, char **err)
{
	const char *args[] = {"ps", "--all", "--external", "--format", "json", NULL};
	struct podman_result res;
	struct container_summary *cs = NULL;
	size_t n = 0;
	int r;

	memset(lo, 0, sizeof(*lo));
	lo->kind = LEFTOVER_NONE;
	r = podman_capture_ok(args, &res, err);
	if (r == 0)
		r = container_parse_list(res.out, res.out_len, &cs, &n);
	podman_result_free(&res);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(cs[i].name, name) != 0)
			continue;
		/* A podman container has its own state; "storage" is podman's word for these. */
		if (strcmp(cs[i].state, "storage") == 0 && strlen(cs[i].id) < sizeof(lo->id)) {
			lo->kind = cs[i].buildah ? LEFTOVER_BUILDAH : LEFTOVER_STORAGE;
			strcpy(lo->id, cs[i].id);
			lo->created = cs[i].created;
		}
		break;
	}
	container_list_free(cs, n);
	return 0;
}

int leftover_remove(const char *name, unsigned int settle_s, struct leftover *removed, char **err)
{
	const char *args[] = {"rm", "--force", "--", NULL, NULL};
	struct podman_result res;
	struct leftover lo;
	int r;

	for (int look = 1;; look++) {
		long long age;
		struct timespec pause = {0};

		r = leftover_find(name, &lo, err);
		if (r < 0)
			return r;
		if (lo.kind != LEFTOVER_STORAGE)
			return 0;
		age = (long long)time(NULL) - lo.created;
		if (lo.created <= 0 || age >= (long long)settle_s || look >= LEFTOVER_LOOKS)
			break;
		/* Until it is old enough (a clock that went back: the whole period). */
		pause.tv_sec = age < 0 ? (time_t)settle_s : (time_t)(settle_s - age);
		nanosleep(&pause, NULL);
	}
	/* By ID: whatever took the name meanwhile is not ours to remove. */
	args[3] = lo.id;
	r = podman_capture_ok(args, &res, err);
	podman_result_free(&res);
	if (r < 0)
		return r;
	if (removed)
		*removed = lo;
	return 1;
}
