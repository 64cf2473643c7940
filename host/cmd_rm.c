// SPDX-License-Identifier: GPL-2.0-or-later
/* toolbox rm: remove toolbox containers; a running one only with --force. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "container.h"
#include "leftover.h"
#include "log.h"
#include "macros.h"
#include "podman.h"
#include "run_state.h"

/* As create waits (cmd_create.c): a younger leftover may be a create at work. */
#define RM_LEFTOVER_SETTLE_S 2

int rm_parse(int argc, char **argv, struct rm_opts *o, char *err, size_t errlen)
{
	static const struct option longopts[] = {
		{"all", no_argument, NULL, 'a'},
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	if (errlen)
		err[0] = '\0';
	opterr = 0;
	optind = 0;
	/* No '+': Toolbx (cobra) accepts options after the names too. */
	while ((c = getopt_long(argc, argv, ":afh", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->all = true;
			break;
		case 'f':
			o->force = true;
			break;
		case 'h':
			o->help = true;
			return optind;
		default:
			snprintf(err, errlen,
				 "unknown option %s for \"%s\"; run 'toolbox %s --help' for usage",
				 argv[optind - 1], argv[0], argv[0]);
			return -EINVAL;
		}
	}
	if (o->all && optind < argc) {
		snprintf(err, errlen, "option --all takes no names (got %s)", argv[optind]);
		return -EINVAL;
	}
	if (!o->all && optind >= argc) {
		snprintf(err, errlen,
			 "missing argument for \"%s\"; run 'toolbox %s --help' for usage", argv[0],
			 argv[0]);
		return -EINVAL;
	}
	return optind;
}

/* `podman rm [--force] -- ID...`; 0 or -EIO (printed). */
static int podman_rm(const char *const *ids, size_t n, bool force, const char *what)
{
	_cleanup_free_ const char **args = calloc(n + 5, sizeof(*args));
	struct podman_result res;
	size_t k = 0;
	int r;

	if (!args)
		return -ENOMEM;
	args[k++] = "rm";
	if (force)
		args[k++] = "--force";
	args[k++] = "--";
	for (size_t i = 0; i < n; i++)
		args[k++] = ids[i];
	args[k] = NULL;
	r = podman_capture(args, &res);
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, -r, "failed to remove %s: cannot run podman", what);
	} else if (res.status != 0) {
		log_msg(LOG_LVL_ERROR, 0, "failed to remove %s: %s", what,
			podman_result_errline(&res));
		r = -EIO;
	}
	podman_result_free(&res);
	return r;
}

static int rm_all(bool force)
{
	struct container_summary *cs = NULL;
	_cleanup_free_ const char **ids = NULL;
	_cleanup_free_ char *err = NULL;
	size_t n = 0, k = 0;
	int r, failed = 0;

	r = container_list_all(true, &cs, &n, &err);
	if (r < 0) {
		cmd_report_list_error("containers", r, err);
		return TB_EXIT_FAILURE;
	}
	ids = calloc(n + 1, sizeof(*ids));
	if (!ids) {
		container_list_free(cs, n);
		return TB_EXIT_FAILURE;
	}
	for (size_t i = 0; i < n; i++) {
		if (!force && strcmp(cs[i].state, "running") == 0) {
			log_msg(LOG_LVL_ERROR, 0,
				"container %s is running; stop it with 'podman stop %s' or use "
				"--force",
				cs[i].name, cs[i].name);
			failed = 1;
			continue;
		}
		ids[k++] = cs[i].id;
	}
	if (k > 0 && podman_rm(ids, k, force, "toolbox containers") < 0)
		failed = 1;
	for (size_t i = 0; !failed && i < n; i++) {
		if (force || strcmp(cs[i].state, "running") != 0)
			run_state_forget_container(cs[i].name, cs[i].id);
	}
	container_list_free(cs, n);
	return failed ? TB_EXIT_FAILURE : 0;
}

/* What rm refuses: a container that is not a toolbox one, or one running without --force. */
static bool rm_refused(const char *name, bool is_toolbox, bool running, bool force)
{
	if (!is_toolbox) {
		log_msg(LOG_LVL_ERROR, 0,
			"container %s is not a toolbox container (no label %s=true); remove it "
			"with 'podman rm %s'",
			name, TOOLBOX_LABEL, name);
		return true;
	}
	if (running && !force) {
		log_msg(LOG_LVL_ERROR, 0,
			"container %s is running; stop it with 'podman stop %s' or use --force",
			name, name);
		return true;
	}
	return false;
}

/*
 * @name is no container podman can inspect: finish what an interrupted `podman rm` (or
 * create) left of it. With @listed, a container that podman still lists but whose
 * storage is gone (inspect fails, `ps` says "removing"); then a leftover in storage only
 * (leftover.h). 1 removed, 0 nothing of the kind (the caller reports), -1 failed or
 * refused (printed).
 */
static int rm_remains(const char *name, bool force, bool listed)
{
	struct container_summary *cs = NULL;
	struct leftover lo;
	_cleanup_free_ char *err = NULL;
	size_t n = 0;
	int r;

	if (listed) {
		r = container_list_all(false, &cs, &n, &err);
		if (r < 0) {
			cmd_report_list_error("containers", r, err);
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			const char *id = cs[i].id;

			if (strcmp(cs[i].name, name) != 0)
				continue;
			if (rm_refused(name, cs[i].is_toolbox, strcmp(cs[i].state, "running") == 0,
				       force))
				r = -1;
			else
				r = podman_rm(&id, 1, force, name) < 0 ? -1 : 1;
			if (r == 1)
				run_state_forget_container(name, id);
			container_list_free(cs, n);
			return r;
		}
		container_list_free(cs, n);
		free(err);
		err = NULL;
	}
	r = leftover_remove(name, RM_LEFTOVER_SETTLE_S, &lo, &err);
	if (r == 1)
		run_state_forget_container(name, lo.id);
	if (r == -EIO)
		log_msg(LOG_LVL_ERROR, 0, "failed to remove %s: %s", name,
			err ? err : "podman failed");
	else if (r < 0)
		log_msg(LOG_LVL_ERROR, -r, "failed to remove %s", name);
	return r < 0 ? -1 : r;
}

static int rm_one(const char *name, bool force)
{
	struct container_info info;
	_cleanup_free_ char *err = NULL;
	const char *id;
	int r = container_inspect(name, &info, &err);

	if (r == -ENOEXEC) {
		log_msg(LOG_LVL_ERROR, 0, PODMAN_MISSING_MSG);
		return -1;
	}
	if (r == -ENOENT || r == -EIO) {
		/* "no such container": podman has no record; else it may have one. */
		int k = rm_remains(name, force, r == -EIO);

		if (k != 0)
			return k < 0 ? -1 : 0;
		if (r == -ENOENT)
			log_msg(LOG_LVL_ERROR, 0, "container %s does not exist", name);
		else
			log_msg(LOG_LVL_ERROR, 0, "failed to inspect container %s: %s", name,
				err ? err : "podman failed");
		return -1;
	}
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, -r, "failed to inspect container %s", name);
		return -1;
	}
	r = -1;
	id = info.id;
	if (!rm_refused(name, info.is_toolbox, info.running, force))
		r = podman_rm(&id, 1, force, name) < 0 ? -1 : 0;
	if (r == 0)
		run_state_forget_container(info.name ? info.name : name, info.id);
	container_info_free(&info);
	return r;
}

int cmd_rm(int argc, char **argv)
{
	struct rm_opts o;
	char err[512];
	int first = rm_parse(argc, argv, &o, err, sizeof(err)), failed = 0;

	if (first < 0) {
		log_msg(LOG_LVL_ERROR, 0, "%s", err);
		return TB_EXIT_FAILURE;
	}
	if (o.help)
		return help_show("rm");
	if (!podman_path()) {
		log_msg(LOG_LVL_ERROR, 0, PODMAN_MISSING_MSG);
		return TB_EXIT_FAILURE;
	}
	if (o.all)
		return rm_all(o.force);
	for (int i = first; i < argc; i++) {
		if (rm_one(argv[i], o.force) < 0)
			failed = 1;
	}
	return failed ? TB_EXIT_FAILURE : 0;
}
