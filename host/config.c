// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "config.h"
#include "fdutil.h"
#include "macros.h"

#define CONFIG_SYSTEM_PATH "/etc/containers/toolbox.conf"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* After a closing quote only blanks or a '#' comment may follow. */
static bool rest_is_comment(const char *p)
{
	while (is_blank(*p))
		p++;
	return *p == '\0' || *p == '#';
}

int config_unquote(const char *raw, char **out)
{
	size_t len = strlen(raw);
	char *o;

	*out = NULL;
	o = malloc(len + 1);
	if (!o)
		return -ENOMEM;
	*out = o;
	if (raw[0] == '\'') { /* literal string: no escapes */
		const char *end = strchr(raw + 1, '\'');

		if (!end || !rest_is_comment(end + 1))
			goto bad;
		memcpy(o, raw + 1, (size_t)(end - raw - 1));
		o[end - raw - 1] = '\0';
		return 0;
	}
	if (raw[0] == '"') { /* basic string: the common escapes */
		const char *p = raw + 1;

		for (; *p && *p != '"'; p++) {
			if (*p != '\\') {
				*o++ = *p;
				continue;
			}
			p++;
			switch (*p) {
			case '"':
			case '\\':
				*o++ = *p;
				break;
			case 't':
				*o++ = '\t';
				break;
			case 'n':
				*o++ = '\n';
				break;
			default: /* \u escapes and the rest: not for names of images */
				goto bad;
			}
		}
		if (*p != '"' || !rest_is_comment(p + 1))
			goto bad;
		*o = '\0';
		return 0;
	}
	/* A bare value (not TOML, but what an INI user would write): up to a " #" comment. */
	{
		const char *hash = strstr(raw, " #");
		size_t n = hash ? (size_t)(hash - raw) : len;

		while (n > 0 && is_blank(raw[n - 1]))
			n--;
		memcpy(o, raw, n);
		o[n] = '\0';
	}
	return 0;
bad:
	free(*out);
	*out = NULL;
	return -EINVAL;
}

struct parse_state {
	struct tb_config cfg;
	int err;
};

static int on_value(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *st = user;
	char **slot = NULL, *v;
	int r;

	if (strcmp(section, "general") != 0)
		return 1;
	if (strcmp(name, "distro") == 0)
		slot = &st->cfg.distro;
	else if (strcmp(name, "release") == 0)
		slot = &st->cfg.release;
	else if (strcmp(name, "image") == 0)
		slot = &st->cfg.image;
	else if (strcmp(name, "exec") == 0)
		slot = &st->cfg.exec;
	else
		return 1;
	r = config_unquote(value ? value : "", &v);
	if (r < 0) {
		if (!st->err)
			st->err = r;
		return 0; /* inih reports the line */
	}
	free(*slot);
	*slot = v;
	return 1;
}

void config_free(struct tb_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->distro);
	free(cfg->release);
	free(cfg->image);
	free(cfg->exec);
	cfg->distro = cfg->release = cfg->image = cfg->exec = NULL;
}

static void config_setup_inih(void)
{
	/* TOML: no continuation lines, '#' comments, lines of any length. */
	ini_allow_multiline = false;
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_max_line = 1 << 20;
	ini_start_comment_prefixes = "#;";
	ini_allow_inline_comments = false;
	ini_stop_on_first_error = true;
}

static void move_if_set(char **dst, char **src)
{
	if (*src) {
		free(*dst);
		*dst = steal_ptr(src);
	}
}

int config_parse_string(const char *text, struct tb_config *cfg, int *line)
{
	struct parse_state st = {{0}, 0};
	int r;

	*line = 0;
	config_setup_inih();
	r = ini_parse_string(text, on_value, &st);
	if (r != 0 || st.err) {
		config_free(&st.cfg);
		if (r == -2 || st.err == -ENOMEM)
			return -ENOMEM;
		*line = r > 0 ? r : 1;
		return -EINVAL;
	}
	move_if_set(&cfg->distro, &st.cfg.distro);
	move_if_set(&cfg->release, &st.cfg.release);
	move_if_set(&cfg->image, &st.cfg.image);
	move_if_set(&cfg->exec, &st.cfg.exec);
	return 0;
}

int config_parse_file(const char *path, struct tb_config *cfg, int *line)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	*line = 0;
	r = fd_read_file_at(AT_FDCWD, path, CONFIG_MAX_SIZE, &text, &len);
	if (r == -ELOOP) { /* a symlinked config file is fine: follow it */
		_cleanup_free_ char *real = realpath(path, NULL);

		r = real ? fd_read_file_at(AT_FDCWD, real, CONFIG_MAX_SIZE, &text, &len) : -errno;
	}
	if (r == -ENOENT || r == -ENOTDIR)
		return 0;
	if (r < 0)
		return r;
	if (memchr(text, '\0', len)) {
		*line = 1;
		return -EINVAL;
	}
	return config_parse_string(text, cfg, line);
}

int config_load(struct tb_config *cfg, char **bad_path, int *line)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	_cleanup_free_ char *user = NULL;
	int r;

	*bad_path = NULL;
	r = config_parse_file(CONFIG_SYSTEM_PATH, cfg, line);
	if (r < 0) {
		*bad_path = strdup(CONFIG_SYSTEM_PATH);
		return r;
	}
	if (xdg && xdg[0] == '/')
		r = asprintf(&user, "%s/containers/toolbox.conf", xdg);
	else if (home && *home)
		r = asprintf(&user, "%s/.config/containers/toolbox.conf", home);
	else
		return 0;
	if (r < 0)
		return -ENOMEM;
	r = config_parse_file(user, cfg, line);
	if (r < 0)
		*bad_path = steal_ptr(&user);
	return r;
}
