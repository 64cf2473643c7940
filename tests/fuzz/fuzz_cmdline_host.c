// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the launcher's command-line parsers. The first byte picks the parser, the
 * rest is the argument vector, split on NUL bytes (at most ARGS_MAX arguments, each its
 * own exact-size allocation so that a read past an argument's end is caught).
 *
 *   0  the whole of main(): globals_parse(), then the subcommand's parser by name
 *   1  globals_parse()       2  create_parse()      3  run_parse()     4  run_parse(enter)
 *   5  rm_parse() as rm      6  rm_parse() as rmi   7  list_parse()    8  relay_parse()
 *
 * After a parse, what the command would do next with the result, as far as it is pure:
 * create and run/enter resolve the names (names_resolve(), names_image_candidates()),
 * run builds the session environment (envlist_build()) and the podman exec command line
 * (exec_build_args()), create builds the podman create command line (create_args_build()).
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "create_args.h"
#include "envlist.h"
#include "globals.h"
#include "names.h"
#include "run_args.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ARGS_MAX 64

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_cmdline_host: %s:%d: check failed: %s\n", __FILE__,  \
				__LINE__, #cond);                                                  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* The host's environment as run/enter would see it: some allowed, some not. */
static char *const host_env[] = {
	"DISPLAY=:0",	      "TERM=xterm-256color",
	"LANG=C.UTF-8",	      "HOME=/home/alice",
	"SECRET=x",	      "XDG_RUNTIME_DIR=/run/user/1000",
	"PATH=/usr/bin:/bin", NULL,
};

static const struct tb_config fuzz_cfg = {.distro = "debian", .release = "12", .image = NULL};

/* Whether @p points into one of the @argc strings of @argv (an option's value may be the
 * rest of its argument: "-cNAME"). */
static bool in_argv(const char *p, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (p >= argv[i] && p <= argv[i] + strlen(argv[i]))
			return true;
	}
	return false;
}

static void check_err(int r, const char *err)
{
	CHECK(r != -EINVAL || err[0] != '\0');
}

static void resolve(const char *container, const char *container_arg, const char *distro,
		    const char *image, const char *release, bool use_cfg)
{
	struct names_request req = {
		.container = container,
		.container_arg = container_arg ? container_arg : "--container",
		.distro = distro,
		.image = image,
		.release = release,
		.cfg = use_cfg ? &fuzz_cfg : NULL,
		.host_distro = "fedora",
		.host_release = "40",
	};
	struct names_result res;
	char err[512];
	char **cands, *derived;
	int r = names_resolve(&req, &res, err, sizeof(err));

	CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
	check_err(r, err);
	if (r < 0)
		return;
	CHECK(res.container && res.image && res.release);
	CHECK(names_container_valid(res.container));
	cands = names_image_candidates(res.image, res.release);
	if (cands) {
		CHECK(cands[0]);
		names_strv_free(cands);
	}
	derived = names_container_for_image(res.image);
	free(derived);
	free(names_image_basename(res.image));
	free(names_image_tag(res.image));
	names_result_free(&res);
}

static void do_create(int argc, char **argv)
{
	struct create_opts o;
	char err[512];
	int r = create_parse(argc, argv, &o, err, sizeof(err));

	CHECK(r == 0 || r == -EINVAL);
	check_err(r, err);
	if (r < 0 || o.help)
		return;
	CHECK(!o.container || in_argv(o.container, argc, argv));
	CHECK(!(o.image && o.distro) && !(o.image && o.release));
	CHECK(o.hostname && *o.hostname);
	resolve(o.container, o.container_arg, o.distro, o.image, o.release, argc & 1);
	if (o.container && names_container_valid(o.container) && o.image) {
		struct create_spec s = {.name = o.container,
					.image = o.image,
					.hostname = o.hostname,
					.toolbox_path = "/usr/bin/toolbox",
					.init_path = "/usr/bin/toolbox-init",
					.runtime_dir = "/run/user/1000",
					.pid_private = o.pid_private,
					.no_host_exec = o.no_host_exec,
					.user = "alice",
					.uid = 1000,
					.gid = 1000,
					.home = "/home/alice",
					.home_canonical = "/home/alice",
					.shell = "/bin/bash"};
		char **v = create_args_build(&s);

		CHECK(v && strcmp(v[0], "create") == 0);
		create_args_free(v);
	}
}

static void do_run(int argc, char **argv, bool enter)
{
	struct run_opts o;
	char err[512];
	char **env = NULL;
	int r = run_parse(argc, argv, enter, &o, err, sizeof(err));

	CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
	check_err(r, err);
	if (r < 0 || o.help) {
		run_opts_free(&o);
		return;
	}
	CHECK(enter ? !o.cmd : o.cmd && o.cmd[0]);
	CHECK(o.n_env <= (size_t)argc);
	CHECK(o.preserve_fds <= RUN_MAX_PRESERVE_FDS);
	resolve(o.container, NULL, o.distro, NULL, o.release, argc & 1);
	r = envlist_build(host_env, o.env, o.n_env, &env);
	CHECK(r == 0 || r == -ENOMEM);
	if (r == 0) {
		struct exec_spec s = {.target = "0123456789ab",
				      .user = "alice",
				      .tty = argc & 2,
				      .preserve_fds = o.preserve_fds,
				      .env_args = env,
				      .kind = (argc & 4) ? SESSION_KIND_INIT : SESSION_KIND_TOOLBX,
				      .cwd = (argc & 8) ? "/home/alice" : NULL,
				      .cmd = o.cmd,
				      .shell = "/bin/zsh"};
		const char **a = NULL;

		for (char **e = env; *e; e++)
			CHECK(strncmp(*e, "--env=", 6) == 0 && strchr(*e + 6, '='));
		r = exec_build_args(&s, &a);
		CHECK(r == 0 || r == -ENOMEM);
		if (r == 0) {
			size_t n = 0;

			while (a[n])
				n++;
			CHECK(strcmp(a[0], "exec") == 0);
			/* The command comes last, whole and in order. */
			if (o.cmd) {
				size_t m = 0;

				while (o.cmd[m])
					m++;
				CHECK(n >= m);
				for (size_t k = 0; k < m; k++)
					CHECK(a[n - m + k] == o.cmd[k]);
			}
		}
		free(a);
		envlist_free(env);
	}
	run_opts_free(&o);
}

static void do_rm(int argc, char **argv)
{
	struct rm_opts o;
	char err[512];
	int r = rm_parse(argc, argv, &o, err, sizeof(err));

	CHECK(r == -EINVAL || (r >= 1 && r <= argc));
	check_err(r, err);
	if (r >= 0 && !o.help)
		CHECK(o.all ? r == argc : r < argc);
}

static void do_list(int argc, char **argv)
{
	struct list_opts o;
	char err[512];
	int r = list_parse(argc, argv, &o, err, sizeof(err));

	CHECK(r == 0 || r == -EINVAL);
	check_err(r, err);
}

static void do_relay(int argc, char **argv)
{
	struct relay_args a = {.idle_s = 600, .grace_ms = 2000};
	char err[512];
	int r = relay_parse(argc, argv, &a, err, sizeof(err));

	CHECK(r == 0 || r == -EINVAL);
	check_err(r, err);
	if (r < 0)
		return;
	CHECK(a.usage || a.help || (a.sub && in_argv(a.sub, argc, argv)));
	CHECK(a.idle_s <= 1000000 && a.grace_ms <= 600000);
}

static int do_globals(int argc, char **argv, bool dispatch)
{
	struct toolbox_globals g;
	const char *bad;
	const char *name;
	int r = globals_parse(argc, argv, &g, &bad);

	CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
	if (r == -ERANGE)
		CHECK(bad);
	if (r < 0)
		return r;
	CHECK(g.cmd_index >= 1 && g.cmd_index <= argc);
	if (!dispatch || g.cmd_index >= argc || g.help || g.version)
		return 0;
	name = argv[g.cmd_index];
	argc -= g.cmd_index;
	argv += g.cmd_index;
	if (strcmp(name, "create") == 0)
		do_create(argc, argv);
	else if (strcmp(name, "run") == 0 || strcmp(name, "enter") == 0)
		do_run(argc, argv, name[0] == 'e');
	else if (strcmp(name, "rm") == 0 || strcmp(name, "rmi") == 0)
		do_rm(argc, argv);
	else if (strcmp(name, "list") == 0)
		do_list(argc, argv);
	else if (strcmp(name, "relay") == 0)
		do_relay(argc, argv);
	else if (strcmp(name, "help") == 0)
		(void)help_known_command(argc > 1 ? argv[1] : NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const prog[] = {"toolbox", "toolbox", "create", "run",  "enter",
					   "rm",      "rmi",	 "list",   "relay"};
	char *argv[ARGS_MAX + 2] = {0};
	int argc = 1;
	unsigned which;
	const uint8_t *p, *end = data + size;

	if (size < 1)
		return 0;
	which = data[0] % (unsigned)(sizeof(prog) / sizeof(prog[0]));
	argv[0] = strdup(prog[which]);
	CHECK(argv[0]);
	for (p = data + 1; p < end && argc <= ARGS_MAX;) {
		const uint8_t *nul = memchr(p, '\0', (size_t)(end - p));
		size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);

		argv[argc] = malloc(len + 1);
		CHECK(argv[argc]);
		memcpy(argv[argc], p, len);
		argv[argc][len] = '\0';
		argc++;
		p += len + 1;
	}
	argv[argc] = NULL;

	switch (which) {
	case 0:
	case 1:
		(void)do_globals(argc, argv, which == 0);
		break;
	case 2:
		do_create(argc, argv);
		break;
	case 3:
	case 4:
		do_run(argc, argv, which == 4);
		break;
	case 5:
	case 6:
		do_rm(argc, argv);
		break;
	case 7:
		do_list(argc, argv);
		break;
	default:
		do_relay(argc, argv);
		break;
	}
	/* rm permutes argv (no '+'): free every argument whatever its place now. */
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
