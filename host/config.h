/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * toolbox.conf(5): `[general] distro, release, image` (and our `exec`), read from /etc/containers/toolbox.conf
 * then ~/.config/containers/toolbox.conf (the user's values override the system's).
 * Toolbx writes the file in TOML; we parse it with inih (Debian's libinih) and take TOML's
 * basic "..." and literal '...' strings (bare values are accepted too). Other sections and
 * keys are ignored, as Toolbx ignores them.
 */
#ifndef TB_CONFIG_H
#define TB_CONFIG_H

/* Largest toolbox.conf we read. */
#define CONFIG_MAX_SIZE (256u << 10)

struct tb_config {
	char *distro; /* NULL when not set */
	char *release;
	char *image;
	char *exec; /* ours, not Toolbx's: how run/enter get in (auto, socket, podman) */
};

/*
 * Merge the settings of the text @text (NUL-terminated) into @cfg, overriding what is
 * set. 0; -EINVAL with *@line the first bad line (1-based) on a syntax error, in which
 * case @cfg is unchanged; -ENOMEM.
 */
int config_parse_string(const char *text, struct tb_config *cfg, int *line);

/*
 * Merge the file at @path. 0 (also when the file does not exist); -errno; -EINVAL with
 * *@line on a syntax error.
 */
int config_parse_file(const char *path, struct tb_config *cfg, int *line);

/*
 * The system file then the user's ($XDG_CONFIG_HOME, else $HOME/.config). On failure
 * *@bad_path (malloc'ed) names the file and *@line the line (0 when not a syntax error).
 */
int config_load(struct tb_config *cfg, char **bad_path, int *line);

/* TOML string value -> malloc'ed string. -EINVAL when a quoted value is malformed. */
int config_unquote(const char *raw, char **out);

void config_free(struct tb_config *cfg);

#endif
