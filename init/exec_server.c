// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec_server.h"
#include "fdutil.h"
#include "log.h"
#include "macros.h"
#include "proto_io.h"
#include "session.h"
#include "spawn_conn.h"

extern char **environ;

/* Connections waiting for accept() (each `toolbox run` is one). */
#define EXEC_SERVER_BACKLOG 128
/* The fd the listening socket gets in the server (everything above is closed). */
#define EXEC_SERVER_FD 3

/* ---- pure helpers ---- */

int exec_server_rewrite(char **argv, size_t argc, const char *user, char ***out, char *err,
			size_t errlen)
{
	struct session_opts o;
	char **v;

	*out = NULL;
	if (argc < 2 || strcmp(argv[0], EXEC_SOCKET_INIT_PATH) != 0 ||
	    strcmp(argv[1], "exec") != 0) {
		snprintf(err, errlen, "the exec socket runs '%s exec ...' only",
			 EXEC_SOCKET_INIT_PATH);
		return -EINVAL;
	}
	/* The same parser as the session's: what it accepts here, it sees there. */
	if (session_parse((int)argc - 1, argv + 1, &o, err, errlen) < 0)
		return -EINVAL;
	if (o.user || o.help) {
		snprintf(err, errlen, "%s is not for the exec socket",
			 o.user ? "--user" : "--help");
		return -EINVAL;
	}
	v = calloc(argc + 3, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v[0] = "toolbox-init";
	v[1] = "exec";
	v[2] = "--user";
	v[3] = (char *)user;
	memcpy(v + 4, argv + 2, (argc - 2) * sizeof(*v));
	*out = v;
	return 0;
}

/* ---- the service ---- */

static int exec_admit(const struct spawn_service *svc, const struct proto_peer *peer,
		      struct spawn_request *req, unsigned *stage, char *who, size_t whocap)
{
	const struct exec_server_conf *conf = svc->data;
	_cleanup_free_ char **argv = NULL;
	char err[256];
	int r;

	*stage = PROTO_STAGE_REQUEST;
	snprintf(who, whocap, "pid %d (uid %u)", (int)peer->pid, (unsigned)peer->uid);
	r = exec_server_rewrite(req->argv, req->argc, conf->user, &argv, err, sizeof(err));
	if (r < 0) {
		log_msg(LOG_LVL_INFO, r == -EINVAL ? 0 : -r, "refused a request from %s: %s", who,
			r == -EINVAL ? err : "out of memory");
		return r;
	}
	r = spawn_request_set_argv(req, argv);
	if (r < 0)
		return r;
	/* Our own binary, whatever the image put at the path since. */
	req->file = "/proc/self/exe";
	/* toolbox-init exec enters --cwd itself, with the same fallback as for podman exec. */
	snprintf(req->cwd, sizeof(req->cwd), "/");
	return 0;
}

/* ---- the listener (a child of PID 1) ---- */

static void reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void serve_one(int lfd, int sfd, const struct spawn_service *svc)
{
	const struct exec_server_conf *conf = svc->data;
	struct proto_peer peer;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	pid_t pid;

	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_msg(LOG_LVL_WARN, errno, "exec socket: accept");
		return;
	}
	if (proto_peer_get(fd, &peer) < 0 || peer.uid != conf->uid) {
		log_msg(LOG_LVL_INFO, 0, "exec socket: refused a connection from uid %u",
			(unsigned)peer.uid);
		(void)proto_send_error(fd, EACCES, "this toolbox serves uid %u only",
				       (unsigned)conf->uid);
		if (peer.pidfd >= 0)
			close(peer.pidfd);
		close(fd);
		return;
	}
	pid = fork();
	if (pid < 0) {
		log_msg(LOG_LVL_WARN, errno, "exec socket: cannot fork a handler");
		(void)proto_send_error(fd, EAGAIN, "cannot fork: %s", strerror(errno));
	} else if (pid == 0) {
		close(lfd);
		close(sfd);
		_exit(spawn_conn_main(fd, &peer, svc));
	}
	if (peer.pidfd >= 0)
		close(peer.pidfd);
	close(fd);
}

static NORETURN void server_main(const struct exec_server_conf *conf, pid_t parent)
{
	const struct spawn_service svc = {
		.prog = "toolbox-init",
		.base_env = environ,
		.grace_ms = conf->grace_ms,
		.where = "in the container",
		.tty_uid = conf->uid,
		.tty_gid = conf->gid,
		.admit = exec_admit,
		.data = (void *)conf,
	};
	sigset_t set;
	int sfd;

	/* Gone with PID 1 (also under --pid host, where nobody else would end us). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(0);
	(void)fd_close_from(EXEC_SERVER_FD + 1);
	/*
	 * podman exec --user root starts root with no supplementary groups (PID 1 has
	 * root's); sessions of other users get theirs from toolbox-init exec.
	 */
	if (setgroups(0, NULL) < 0)
		log_msg(LOG_LVL_DEBUG, errno, "exec socket: setgroups");
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_SETMASK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		log_msg(LOG_LVL_WARN, errno, "exec socket: signalfd");
		_exit(1);
	}
	log_msg(LOG_LVL_DEBUG, 0, "exec socket: serving uid %u as %s", (unsigned)conf->uid,
		conf->user);
	for (;;) {
		struct pollfd p[2] = {{.fd = EXEC_SERVER_FD, .events = POLLIN},
				      {.fd = sfd, .events = POLLIN}};
		struct signalfd_siginfo si;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_LVL_WARN, errno, "exec socket: poll");
			_exit(1);
		}
		while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			if (si.ssi_signo != SIGCHLD)
				_exit(0);
		}
		reap();
		if (p[0].revents & POLLIN)
			serve_one(EXEC_SERVER_FD, sfd, &svc);
	}
}

/* The directory, owned by the user and private, opened without following links. */
static int open_dir(const struct exec_server_conf *conf)
{
	_cleanup_close_ int base = -1, dfd = -1;
	struct stat st;

	base = open(conf->stamp_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (base < 0)
		return -errno;
	if (mkdirat(base, EXEC_SOCKET_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	dfd = openat(base, EXEC_SOCKET_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (fstat(dfd, &st) < 0)
		return -errno;
	if ((st.st_uid != conf->uid || st.st_gid != conf->gid) &&
	    fchown(dfd, conf->uid, conf->gid) < 0)
		return -errno;
	if ((st.st_mode & 07777) != 0700 && fchmod(dfd, 0700) < 0)
		return -errno;
	return steal_fd(&dfd);
}

/* Bind through the directory's fd (no path walk a user could redirect), mode 0600. */
static int bind_socket(int dfd, const char *name, const struct exec_server_conf *conf)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old;
	int n, r;

	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd, name);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		return -errno;
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0)
		return -errno;
	if (fchownat(dfd, name, conf->uid, conf->gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    listen(fd, EXEC_SERVER_BACKLOG) < 0) {
		r = -errno;
		unlinkat(dfd, name, 0);
		return r;
	}
	return steal_fd(&fd);
}

int exec_server_start(const struct exec_server_conf *conf, pid_t *pid)
{
	_cleanup_close_ int dfd = -1, lfd = -1;
	char path[PATH_MAX], name[NAME_MAX + 1];
	pid_t parent = getpid();
	int n, r;

	r = exec_socket_path(conf->stamp_dir, conf->id, path, sizeof(path));
	if (r < 0)
		return r;
	n = snprintf(name, sizeof(name), "%s.sock", conf->id);
	if (n < 0 || (size_t)n >= sizeof(name))
		return -ENAMETOOLONG;
	dfd = open_dir(conf);
	if (dfd < 0)
		return dfd;
	lfd = bind_socket(dfd, name, conf);
	if (lfd < 0)
		return lfd;
	*pid = fork();
	if (*pid < 0) {
		r = -errno;
		unlinkat(dfd, name, 0);
		return r;
	}
	if (*pid == 0) {
		if (dup2(lfd, EXEC_SERVER_FD) < 0)
			_exit(1);
		server_main(conf, parent);
	}
	log_msg(LOG_LVL_DEBUG, 0, "exec socket %s: server %d", path, (int)*pid);
	return 0;
}
