// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envlist.h"
#include "macros.h"

/*
 * Toolbx's preservedEnvironmentVariables, plus what its users have asked for since:
 * LANGUAGE and every LC_* (a locale is more than LANG), XAUTHORITY (X11 with a cookie
 * file), and every XDG_* (base directories and session variables alike). All of them
 * describe the user's session or terminal; none changes how programs in the container
 * find their own files (no PATH, no LD_*, no HOME: the container has its own).
 */
static const char *const envlist_names[] = {
	"COLORTERM",
	"DBUS_SESSION_BUS_ADDRESS",
	"DBUS_SYSTEM_BUS_ADDRESS",
	"DESKTOP_SESSION",
	"DISPLAY",
	"KONSOLE_VERSION",
	"LANG",
	"LANGUAGE",
	"SHELL",
	"SSH_AUTH_SOCK",
	"TERM",
	"TERM_PROGRAM",
	"TERM_PROGRAM_VERSION",
	"TOOLBOX_PATH",
	"TOOLBOX_RELAY_SOCKET", /* where host-spawn finds the relay, when not the default */
	"VTE_VERSION",
	"WAYLAND_DISPLAY",
	"XAUTHLOCALHOSTNAME",
	"XAUTHORITY",
};

static const char *const envlist_prefixes[] = {
	"LC_",
	"XDG_",
};

bool envlist_name_valid(const char *name)
{
	if (!name ||
	    !((*name >= 'A' && *name <= 'Z') || (*name >= 'a' && *name <= 'z') || *name == '_'))
		return false;
	for (const char *p = name + 1; *p; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	}
	return true;
}

bool envlist_allowed(const char *name)
{
	if (!envlist_name_valid(name))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(envlist_names); i++) {
		if (strcmp(name, envlist_names[i]) == 0)
			return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(envlist_prefixes); i++) {
		size_t n = strlen(envlist_prefixes[i]);

		/* The prefix alone ("LC_") is not a variable anybody sets. */
		if (strncmp(name, envlist_prefixes[i], n) == 0 && name[n])
			return true;
	}
	return false;
}

/* The name part of "NAME=VALUE" or "NAME", copied into @buf. false when too long. */
static bool env_name_of(const char *arg, char *buf, size_t cap)
{
	size_t n = strcspn(arg, "=");

	if (n >= cap)
		return false;
	memcpy(buf, arg, n);
	buf[n] = '\0';
	return true;
}

int envlist_check_arg(const char *arg)
{
	char name[256];

	if (!arg || !env_name_of(arg, name, sizeof(name)) || !envlist_name_valid(name))
		return -EINVAL;
	return 0;
}

/* The list being built: "NAME=VALUE" strings borrowed from envp or the edits. */
struct env_set {
	const char **items;
	size_t n;
};

static size_t env_set_find(const struct env_set *s, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < s->n; i++) {
		if (strncmp(s->items[i], name, len) == 0 && s->items[i][len] == '=')
			return i;
	}
	return (size_t)-1;
}

static void env_set_remove(struct env_set *s, const char *name)
{
	size_t i = env_set_find(s, name);

	if (i == (size_t)-1)
		return;
	memmove(&s->items[i], &s->items[i + 1], (s->n - i - 1) * sizeof(*s->items));
	s->n--;
}

/* @s has room for every entry of envp and every edit: no allocation here. */
static void env_set_put(struct env_set *s, const char *name, const char *item)
{
	env_set_remove(s, name);
	s->items[s->n++] = item;
}

static const char *env_lookup(char *const *envp, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; envp && envp[i]; i++) {
		if (strncmp(envp[i], name, len) == 0 && envp[i][len] == '=')
			return envp[i];
	}
	return NULL;
}

void envlist_free(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

int envlist_build(char *const *envp, const struct env_edit *edits, size_t n_edits, char ***out)
{
	_cleanup_free_ const char **items = NULL;
	struct env_set set = {0};
	size_t n_env = 0;
	char name[256];
	char **v;

	*out = NULL;
	while (envp && envp[n_env])
		n_env++;
	items = calloc(n_env + n_edits + 1, sizeof(*items));
	if (!items)
		return -ENOMEM;
	set.items = items;

	for (size_t i = 0; i < n_env; i++) {
		if (!strchr(envp[i], '=') || !env_name_of(envp[i], name, sizeof(name)))
			continue;
		if (envlist_allowed(name))
			env_set_put(&set, name, envp[i]);
	}
	for (size_t i = 0; i < n_edits; i++) {
		const char *arg = edits[i].arg;

		if (envlist_check_arg(arg) < 0)
			return -EINVAL;
		env_name_of(arg, name, sizeof(name));
		if (edits[i].unset) {
			if (strchr(arg, '='))
				return -EINVAL;
			env_set_remove(&set, name);
		} else if (strchr(arg, '=')) {
			env_set_put(&set, name, arg);
		} else {
			const char *host = env_lookup(envp, name);

			if (host)
				env_set_put(&set, name, host);
		}
	}

	v = calloc(set.n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < set.n; i++) {
		if (asprintf(&v[i], "--env=%s", set.items[i]) < 0) {
			v[i] = NULL;
			envlist_free(v);
			return -ENOMEM;
		}
	}
	*out = v;
	return 0;
}
