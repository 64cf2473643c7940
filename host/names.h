/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Names, Toolbx's rules: container names, image references, distributions and their
 * releases, the default container and image for a host. Pure: no I/O, no podman.
 *
 * Distributions (Toolbx's four, plus Debian from the community images):
 *   arch    arch-toolbox:latest      quay.io/toolbx/arch-toolbox:latest
 *   fedora  fedora-toolbox:R         registry.fedoraproject.org/fedora-toolbox:R
 *   rhel    toolbox:R (R = X.Y)      registry.access.redhat.com/ubiX/toolbox:R
 *   ubuntu  ubuntu-toolbox:R (YY.MM) quay.io/toolbx/ubuntu-toolbox:R
 *   debian  debian-toolbox:R         localhost/toolbox-debian:R (built by `images/build
 *                                    debian R`) when present, else
 *                                    quay.io/toolbx-images/debian-toolbox:R
 */
#ifndef TB_NAMES_H
#define TB_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define NAMES_CONTAINER_REGEXP "[a-zA-Z0-9][a-zA-Z0-9_.-]*"
/* Release used with Fedora when the host's distribution is not one we know. */
#define NAMES_RELEASE_FALLBACK "40"

/* Whether @name matches NAMES_CONTAINER_REGEXP (whole string). */
bool names_container_valid(const char *name);

/* Image references, as Toolbx splits them. */
/* The part before the first '/' is a domain when it has a '.' or ':' or is "localhost". */
bool names_image_has_domain(const char *image);
/* The last path component without tag: "quay.io/toolbx/arch-toolbox:latest" -> "arch-toolbox". */
char *names_image_basename(const char *image);
/* The tag after ':' in the part after the domain, or NULL: "fedora-toolbox:40" -> "40". */
char *names_image_tag(const char *image);
/* Whether @s could be an image ID: 6 to 64 lowercase hex digits. */
bool names_image_can_be_id(const char *s);
/* Image references podman accepts: no blanks or control characters, not empty, no "//". */
bool names_image_valid(const char *image);

/* Comma-separated list of the distributions we know, for messages. */
const char *names_supported_distros(void);
bool names_distro_supported(const char *distro);

/*
 * Check and normalise @release for @distro (a supported one): Fedora drops an 'F'/'f'
 * prefix, Arch maps "rolling"/"" to "latest". 0 with a malloc'ed *@out; -EINVAL with
 * *@hint a sentence saying what a release must look like; -ENOMEM.
 */
int names_parse_release(const char *distro, const char *release, char **out, const char **hint);

/*
 * The host's default distribution and release from its os-release ID and VERSION_ID:
 * itself when supported and its release parses, else Fedora NAMES_RELEASE_FALLBACK.
 * Malloc'ed; 0 or -ENOMEM.
 */
int names_host_default(const char *os_id, const char *os_version_id, char **distro, char **release);

struct names_request {
	const char *container;	   /* NULL: derive from the image */
	const char *container_arg; /* how the user gave it: "CONTAINER" or "--container" */
	const char *distro;	   /* command line, NULL when not given */
	const char *image;
	const char *release;
	const struct tb_config *cfg; /* may be NULL */
	const char *host_distro;     /* from names_host_default() */
	const char *host_release;
};

struct names_result {
	char *container;
	char *image; /* as resolved, not yet qualified: "debian-toolbox:12" */
	char *release;
	char *distro; /* the distribution the image belongs to, or NULL for a custom image */
};

/*
 * Resolve the container and image names like Toolbx (command line, then toolbox.conf,
 * then the host). 0; -EINVAL with a one-line message in @err (without the "toolbox: "
 * prefix); -ENOMEM.
 */
int names_resolve(const struct names_request *req, struct names_result *res, char *err,
		  size_t errlen);
void names_result_free(struct names_result *res);

/*
 * Where to find @image (resolved, with @release): a NULL-terminated malloc'ed vector of
 * fully qualified references to try in order. An image with a domain is itself; a known
 * distribution's image gets its registry (Debian: the local build first); another short
 * name is tried as given (podman looks it up in local storage). Free with names_strv_free.
 */
char **names_image_candidates(const char *image, const char *release);
void names_strv_free(char **v);

/* The container name Toolbx would derive from @image: "<prefix>-<tag>". Malloc'ed or NULL. */
char *names_container_for_image(const char *image);

#endif
