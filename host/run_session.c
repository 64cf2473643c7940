// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "container.h"
#include "envlist.h"
#include "exec_socket.h"
#include "init_pid.h"
#include "log.h"
#include "macros.h"
#include "names.h"
#include "osrelease.h"
#include "podman.h"
#include "relay.h"
#include "run_fast.h"
#include "run_session.h"
#include "run_supervise.h"
#include "runtime_dir.h"
#include "spawn_client.h"
#include "syscalls.h"
#include "wait_ready.h"

extern char **environ;

/* Where the init sits in our containers (create_args.h has the same). */
#define SESSION_INIT_DEST "/usr/bin/toolbox-init"
/* Stamps older than the init's start by more than this are from an earlier run. */
#define SESSION_STAMP_SLACK_NS 100000000L
/*
 * After our `podman start`, how long the ID stamps alone are waited for before asking
 * podman how the container is (the old way, which also notices an init gone without a
 * word); and how long the PID stamp may lag behind the ID stamp (it is renamed in next).
 */
#define SESSION_QUICK_READY_MS 500
#define SESSION_PID_STAMP_MS 200
/* Looks, 1 ms apart, for a stamp right after podman start, before an inotify watch. */
#define SESSION_STAMP_LOOKS 10

/* What the session needs to know about its container, from the state file or podman. */
struct target {
	char name[256];
	char id[RUN_STATE_ID_MAX + 1];
	enum session_kind kind;
	char ready_dir[PATH_MAX]; /* readiness stamps, session files, launcher/ */
};

/* ---- the progress note ------------------------------------------------------------- */

/*
 * "Starting container NAME…" on a terminal, once the cold path has taken longer than
 * RUN_PROGRESS_DELAY_MS, erased when it is done. Written by a SIGALRM handler so that it
 * also shows while podman start blocks us. Process-wide by nature (one timer, one
 * handler), hence static.
 */
static char progress_line[320];
static size_t progress_len;
static volatile sig_atomic_t progress_shown;
static bool progress_armed;

static void progress_alarm(int sig)
{
	ssize_t n = write(STDERR_FILENO, progress_line, progress_len);

	(void)sig;
	(void)n;
	progress_shown = 1;
}

static void progress_arm(const char *name)
{
	struct sigaction sa = {.sa_handler = progress_alarm, .sa_flags = SA_RESTART};
	struct itimerval it = {.it_value = {.tv_sec = 0, .tv_usec = RUN_PROGRESS_DELAY_MS * 1000}};
	int n;

	if (progress_armed || !isatty(STDERR_FILENO) || log_get_level() >= LOG_LVL_DEBUG)
		return;
	n = snprintf(progress_line, sizeof(progress_line), "Starting container %s\u2026", name);
	if (n < 0 || (size_t)n >= sizeof(progress_line))
		return;
	progress_len = (size_t)n;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	progress_armed = true;
}

static void progress_done(void)
{
	struct itimerval off = {0};
	static const char erase[] = "\r\033[K";

	if (!progress_armed)
		return;
	setitimer(ITIMER_REAL, &off, NULL);
	signal(SIGALRM, SIG_DFL);
	if (progress_shown && write(STDERR_FILENO, erase, sizeof(erase) - 1) < 0)
		log_msg(LOG_LVL_DEBUG, errno, "cannot erase the progress note");
	progress_armed = false;
	progress_shown = 0;
}

/* ---- which container ------------------------------------------------------------- */

static int resolve_name(const struct run_opts *o, char *out, size_t cap)
{
	struct tb_config cfg = {0};
	struct os_release osr = {0};
	struct names_result res = {0};
	_cleanup_free_ char *bad_path = NULL, *hdistro = NULL, *hrelease = NULL;
	char err[512];
	int line = 0, r;

	/* The common case costs nothing: a name and nothing that could change it. */
	if (o->container && !o->distro && !o->release) {
		snprintf(out, cap, "%s", o->container);
		return 0;
	}
	r = config_load(&cfg, &bad_path, &line);
	if (r < 0) {
		if (line > 0)
			log_msg(LOG_LVL_ERROR, 0, "%s:%d: syntax error; fix or remove the line",
				bad_path ? bad_path : "toolbox.conf", line);
		else
			log_msg(LOG_LVL_ERROR, -r, "cannot read %s",
				bad_path ? bad_path : "toolbox.conf");
		goto out;
	}
	r = osrelease_read_host(NULL, &osr);
	if (r < 0 && r != -ENOENT) {
		log_msg(LOG_LVL_ERROR, -r, "cannot read /etc/os-release");
		goto out;
	}
	r = names_host_default(osr.id ? osr.id : "linux", osr.version_id, &hdistro, &hrelease);
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, -r, "cannot work out the default container");
		goto out;
	}
	r = names_resolve(&(struct names_request){.container = o->container,
						  .container_arg = "--container",
						  .distro = o->distro,
						  .release = o->release,
						  .cfg = &cfg,
						  .host_distro = hdistro,
						  .host_release = hrelease},
			  &res, err, sizeof(err));
	if (r < 0) {
		if (r == -EINVAL)
			log_msg(LOG_LVL_ERROR, 0, "%s", err);
		else
			log_msg(LOG_LVL_ERROR, -r, "cannot work out the container's name");
		goto out;
	}
	snprintf(out, cap, "%s", res.container);
out:
	names_result_free(&res);
	osrelease_free(&osr);
	config_free(&cfg);
	return r;
}

enum session_kind run_session_kind(const struct container_info *info)
{
	const char *first = info->entrypoint[0] ? info->entrypoint[0] : info->cmd[0];
	const char *base = first ? strrchr(first, '/') : NULL;

	base = base ? base + 1 : first;
	if (container_has_mount(info, SESSION_INIT_DEST))
		return SESSION_KIND_INIT;
	if (base && strcmp(base, "toolbox-init") == 0)
		return SESSION_KIND_INIT;
	return SESSION_KIND_TOOLBX;
}

/* ---- warm path: no podman ---------------------------------------------------------- */

static bool warm_lookup(int state_dirfd, const char *name, struct target *t)
{
	struct run_state s;
	_cleanup_close_ int rfd = -1;

	if (state_dirfd < 0 || run_state_load(state_dirfd, name, &s) < 0)
		return false;
	rfd = open(t->ready_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0 || !run_state_valid(&s, rfd)) {
		log_msg(LOG_LVL_DEBUG, 0, "state of container %s is stale", name);
		run_state_forget(state_dirfd, name);
		return false;
	}
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->id, sizeof(t->id), "%s", s.id);
	t->kind = s.kind;
	log_msg(LOG_LVL_DEBUG, 0, "container %s: warm (init %ld)", name, (long)s.pid);
	return true;
}

/* ---- cold path: one inspect, start, wait on the stamps ------------------------------ */

static int inspect(const char *name, struct container_info *info)
{
	_cleanup_free_ char *err = NULL;
	int r = container_inspect(name, info, &err);

	if (r == 0)
		return 0;
	if (r == -ENOENT)
		log_msg(LOG_LVL_ERROR, 0,
			"container %s not found; create it with 'toolbox create %s' or pick one "
			"from 'toolbox list'",
			name, name);
	else if (r == -ENOEXEC)
		log_msg(LOG_LVL_ERROR, 0, "%s", PODMAN_MISSING_MSG);
	else if (r == -EIO)
		log_msg(LOG_LVL_ERROR, 0, "cannot inspect container %s: %s", name,
			err && *err ? err : "podman failed");
	else
		log_msg(LOG_LVL_ERROR, -r, "cannot inspect container %s", name);
	return -1;
}

static int start_container(const char *name)
{
	const char *args[] = {"start", name, NULL};
	struct podman_result res;
	int r;

	r = podman_capture(args, &res);
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, -r, "cannot run podman to start container %s", name);
	} else if (res.status != 0) {
		log_msg(LOG_LVL_ERROR, 0, "cannot start container %s: %s", name,
			*podman_result_errline(&res) ? podman_result_errline(&res)
						     : "podman start failed");
		r = -1;
	}
	podman_result_free(&res);
	return r < 0 ? -1 : 0;
}

static void stamp_names(const struct container_info *info, char names[4][NAME_MAX + 1])
{
	snprintf(names[0], NAME_MAX + 1, "container-initialized-%s", info->id);
	snprintf(names[1], NAME_MAX + 1, "container-initialized-%ld", (long)info->pid);
	snprintf(names[2], NAME_MAX + 1, "container-failed-%s", info->id);
	snprintf(names[3], NAME_MAX + 1, "container-failed-%ld", (long)info->pid);
}

static int report_ready(const char *name, const struct ready_result *res)
{
	switch (res->outcome) {
	case READY_OK:
		return 0;
	case READY_FAILED:
		log_msg(LOG_LVL_ERROR, 0, "container %s failed to initialize: %s", name,
			res->msg[0] ? res->msg : "no reason given; see 'podman logs'");
		break;
	case READY_EXITED:
		log_msg(LOG_LVL_ERROR, 0,
			"container %s stopped while it was initializing; see 'podman logs %s'",
			name, name);
		break;
	case READY_TIMEOUT:
		log_msg(LOG_LVL_ERROR, 0,
			"container %s did not finish initializing within %d s; see 'podman logs "
			"%s'",
			name, RUN_READY_TIMEOUT_S, name);
		break;
	}
	return -1;
}

/*
 * The init is gone (the container stopped): its failure marker says why, if it wrote
 * one. Markers of an earlier run were removed before the start (by us and by the init).
 */
static int report_gone(const char *name, const struct ready_watch *w,
		       const struct container_info *info, const char *when)
{
	struct ready_wait_args a = {.pidfd = -1};
	struct ready_result res;
	char names[4][NAME_MAX + 1];

	progress_done();
	stamp_names(info, names);
	a.fail[0] = names[2];
	if (info->pid > 0)
		a.fail[1] = names[3];
	if (ready_check(w->dirfd, &a, &res) > 0)
		return report_ready(name, &res);
	log_msg(LOG_LVL_ERROR, 0, "container %s stopped %s; see 'podman logs %s'", name, when,
		name);
	return -1;
}

/* Record a ready init for the warm path (a failure only costs the next run a cold path). */
static void save_state(int state_dirfd, const char *name, const char *id, pid_t pid,
		       const struct proc_stat *ps, enum session_kind kind,
		       const struct ready_result *res)
{
	struct run_state st = {0};
	int r;

	if (state_dirfd < 0)
		return;
	snprintf(st.id, sizeof(st.id), "%s", id);
	st.pid = pid;
	st.starttime = ps->starttime;
	snprintf(st.comm, sizeof(st.comm), "%s", ps->comm);
	st.kind = kind;
	snprintf(st.stamp, sizeof(st.stamp), "%s", res->name);
	st.stamp_mtime = res->mtime;
	r = run_state_save(state_dirfd, name, &st);
	if (r < 0)
		log_msg(LOG_LVL_DEBUG, -r, "cannot save the state of container %s", name);
}

/* Wait for the init of the running container @info; record it in the state on success. */
static int wait_init(int state_dirfd, const char *name, const struct container_info *info,
		     struct ready_watch *w, enum session_kind kind)
{
	char names[4][NAME_MAX + 1];
	struct ready_wait_args a = {.pidfd = -1, .timeout_ms = RUN_READY_TIMEOUT_S * 1000};
	struct ready_result res;
	struct proc_stat ps;
	int r;

	r = proc_stat_read(info->pid, &ps);
	if (r < 0)
		return report_gone(name, w, info, "while it was initializing");
	proc_start_realtime(ps.starttime, &a.not_before);
	a.not_before.tv_nsec -= SESSION_STAMP_SLACK_NS;
	if (a.not_before.tv_nsec < 0) {
		a.not_before.tv_nsec += 1000000000L;
		a.not_before.tv_sec--;
	}
	stamp_names(info, names);
	a.ok[0] = names[0];
	a.ok[1] = names[1];
	a.fail[0] = names[2];
	a.fail[1] = names[3];
	a.pidfd = sys_pidfd_open(info->pid, 0);
	if (a.pidfd < 0)
		log_msg(LOG_LVL_DEBUG, errno, "no pidfd for the init of %s", name);
	/* A stamp may be there already: only the wait itself earns a progress note. */
	if (ready_check(w->dirfd, &a, &res) == 0)
		progress_arm(name);
	r = ready_wait(w, &a, &res);
	progress_done();
	if (a.pidfd >= 0)
		close(a.pidfd);
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, -r, "cannot wait for container %s to initialize", name);
		return -1;
	}
	if (report_ready(name, &res) < 0)
		return -1;
	save_state(state_dirfd, name, info->id, info->pid, &ps, kind, &res);
	return 0;
}

/*
 * After our own `podman start` of a container whose init is ours (mounted from the host)
 * under `--pid host`: wait on its ID stamps (removed before the start), then take the
 * init's PID from the PID stamp it writes next, instead of a second `podman inspect`.
 * 0 ready (state saved), -1 failed (printed), 1 undecided (no stamp soon, or no PID found):
 * the caller asks podman as before.
 */
static int wait_started(int state_dirfd, const char *name, const struct container_info *info,
			struct ready_watch *w, enum session_kind kind,
			const struct timespec *not_before)
{
	char names[4][NAME_MAX + 1];
	struct ready_wait_args a = {
		.pidfd = -1, .not_before = *not_before, .timeout_ms = SESSION_QUICK_READY_MS};
	struct ready_result res;
	struct proc_stat ps;
	pid_t pid = 0;
	int r;

	stamp_names(info, names);
	a.ok[0] = names[0];
	a.fail[0] = names[2];
	/*
	 * The init is usually ready before podman start returns, or within a few ms of it:
	 * look a few times before setting up a watch (closing one alone costs 5-15 ms).
	 */
	for (int i = 0; (r = ready_check(w->dirfd, &a, &res)) == 0 && i < SESSION_STAMP_LOOKS; i++)
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	if (r == 0)
		r = ready_wait(w, &a, &res);
	if (r < 0) {
		log_msg(LOG_LVL_DEBUG, -r, "cannot wait for the stamps of %s", name);
		return 1;
	}
	if (res.outcome == READY_FAILED) {
		progress_done();
		return report_ready(name, &res);
	}
	if (res.outcome != READY_OK)
		return 1;
	r = init_pid_wait(w, info->id, not_before, SESSION_PID_STAMP_MS, &pid);
	if (r <= 0 || proc_stat_read(pid, &ps) < 0) {
		log_msg(LOG_LVL_DEBUG, r < 0 ? -r : 0, "no PID stamp for the init of %s", name);
		return 1;
	}
	log_msg(LOG_LVL_DEBUG, 0, "container %s: init %ld ready", name, (long)pid);
	save_state(state_dirfd, name, info->id, pid, &ps, kind, &res);
	return 0;
}

/* Whether the init's stamps name its host PID: our init (mounted) under `--pid host`. */
static bool stamps_name_pid(const struct container_info *info, enum session_kind kind)
{
	return kind == SESSION_KIND_INIT && container_has_mount(info, SESSION_INIT_DEST) &&
	       info->pid_mode && strcmp(info->pid_mode, "host") == 0;
}

static int cold_path(int state_dirfd, const char *name, struct target *t)
{
	struct container_info info = {0};
	struct ready_watch w = {.dirfd = -1, .ifd = -1};
	struct timespec started;
	_cleanup_close_ int lock = -1;
	int r = -1;

	/* One launcher at a time inspects and starts; the others then find it running. */
	if (state_dirfd >= 0)
		lock = run_state_lock(state_dirfd, name);
	if (inspect(name, &info) < 0)
		goto out;
	if (!info.is_toolbox) {
		log_msg(LOG_LVL_ERROR, 0,
			"container %s is not a toolbox container (no label %s); create one with "
			"'toolbox create'",
			name, TOOLBOX_LABEL);
		goto out;
	}
	t->kind = run_session_kind(&info);
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->id, sizeof(t->id), "%s", info.id);
	r = ready_watch_open(&w, t->ready_dir);
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, -r, "cannot watch %s for the container's readiness",
			t->ready_dir);
		r = -1;
		goto out;
	}
	r = -1;
	if (!info.running) {
		if (info.state && strcmp(info.state, "paused") == 0) {
			log_msg(LOG_LVL_ERROR, 0,
				"container %s is paused; resume it with 'podman unpause %s'", name,
				name);
			goto out;
		}
		if (t->kind == SESSION_KIND_INIT) {
			char names[4][NAME_MAX + 1];

			/* Markers of an earlier run would answer for this one. */
			stamp_names(&info, names);
			unlinkat(w.dirfd, names[0], 0);
			unlinkat(w.dirfd, names[2], 0);
		}
		progress_arm(name);
		clock_gettime(CLOCK_REALTIME, &started);
		started.tv_nsec -= SESSION_STAMP_SLACK_NS;
		if (started.tv_nsec < 0) {
			started.tv_nsec += 1000000000L;
			started.tv_sec--;
		}
		if (start_container(name) < 0)
			goto out;
		if (stamps_name_pid(&info, t->kind)) {
			if (lock >= 0)
				close(steal_fd(&lock));
			r = wait_started(state_dirfd, name, &info, &w, t->kind, &started);
			if (r <= 0)
				goto out;
			r = -1;
		}
		container_info_free(&info);
		if (inspect(name, &info) < 0)
			goto out;
		if (!info.running || info.pid <= 0) {
			report_gone(name, &w, &info, "right after it started");
			goto out;
		}
	}
	/* Started (or found running): the others may look now, and wait with us. */
	if (lock >= 0)
		close(steal_fd(&lock));
	r = wait_init(state_dirfd, name, &info, &w, t->kind);
out:
	progress_done();
	ready_watch_close(&w);
	container_info_free(&info);
	return r;
}

/* ---- the session ------------------------------------------------------------------- */

/* $PWD when it names the current directory (keeps the user's symlinks), else getcwd. */
static char *current_dir(void)
{
	const char *pwd = getenv("PWD");
	struct stat a, b;

	if (pwd && pwd[0] == '/' && stat(pwd, &a) == 0 && stat(".", &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return strdup(pwd);
	return getcwd(NULL, 0);
}

static int session_file_path(const char *dir, char *out, size_t cap)
{
	unsigned char rnd[16];
	char hex[33];
	int n;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -EIO;
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	n = snprintf(out, cap, "%s/session-%s.pid", dir, hex);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

static void osc_container(bool push, const char *name)
{
	/* What Toolbx tells GNOME Terminal and Ptyxis: the tab shows the container. */
	if (push)
		printf("\033]777;container;push;%s;toolbox;%u\033\\", name, (unsigned int)getuid());
	else
		printf("\033]777;container;pop;;;%u\033\\", (unsigned int)getuid());
	fflush(stdout);
}

/* --exec, else toolbox.conf's exec, else auto. */
static int exec_mode(const struct run_opts *o, enum run_exec *mode)
{
	struct tb_config cfg = {0};
	_cleanup_free_ char *bad_path = NULL;
	int line = 0, r;

	*mode = o->exec ? o->exec : RUN_EXEC_AUTO;
	if (o->exec)
		return 0;
	r = config_load(&cfg, &bad_path, &line);
	if (r < 0) {
		/* resolve_name() reports a broken file when it reads one; this is the rest. */
		log_msg(LOG_LVL_DEBUG, -r, "cannot read %s", bad_path ? bad_path : "toolbox.conf");
		r = 0;
	} else if (cfg.exec && run_exec_parse(cfg.exec, mode) < 0) {
		log_msg(LOG_LVL_ERROR, 0,
			"toolbox.conf: exec = \"%s\" is not auto, socket or podman; fix the file",
			cfg.exec);
		r = -EINVAL;
	}
	config_free(&cfg);
	return r;
}

/*
 * The session through the init's exec socket, when @mode allows it and the container has
 * one. SPAWN_UNAVAILABLE: go through podman exec.
 */
static int run_fast_path(const struct target *t, struct exec_spec *spec, enum run_exec mode)
{
	_cleanup_free_ const char **entry = NULL;
	char socket[PATH_MAX];

	if (mode == RUN_EXEC_PODMAN)
		return SPAWN_UNAVAILABLE;
	if (t->kind != SESSION_KIND_INIT ||
	    exec_socket_path(t->ready_dir, t->id, socket, sizeof(socket)) < 0) {
		if (mode == RUN_EXEC_AUTO)
			return SPAWN_UNAVAILABLE;
		log_msg(LOG_LVL_ERROR, 0,
			"container %s has no exec socket (its entry point is not toolbox-init); "
			"use --exec=podman",
			t->name);
		return TB_EXIT_FAILURE;
	}
	if (exec_build_entry(spec, &entry) < 0) {
		log_msg(LOG_LVL_ERROR, ENOMEM, "cannot build the session's command line");
		return TB_EXIT_FAILURE;
	}
	return run_fast(&(struct fast_req){
		.name = t->name,
		.socket = socket,
		.entry = (char *const *)entry,
		.env_args = spec->env_args,
		.preserve_fds = spec->preserve_fds,
		.tty = spec->tty,
		.fallback = mode == RUN_EXEC_AUTO,
	});
}

static int run_in(const struct target *t, const struct run_opts *o, bool enter, enum run_exec mode)
{
	struct passwd *pw = getpwuid(getuid());
	const char *shell = getenv("SHELL");
	_cleanup_free_ char *cwd = current_dir();
	_cleanup_free_ char *session_env = NULL;
	_cleanup_free_ const char **args = NULL;
	_cleanup_free_ char **env_all = NULL;
	char session_file[PATH_MAX];
	struct exec_spec spec = {0};
	char **env = NULL;
	size_t n_env = 0;
	bool have_session;
	int r, status;

	if (!pw) {
		log_msg(LOG_LVL_ERROR, errno, "cannot look up user %u", (unsigned int)getuid());
		return TB_EXIT_FAILURE;
	}
	r = envlist_build(environ, o->env, o->n_env, &env);
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, -r, "cannot build the session's environment");
		return TB_EXIT_FAILURE;
	}
	have_session = session_file_path(t->ready_dir, session_file, sizeof(session_file)) == 0 &&
		       asprintf(&session_env, "--env=TOOLBOX_SESSION_FILE=%s", session_file) >= 0;
	while (env[n_env])
		n_env++;
	env_all = calloc(n_env + 2, sizeof(*env_all));
	if (!env_all) {
		envlist_free(env);
		return TB_EXIT_FAILURE;
	}
	memcpy(env_all, env, n_env * sizeof(*env));
	if (have_session)
		env_all[n_env] = session_env;

	spec.target = t->id[0] ? t->id : t->name;
	spec.user = pw->pw_name;
	spec.tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	spec.preserve_fds = o->preserve_fds;
	spec.env_args = env_all;
	spec.kind = t->kind;
	spec.cwd = cwd;
	spec.cmd = enter ? NULL : o->cmd;
	spec.shell = shell && *shell ? shell : pw->pw_shell;
	if (enter && isatty(STDOUT_FILENO))
		osc_container(true, t->name);
	status = run_fast_path(t, &spec, mode);
	if (status != SPAWN_UNAVAILABLE)
		goto done;
	r = exec_build_args(&spec, &args);
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, -r, "cannot build podman's command line");
		status = TB_EXIT_FAILURE;
		goto done;
	}
	status = supervise_run(&(struct supervise_args){
		.podman_args = args,
		.tty = spec.tty,
		.relay_stdin = !spec.tty && isatty(STDIN_FILENO),
		.preserve_fds = o->preserve_fds,
		.session_dir = t->ready_dir,
		.session_file = have_session ? session_file : NULL,
	});
done:
	if (enter && isatty(STDOUT_FILENO))
		osc_container(false, t->name);
	envlist_free(env);
	return status;
}

int run_session(const struct run_opts *o, bool enter)
{
	_cleanup_close_ int state_dirfd = -1;
	struct target t = {0};
	enum run_exec mode;
	char name[256], rundir[PATH_MAX], err[512];

	if (!podman_path()) {
		log_msg(LOG_LVL_ERROR, 0, "%s", PODMAN_MISSING_MSG);
		return TB_EXIT_FAILURE;
	}
	/* Also exports XDG_RUNTIME_DIR when it was unset, so the session gets it too. */
	if (runtime_dir_resolve(rundir, sizeof(rundir), err, sizeof(err)) < 0) {
		log_msg(LOG_LVL_ERROR, 0, "%s", err);
		return TB_EXIT_FAILURE;
	}
	/* host-spawn in the container needs the relay: one connect() when it runs. */
	(void)relay_ensure_running(rundir);
	if (resolve_name(o, name, sizeof(name)) < 0)
		return TB_EXIT_FAILURE;
	if (ready_dir(t.ready_dir, sizeof(t.ready_dir)) < 0) {
		log_msg(LOG_LVL_ERROR, ENAMETOOLONG, "cannot use the runtime directory");
		return TB_EXIT_FAILURE;
	}
	if (exec_mode(o, &mode) < 0)
		return TB_EXIT_FAILURE;
	state_dirfd = run_state_dir_open(t.ready_dir);
	if (state_dirfd < 0)
		log_msg(LOG_LVL_DEBUG, -state_dirfd, "no launcher state directory");
	if (!warm_lookup(state_dirfd, name, &t) && cold_path(state_dirfd, name, &t) < 0)
		return TB_EXIT_FAILURE;
	return run_in(&t, o, enter, mode);
}

int run_session_main(int argc, char **argv, bool enter)
{
	struct run_opts o;
	char err[512];
	int r;

	r = run_parse(argc, argv, enter, &o, err, sizeof(err));
	if (r < 0) {
		if (r == -EINVAL)
			log_msg(LOG_LVL_ERROR, 0, "%s", err);
		else
			log_msg(LOG_LVL_ERROR, -r, "cannot parse the command line");
		run_opts_free(&o);
		return TB_EXIT_FAILURE;
	}
	if (o.help) {
		run_opts_free(&o);
		return help_show(enter ? "enter" : "run");
	}
	r = run_session(&o, enter);
	run_opts_free(&o);
	return r;
}
