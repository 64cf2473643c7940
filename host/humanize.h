/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Durations for people, as podman and Toolbx print them ("5 minutes ago"). */
#ifndef TB_HUMANIZE_H
#define TB_HUMANIZE_H

#include <stddef.h>
#include <stdint.h>

/* "@then relative to @now" into @buf: "About an hour ago", "3 days ago", ... */
void humanize_since(int64_t then, int64_t now, char *buf, size_t cap);

#endif
