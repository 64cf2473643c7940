/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One relay connection, in its own process (forked by the listener): the conversation of
 * docs/INTERFACES.md, the host command and its end. The process is a session leader; the
 * command runs in its own process group in that session (so job-control stops work, as
 * under a shell), with a host pty as the session's terminal when the caller asked for one.
 */
#ifndef TB_RELAY_CONN_H
#define TB_RELAY_CONN_H

#include "proto_io.h"
#include "relay.h"

/*
 * Serve the connection @sock from @peer (uid already checked). Returns the process's exit
 * status (0 when the conversation ended as the protocol says). Never returns before the
 * command is gone.
 */
int relay_conn_main(int sock, const struct proto_peer *peer, const struct relay_conf *conf);

/* Pure: the time left, in ms, before @deadline_ms (both CLOCK_MONOTONIC ms), at least 0. */
int relay_ms_left(long long now_ms, long long deadline_ms);

/*
 * Whether a process other than @leader is in process group @pgid (a scan of /proc). For
 * the end of a command whose caller went away.
 */
bool relay_pgrp_has_others(pid_t pgid, pid_t leader);

/*
 * Pure: the process group (field 5) of a /proc/PID/stat line, and its state letter (field
 * 3) in *@state when @state is not NULL; -1 when the line is malformed.
 */
pid_t relay_stat_pgrp(const char *stat, size_t len, char *state);

#endif
