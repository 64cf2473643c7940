/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the launcher knows of one container: a single `podman inspect --type container
 * NAME`, parsed with json-c. The parser is pure (canned JSON in the unit tests, fuzzed);
 * container_inspect() is the one call that runs podman.
 */
#ifndef TB_CONTAINER_H
#define TB_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "jsonutil.h"

/* The labels that make a container (or an image) a toolbox one, new and old. */
#define TOOLBOX_LABEL "com.github.containers.toolbox"
#define TOOLBOX_LABEL_OLD "com.github.debarshiray.toolbox"

struct container_info {
	char *id;	   /* full ID */
	char *name;	   /* without a leading '/' */
	char *state;	   /* State.Status: "running", "exited", "created", "paused", ... */
	bool running;	   /* State.Running */
	pid_t pid;	   /* State.Pid: the init's PID in the host's namespace, 0 if not running */
	char *image_name;  /* ImageName, e.g. "localhost/toolbox-test-debian:12-sudo" */
	char *image_id;	   /* Image */
	char *created;	   /* Created, as podman writes it (RFC 3339) */
	char *runtime;	   /* OCIRuntime */
	char *pid_mode;	   /* HostConfig.PidMode: "host", "private", ... ("" when absent) */
	char **entrypoint; /* Config.Entrypoint, NULL-terminated (never NULL itself) */
	char **cmd;	   /* Config.Cmd, NULL-terminated (never NULL itself) */
	char **mounts;	   /* Mounts[].Destination, NULL-terminated (never NULL itself) */
	struct str_pair *labels; /* Config.Labels */
	size_t n_labels;
	bool is_toolbox; /* one of the toolbox labels is "true" */
	/* From the init's arguments (Toolbx's and ours: `init-container --user N --uid U`). */
	char *user; /* NULL when not recorded */
	uid_t uid;  /* (uid_t)-1 when not recorded */
};

/*
 * Parse the output of `podman inspect --type container` (a JSON array; the first element
 * is used). 0, -ENOENT for an empty array (no such container), -EINVAL for anything that
 * is not the expected shape, -ENOMEM. Unknown fields are ignored; missing optional ones
 * are empty. On failure @out is left zeroed (nothing to free, freeing is harmless).
 */
int container_parse_inspect(const char *json, size_t len, struct container_info *out);

/*
 * Inspect container @name with podman. 0; -ENOENT: no such container; -EIO: podman
 * failed (its error line in *@err, malloc'ed, when @err is not NULL); -ENOEXEC: podman
 * missing; -EINVAL: unparsable output.
 */
int container_inspect(const char *name, struct container_info *out, char **err);

void container_info_free(struct container_info *info);

/* The value of label @key, or NULL. */
const char *container_label(const struct container_info *info, const char *key);

/* Whether one of the toolbox labels is "true" (as Toolbx checks containers and images). */
bool container_labels_are_toolbox(const struct str_pair *labels, size_t n);

/* Whether something is mounted at @dest in the container. */
bool container_has_mount(const struct container_info *info, const char *dest);

/* One line of `podman ps -a --format json`. */
struct container_summary {
	char *id;
	char *name;	 /* Names[0] */
	char *state;	 /* "running", "exited", "created", ... */
	char *image;	 /* Image, the name it was created from */
	int64_t created; /* Unix time, 0 when unknown */
	struct str_pair *labels;
	size_t n_labels;
	bool is_toolbox;
	bool buildah; /* Command is ["buildah"]: with --external, a buildah working container */
};

/*
 * Parse `podman ps -a --format json`. 0 with a malloc'ed array (*@n entries; null or []
 * give none), -EINVAL, -ENOMEM.
 */
int container_parse_list(const char *json, size_t len, struct container_summary **out, size_t *n);
void container_list_free(struct container_summary *list, size_t n);

/*
 * All containers (`podman ps -a --format json`, one call), sorted by name. With
 * @toolbox_only, only those with a toolbox label. 0; -ENOEXEC no podman; -EIO with
 * podman's line in *@err; -EINVAL unparsable.
 */
int container_list_all(bool toolbox_only, struct container_summary **out, size_t *n, char **err);

#endif
