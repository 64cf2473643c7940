/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Files the launcher finds relative to itself: toolbox-init and its own man pages. */
#ifndef TB_PATHS_H
#define TB_PATHS_H

#include <stddef.h>

/* Directory of the running executable (/proc/self/exe), canonical. 0 or -errno. */
int paths_self_dir(char *buf, size_t cap);

/*
 * The toolbox-init to bind-mount into containers, canonical: $TOOLBOX_INIT when set,
 * else toolbox-init beside our binary (build/ in the tree, $(prefix)/bin installed), else
 * $(prefix)/libexec/toolbox/toolbox-init. 0; -ENOENT when none is an executable file
 * (@buf then holds the first place looked at, for the message); -errno.
 */
int paths_find_init(char *buf, size_t cap);

/*
 * Our man page for "toolbox" or "toolbox-CMD" (@page): man/PAGE.1 in the source tree
 * next to build/, else $(prefix)/share/man/man1/PAGE.1. 0 or -ENOENT.
 */
int paths_find_man(const char *page, char *buf, size_t cap);

/*
 * The profile.d script that makes the prompt and welcome note inside a toolbox: ours in
 * the source tree (profile.d/toolbox.sh next to build/) or installed
 * ($(prefix)/share/profile.d/toolbox.sh), else the host's /etc/profile.d/toolbox.sh or
 * /usr/share/profile.d/toolbox.sh as Toolbx looks for it. 0 or -ENOENT.
 */
int paths_find_profile(char *buf, size_t cap);

#endif
