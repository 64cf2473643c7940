/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host PID of a container's init, without asking podman: once ready, our init writes
 * container-initialized-ID and then container-initialized-PID (getpid(), the host PID under
 * `--pid host`) in the readiness directory (docs/INTERFACES.md). A fresh PID stamp is the
 * init of container ID when that process's /proc/PID/root/run/.containerenv names ID.
 */
#ifndef TB_INIT_PID_H
#define TB_INIT_PID_H

#include <sys/types.h>
#include <time.h>

#include "wait_ready.h"

/* Pure: the PID of a stamp name "container-initialized-PID" (decimal, > 1), else 0. */
pid_t init_pid_stamp_parse(const char *name);

/*
 * Look once in @dirfd for a PID stamp not older than @not_before whose process lives in
 * container @id. 1 with *@pid, 0 when there is none (yet), -errno.
 */
int init_pid_find(int dirfd, const char *id, const struct timespec *not_before, pid_t *pid);

/*
 * init_pid_find() again whenever @w sees the directory change, for at most @timeout_ms:
 * the PID stamp is renamed into place right after the ID stamp. 1 with *@pid, 0 when none
 * came in time, -errno.
 */
int init_pid_wait(struct ready_watch *w, const char *id, const struct timespec *not_before,
		  int timeout_ms, pid_t *pid);

#endif
