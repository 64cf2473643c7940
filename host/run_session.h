/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `toolbox run` and `toolbox enter` share after parsing: find the container, make
 * sure it runs and its init is ready (warm path: trust run_state.h, no podman at all;
 * cold path: one inspect, start, wait on the stamps), then run the session under
 * run_supervise.h. Prints its own errors (one line each).
 */
#ifndef TB_RUN_SESSION_H
#define TB_RUN_SESSION_H

#include <stdbool.h>

#include "container.h"
#include "run_args.h"
#include "run_state.h"

/* Seconds the cold path waits for the init (Toolbx waits 25). */
#define RUN_READY_TIMEOUT_S 25
/* The progress note appears when the cold path takes longer than this. */
#define RUN_PROGRESS_DELAY_MS 500

/* Run the session; returns the launcher's exit status. */
int run_session(const struct run_opts *o, bool enter);

/* The whole of `toolbox run` (@enter false) or `toolbox enter`: parse, help, session. */
int run_session_main(int argc, char **argv, bool enter);

/* How to enter a container, from its inspect data (ours or upstream Toolbx's). Pure. */
enum session_kind run_session_kind(const struct container_info *info);

#endif
