/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a podman command killed part-way leaves under a container name. `podman create`
 * makes the container in podman's storage first and records it after; `podman rm` undoes
 * the two in turn. Killed in between (SIGKILL, a crash, the machine going down), it
 * leaves a storage container that no podman command but `ps --external` shows, and that
 * still holds the name: `podman create --name` then fails with "name is already in use"
 * while `podman container exists` says there is none. `podman rm --force NAME` removes
 * it. buildah's working containers look the same but are buildah's: left alone.
 */
#ifndef TB_LEFTOVER_H
#define TB_LEFTOVER_H

#include <stdint.h>

enum leftover_kind {
	LEFTOVER_NONE,	  /* the name is free in storage, or a podman container has it */
	LEFTOVER_STORAGE, /* only podman's storage has it: a killed create or rm */
	LEFTOVER_BUILDAH, /* a buildah working container has it */
};

struct leftover {
	enum leftover_kind kind;
	char id[65];	 /* its storage ID (64 hex digits), "" for LEFTOVER_NONE */
	int64_t created; /* Unix time, 0 when unknown */
};

/*
 * Look for a leftover named @name (`podman ps --all --external`, one call). 0 with @lo
 * filled; -ENOEXEC no podman; -EIO with podman's line in *@err (malloc'ed); -EINVAL
 * unparsable output; -ENOMEM.
 */
int leftover_find(const char *name, struct leftover *lo, char **err);

/*
 * Remove the leftover @name (`podman rm --force ID`) once it has been there for
 * @settle_s seconds: a younger one may be someone else's `podman create` still at work,
 * so it is looked at again then. 1 removed (what it was in *@removed, when not NULL), 0
 * nothing to remove (gone meanwhile, a podman container has the name now, or buildah's),
 * < 0 as leftover_find() (or podman rm failing: -EIO with its line in *@err).
 */
int leftover_remove(const char *name, unsigned int settle_s, struct leftover *removed, char **err);

#endif
