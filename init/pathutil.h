/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Path walking that never follows a symlink. The image is untrusted: a symlink planted at
 * /var/lib or /etc must not make us create, mount over or write a file on the host's side
 * of /run/host.
 */
#ifndef TB_PATHUTIL_H
#define TB_PATHUTIL_H

#include <stdbool.h>
#include <sys/types.h>

enum path_create {
	PATH_OPEN_ONLY,	  /* every component must exist */
	PATH_CREATE_DIR,  /* create missing directories, the last one too */
	PATH_CREATE_FILE, /* create missing parents, the last component as an empty file */
};

/*
 * Open @path (absolute, below @root_fd, or "/" when @root_fd is -1) as O_PATH without
 * following any symlink on the way (ELOOP if one is met). Missing components are made
 * as @how says (dirs 0755, files 0644, root-owned). Returns the fd or -errno.
 */
int path_open_nofollow(int root_fd, const char *path, enum path_create how);

/* Same, but returns an O_DIRECTORY|O_RDONLY fd of the parent and the last component. */
int path_open_parent(int root_fd, const char *path, bool create, const char **last);

/* Make @dir (absolute) and its parents, owned by @uid/@gid with @mode where created. */
int path_mkdir_owned(const char *dir, mode_t mode, uid_t uid, gid_t gid);

/*
 * Replace @dirfd/@name with a symlink to @target atomically (symlink to a temp name, then
 * rename over). The old entry may be anything but a directory. 0 when already so, 1 when
 * changed, -errno on failure.
 */
int path_replace_symlink(int dirfd, const char *name, const char *target);

#endif
