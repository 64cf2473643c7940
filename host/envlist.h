/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The environment a toolbox session inherits from the host: an allow-list like Toolbx's
 * (display, session bus, locale, terminal, XDG_* ...), edited by the user's
 * `--env NAME[=VALUE]` and `--unset-env NAME`, turned into podman's `--env=NAME=VALUE`
 * arguments. Pure: the environment is a parameter, nothing is printed.
 */
#ifndef TB_ENVLIST_H
#define TB_ENVLIST_H

#include <stdbool.h>
#include <stddef.h>

/* One user edit, in command-line order. */
struct env_edit {
	const char *arg; /* "NAME=VALUE", "NAME" (take the host's value) or the NAME to unset */
	bool unset;	 /* --unset-env */
};

/* Whether @name is a valid variable name: [A-Za-z_][A-Za-z0-9_]*. */
bool envlist_name_valid(const char *name);

/* Whether the host's @name is forwarded by default. */
bool envlist_allowed(const char *name);

/*
 * Check one `--env` argument: NAME=VALUE or NAME with a valid NAME. 0 or -EINVAL.
 */
int envlist_check_arg(const char *arg);

/*
 * The `--env=NAME=VALUE` arguments for @envp (NULL-terminated "NAME=VALUE" strings) after
 * @edits: the allowed variables in @envp order, then the edits' variables; a later
 * setting of a name replaces an earlier one, `--unset-env` drops it, `--env NAME` takes
 * the value from @envp (nothing when the host has none). *@out is a malloc'ed
 * NULL-terminated vector of malloc'ed strings (free with envlist_free). 0, -EINVAL for a
 * bad edit, -ENOMEM.
 */
int envlist_build(char *const *envp, const struct env_edit *edits, size_t n_edits, char ***out);
void envlist_free(char **v);

#endif
