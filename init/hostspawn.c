// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * host-spawn / flatpak-spawn --host / symlink shims: argument parsing (pure), the shim
 * rule, the links init-container makes, and the entry points. The conversation with the
 * relay is in hostspawn_client.c.
 *
 * The option parser is our own small table instead of getopt_long: host-spawn takes
 * Go-style options (one or two dashes), and the parse must be the same in the musl
 * binary and in the glibc unit tests (the two getopt_long_only differ in corner cases).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostspawn.h"
#include "spawn_client.h"
#include "log.h"
#include "macros.h"
#include "pathutil.h"

#define HOSTSPAWN_LINK_DIR "/usr/local/bin"
#define HOSTSPAWN_INIT_PATH "/usr/bin/toolbox-init"
#define HOSTSPAWN_DEFAULT_FORWARD "TERM"

enum opt_id {
	OPT_HOST = 1,
	OPT_ENV,
	OPT_UNSET_ENV,
	OPT_DIRECTORY,
	OPT_CLEAR_ENV,
	OPT_FORWARD_FD,
	OPT_WATCH_BUS,
	OPT_VERBOSE,
	OPT_HELP,
	OPT_VERSION,
	OPT_PTY,
	OPT_NO_PTY,
	OPT_CWD,
	OPT_FORWARD_ENV,
};

struct opt_def {
	const char *name;
	char short_name; /* a single-letter alias, or 0 */
	bool has_arg;
	enum opt_id id;
};

/* Go's flag package: -name or --name, -name=value or -name value. */
static const struct opt_def host_spawn_opts[] = {
	{"pty", 0, false, OPT_PTY},
	{"no-pty", 0, false, OPT_NO_PTY},
	{"cwd", 0, true, OPT_CWD},
	{"env", 0, true, OPT_FORWARD_ENV},
	{"version", 'v', false, OPT_VERSION},
	{"help", 'h', false, OPT_HELP},
	{NULL, 0, false, 0},
};

/* flatpak-spawn's GOption names that make sense for --host. */
static const struct opt_def flatpak_opts[] = {
	{"host", 0, false, OPT_HOST},		{"env", 0, true, OPT_ENV},
	{"unset-env", 0, true, OPT_UNSET_ENV},	{"directory", 0, true, OPT_DIRECTORY},
	{"clear-env", 0, false, OPT_CLEAR_ENV}, {"forward-fd", 0, true, OPT_FORWARD_FD},
	{"watch-bus", 0, false, OPT_WATCH_BUS}, {"verbose", 'v', false, OPT_VERBOSE},
	{"help", 'h', false, OPT_HELP},		{NULL, 0, false, 0},
};

/* flatpak-spawn options that only make sense for its sandbox mode. */
static const char *const flatpak_sandbox_opts[] = {
	"sandbox",
	"no-network",
	"sandbox-flag",
	"sandbox-expose",
	"sandbox-expose-ro",
	"sandbox-expose-path",
	"sandbox-expose-path-ro",
	"sandbox-a11y-own-name",
	"latest-version",
	"app-path",
	"usr-path",
	"env-fd",
	NULL,
};

void hostspawn_req_free(struct hostspawn_req *r)
{
	free(r->env);
	free(r->fds);
	r->env = NULL;
	r->fds = NULL;
	r->n_env = r->n_fds = 0;
}

static const struct opt_def *find_opt(const struct opt_def *tab, const char *name, size_t len,
				      bool is_short)
{
	for (const struct opt_def *o = tab; o->name; o++) {
		if (is_short ? (len == 1 && o->short_name == name[0])
			     : (strlen(o->name) == len && strncmp(o->name, name, len) == 0))
			return o;
	}
	return NULL;
}

static bool is_sandbox_opt(const char *name, size_t len)
{
	for (const char *const *s = flatpak_sandbox_opts; *s; s++) {
		if (strlen(*s) == len && strncmp(*s, name, len) == 0)
			return true;
	}
	return false;
}

static int parse_fd(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 3 || v > 1023)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static bool env_name_ok(const char *s, size_t len)
{
	return len > 0 && !memchr(s, '=', len);
}

static int apply_opt(enum hostspawn_mode mode, const struct opt_def *o, const char *val,
		     struct hostspawn_req *r, char *err, size_t errlen)
{
	const char *eq;
	int fd;

	switch (o->id) {
	case OPT_HOST:
		r->host = true;
		break;
	case OPT_ENV:
		eq = strchr(val, '=');
		if (!eq || !env_name_ok(val, (size_t)(eq - val))) {
			snprintf(err, errlen, "--env needs VAR=VALUE, not '%s'", val);
			return -EINVAL;
		}
		r->env[r->n_env++] = val;
		break;
	case OPT_UNSET_ENV:
		if (!env_name_ok(val, strlen(val))) {
			snprintf(err, errlen, "--unset-env needs a variable name, not '%s'", val);
			return -EINVAL;
		}
		r->env[r->n_env++] = val;
		break;
	case OPT_DIRECTORY:
	case OPT_CWD:
		if (!*val) {
			snprintf(err, errlen, "--%s needs a directory, not an empty string",
				 o->name);
			return -EINVAL;
		}
		r->cwd = val;
		break;
	case OPT_CLEAR_ENV:
		r->clear_env = true;
		break;
	case OPT_FORWARD_FD:
		if (parse_fd(val, &fd) < 0) {
			snprintf(err, errlen,
				 "--forward-fd needs a file descriptor number from 3 to 1023, not "
				 "'%s'",
				 val);
			return -EINVAL;
		}
		for (size_t i = 0; i < r->n_fds; i++) {
			if (r->fds[i] == fd)
				return 0;
		}
		r->fds[r->n_fds++] = fd;
		break;
	case OPT_WATCH_BUS:
		/* The relay ends the command when we go away, bus or not. */
		break;
	case OPT_VERBOSE:
		r->verbose = true;
		break;
	case OPT_HELP:
		r->help = true;
		break;
	case OPT_VERSION:
		r->version = true;
		break;
	case OPT_PTY:
		r->pty = SPAWN_PTY_ON;
		break;
	case OPT_NO_PTY:
		r->pty = SPAWN_PTY_OFF;
		break;
	case OPT_FORWARD_ENV:
		r->forward = val;
		break;
	}
	return 0;
}

/*
 * One option at @argv[*i]. 1 consumed (maybe with its value), 0 not an option (the
 * command starts here), -EINVAL with @err.
 */
static int parse_one(enum hostspawn_mode mode, const struct opt_def *tab, int argc, char **argv,
		     int *i, struct hostspawn_req *r, char *err, size_t errlen)
{
	const char *prog = mode == HOSTSPAWN_FLATPAK ? "flatpak-spawn" : "host-spawn";
	const char *a = argv[*i], *name, *eq, *val = NULL;
	const struct opt_def *o;
	bool dashdash;
	size_t len;

	/* a[1] only once a[0] is known not to end the string (an argument may be ""). */
	if (a[0] != '-' || a[1] == '\0')
		return 0;
	dashdash = a[1] == '-';
	name = a + (dashdash ? 2 : 1);
	eq = strchr(name, '=');
	len = eq ? (size_t)(eq - name) : strlen(name);
	/* host-spawn: -name and --name alike; flatpak-spawn: --name and -x. */
	if (mode == HOSTSPAWN_FLATPAK && !dashdash)
		o = eq ? NULL : find_opt(tab, name, len, true);
	else
		o = find_opt(tab, name, len, false);
	if (!o && !dashdash && mode != HOSTSPAWN_FLATPAK && !eq)
		o = find_opt(tab, name, len, true);
	if (!o) {
		if (mode == HOSTSPAWN_FLATPAK && dashdash && is_sandbox_opt(name, len))
			snprintf(err, errlen,
				 "--%.*s belongs to the sandbox mode, which this "
				 "flatpak-spawn (toolbox) does not have; only --host is supported",
				 (int)len, name);
		else
			snprintf(err, errlen, "unknown option '%s' (see %s --help)", a, prog);
		return -EINVAL;
	}
	if (o->has_arg) {
		if (eq) {
			val = eq + 1;
		} else if (*i + 1 < argc) {
			val = argv[++*i];
		} else {
			snprintf(err, errlen, "option '%s' needs a value", a);
			return -EINVAL;
		}
	} else if (eq) {
		snprintf(err, errlen, "option '%.*s' takes no value", (int)(eq - a), a);
		return -EINVAL;
	}
	/* Options without a value get "", so that @val is never NULL. */
	return apply_opt(mode, o, val ? val : "", r, err, errlen) < 0 ? -EINVAL : 1;
}

int hostspawn_parse(enum hostspawn_mode mode, int argc, char **argv, struct hostspawn_req *r,
		    char *err, size_t errlen)
{
	const struct opt_def *tab = mode == HOSTSPAWN_FLATPAK ? flatpak_opts : host_spawn_opts;
	int i = 1;

	*r = (struct hostspawn_req){.mode = mode, .forward = HOSTSPAWN_DEFAULT_FORWARD};
	if (errlen)
		err[0] = '\0';
	if (argc < 1)
		argc = 1;
	/* Every option takes at most one slot of env/fds: argc bounds them. */
	r->env = calloc((size_t)argc, sizeof(*r->env));
	r->fds = calloc((size_t)argc, sizeof(*r->fds));
	if (!r->env || !r->fds) {
		hostspawn_req_free(r);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (mode == HOSTSPAWN_SHIM) {
		r->argv = argv;
		return 0;
	}
	for (; i < argc; i++) {
		int n;

		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		n = parse_one(mode, tab, argc, argv, &i, r, err, errlen);
		if (n < 0) {
			hostspawn_req_free(r);
			return -EINVAL;
		}
		if (n == 0)
			break;
	}
	r->argv = argv + i;
	if (r->help || r->version)
		return 0;
	if (mode == HOSTSPAWN_FLATPAK && !r->host) {
		snprintf(err, errlen,
			 "only --host is supported (this is toolbox's flatpak-spawn, which runs "
			 "commands on the host)");
		hostspawn_req_free(r);
		return -EINVAL;
	}
	if (i >= argc || !argv[i]) {
		snprintf(err, errlen, "no command given (see %s --help)",
			 mode == HOSTSPAWN_FLATPAK ? "flatpak-spawn" : "host-spawn");
		hostspawn_req_free(r);
		return -EINVAL;
	}
	return 0;
}

/* ---- names and shims ---- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

bool hostspawn_own_name(const char *name)
{
	static const char *const own[] = {"toolbox-init", "toolbox", "host-spawn", "flatpak-spawn"};

	for (size_t i = 0; i < ARRAY_SIZE(own); i++) {
		if (strcmp(name, own[i]) == 0)
			return true;
	}
	return false;
}

const char *hostspawn_shim_name(const char *argv0, const char *execfn, const char *link)
{
	const char *name;

	if (!argv0 || !execfn || !link || !*link)
		return NULL;
	if (hostspawn_own_name(base_name(argv0)))
		return NULL;
	name = base_name(execfn);
	if (!*name || hostspawn_own_name(name))
		return NULL;
	if (strcmp(base_name(link), "host-spawn") != 0)
		return NULL;
	return name;
}

const char *hostspawn_detect_shim(const char *argv0)
{
	/* getauxval() hands the pointer over as an integer. */
	// NOLINTNEXTLINE(performance-no-int-to-ptr)
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	static char link[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (!argv0 || !execfn || hostspawn_own_name(base_name(argv0)))
		return NULL;
	if (lstat(execfn, &st) < 0 || !S_ISLNK(st.st_mode))
		return NULL;
	n = readlink(execfn, link, sizeof(link) - 1);
	if (n <= 0)
		return NULL;
	link[n] = '\0';
	return hostspawn_shim_name(argv0, execfn, link);
}

/* ---- links made by init-container ---- */

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void link_one(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return;
	if (symlinkat(HOSTSPAWN_INIT_PATH, dirfd, name) < 0 && errno != EEXIST)
		log_msg(LOG_LVL_DEBUG, errno, "cannot link %s/%s to %s", HOSTSPAWN_LINK_DIR, name,
			HOSTSPAWN_INIT_PATH);
}

void hostspawn_install_links(void)
{
	_cleanup_close_ int path = -1;
	_cleanup_close_ int dir = -1;

	if (access(HOSTSPAWN_INIT_PATH, X_OK) < 0) {
		log_msg(LOG_LVL_DEBUG, errno, "no %s: host-spawn not linked", HOSTSPAWN_INIT_PATH);
		return;
	}
	/* The image's /usr/local/bin (or /usr/local) may be a symlink into /run/host: never
	 * follow one, or the links would land on the host. */
	path = path_open_nofollow(-1, HOSTSPAWN_LINK_DIR, PATH_CREATE_DIR);
	if (path >= 0)
		dir = openat(path, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		log_msg(LOG_LVL_DEBUG, path < 0 ? -path : errno,
			"cannot open %s without following a symbolic link: host-spawn not linked",
			HOSTSPAWN_LINK_DIR);
		return;
	}
	link_one(dir, "host-spawn");
	/* An image's own flatpak-spawn (the D-Bus one) is left alone. */
	if (!exists("/usr/bin/flatpak-spawn") && !exists("/bin/flatpak-spawn"))
		link_one(dir, "flatpak-spawn");
}

/* ---- entry points ---- */

static void usage(enum hostspawn_mode mode, FILE *f)
{
	if (mode == HOSTSPAWN_FLATPAK) {
		fputs("Usage: flatpak-spawn --host [OPTION...] COMMAND [ARG...]\n"
		      "\n"
		      "Run COMMAND on the host, from a toolbox container (through the toolbox\n"
		      "relay; no D-Bus or flatpak needed).\n"
		      "\n"
		      "  --host                 run on the host (required)\n"
		      "  --env=VAR=VALUE        set VAR in the command's environment\n"
		      "  --unset-env=VAR        unset VAR in the command's environment\n"
		      "  --clear-env            start from an empty environment\n"
		      "  --directory=DIR        working directory (default: the current one)\n"
		      "  --forward-fd=FD        pass file descriptor FD on to the command\n"
		      "  --watch-bus            accepted; the command always ends with us\n"
		      "  -v, --verbose          print debug information\n"
		      "  -h, --help             show this help\n",
		      f);
		return;
	}
	fputs("Usage: host-spawn [OPTION...] COMMAND [ARG...]\n"
	      "\n"
	      "Run COMMAND on the host, from a toolbox container, with a terminal allocated on\n"
	      "the host when stdin is a terminal.\n"
	      "\n"
	      "  -pty, --pty            always allocate a terminal\n"
	      "  -no-pty, --no-pty      never allocate a terminal\n"
	      "  -cwd DIR, --cwd DIR    working directory (default: the current one)\n"
	      "  -env VARS, --env VARS  comma-separated variables to pass on (default: TERM)\n"
	      "  -v, --version          print the version\n"
	      "  -h, --help             show this help\n"
	      "\n"
	      "A symbolic link to host-spawn under another name runs that name on the host:\n"
	      "  ln -s host-spawn /usr/local/bin/podman\n"
	      "\n"
	      "Exit status: COMMAND's own; 128+N when signal N ended it; 127 COMMAND not found\n"
	      "on the host; 126 it cannot be executed (or host commands are disabled for this\n"
	      "container); 125 the relay failed; 2 usage error.\n",
	      f);
}

static int run_req(const struct hostspawn_req *r, const char *prog)
{
	char path[PATH_MAX];
	struct spawn_run run = {
		.socket = path,
		.peer = "the toolbox relay",
		.where = "on the host",
		.start_hint = "it starts with 'toolbox enter' or 'toolbox run' on the host, or run "
			      "'toolbox relay start' there",
		.policy_msg = "running commands on the host is disabled for this container (it "
			      "was created with 'toolbox create --no-host-exec')",
		.argv = r->argv,
		.cwd = r->cwd,
		.env = r->env,
		.n_env = r->n_env,
		.forward = r->mode == HOSTSPAWN_FLATPAK ? NULL : r->forward,
		.extra_fds = r->fds,
		.n_extra = r->n_fds,
		.pty = r->pty,
		.clear_env = r->clear_env,
		.term_with_pty = r->mode == HOSTSPAWN_FLATPAK,
		.prog = prog,
	};

	if (hostspawn_socket_path(getenv("TOOLBOX_RELAY_SOCKET"), getenv("XDG_RUNTIME_DIR"),
				  getuid(), path, sizeof(path)) < 0) {
		log_msg(LOG_LVL_ERROR, 0, "the relay socket's path is too long");
		return 125;
	}
	return spawn_client_run(&run);
}

static void init_log(const char *prog)
{
	const char *env = getenv("TOOLBOX_LOG_LEVEL");
	enum log_level lvl = LOG_LVL_WARN;

	log_init(prog, LOG_LVL_WARN);
	if (env && log_parse_level(env, &lvl) == 0)
		log_set_level(lvl);
}

int hostspawn_main(enum hostspawn_mode mode, int argc, char **argv)
{
	const char *prog = mode == HOSTSPAWN_FLATPAK ? "flatpak-spawn" : "host-spawn";
	struct hostspawn_req r;
	char err[512];
	int status;

	init_log(prog);
	if (hostspawn_parse(mode, argc, argv, &r, err, sizeof(err)) < 0) {
		log_msg(LOG_LVL_ERROR, 0, "%s", err);
		return 2;
	}
	if (r.help) {
		usage(mode, stdout);
		hostspawn_req_free(&r);
		return fflush(stdout) == 0 ? 0 : 125;
	}
	if (r.version) {
		printf("%s (toolbox-init) %s\n", prog, TB_VERSION);
		hostspawn_req_free(&r);
		return fflush(stdout) == 0 ? 0 : 125;
	}
	if (r.verbose)
		log_set_level(LOG_LVL_DEBUG);
	status = run_req(&r, prog);
	hostspawn_req_free(&r);
	return status;
}

int hostspawn_shim_main(const char *name, int argc, char **argv)
{
	struct hostspawn_req r;
	char err[128];
	int status;

	init_log("host-spawn");
	if (hostspawn_parse(HOSTSPAWN_SHIM, argc, argv, &r, err, sizeof(err)) < 0) {
		log_msg(LOG_LVL_ERROR, 0, "%s", err);
		return 125;
	}
	/* The host command's argv: the shim's name, then every argument as given. */
	{
		_cleanup_free_ char **av = calloc((size_t)(argc > 0 ? argc : 1) + 1, sizeof(*av));

		if (!av) {
			hostspawn_req_free(&r);
			log_msg(LOG_LVL_ERROR, ENOMEM, "%s", name);
			return 125;
		}
		av[0] = (char *)name;
		for (int i = 1; i < argc; i++)
			av[i] = argv[i];
		r.argv = av;
		status = run_req(&r, "host-spawn");
	}
	hostspawn_req_free(&r);
	return status;
}

int hostspawn_socket_path(const char *override, const char *xdg, uid_t uid, char *buf, size_t cap)
{
	int n;

	if (override && *override)
		n = snprintf(buf, cap, "%s", override);
	else if (xdg && xdg[0] == '/')
		n = snprintf(buf, cap, "%s/%s", xdg, HOSTSPAWN_SOCKET_NAME);
	else
		n = snprintf(buf, cap, "/run/user/%u/%s", (unsigned)uid, HOSTSPAWN_SOCKET_NAME);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}
