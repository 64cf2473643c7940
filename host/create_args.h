/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The `podman create` command line of a toolbox container: Toolbx's layout and labels
 * (so upstream Toolbx lists and enters it), our toolbox-init bind-mounted read-only, and
 * the host adaptations. create_args_build() is pure; create_host_volumes() looks at the
 * host for the optional mounts.
 */
#ifndef TB_CREATE_ARGS_H
#define TB_CREATE_ARGS_H

#include <stdbool.h>
#include <sys/types.h>

/* Where toolbox-init lives in a container (docs/INTERFACES.md). */
#define CREATE_INIT_DEST "/usr/bin/toolbox-init"
/* Toolbx's entry point binary: our init answers to this name too. */
#define CREATE_TOOLBX_DEST "/usr/bin/toolbox"
/* Container label recording `create --no-host-exec`. */
#define CREATE_NO_HOST_EXEC_LABEL "toolbox.no-host-exec"

struct create_spec {
	const char *name;
	const char *image;	  /* the local image reference to create from */
	const char *hostname;	  /* "toolbx" */
	const char *toolbox_path; /* our binary, TOOLBOX_PATH in the container */
	const char *init_path;	  /* host toolbox-init to mount; NULL: the image's own */
	const char *runtime_dir;  /* the user's XDG_RUNTIME_DIR */
	bool rootless;
	bool pid_private;
	bool no_host_exec;
	/* The user the init sets up. */
	const char *user;
	uid_t uid;
	gid_t gid;
	const char *home;	    /* as in passwd */
	const char *home_canonical; /* realpath, the mount */
	const char *shell;
	bool home_link, media_link, mnt_link;
	const char *const *volumes;   /* extra "SRC:DST[:OPTS]", NULL-terminated, may be NULL */
	const char *const *host_args; /* hostcompat options, NULL-terminated, may be NULL */
};

/*
 * The argv after "podman" (starting with "create"), NULL-terminated, malloc'ed; NULL on
 * ENOMEM. With `--pull never`: podman uses the local image or fails with "image not known".
 */
char **create_args_build(const struct create_spec *s);
void create_args_free(char **argv);

/* What a failed `podman create` said, from its error line (podman_result_errline). */
enum create_error {
	CREATE_ERROR_OTHER,
	CREATE_ERROR_NAME_TAKEN, /* a container (or storage container) has the name */
	CREATE_ERROR_NO_IMAGE,	 /* no such image in local storage */
};

/* Pure: classify podman create's one-line error (NULL: OTHER). */
enum create_error create_error_classify(const char *line);

struct create_host_volumes {
	char *v[16]; /* NULL-terminated "SRC:DST[:OPTS]" */
	size_t n;
	bool home_link, media_link, mnt_link;
};

/*
 * The optional mounts of this host, as Toolbx makes them: the D-Bus system socket, the
 * Avahi, KCM and pcscd sockets, /media, /mnt, /run/media when they exist (or the
 * --media-link/--mnt-link/--home-link flags on OSTree layouts), the profile.d script
 * @profile_sh (may be NULL), and for root Toolbx's stamp directory /run/toolbox (made
 * 0700 when missing), where upstream Toolbx looks for container-initialized-PID.
 * 0 or -ENOMEM.
 */
int create_host_volumes(struct create_host_volumes *hv, const char *profile_sh, bool rootful);
void create_host_volumes_free(struct create_host_volumes *hv);

struct create_opts {
	const char *container;	   /* NULL when not given */
	const char *container_arg; /* "CONTAINER" or "--container" */
	const char *distro;
	const char *image;
	const char *release;
	const char *authfile;
	const char *hostname;
	bool pid_private;
	bool no_host_exec;
	bool image_init; /* --image-init: the image's own toolbox-init, not the host's */
	bool help;
};

/*
 * Parse `create` options (@argv[0] is "create"). Pure: 0, or -EINVAL with a one-line
 * message in @err (Toolbx's wording where Toolbx has one).
 */
int create_parse(int argc, char **argv, struct create_opts *o, char *err, size_t errlen);

#endif
