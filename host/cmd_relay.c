// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `toolbox relay serve|start|stop|status`: the host-command relay that host-spawn and
 * flatpak-spawn --host talk to from toolbox containers (see host/relay.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "fdutil.h"
#include "globals.h"
#include "log.h"
#include "macros.h"
#include "proto_io.h"
#include "relay.h"
#include "spawn_proc.h"

#define RELAY_STOP_WAIT_MS 3000

enum {
	OPT_SOCKET = 0x100,
	OPT_IDLE,
	OPT_GRACE,
	OPT_STAMPS,
};

static const struct option relay_opts[] = {
	{"socket", required_argument, NULL, OPT_SOCKET},
	{"idle-timeout", required_argument, NULL, OPT_IDLE},
	{"grace-ms", required_argument, NULL, OPT_GRACE},
	{"stamps-dir", required_argument, NULL, OPT_STAMPS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static void relay_usage(FILE *f)
{
	fputs("Usage: toolbox relay serve [--socket PATH] [--idle-timeout SECONDS] [--grace-ms "
	      "MS]\n"
	      "       toolbox relay start|stop|status [--socket PATH]\n"
	      "\n"
	      "The host-command relay for host-spawn and flatpak-spawn --host in toolbox\n"
	      "containers. 'toolbox create', 'enter' and 'run' start it when it is not running;\n"
	      "it exits some time after the last toolbox container stopped.\n"
	      "\n"
	      "  serve    run the relay in the foreground (also under systemd socket activation)\n"
	      "  start    start it in the background unless it runs\n"
	      "  stop     stop it (commands that run keep running)\n"
	      "  status   tell whether it answers (exit status 0) or not (1)\n"
	      "\n"
	      "  --socket PATH          socket (default $XDG_RUNTIME_DIR/toolbox/relay.sock)\n"
	      "  --idle-timeout SECONDS exit when idle that long with no toolbox container\n"
	      "                         running (default 600; 0: never)\n"
	      "  --grace-ms MS          when a caller goes away: SIGHUP, SIGTERM after MS,\n"
	      "                         SIGKILL after another MS (default 2000)\n"
	      "  --stamps-dir DIR       where running toolbox containers leave their readiness\n"
	      "                         stamps (default: $XDG_RUNTIME_DIR/toolbox, and\n"
	      "                         /run/toolbox for root)\n"
	      "\n"
	      "Environment: TOOLBOX_RELAY_SOCKET, TOOLBOX_RELAY_IDLE_TIMEOUT,\n"
	      "TOOLBOX_RELAY_GRACE_MS, TOOLBOX_RELAY_STAMPS_DIR, TOOLBOX_RELAY_LOG_LEVEL set the\n"
	      "same; TOOLBOX_RELAY=0 keeps create, enter and run from starting it.\n",
	      f);
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

/* systemd socket activation: LISTEN_PID is us and LISTEN_FDS >= 1; the socket is fd 3. */
static int listen_fd_from_env(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	unsigned p, n;
	int fd = -1;

	if (pid && fds && parse_uint(pid, INT32_MAX, &p) == 0 && (pid_t)p == getpid() &&
	    parse_uint(fds, 1024, &n) == 0 && n >= 1) {
		fd = 3;
		if (n > 1)
			log_msg(LOG_LVL_WARN, 0, "%u sockets passed; using the first one", n);
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return fd;
}

/* The pipe relay_ensure_running() waits on (TOOLBOX_RELAY_READY_FD), or -1. */
static int ready_fd_from_env(void)
{
	const char *s = getenv("TOOLBOX_RELAY_READY_FD");
	unsigned fd;

	if (!s)
		return -1;
	unsetenv("TOOLBOX_RELAY_READY_FD");
	if (parse_uint(s, 1024, &fd) < 0 || fd < 3 || fcntl((int)fd, F_GETFD) < 0)
		return -1;
	(void)fd_set_cloexec((int)fd, true);
	return (int)fd;
}

static int env_uint(const char *name, unsigned max, unsigned *out)
{
	const char *s = getenv(name);

	if (!s)
		return 0;
	if (parse_uint(s, max, out) < 0) {
		log_msg(LOG_LVL_ERROR, 0, "%s=%s is not a number from 0 to %u", name, s, max);
		return -EINVAL;
	}
	return 0;
}

static int relay_cmd_serve(struct relay_conf *conf)
{
	_cleanup_free_ char **base = NULL;
	enum log_level lvl;
	const char *lvl_env = getenv("TOOLBOX_RELAY_LOG_LEVEL");
	int r;

	/* The relay's log says what it refuses and when it goes: info at least. */
	if (lvl_env && log_parse_level(lvl_env, &lvl) == 0)
		log_set_level(lvl);
	else if (!globals_get()->level_set && !globals_get()->verbose)
		log_set_level(LOG_LVL_INFO);
	log_init("toolbox relay", log_get_level());
	r = spawn_env_base(environ, &base);
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, -r, "cannot copy the environment");
		return TB_EXIT_FAILURE;
	}
	conf->base_env = base;
	return relay_serve(conf) == 0 ? 0 : TB_EXIT_FAILURE;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The pid in SOCKET.pid, or -1. */
static pid_t read_pid(const struct relay_conf *conf)
{
	char path[PATH_MAX + 8];
	_cleanup_free_ char *text = NULL;
	unsigned pid;

	snprintf(path, sizeof(path), "%s.pid", conf->socket);
	if (fd_read_file_at(AT_FDCWD, path, 32, &text, NULL) < 0)
		return -1;
	text[strcspn(text, "\n")] = '\0';
	if (parse_uint(text, INT32_MAX, &pid) < 0 || pid < 2)
		return -1;
	return (pid_t)pid;
}

static bool answers(const struct relay_conf *conf)
{
	int fd = proto_connect(conf->socket);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Whether @pid runs `... relay serve ...` (a stale pid file may name anybody by now). */
static bool is_relay(pid_t pid)
{
	char path[64];
	_cleanup_free_ char *cmdline = NULL;
	size_t len = 0;
	bool relay = false, serve = false;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if (fd_read_file_at(AT_FDCWD, path, 65536, &cmdline, &len) < 0)
		return false;
	for (size_t i = 0; i < len; i += strlen(cmdline + i) + 1) {
		relay = relay || strcmp(cmdline + i, "relay") == 0;
		serve = serve || (relay && strcmp(cmdline + i, "serve") == 0);
	}
	return relay && serve;
}

static int relay_cmd_stop(const struct relay_conf *conf)
{
	pid_t pid = read_pid(conf);
	long long deadline;

	if (pid < 0 || kill(pid, 0) < 0 || !is_relay(pid)) {
		printf("the relay on %s is not running%s\n", conf->socket,
		       answers(conf) ? " as a process of ours (socket activated?)" : "");
		return 0;
	}
	if (kill(pid, SIGTERM) < 0) {
		log_msg(LOG_LVL_ERROR, errno, "cannot stop the relay (pid %d)", (int)pid);
		return TB_EXIT_FAILURE;
	}
	deadline = mono_ms() + RELAY_STOP_WAIT_MS;
	while (kill(pid, 0) == 0 && mono_ms() < deadline)
		usleep(10000);
	printf("stopped the relay (pid %d)\n", (int)pid);
	return 0;
}

int relay_parse(int argc, char **argv, struct relay_args *a, char *err, size_t errlen)
{
	int c;

	a->sub = a->socket = NULL;
	a->help = a->usage = false;
	if (errlen)
		err[0] = '\0';
	/* `toolbox relay SUBCOMMAND [OPTION...]`, or `toolbox relay --help`. */
	if (argc < 2 ||
	    (argv[1][0] == '-' && strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0)) {
		a->usage = true;
		return 0;
	}
	if (argv[1][0] == '-') {
		a->help = true;
		return 0;
	}
	a->sub = argv[1];
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "+:h", relay_opts, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET:
			a->socket = optarg;
			break;
		case OPT_IDLE:
			if (parse_uint(optarg, 1000000, &a->idle_s) < 0) {
				snprintf(err, errlen, "--idle-timeout needs seconds, not '%s'",
					 optarg);
				return -EINVAL;
			}
			break;
		case OPT_GRACE:
			if (parse_uint(optarg, 600000, &a->grace_ms) < 0) {
				snprintf(err, errlen, "--grace-ms needs milliseconds, not '%s'",
					 optarg);
				return -EINVAL;
			}
			break;
		case OPT_STAMPS:
			a->stamps = optarg;
			break;
		case 'h':
			a->help = true;
			return 0;
		default:
			snprintf(err, errlen,
				 "relay %s: unknown or incomplete option '%s'; see 'toolbox relay "
				 "--help'",
				 a->sub, argv[optind]);
			return -EINVAL;
		}
	}
	if (optind + 1 < argc) {
		snprintf(err, errlen, "relay %s: unexpected argument '%s'", a->sub,
			 argv[optind + 1]);
		return -EINVAL;
	}
	return 0;
}

int cmd_relay(int argc, char **argv)
{
	struct relay_conf conf = {.listen_fd = -1, .ready_fd = -1};
	struct relay_args a = {.stamps = getenv("TOOLBOX_RELAY_STAMPS_DIR"),
			       .idle_s = RELAY_DEFAULT_IDLE_S,
			       .grace_ms = RELAY_DEFAULT_GRACE_MS};
	const char *sub;
	char err[512];
	int r;

	/* Before anything opens an fd: fd 3 may be systemd's socket. */
	conf.listen_fd = listen_fd_from_env();
	conf.ready_fd = ready_fd_from_env();
	if (env_uint("TOOLBOX_RELAY_IDLE_TIMEOUT", 1000000, &a.idle_s) < 0 ||
	    env_uint("TOOLBOX_RELAY_GRACE_MS", 600000, &a.grace_ms) < 0)
		return TB_EXIT_FAILURE;

	if (relay_parse(argc, argv, &a, err, sizeof(err)) < 0) {
		log_msg(LOG_LVL_ERROR, 0, "%s", err);
		return TB_EXIT_FAILURE;
	}
	if (a.usage) {
		relay_usage(stderr);
		return TB_EXIT_FAILURE;
	}
	if (a.help) {
		relay_usage(stdout);
		return 0;
	}
	sub = a.sub;
	if (a.socket)
		setenv("TOOLBOX_RELAY_SOCKET", a.socket, 1);
	r = relay_conf_paths(&conf, err, sizeof(err));
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, 0, "%s", err);
		return TB_EXIT_FAILURE;
	}
	conf.idle_s = a.idle_s;
	conf.grace_ms = a.grace_ms;
	if (a.stamps && snprintf(conf.stamps, sizeof(conf.stamps), "%s", a.stamps) >=
				(int)sizeof(conf.stamps)) {
		log_msg(LOG_LVL_ERROR, 0, "--stamps-dir is too long");
		return TB_EXIT_FAILURE;
	}

	if (strcmp(sub, "serve") == 0)
		return relay_cmd_serve(&conf);
	if (conf.listen_fd >= 0)
		close(conf.listen_fd);
	if (conf.ready_fd >= 0)
		close(conf.ready_fd);
	if (strcmp(sub, "start") == 0) {
		r = relay_ensure_at(conf.dir, conf.socket);
		if (r < 0) {
			log_msg(LOG_LVL_ERROR, -r, "cannot start the relay on %s; see %s/relay.log",
				conf.socket, conf.dir);
			return TB_EXIT_FAILURE;
		}
		printf("the relay answers on %s\n", conf.socket);
		return 0;
	}
	if (strcmp(sub, "stop") == 0)
		return relay_cmd_stop(&conf);
	if (strcmp(sub, "status") == 0) {
		pid_t pid = read_pid(&conf);

		if (!answers(&conf)) {
			printf("the relay is not running (%s)\n", conf.socket);
			return 1;
		}
		if (pid > 0 && kill(pid, 0) == 0)
			printf("the relay answers on %s (pid %d)\n", conf.socket, (int)pid);
		else
			printf("the relay answers on %s\n", conf.socket);
		return 0;
	}
	log_msg(LOG_LVL_ERROR, 0, "relay: unknown subcommand '%s'; see 'toolbox relay --help'",
		sub);
	return TB_EXIT_FAILURE;
}
