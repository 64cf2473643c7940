/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The user's runtime directory, as Toolbx finds it: $XDG_RUNTIME_DIR, else /run/user/UID
 * (then exported, so podman and the container agree). Root may have it made. It must be
 * private to the user (0700, theirs): the relay's socket and the readiness stamps live there.
 */
#ifndef TB_RUNTIME_DIR_H
#define TB_RUNTIME_DIR_H

#include <stddef.h>
#include <sys/types.h>

/*
 * 0 with the directory in @buf; -ENOENT/-ENOTDIR/-EINVAL with a one-line message (without
 * the "toolbox: " prefix) in @err naming what is wrong and what to do.
 */
int runtime_dir_resolve(char *buf, size_t cap, char *err, size_t errlen);

/*
 * @dir (the runtime directory, symlinks followed) must be a directory owned by @uid and
 * closed to group and others, as the XDG base directory specification has it: whoever
 * else may enter or write it could swap the sockets and stamps toolbox keeps there.
 * 0, or -errno (-ENOENT, -ENOTDIR, -EPERM) with a one-line message in @err.
 * runtime_dir_resolve() applies it.
 */
int runtime_dir_check(const char *dir, uid_t uid, char *err, size_t errlen);

#endif
