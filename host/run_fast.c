// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macros.h"
#include "run_fast.h"
#include "spawn_client.h"

#define ENV_ARG_PREFIX "--env="

int run_fast(const struct fast_req *r)
{
	_cleanup_free_ const char **env = NULL;
	_cleanup_free_ int *fds = NULL;
	char peer[320], where[320];
	size_t n_env = 0, n = 0;

	while (r->env_args && r->env_args[n])
		n++;
	env = calloc(n + 1, sizeof(*env));
	fds = calloc(r->preserve_fds + 1, sizeof(*fds));
	if (!env || !fds) {
		log_msg(LOG_LVL_ERROR, ENOMEM, "cannot start the session");
		return r->fallback ? SPAWN_UNAVAILABLE : 125;
	}
	for (size_t i = 0; i < n; i++) {
		if (strncmp(r->env_args[i], ENV_ARG_PREFIX, strlen(ENV_ARG_PREFIX)) == 0)
			env[n_env++] = r->env_args[i] + strlen(ENV_ARG_PREFIX);
	}
	for (unsigned int i = 0; i < r->preserve_fds; i++)
		fds[i] = 3 + (int)i;
	snprintf(peer, sizeof(peer), "the exec socket of container %s", r->name);
	snprintf(where, sizeof(where), "in container %s", r->name);
	return spawn_client_run(&(struct spawn_run){
		.argv = r->entry,
		.cwd = "/",
		.env = env,
		.n_env = n_env,
		.extra_fds = fds,
		.n_extra = r->preserve_fds,
		.pty = r->tty ? SPAWN_PTY_ON : SPAWN_PTY_OFF,
		.prog = "toolbox",
		.socket = r->socket,
		.peer = peer,
		.where = where,
		.start_hint = "it is served by toolbox-init while the container runs; use "
			      "--exec=podman for containers made by other tools",
		.policy_msg = "the container refused the session",
		.fallback = r->fallback,
	});
}
