// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: toolbox-init's command-line parsers. The first byte picks the parser, the
 * rest is the argument vector, split on NUL bytes (at most ARGS_MAX arguments, each its
 * own exact-size allocation so that a read past an argument's end is caught).
 *
 *   0  the whole of main(): argv[0] from the input (host-spawn, flatpak-spawn by name),
 *      else cmdline_parse_global() and the subcommand's parser by name
 *   1  cmdline_parse_global()        2  cmdline_parse_init()    3  session_parse() and the
 *                                       exec socket's exec_server_rewrite()
 *   4  hostspawn_parse(host-spawn)   5  hostspawn_parse(flatpak-spawn)
 *   6  hostspawn_parse(shim)         7  hostspawn_shim_name(), cmdline_parse_id(),
 *                                       cmdline_check_user_name() on the arguments
 *
 * A successful init-container parse then goes where init-container sends it: its user
 * request is applied by setup_user_edit() to a small image's user database.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "exec_server.h"
#include "hostspawn.h"
#include "session.h"
#include "setup_user.h"
#include "userdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ARGS_MAX 64

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_cmdline_init: %s:%d: check failed: %s\n", __FILE__,  \
				__LINE__, #cond);                                                  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static const char image_passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
				   "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
				   "ubuntu:x:1000:1000:Ubuntu:/home/ubuntu:/bin/bash\n";
static const char image_group[] = "root:x:0:\nsudo:x:27:ubuntu\nubuntu:x:1000:\n";
static const char image_shadow[] = "root:*:19000:0:99999:7:::\nubuntu:!:19000:0:99999:7:::\n";

/* Apply @o as init-container does (setup_user), to the database above. */
static void apply_user(const struct init_opts *o)
{
	struct setup_user_req req = {.name = o->user,
				     .uid = o->uid,
				     .gid = o->gid,
				     .home = o->home,
				     .shell = o->shell,
				     .lastchg = 19000};
	struct setup_user_dbs dbs = {.has_passwd = true, .has_group = true, .has_shadow = true};
	char err[1024] = "";
	size_t i;
	int r;

	CHECK(userdb_parse(&dbs.passwd, USERDB_PASSWD, image_passwd, strlen(image_passwd)) == 0);
	CHECK(userdb_parse(&dbs.group, USERDB_GROUP, image_group, strlen(image_group)) == 0);
	CHECK(userdb_parse(&dbs.shadow, USERDB_SHADOW, image_shadow, strlen(image_shadow)) == 0);
	CHECK(userdb_parse(&dbs.gshadow, USERDB_GSHADOW, "", 0) == 0);
	r = setup_user_edit(&dbs, &req, err, sizeof(err));
	CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
	if (r == -EINVAL)
		CHECK(err[0] && !strchr(err, '\n'));
	if (r == 0 && o->uid != 0) {
		CHECK(userdb_find_name(&dbs.passwd, o->user, 0, &i));
		CHECK(dbs.passwd.lines[i].id == o->uid);
		CHECK(userdb_field_eq(&dbs.passwd, i, PW_DIR, o->home));
		CHECK(userdb_field_eq(&dbs.passwd, i, PW_SHELL, o->shell));
	}
	setup_user_dbs_free(&dbs);
}

static void do_init(int argc, char **argv)
{
	struct init_opts o;
	char err[1024] = "";
	int r = cmdline_parse_init(argc, argv, &o, err, sizeof(err));

	CHECK(r == 0 || r == -EINVAL);
	CHECK(r == 0 || err[0]);
	if (r < 0 || o.help)
		return;
	CHECK(cmdline_check_user_name(o.user) == 0);
	CHECK(o.home[0] == '/' && o.shell[0] == '/');
	CHECK(o.uid != (uid_t)-1 && o.gid != (gid_t)-1);
	apply_user(&o);
}

static void do_session(int argc, char **argv)
{
	struct session_opts o;
	char err[512] = "";
	int r = session_parse(argc, argv, &o, err, sizeof(err));

	CHECK(r == 0 || r == -EINVAL);
	CHECK(r == 0 || err[0]);
	if (r < 0)
		return;
	CHECK(o.argv >= argv + 1 && o.argv <= argv + argc);
	CHECK(o.preserve_fds >= 0 && o.preserve_fds <= 65536);
	CHECK(!o.cwd || *o.cwd);
	CHECK(!o.user || *o.user);
}

/* The exec socket's check of the same arguments (toolbox-init's path in front). */
static void do_exec_request(int argc, char **argv)
{
	char *v[ARGS_MAX + 3] = {"/usr/bin/toolbox-init"};
	char **out = NULL, err[256] = "";
	int r;

	memcpy(v + 1, argv, (size_t)argc * sizeof(*v));
	r = exec_server_rewrite(v, (size_t)argc + 1, "user", &out, err, sizeof(err));
	CHECK(r == 0 || (r == -EINVAL && err[0] && !out) || r == -ENOMEM);
	if (r < 0)
		return;
	/* What runs: toolbox-init exec --user user, then the request's own arguments. */
	CHECK(strcmp(out[0], "toolbox-init") == 0 && strcmp(out[1], "exec") == 0);
	CHECK(strcmp(out[2], "--user") == 0 && strcmp(out[3], "user") == 0);
	for (int i = 1; i < argc; i++)
		CHECK(out[3 + i] == argv[i]);
	CHECK(out[3 + argc] == NULL);
	free(out);
}

static void do_hostspawn(enum hostspawn_mode mode, int argc, char **argv)
{
	struct hostspawn_req r;
	char err[512] = "";
	int ret = hostspawn_parse(mode, argc, argv, &r, err, sizeof(err));

	CHECK(ret == 0 || ret == -EINVAL || ret == -ENOMEM);
	CHECK(ret == 0 || err[0]);
	if (ret < 0)
		return;
	CHECK(r.argv >= argv && r.argv <= argv + argc);
	CHECK(r.help || r.version || (r.argv[0] && r.argv < argv + argc));
	CHECK(mode != HOSTSPAWN_FLATPAK || r.host || r.help || r.version);
	CHECK(r.n_env <= (size_t)argc && r.n_fds <= (size_t)argc);
	for (size_t i = 0; i < r.n_env; i++) {
		const char *eq = strchr(r.env[i], '=');

		CHECK(r.env[i][0] && (!eq || eq > r.env[i]));
	}
	for (size_t i = 0; i < r.n_fds; i++) {
		CHECK(r.fds[i] >= 3 && r.fds[i] <= 1023);
		for (size_t j = 0; j < i; j++)
			CHECK(r.fds[j] != r.fds[i]);
	}
	CHECK(!r.cwd || *r.cwd);
	CHECK(r.forward);
	hostspawn_req_free(&r);
}

static void do_names(int argc, char **argv)
{
	const char *shim;
	unsigned int id;

	shim = hostspawn_shim_name(argc > 1 ? argv[1] : NULL, argc > 2 ? argv[2] : NULL,
				   argc > 3 ? argv[3] : NULL);
	CHECK(!shim || (*shim && !strchr(shim, '/') && !hostspawn_own_name(shim)));
	if (argc > 1 && cmdline_parse_id(argv[1], &id) == 0)
		CHECK(id != (unsigned int)-1);
	if (argc > 2 && cmdline_check_user_name(argv[2]) == 0)
		CHECK(!strchr(argv[2], ':') && !strchr(argv[2], '\n'));
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* init/main.c's dispatch, minus the shim detection (that looks at AT_EXECFN). */
static void do_main(int argc, char **argv)
{
	struct global_opts g;
	char err[512] = "";
	const char *cmd, *base = base_name(argv[0]);
	int r;

	if (strcmp(base, "host-spawn") == 0) {
		do_hostspawn(HOSTSPAWN_HOST_SPAWN, argc, argv);
		return;
	}
	if (strcmp(base, "flatpak-spawn") == 0) {
		do_hostspawn(HOSTSPAWN_FLATPAK, argc, argv);
		return;
	}
	r = cmdline_parse_global(argc, argv, &g, err, sizeof(err));
	CHECK(r == 0 || r == -EINVAL);
	CHECK(r == 0 || err[0]);
	if (r < 0)
		return;
	CHECK(g.cmd_index >= 1 && g.cmd_index <= argc);
	if (g.version || g.help || g.cmd_index >= argc)
		return;
	cmd = argv[g.cmd_index];
	argc -= g.cmd_index;
	argv += g.cmd_index;
	if (strcmp(cmd, "init-container") == 0)
		do_init(argc, argv);
	else if (strcmp(cmd, "exec") == 0)
		do_session(argc, argv);
	else if (strcmp(cmd, "host-spawn") == 0)
		do_hostspawn(HOSTSPAWN_HOST_SPAWN, argc, argv);
	else if (strcmp(cmd, "flatpak-spawn") == 0)
		do_hostspawn(HOSTSPAWN_FLATPAK, argc, argv);
}

static char *copy(const uint8_t *p, size_t len)
{
	char *s = malloc(len + 1);

	CHECK(s);
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const prog[] = {NULL,     "toolbox-init", "init-container",
					   "exec",   "host-spawn",   "flatpak-spawn",
					   "podman", "toolbox-init"};
	char *argv[ARGS_MAX + 2] = {0};
	int argc = 0;
	unsigned which;
	const uint8_t *p, *end = data + size;

	if (size < 1)
		return 0;
	which = data[0] % (unsigned)(sizeof(prog) / sizeof(prog[0]));
	if (prog[which])
		argv[argc++] = copy((const uint8_t *)prog[which], strlen(prog[which]));
	for (p = data + 1; p < end && argc <= ARGS_MAX;) {
		const uint8_t *nul = memchr(p, '\0', (size_t)(end - p));
		size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);

		argv[argc++] = copy(p, len);
		p += len + 1;
	}
	if (argc == 0)
		argv[argc++] = copy((const uint8_t *)"", 0);
	argv[argc] = NULL;

	switch (which) {
	case 0:
		do_main(argc, argv);
		break;
	case 1: {
		struct global_opts g;
		char err[512] = "";
		int r = cmdline_parse_global(argc, argv, &g, err, sizeof(err));

		CHECK(r == 0 || (r == -EINVAL && err[0]));
		CHECK(r < 0 || (g.cmd_index >= 1 && g.cmd_index <= argc));
		break;
	}
	case 2:
		do_init(argc, argv);
		break;
	case 3:
		do_session(argc, argv);
		do_exec_request(argc, argv);
		break;
	case 4:
		do_hostspawn(HOSTSPAWN_HOST_SPAWN, argc, argv);
		break;
	case 5:
		do_hostspawn(HOSTSPAWN_FLATPAK, argc, argv);
		break;
	case 6:
		do_hostspawn(HOSTSPAWN_SHIM, argc, argv);
		break;
	default:
		do_names(argc, argv);
		break;
	}
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
