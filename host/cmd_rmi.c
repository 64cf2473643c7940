// SPDX-License-Identifier: GPL-2.0-or-later
/* toolbox rmi: remove toolbox images; one in use by a container only with --force. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "container.h"
#include "image.h"
#include "log.h"
#include "macros.h"
#include "podman.h"

/* `podman rmi [--force] -- REF...`; 0 or -EIO (printed, with the reason when in use). */
static int podman_rmi(const char *const *refs, size_t n, bool force, const char *what)
{
	_cleanup_free_ const char **args = calloc(n + 5, sizeof(*args));
	struct podman_result res;
	size_t k = 0;
	int r;

	if (!args)
		return -ENOMEM;
	args[k++] = "rmi";
	if (force)
		args[k++] = "--force";
	args[k++] = "--";
	for (size_t i = 0; i < n; i++)
		args[k++] = refs[i];
	args[k] = NULL;
	r = podman_capture(args, &res);
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, -r, "failed to remove %s: cannot run podman", what);
	} else if (res.status != 0) {
		const char *line = podman_result_errline(&res);

		if (strstr(line, "in use by a container") || strstr(line, "image is in use"))
			log_msg(LOG_LVL_ERROR, 0,
				"image %s is in use by a container; remove the container first or "
				"use --force (%s)",
				what, line);
		else
			log_msg(LOG_LVL_ERROR, 0, "failed to remove %s: %s", what, line);
		r = -EIO;
	}
	podman_result_free(&res);
	return r;
}

static int rmi_all(bool force)
{
	struct image_info *imgs = NULL;
	_cleanup_free_ const char **ids = NULL;
	_cleanup_free_ char *err = NULL;
	size_t n = 0, k = 0;
	int r, failed = 0;

	r = image_list_all(true, &imgs, &n, &err);
	if (r < 0) {
		cmd_report_list_error("images", r, err);
		return TB_EXIT_FAILURE;
	}
	ids = calloc(n + 1, sizeof(*ids));
	if (!ids) {
		image_list_free(imgs, n);
		return TB_EXIT_FAILURE;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = imgs[i].names[0] ? imgs[i].names[0] : imgs[i].id;

		if (!force && imgs[i].containers > 0) {
			log_msg(LOG_LVL_ERROR, 0,
				"image %s is in use by %lld container(s); remove them first or use "
				"--force",
				name, (long long)imgs[i].containers);
			failed = 1;
			continue;
		}
		ids[k++] = imgs[i].id;
	}
	if (k > 0 && podman_rmi(ids, k, force, "toolbox images") < 0)
		failed = 1;
	image_list_free(imgs, n);
	return failed ? TB_EXIT_FAILURE : 0;
}

static int rmi_one(const char *ref, bool force)
{
	struct image_info info;
	_cleanup_free_ char *err = NULL;
	int r = image_inspect(ref, &info, &err);

	if (r == -ENOENT) {
		log_msg(LOG_LVL_ERROR, 0, "image %s does not exist", ref);
		return -1;
	}
	if (r == -ENOEXEC) {
		log_msg(LOG_LVL_ERROR, 0, PODMAN_MISSING_MSG);
		return -1;
	}
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, r == -EIO ? 0 : -r, "failed to inspect image %s%s%s", ref,
			err ? ": " : "", err ? err : "");
		return -1;
	}
	if (!info.is_toolbox) {
		log_msg(LOG_LVL_ERROR, 0,
			"image %s is not a toolbox image (no label %s=true); remove it with "
			"'podman rmi %s'",
			ref, TOOLBOX_LABEL, ref);
		r = -1;
	} else {
		/* By the name given, so other tags of the same image stay. */
		r = podman_rmi(&ref, 1, force, ref) < 0 ? -1 : 0;
	}
	image_info_free(&info);
	return r;
}

int cmd_rmi(int argc, char **argv)
{
	struct rm_opts o;
	char err[512];
	int first = rm_parse(argc, argv, &o, err, sizeof(err)), failed = 0;

	if (first < 0) {
		log_msg(LOG_LVL_ERROR, 0, "%s", err);
		return TB_EXIT_FAILURE;
	}
	if (o.help)
		return help_show("rmi");
	if (!podman_path()) {
		log_msg(LOG_LVL_ERROR, 0, PODMAN_MISSING_MSG);
		return TB_EXIT_FAILURE;
	}
	if (o.all)
		return rmi_all(o.force);
	for (int i = first; i < argc; i++) {
		if (rmi_one(argv[i], o.force) < 0)
			failed = 1;
	}
	return failed ? TB_EXIT_FAILURE : 0;
}
