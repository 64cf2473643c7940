/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who is calling the relay, and whether it may: the container of the peer process (from
 * its /run/.containerenv, read through /proc/PID/root) and that container's
 * `toolbox create --no-host-exec` label, cached per container id.
 */
#ifndef TB_RELAY_POLICY_H
#define TB_RELAY_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "proto_io.h"

struct spawn_service;
struct spawn_request;

struct relay_caller {
	bool in_container; /* the peer sees a /run/.containerenv */
	char id[65];	   /* its podman container id (64 hex), or "" */
	char name[256];	   /* its name, or "" */
};

/*
 * Pure: parse the text of a /run/.containerenv (lines KEY="VALUE": name, id, ...) into
 * @c. Keeps only an id of 64 lowercase hex digits and a name of [A-Za-z0-9_.-]. 0 always
 * (missing keys stay empty).
 */
int relay_containerenv_parse(const char *text, size_t len, struct relay_caller *c);

/*
 * Find the container of @peer: its /run/.containerenv, resolved inside its own root. A
 * peer without one is on the host (or in no container we know). 0, -ESRCH when the peer
 * is gone (pidfd) or has no visible pid, -errno.
 */
int relay_caller_identify(const struct proto_peer *peer, struct relay_caller *c);

/*
 * Whether @c may run host commands: 0 yes, -EPERM no (its label
 * toolbox.no-host-exec=true), another -errno when podman cannot tell. The answer for a
 * container id is cached in @dir/relay-policy/ID (labels never change).
 */
int relay_policy_check(const char *dir, const struct relay_caller *c);

/* Pure: whether @s is 64 lowercase hex digits. */
bool relay_is_container_id(const char *s);

/* Where the container's view of the host is mounted (Toolbx's layout). */
#define RELAY_HOST_PREFIX "/run/host"

/*
 * Pure: the host path for the caller's working directory @cwd: "/run/host/X" is the
 * host's "/X" ("/run/host" itself is "/"); anything else (the home directory, shared at
 * the same path, and every other path) is kept. "" stays "" (the home directory).
 * 0 or -ENAMETOOLONG.
 */
int relay_map_cwd(const char *cwd, char *out, size_t cap);

/*
 * The relay's spawn_service.admit (svc->data is its struct relay_conf): identify the
 * calling container, refuse it when it was created with --no-host-exec, and map the
 * working directory to the host's (relay_map_cwd).
 */
int relay_admit(const struct spawn_service *svc, const struct proto_peer *peer,
		struct spawn_request *req, unsigned *stage, char *who, size_t whocap);

#endif
