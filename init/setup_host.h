/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host integration through /etc: hosts, resolv.conf, host.conf and localtime become
 * symlinks into /run/host/etc so VPN and travel changes show up live; /etc/timezone
 * follows the host's zone; small config drop-ins Toolbx writes (Kerberos KCM, RPM).
 */
#ifndef TB_SETUP_HOST_H
#define TB_SETUP_HOST_H

#include <stdbool.h>
#include <stddef.h>

/* Pure: the zone name ("Europe/Berlin") in a zoneinfo path or link target. */
int host_tz_from_target(const char *target, char *out, size_t cap);

/*
 * Pure: the link target to use for /etc/@name given what the host's file is:
 * @host_link is the host file's own link target ("" when it is not a link) and
 * @resolves says whether it resolves inside the container. Toolbx's rule: an absolute
 * host link that does not resolve here is prefixed with @host_root.
 */
int host_link_target(const char *host_root, const char *name, const char *host_link, bool resolves,
		     char *out, size_t cap);

/*
 * Make the /etc links and /etc/timezone (idempotent: nothing is rewritten when already
 * right). Host files that do not exist are skipped. 0, or -errno with a reason in @err.
 */
int setup_host_etc(const char *host_root, char *err, size_t errlen);

/* Write the small drop-ins Toolbx writes when their directories exist. Never fails. */
void setup_host_dropins(void);

/* Names in /run/host/etc whose change must re-run setup_host_etc. */
bool setup_host_watched(const char *name);

#endif
