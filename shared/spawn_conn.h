/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One spawn connection, in its own process (forked by a listener): the conversation of
 * docs/INTERFACES.md ("Host-command relay"; the exec socket speaks the same), the command
 * and its end. The process is a session leader; the command runs in its own process group
 * in that session (so job-control stops work, as under a shell), with a pty allocated here
 * as the session's terminal when the caller asked for one.
 *
 * Two services use it: the host-command relay (host/relay_*.c: host commands for
 * host-spawn in containers) and the exec socket of toolbox-init (init/exec_server.c:
 * sessions for `toolbox run` on the host). They differ only in spawn_service.
 */
#ifndef TB_SPAWN_CONN_H
#define TB_SPAWN_CONN_H

#include "proto_io.h"
#include <sys/types.h>

#include "proto.h"

/* A request as received, before it is started; admit() may rewrite argv and cwd. */
struct spawn_request {
	char **argv; /* NULL-terminated, malloc'ed strings */
	size_t argc;
	char cwd[PROTO_PATH_MAX + 1]; /* as sent: absolute, or "" for the home directory */
	uint32_t flags;		      /* PROTO_SPAWN_* */
	const char *file;	      /* what to execute (static), or NULL: argv[0] in $PATH */
};

struct spawn_service {
	const char *prog;      /* names the service in the command's notes ("host-spawn") */
	char *const *base_env; /* the environment commands start from (NULL-terminated) */
	unsigned grace_ms;     /* SIGHUP ... SIGTERM ... SIGKILL steps when the caller leaves */
	const char *where;     /* "on the host": where commands run, in notes */
	uid_t tty_uid;	       /* owner of a terminal allocated here, or (uid_t)-1: ours */
	gid_t tty_gid;
	/*
	 * Called once the request is complete: 0 to go on (after rewriting @req->argv,
	 * @req->cwd as the service needs), or -errno to refuse with SPAWN_FAILED (*@stage,
	 * errno). Writes who is calling, for the audit line, into @who.
	 */
	int (*admit)(const struct spawn_service *svc, const struct proto_peer *peer,
		     struct spawn_request *req, unsigned *stage, char *who, size_t whocap);
	void *data; /* the service's own */
};

/*
 * Serve the connection @sock from @peer (uid already checked). Returns the process's exit
 * status (0 when the conversation ended as the protocol says). Never returns before the
 * command is gone.
 */
int spawn_conn_main(int sock, const struct proto_peer *peer, const struct spawn_service *svc);

/* For admit(): replace @req's argv by copies of @argv (NULL-terminated). 0 or -ENOMEM. */
int spawn_request_set_argv(struct spawn_request *req, char *const *argv);

/* Pure: the time left, in ms, before @deadline_ms (both CLOCK_MONOTONIC ms), at least 0. */
int spawn_ms_left(long long now_ms, long long deadline_ms);

/*
 * Whether a process other than @leader is in process group @pgid (a scan of /proc). For
 * the end of a command whose caller went away.
 */
bool spawn_pgrp_has_others(pid_t pgid, pid_t leader);

/*
 * Pure: the process group (field 5) of a /proc/PID/stat line, and its state letter (field
 * 3) in *@state when @state is not NULL; -1 when the line is malformed.
 */
pid_t spawn_stat_pgrp(const char *stat, size_t len, char *state);

#endif
