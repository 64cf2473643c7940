// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_socket.h"
#include "macros.h"
#include "names.h"
#include "run_args.h"

enum {
	OPT_PRESERVE_FDS = 0x100,
	OPT_UNSET_ENV,
	OPT_EXEC,
};

static const struct option run_long_opts[] = {
	{"container", required_argument, NULL, 'c'},
	{"distro", required_argument, NULL, 'd'},
	{"release", required_argument, NULL, 'r'},
	{"env", required_argument, NULL, 'e'},
	{"unset-env", required_argument, NULL, OPT_UNSET_ENV},
	{"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS},
	{"exec", required_argument, NULL, OPT_EXEC},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int parse_fds(const char *s, unsigned int *out)
{
	unsigned long v = 0;

	if (!*s)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > RUN_MAX_PRESERVE_FDS)
			return -EINVAL;
	}
	*out = (unsigned int)v;
	return 0;
}

int run_exec_parse(const char *s, enum run_exec *out)
{
	static const char *const names[] = {[RUN_EXEC_AUTO] = "auto",
					    [RUN_EXEC_SOCKET] = "socket",
					    [RUN_EXEC_PODMAN] = "podman"};

	for (size_t i = RUN_EXEC_AUTO; i < ARRAY_SIZE(names); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum run_exec)i;
			return 0;
		}
	}
	return -EINVAL;
}

void run_opts_free(struct run_opts *o)
{
	free(o->env);
	o->env = NULL;
	o->n_env = 0;
}

/* Fill @err (one line) and return -EINVAL. */
static int bad(char *err, size_t errlen, const char *fmt, ...) PRINTF_LIKE(3, 4);
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* LLVM 14's analyzer loses va_start through the PRINTF_LIKE prototype; it is set. */
	vsnprintf(err, errlen, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	return -EINVAL;
}

int run_parse(int argc, char **argv, bool enter, struct run_opts *o, char *err, size_t errlen)
{
	const char *cmd = enter ? "enter" : "run";
	int c;

	*o = (struct run_opts){0};
	if (errlen)
		err[0] = '\0';
	o->env = calloc((size_t)argc + 1, sizeof(*o->env));
	if (!o->env)
		return -ENOMEM;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:c:d:r:e:h", run_long_opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->container = optarg;
			break;
		case 'd':
			o->distro = optarg;
			break;
		case 'r':
			o->release = optarg;
			break;
		case 'e':
		case OPT_UNSET_ENV:
			if (envlist_check_arg(optarg) < 0 ||
			    (c == OPT_UNSET_ENV && strchr(optarg, '=')))
				return bad(
					err, errlen,
					"invalid argument for '--%s': '%s' is not a variable name",
					c == 'e' ? "env" : "unset-env", optarg);
			o->env[o->n_env++] =
				(struct env_edit){.arg = optarg, .unset = c == OPT_UNSET_ENV};
			break;
		case OPT_PRESERVE_FDS:
			if (enter)
				return bad(err, errlen,
					   "unknown option '--preserve-fds'; run "
					   "'toolbox enter --help'");
			if (parse_fds(optarg, &o->preserve_fds) < 0)
				return bad(err, errlen,
					   "invalid argument for '--preserve-fds': '%s' is not a "
					   "number from 0 to %d",
					   optarg, RUN_MAX_PRESERVE_FDS);
			break;
		case OPT_EXEC:
			if (run_exec_parse(optarg, &o->exec) < 0)
				return bad(
					err, errlen,
					"invalid argument for '--exec': '%s' is not auto, socket "
					"or podman",
					optarg);
			break;
		case 'h':
			o->help = true;
			return 0;
		case ':':
			/* argv[optind - 1] is the option as written: "-c", "--container". */
			return bad(err, errlen,
				   "option '%s' needs an argument; run 'toolbox %s "
				   "--help'",
				   argv[optind - 1], cmd);
		default:
			if (optopt > 0 && optopt < 0x100)
				return bad(err, errlen,
					   "unknown option '-%c'; run 'toolbox %s --help'", optopt,
					   cmd);
			return bad(err, errlen, "unknown option '%s'; run 'toolbox %s --help'",
				   argv[optind - 1], cmd);
		}
	}

	if (enter) {
		if (argc - optind > 1)
			return bad(err, errlen,
				   "too many arguments for \"enter\": '%s'; run 'toolbox enter "
				   "--help'",
				   argv[optind + 1]);
		if (argc - optind == 1) {
			if (o->container && strcmp(o->container, argv[optind]) != 0)
				return bad(err, errlen,
					   "the container was named twice ('%s' and '%s'); give it "
					   "once",
					   o->container, argv[optind]);
			o->container = argv[optind];
		}
	} else {
		if (optind >= argc)
			return bad(err, errlen,
				   "missing argument for \"run\": the command to run; "
				   "run 'toolbox run --help'");
		o->cmd = argv + optind;
	}
	if (o->container && !names_container_valid(o->container))
		return bad(err, errlen,
			   "invalid argument for '--container': '%s'; container names must match "
			   "'%s'",
			   o->container, NAMES_CONTAINER_REGEXP);
	if (o->distro && !*o->distro)
		return bad(err, errlen, "invalid argument for '--distro': it is empty");
	if (o->release && !*o->release)
		return bad(err, errlen, "invalid argument for '--release': it is empty");
	return 0;
}

/*
 * Sessions in containers made by upstream Toolbx, which have no toolbox-init: a POSIX sh
 * that records its PID for the launcher (as toolbox-init exec does), keeps the working
 * directory (or falls back to $HOME with a note), and drops capabilities with capsh when
 * the image has it, as Toolbx does. $1: 1 for enter; $2: the directory; then the command.
 */
const char exec_toolbx_script[] =
	"e=$1 d=$2; shift 2\n"
	"if [ -n \"${TOOLBOX_SESSION_FILE-}\" ]; then\n"
	"  { set -C; echo $$ >\"$TOOLBOX_SESSION_FILE\"; set +C; } 2>/dev/null\n"
	"  unset TOOLBOX_SESSION_FILE\n"
	"fi\n"
	"if [ -n \"$d\" ] && ! cd -- \"$d\" 2>/dev/null; then\n"
	"  echo \"toolbox: warning: directory $d does not exist in the container;"
	" using ${HOME:-/} instead\" >&2\n"
	"  cd -- \"${HOME:-/}\" 2>/dev/null || cd /\n"
	"fi\n"
	"if [ \"$e\" = 1 ] && ! command -v \"$1\" >/dev/null 2>&1; then set -- /bin/bash -l; fi\n"
	"if command -v capsh >/dev/null 2>&1; then\n"
	"  if [ \"$e\" = 1 ]; then exec capsh --caps= -- -c 'exec \"$@\"' /bin/sh \"$@\"; fi\n"
	"  exec capsh --caps= -- --login -c 'exec \"$@\"' /bin/sh \"$@\"\n"
	"fi\n"
	"exec \"$@\"\n";

/* Append the toolbox-init entry (no command) at a[*i]. */
static void add_init_entry(struct exec_spec *s, const char **a, size_t *i)
{
	a[(*i)++] = EXEC_SOCKET_INIT_PATH;
	a[(*i)++] = "exec";
	if (s->cwd) {
		a[(*i)++] = "--cwd";
		a[(*i)++] = s->cwd;
	}
	if (s->preserve_fds) {
		snprintf(s->fds_buf, sizeof(s->fds_buf), "%u", s->preserve_fds);
		a[(*i)++] = "--preserve-fds";
		a[(*i)++] = s->fds_buf;
	}
	a[(*i)++] = "--";
}

static size_t count(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int exec_build_entry(struct exec_spec *s, const char ***out)
{
	size_t n_cmd = count(s->cmd), i = 0;
	const char **a = calloc(8 + n_cmd, sizeof(*a));

	*out = NULL;
	if (!a)
		return -ENOMEM;
	add_init_entry(s, a, &i);
	for (size_t k = 0; s->cmd && k < n_cmd; k++)
		a[i++] = s->cmd[k];
	*out = a;
	return 0;
}

int exec_build_args(struct exec_spec *s, const char ***out)
{
	size_t n_env = count(s->env_args), n_cmd = count(s->cmd), cap, i = 0;
	const char **a;
	bool login = !s->cmd || !s->cmd[0];

	*out = NULL;
	if (!s->target || !s->user)
		return -EINVAL;
	cap = 24 + n_env + n_cmd;
	a = calloc(cap, sizeof(*a));
	if (!a)
		return -ENOMEM;

	a[i++] = "exec";
	a[i++] = "--interactive";
	if (s->tty)
		a[i++] = "--tty";
	/* No detach keys: Ctrl-P Ctrl-Q belong to the program in the container. */
	a[i++] = "--detach-keys=";
	a[i++] = "--user";
	a[i++] = s->user;
	if (s->preserve_fds) {
		snprintf(s->fds_buf, sizeof(s->fds_buf), "%u", s->preserve_fds);
		a[i++] = "--preserve-fds";
		a[i++] = s->fds_buf;
	}
	for (size_t k = 0; s->env_args && k < n_env; k++)
		a[i++] = s->env_args[k];
	a[i++] = s->target;

	if (s->kind == SESSION_KIND_INIT) {
		add_init_entry(s, a, &i);
	} else {
		a[i++] = "sh";
		a[i++] = "-c";
		a[i++] = exec_toolbx_script;
		a[i++] = "sh";
		a[i++] = login ? "1" : "0";
		a[i++] = s->cwd ? s->cwd : "";
		if (login) {
			a[i++] = s->shell && *s->shell ? s->shell : "/bin/bash";
			a[i++] = "-l";
		}
	}
	for (size_t k = 0; s->cmd && k < n_cmd; k++)
		a[i++] = s->cmd[k];
	a[i] = NULL;
	*out = a;
	return 0;
}
