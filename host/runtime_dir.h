/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The user's runtime directory, as Toolbx finds it: $XDG_RUNTIME_DIR, else /run/user/UID
 * (then exported, so podman and the container agree). Root may have it made.
 */
#ifndef TB_RUNTIME_DIR_H
#define TB_RUNTIME_DIR_H

#include <stddef.h>

/*
 * 0 with the directory in @buf; -ENOENT/-ENOTDIR/-EINVAL with a one-line message (without
 * the "toolbox: " prefix) in @err naming what is wrong and what to do.
 */
int runtime_dir_resolve(char *buf, size_t cap, char *err, size_t errlen);

#endif
