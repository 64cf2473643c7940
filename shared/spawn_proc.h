/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host process of a relayed command: working directory, environment, fds, exec. */
#ifndef TB_SPAWN_PROC_H
#define TB_SPAWN_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* $PATH for a command whose environment has none (glibc's default search path). */
#define SPAWN_DEFAULT_PATH "/bin:/usr/bin"

/*
 * Pure: the command's environment: @base (unless @clear), then each of @entries in order:
 * "K=V" sets K (replacing an earlier K), "K" unsets it. A malloc'ed NULL-terminated array
 * of pointers borrowed from @base and @entries (free the array only). 0 or -ENOMEM.
 */
int spawn_env_build(char *const *base, bool clear, char *const *entries, size_t n, char ***out);

/*
 * Pure: the environment host commands start from: @env without what belongs to the
 * relay's own start (LISTEN_*, NOTIFY_SOCKET, TOOLBOX_RELAY_*). Same ownership as above.
 */
int spawn_env_base(char *const *env, char ***out);

/* Pure: the value of @name in @env, or NULL. */
const char *spawn_env_get(char *const *env, const char *name);

struct spawn_fd_map {
	int fd;	    /* ours (received from the caller) */
	int target; /* the number it gets in the command */
};

struct spawn_req {
	char *const *argv;
	char *const *envp;
	const char *cwd; /* host path, or "" for $HOME */
	const struct spawn_fd_map *fds;
	size_t nfds;
	int tty_fd;	   /* the terminal's slave (our controlling terminal), or -1 */
	unsigned tty_mask; /* bit N: fd N (0..2) of the command is the terminal */
	const char *file;  /* what to execute, or NULL: argv[0], looked up in $PATH */
	const char *prog;  /* prefix of the note about the working directory */
	const char *where; /* "on the host", in that note */
};

/*
 * Fork and exec the command in its own process group (in our session, so that it is not
 * orphaned and job-control stops work), in the terminal's foreground when there is one:
 * fds placed as asked (missing 0..2 are /dev/null, everything else closed at exec), the
 * working directory (else $HOME, with a note on the command's stderr), signal dispositions
 * and mask reset, $PATH looked up in @envp (directories we may not search are skipped).
 * The child shares our memory until it execs (clone CLONE_VM|CLONE_VFORK): we resume
 * once it has exec'd or failed. Not reentrant (one stack for the child).
 * 0 with *@pid; or -errno with *@stage (enum proto_stage) saying where it failed (the
 * child is reaped then).
 */
int spawn_start(const struct spawn_req *req, pid_t *pid, unsigned *stage);

#endif
