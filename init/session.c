// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `toolbox-init exec`: what `podman exec` runs for every toolbox session. Becomes the user
 * (when podman left us root), drops every capability but the bounding set, enters the
 * working directory, restores a clean process state and execs the command or login shell.
 *
 * Users and groups come from the container's /etc/passwd and /etc/group, read with
 * fgetpwent/fgetgrent: no NSS (a static musl binary has none) and no nscd, the same in
 * both libcs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "fdutil.h"
#include "log.h"
#include "macros.h"
#include "privs.h"
#include "session.h"
#include "syscalls.h"

#define SESSION_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define SESSION_FALLBACK_SHELL "/bin/sh"
#define SESSION_PASSWD "/etc/passwd"
#define SESSION_GROUP "/etc/group"
#define SESSION_MAX_PRESERVE_FDS 65536

/* Exit statuses, as podman exec and Toolbx use them. */
#define SESSION_EXIT_OURS 125
#define SESSION_EXIT_CANNOT_EXEC 126
#define SESSION_EXIT_NOT_FOUND 127

enum {
	OPT_CWD = 0x100,
	OPT_USER,
	OPT_PRESERVE_FDS,
};

static const struct option session_long_opts[] = {
	{"cwd", required_argument, NULL, OPT_CWD},
	{"user", required_argument, NULL, OPT_USER},
	{"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static const char *opt_name(int val)
{
	for (size_t i = 0; session_long_opts[i].name; i++) {
		if (session_long_opts[i].val == val)
			return session_long_opts[i].name;
	}
	return "?";
}

static int parse_fd_count(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > SESSION_MAX_PRESERVE_FDS)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

int session_parse(int argc, char **argv, struct session_opts *o, char *err, size_t errlen)
{
	int c;

	*o = (struct session_opts){0};
	if (errlen)
		err[0] = '\0';
	/* 0, not 1: a full reset of getopt's state in both glibc and musl. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", session_long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_CWD:
			if (!*optarg) {
				snprintf(err, errlen,
					 "exec: --cwd needs a directory, not an empty string");
				return -EINVAL;
			}
			o->cwd = optarg;
			break;
		case OPT_USER:
			if (!*optarg) {
				snprintf(err, errlen,
					 "exec: --user needs a user name, not an empty string");
				return -EINVAL;
			}
			o->user = optarg;
			break;
		case OPT_PRESERVE_FDS:
			if (parse_fd_count(optarg, &o->preserve_fds) < 0) {
				snprintf(err, errlen,
					 "exec: --preserve-fds needs a number from 0 to %d, not "
					 "'%s'",
					 SESSION_MAX_PRESERVE_FDS, optarg);
				return -EINVAL;
			}
			break;
		case 'h':
			o->help = true;
			break;
		case ':':
			snprintf(err, errlen, "exec: option --%s needs an argument",
				 opt_name(optopt));
			return -EINVAL;
		default:
			if (optopt == 'h')
				snprintf(err, errlen, "exec: option --help takes no argument");
			else if (optopt > 0 && optopt < 0x100)
				snprintf(err, errlen, "exec: unknown option '-%c'", optopt);
			else
				snprintf(err, errlen, "exec: unknown option '%s'",
					 argv[optind - 1]);
			return -EINVAL;
		}
	}
	o->argv = argv + optind;
	return 0;
}

/* ---- users ---- */

struct session_user {
	uid_t uid;
	gid_t gid;
	char *name;
	char *home;
	char *shell;
	gid_t *groups;
	size_t ngroups;
};

static void session_user_clear(struct session_user *u)
{
	free(u->name);
	free(u->home);
	free(u->shell);
	free(u->groups);
	*u = (struct session_user){0};
}

static bool parse_uid(const char *s, uid_t *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v >= (uid_t)-1)
		return false;
	*out = (uid_t)v;
	return true;
}

/* Find @name (or, when @name is NULL, @uid) in /etc/passwd. -ENOENT when absent. */
static int user_find(const char *name, uid_t uid, struct session_user *u)
{
	_cleanup_fclose_ FILE *f = NULL;
	struct passwd *pw;

	f = fopen(SESSION_PASSWD, "re");
	if (!f)
		return -errno;
	errno = 0;
	while ((pw = fgetpwent(f))) {
		if (name ? strcmp(pw->pw_name, name) != 0 : pw->pw_uid != uid)
			continue;
		u->uid = pw->pw_uid;
		u->gid = pw->pw_gid;
		u->name = strdup(pw->pw_name);
		u->home = strdup(pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/");
		u->shell = strdup(pw->pw_shell && *pw->pw_shell ? pw->pw_shell
								: SESSION_FALLBACK_SHELL);
		if (!u->name || !u->home || !u->shell) {
			session_user_clear(u);
			return -ENOMEM;
		}
		return 0;
	}
	return -ENOENT;
}

static int user_lookup(const char *spec, struct session_user *u)
{
	uid_t uid;
	int r = user_find(spec, 0, u);

	/* podman exec --user also takes a uid: accept one that has no name of its own. */
	if (r == -ENOENT && parse_uid(spec, &uid))
		r = user_find(NULL, uid, u);
	return r;
}

static int groups_add(struct session_user *u, gid_t gid, size_t *cap)
{
	for (size_t i = 0; i < u->ngroups; i++) {
		if (u->groups[i] == gid)
			return 0;
	}
	if (u->ngroups == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		gid_t *ng = realloc(u->groups, ncap * sizeof(*ng));

		if (!ng)
			return -ENOMEM;
		u->groups = ng;
		*cap = ncap;
	}
	u->groups[u->ngroups++] = gid;
	return 0;
}

/* The primary group plus every /etc/group entry that lists the user. */
static int user_load_groups(struct session_user *u)
{
	_cleanup_fclose_ FILE *f = NULL;
	struct group *gr;
	size_t cap = 0;
	long max = sysconf(_SC_NGROUPS_MAX);
	int r;

	r = groups_add(u, u->gid, &cap);
	if (r < 0)
		return r;
	f = fopen(SESSION_GROUP, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while ((gr = fgetgrent(f))) {
		for (char **m = gr->gr_mem; m && *m; m++) {
			if (strcmp(*m, u->name) != 0)
				continue;
			r = groups_add(u, gr->gr_gid, &cap);
			if (r < 0)
				return r;
			break;
		}
	}
	if (max > 0 && u->ngroups > (size_t)max)
		return -E2BIG;
	return 0;
}

static int become_user(const struct session_user *u)
{
	uid_t ru, eu, su;

	if (setgroups(u->ngroups, u->groups) < 0)
		return -errno;
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return -errno;
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return -errno;
	/* Never go on half-switched. */
	if (getresuid(&ru, &eu, &su) < 0 || ru != u->uid || eu != u->uid || su != u->uid)
		return -EPERM;
	return 0;
}

/* The user's login shell, or /bin/sh when the container has no usable one. */
static const char *usable_shell(const struct session_user *u)
{
	if (u->shell && access(u->shell, X_OK) == 0)
		return u->shell;
	return SESSION_FALLBACK_SHELL;
}

static int set_user_env(const struct session_user *u, const char *shell, bool overwrite)
{
	if (u->home && setenv("HOME", u->home, overwrite) < 0)
		return -errno;
	if (u->name && setenv("USER", u->name, overwrite) < 0)
		return -errno;
	if (u->name && setenv("LOGNAME", u->name, overwrite) < 0)
		return -errno;
	if (setenv("SHELL", shell, overwrite) < 0)
		return -errno;
	return 0;
}

/*
 * Become --user when podman left us root and --user is someone else; otherwise stay who
 * we are and only fill in what podman left unset. Fills @u (may stay empty when the
 * current uid has no passwd entry) and @shell. 0, or an exit status after logging.
 */
static int session_identity(const struct session_opts *o, struct session_user *u,
			    const char **shell)
{
	uid_t euid = geteuid();
	int r = -ENOENT;

	if (o->user) {
		r = user_lookup(o->user, u);
		if (r < 0 && euid == 0) {
			if (r == -ENOENT)
				log_msg(LOG_LVL_ERROR, 0,
					"user %s not found in the container's %s; was the "
					"container initialized by toolbox-init init-container?",
					o->user, SESSION_PASSWD);
			else
				log_msg(LOG_LVL_ERROR, -r, "cannot look up user %s in %s", o->user,
					SESSION_PASSWD);
			return SESSION_EXIT_OURS;
		}
	}
	if (r == 0 && euid == 0 && u->uid != 0) {
		r = user_load_groups(u);
		if (r < 0) {
			log_msg(LOG_LVL_ERROR, -r, "cannot read the groups of user %s from %s",
				u->name, SESSION_GROUP);
			return SESSION_EXIT_OURS;
		}
		r = become_user(u);
		if (r < 0) {
			log_msg(LOG_LVL_ERROR, -r, "cannot switch to user %s (uid %u, gid %u)",
				u->name, (unsigned)u->uid, (unsigned)u->gid);
			return SESSION_EXIT_OURS;
		}
		*shell = usable_shell(u);
		r = set_user_env(u, *shell, true);
	} else {
		/* podman did the switch (or we stay root): describe whoever we are. */
		if (r == 0 && u->uid != euid)
			session_user_clear(u);
		if (!u->name && user_find(NULL, euid, u) < 0)
			session_user_clear(u);
		*shell = usable_shell(u);
		r = set_user_env(u, *shell, false);
	}
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, -r, "cannot set up the session's environment");
		return SESSION_EXIT_OURS;
	}
	return 0;
}

/* ---- process state ---- */

/* Make sure fds 0-2 exist, so nothing we open lands there and leaks into the command. */
static void ensure_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int nfd;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* Not CLOEXEC: this is the command's stdio. */
		nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (nfd >= 0 && nfd != fd) {
			/* Lower fds exist, so open() took the lowest free one: not this one. */
			close(nfd);
		}
	}
}

static void chdir_session(const char *cwd)
{
	const char *home = getenv("HOME");
	int err;

	if (!cwd || chdir(cwd) == 0)
		return;
	err = errno;
	if (!home || !*home || chdir(home) < 0)
		home = "/";
	if (strcmp(home, "/") == 0 && chdir("/") < 0) {
		log_msg(LOG_LVL_WARN, errno, "cannot change to directory %s, nor to /", cwd);
		return;
	}
	if (err == ENOENT || err == ENOTDIR)
		log_msg(LOG_LVL_WARN, 0,
			"directory %s does not exist in the container; using %s instead", cwd,
			home);
	else
		log_msg(LOG_LVL_WARN, 0, "cannot change to directory %s (%s); using %s instead",
			cwd, strerror(err), home);
}

/*
 * Every disposition back to default (exec keeps ignored signals ignored) and an empty
 * mask. The signals libc reserves for itself refuse sigaction with EINVAL: that is fine.
 */
static void reset_signals(void)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigset_t none;

	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* libc refuses its own real-time signals: ask the kernel directly. */
		if (sigaction(sig, &sa, NULL) < 0)
			(void)sys_signal_default(sig);
	}
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* ---- exec ---- */

static bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static bool path_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The interpreter named by a "#!" line, into @buf; false when there is none. */
static bool read_interpreter(const char *path, char *buf, size_t len)
{
	_cleanup_close_ int fd = -1;
	char head[256];
	ssize_t n;
	size_t i = 2, j = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return false;
	n = RETRY_EINTR(read(fd, head, sizeof(head) - 1));
	if (n < 2 || head[0] != '#' || head[1] != '!')
		return false;
	head[n] = '\0';
	while (head[i] == ' ' || head[i] == '\t')
		i++;
	while (head[i] && head[i] != ' ' && head[i] != '\t' && head[i] != '\n' && j + 1 < len)
		buf[j++] = head[i++];
	buf[j] = '\0';
	return j > 0;
}

/*
 * Log why @file (tried as @path) could not be executed, and return the exit status:
 * 127 when there is nothing to run, 126 when it is there but cannot run.
 */
static int exec_failed(const char *file, const char *path, int err)
{
	char interp[128];

	if (err == ENOENT && (!path || !path_exists(path))) {
		if (strchr(file, '/'))
			log_msg(LOG_LVL_ERROR, 0,
				"command not found: %s (no such file in the container)", file);
		else
			log_msg(LOG_LVL_ERROR, 0,
				"command not found: %s (not in the container's PATH; install it in "
				"the container or give its full path)",
				file);
		return SESSION_EXIT_NOT_FOUND;
	}
	if (err == ENOENT) {
		/* The file is there: its #! interpreter or ELF loader is not. */
		if (read_interpreter(path, interp, sizeof(interp)))
			log_msg(LOG_LVL_ERROR, 0,
				"cannot execute %s: its interpreter %s is missing in the container",
				path, interp);
		else
			log_msg(LOG_LVL_ERROR, 0,
				"cannot execute %s: its dynamic loader is missing in the container",
				path);
		return SESSION_EXIT_CANNOT_EXEC;
	}
	if (err == EACCES && path_is_dir(path))
		err = EISDIR;
	if (err == ENOEXEC)
		log_msg(LOG_LVL_ERROR, err,
			"cannot execute %s (not a program for this machine, nor a script with #!)",
			path);
	else
		log_msg(LOG_LVL_ERROR, err, "cannot execute %s", path);
	return SESSION_EXIT_CANNOT_EXEC;
}

/* "session-" 32 lowercase hex ".pid", nothing else. */
static bool session_file_name_ok(const char *s)
{
	if (strncmp(s, "session-", 8) != 0)
		return false;
	s += 8;
	for (int i = 0; i < 32; i++, s++) {
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	}
	return strcmp(s, ".pid") == 0;
}

/*
 * The launcher's session PID file (docs/INTERFACES.md, "Requests from the launcher"): the
 * PID that is about to become the command, so the launcher can hang it up. Never fatal.
 */
static void write_session_file(void)
{
	_cleanup_close_ int fd = -1;
	const char *path = getenv("TOOLBOX_SESSION_FILE");
	const char *base;
	char buf[32];
	int n, r;

	if (!path)
		return;
	base = strrchr(path, '/');
	if (path[0] != '/' || !base || !session_file_name_ok(base + 1)) {
		log_msg(LOG_LVL_DEBUG, 0, "ignoring TOOLBOX_SESSION_FILE=%s", path);
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
		r = fd < 0 ? -errno : fd_write_all(fd, buf, (size_t)n);
		if (r < 0)
			log_msg(LOG_LVL_DEBUG, -r, "cannot write %s", path);
	}
	unsetenv("TOOLBOX_SESSION_FILE");
}

/*
 * execvp() with @file apart from @argv (a login shell's argv[0] is "-bash"): a name with
 * a slash runs as is, anything else goes through $PATH, where a missing entry or a
 * directory that is not there moves on, EACCES is remembered, and other errors stop.
 * Returns the exit status after logging, only when nothing could be executed.
 */
static int session_exec(const char *file, char **argv)
{
	const char *path = getenv("PATH");
	char denied[PATH_MAX] = "";
	char cand[PATH_MAX];

	if (strchr(file, '/')) {
		execve(file, argv, environ);
		return exec_failed(file, file, errno);
	}
	if (!*file)
		return exec_failed(file, NULL, ENOENT);
	if (!path)
		path = SESSION_DEFAULT_PATH;
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		size_t dlen = (size_t)(end - p);
		int n;

		/* An empty PATH element is the current directory (POSIX). */
		n = snprintf(cand, sizeof(cand), "%.*s%s%s", (int)dlen, p, dlen ? "/" : "", file);
		if (n > 0 && (size_t)n < sizeof(cand)) {
			execve(cand, argv, environ);
			switch (errno) {
			case EACCES:
				if (!denied[0])
					memcpy(denied, cand, (size_t)n + 1);
				break;
			case ENOENT:
				if (path_exists(cand))
					return exec_failed(file, cand, ENOENT);
				break;
			case ENOTDIR:
			case ENAMETOOLONG:
			case ESTALE:
			case ENODEV:
			case ETIMEDOUT:
				break;
			default:
				return exec_failed(file, cand, errno);
			}
		}
		p = end;
		if (!*p)
			break;
	}
	if (denied[0])
		return exec_failed(file, denied, EACCES);
	return exec_failed(file, NULL, ENOENT);
}

static void session_usage(FILE *f)
{
	fputs("Usage: toolbox-init exec [--cwd DIR] [--user NAME] [--preserve-fds N] [--] [COMMAND "
	      "[ARG...]]\n"
	      "\n"
	      "Start a toolbox session: become NAME (when run as root), drop every capability\n"
	      "but the bounding set, change to DIR (else $HOME, with a note), and run COMMAND\n"
	      "from $PATH, or NAME's login shell when no COMMAND is given.\n"
	      "\n"
	      "  --cwd DIR           working directory of the session\n"
	      "  --user NAME         user (or uid) from the container's /etc/passwd\n"
	      "  --preserve-fds N    keep fds 3..3+N-1 open (as passed by podman exec "
	      "--preserve-fds)\n"
	      "  --help              show this help\n"
	      "\n"
	      "Exit status: COMMAND's own; 125 toolbox-init failed; 126 COMMAND cannot be\n"
	      "executed; 127 COMMAND not found.\n",
	      f);
}

int session_main(int argc, char **argv)
{
	struct session_opts o;
	struct session_user u = {0};
	const char *shell = SESSION_FALLBACK_SHELL;
	char err[256];
	char *login_argv[2] = {NULL, NULL};
	_cleanup_free_ char *login_name = NULL;
	const char *file;
	char **cmd_argv;
	int r;

	ensure_std_fds();
	if (session_parse(argc, argv, &o, err, sizeof(err)) < 0) {
		log_msg(LOG_LVL_ERROR, 0, "%s; see 'toolbox-init exec --help'", err);
		return SESSION_EXIT_OURS;
	}
	if (o.help) {
		session_usage(stdout);
		return fflush(stdout) == 0 ? 0 : SESSION_EXIT_OURS;
	}

	r = session_identity(&o, &u, &shell);
	if (r != 0)
		goto out;
	r = privs_drop_session();
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, -r, "cannot drop the capabilities of the session");
		r = SESSION_EXIT_OURS;
		goto out;
	}
	if (!getenv("PATH") && setenv("PATH", SESSION_DEFAULT_PATH, 1) < 0) {
		log_msg(LOG_LVL_ERROR, errno, "cannot set PATH");
		r = SESSION_EXIT_OURS;
		goto out;
	}
	chdir_session(o.cwd);

	if (o.argv[0]) {
		file = o.argv[0];
		cmd_argv = o.argv;
	} else {
		/* A login shell: argv[0] is "-" and the shell's base name. */
		const char *base = strrchr(shell, '/');

		if (asprintf(&login_name, "-%s", base ? base + 1 : shell) < 0) {
			login_name = NULL;
			log_msg(LOG_LVL_ERROR, ENOMEM, "cannot start the login shell %s", shell);
			r = SESSION_EXIT_OURS;
			goto out;
		}
		if (u.shell && strcmp(shell, u.shell) != 0)
			log_msg(LOG_LVL_WARN, 0,
				"login shell %s of user %s is not usable in the container; using "
				"%s",
				u.shell, u.name, shell);
		login_argv[0] = login_name;
		file = shell;
		cmd_argv = login_argv;
	}

	reset_signals();
	r = fd_close_from(3 + o.preserve_fds);
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, -r,
			"cannot close the file descriptors inherited from podman");
		r = SESSION_EXIT_OURS;
		goto out;
	}
	write_session_file();
	r = session_exec(file, cmd_argv);
out:
	session_user_clear(&u);
	return r;
}
