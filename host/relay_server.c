// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The relay's listener: one process that accepts connections, checks the peer's uid
 * (SO_PEERCRED) and forks one handler process per connection once the first message is
 * there (a connection that closes without a message, as relay_ensure_running()'s check
 * does, costs no fork). Handlers are independent: stopping the listener does not end the
 * commands that run. The listener exits on SIGTERM/SIGINT, or when it has been idle (no
 * connection, no handler, no running toolbox container) for the idle timeout.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fdutil.h"
#include "log.h"
#include "macros.h"
#include "proto_io.h"
#include "relay.h"
#include "relay_policy.h"
#include "relay_server.h"
#include "spawn_conn.h"
#include "runtime_dir.h"

#define RELAY_MAX_PENDING 128
#define RELAY_HELLO_TIMEOUT_MS 10000
#define RELAY_LOCK_WAIT_MS 2000

struct pending {
	int fd;
	struct proto_peer peer;
	long long deadline;
	bool refuse; /* another uid: answer its first message with ERROR, then close */
};

struct server {
	struct relay_conf *conf;
	struct spawn_service svc; /* what a handler serves */
	int listen_fd;
	int lock_fd;
	int sfd;
	bool own_socket; /* we bound it (not systemd): unlink it at the end */
	ino_t sock_ino;
	struct pending pending[RELAY_MAX_PENDING];
	size_t npending;
	unsigned long children; /* handlers at work */
	long long last_busy;
	pid_t spare_pid; /* a handler forked ahead of time, waiting for a connection, or -1 */
	int spare_fd;	 /* our end of its socketpair, or -1 */
	bool stopping;
};

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A one-line message for the caller (long paths are cut, never overflow). */
static PRINTF_LIKE(3, 4) void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): started just above
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- paths and checks ---- */

int relay_conf_paths(struct relay_conf *conf, char *err, size_t errlen)
{
	char rundir[PATH_MAX];
	const char *sock = getenv("TOOLBOX_RELAY_SOCKET");
	int r;

	r = runtime_dir_resolve(rundir, sizeof(rundir), err, errlen);
	if (r < 0)
		return r;
	if (relay_paths_for(rundir, sock, conf->dir, conf->socket, sizeof(conf->dir)) < 0) {
		seterr(err, errlen, "the relay's socket path is too long (at most %zu bytes)",
		       sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		return -ENAMETOOLONG;
	}
	return 0;
}

int relay_paths_for(const char *rundir, const char *sock_override, char *dir, char *sock,
		    size_t cap)
{
	int n = snprintf(dir, cap, "%s/toolbox", rundir);

	if (n < 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	if (sock_override && *sock_override)
		n = snprintf(sock, cap, "%s", sock_override);
	else
		n = snprintf(sock, cap, "%s/" RELAY_SOCKET_NAME, dir);
	if (n < 0 || (size_t)n >= cap || !proto_path_fits(sock))
		return -ENAMETOOLONG;
	return 0;
}

int relay_check_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(dir, &st) < 0) {
		if (errno != ENOENT || mkdir(dir, 0700) < 0 || lstat(dir, &st) < 0) {
			seterr(err, errlen, "cannot create the relay's directory %s: %s", dir,
			       strerror(errno));
			return -errno;
		}
	}
	if (!S_ISDIR(st.st_mode)) {
		seterr(err, errlen, "%s is not a directory; remove it", dir);
		return -ENOTDIR;
	}
	if (st.st_uid != getuid()) {
		seterr(err, errlen,
		       "directory %s belongs to uid %u, not to you (uid %u); the relay refuses "
		       "to serve there",
		       dir, (unsigned)st.st_uid, (unsigned)getuid());
		return -EPERM;
	}
	if (st.st_mode & 077) {
		seterr(err, errlen,
		       "directory %s is accessible by group or others (mode %04o); the relay "
		       "refuses to serve there: run 'chmod 700 %s'",
		       dir, (unsigned)(st.st_mode & 07777), dir);
		return -EPERM;
	}
	return 0;
}

/* The directory part of @path, in @buf. */
static void dir_of(const char *path, char *buf, size_t cap)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 0;

	if (len == 0) {
		snprintf(buf, cap, "%s", slash ? "/" : ".");
		return;
	}
	snprintf(buf, cap, "%.*s", (int)len, path);
}

/* ---- the listening socket ---- */

static int take_lock(struct server *s, char *err, size_t errlen)
{
	char path[PATH_MAX + 8];
	long long deadline = mono_ms() + RELAY_LOCK_WAIT_MS;

	snprintf(path, sizeof(path), "%s.lock", s->conf->socket);
	s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (s->lock_fd < 0) {
		seterr(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -errno;
	}
	/* A relay that is shutting down holds it for a moment: wait a little. */
	while (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			seterr(err, errlen, "cannot lock %s: %s", path, strerror(errno));
			return -errno;
		}
		if (mono_ms() >= deadline) {
			seterr(err, errlen, "another relay serves %s", s->conf->socket);
			return -EBUSY;
		}
		usleep(10000);
	}
	return 0;
}

static int bind_socket(struct server *s, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *path = s->conf->socket;
	struct stat st;
	mode_t old;
	int fd, r;

	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (unlink(path) < 0 && errno != ENOENT) {
		seterr(err, errlen, "cannot remove the old socket %s: %s", path, strerror(errno));
		return -errno;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		seterr(err, errlen, "cannot create a socket: %s", strerror(errno));
		return -errno;
	}
	/* Born 0600: nobody else may connect even for a moment. */
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || listen(fd, 128) < 0 || stat(path, &st) < 0) {
		r = -errno;
		seterr(err, errlen, "cannot listen on %s: %s", path, strerror(-r));
		close(fd);
		return r;
	}
	s->listen_fd = fd;
	s->own_socket = true;
	s->sock_ino = st.st_ino;
	return 0;
}

/* A socket handed over by systemd: ours only if it is a listening AF_UNIX SOCK_SEQPACKET. */
static int check_inherited(int fd, char *err, size_t errlen)
{
	int type = 0, domain = 0, acc = 0, fl;
	socklen_t len = sizeof(int);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) < 0 || type != SOCK_SEQPACKET ||
	    domain != AF_UNIX || !acc) {
		seterr(err, errlen,
		       "fd %d from the service manager is not a listening AF_UNIX "
		       "SOCK_SEQPACKET socket (ListenSequentialPacket= in the .socket unit)",
		       fd);
		return -EINVAL;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fd_set_cloexec(fd, true) < 0) {
		seterr(err, errlen, "cannot set up fd %d: %s", fd, strerror(errno));
		return -errno;
	}
	return 0;
}

static void write_pid_file(const struct server *s)
{
	char dir[PATH_MAX], name[NAME_MAX + 1], text[32];
	const char *base = strrchr(s->conf->socket, '/');
	struct file_meta meta = {.mode = 0600, .uid = getuid(), .gid = getgid()};
	int dfd, r;

	dir_of(s->conf->socket, dir, sizeof(dir));
	r = snprintf(name, sizeof(name), "%s.pid", base ? base + 1 : s->conf->socket);
	if (r < 0 || (size_t)r >= sizeof(name))
		return;
	snprintf(text, sizeof(text), "%d\n", (int)getpid());
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	r = fd_replace_file_at(dfd, name, text, strlen(text), &meta);
	if (r < 0)
		log_msg(LOG_LVL_DEBUG, -r, "cannot write %s/%s", dir, name);
	close(dfd);
}

static void remove_own_files(const struct server *s)
{
	char path[PATH_MAX + 8];
	struct stat st;

	if (s->own_socket && stat(s->conf->socket, &st) == 0 && st.st_ino == s->sock_ino)
		unlink(s->conf->socket);
	snprintf(path, sizeof(path), "%s.pid", s->conf->socket);
	unlink(path);
}

static void notify_ready(struct relay_conf *conf, const char *word)
{
	if (conf->ready_fd < 0)
		return;
	(void)fd_write_all(conf->ready_fd, word, strlen(word));
	close(conf->ready_fd);
	conf->ready_fd = -1;
}

/* ---- connections ---- */

static void pending_drop(struct server *s, size_t i)
{
	close(s->pending[i].fd);
	if (s->pending[i].peer.pidfd >= 0)
		close(s->pending[i].peer.pidfd);
	s->pending[i] = s->pending[--s->npending];
}

/* In a new handler process: close everything of the listener's but pending[@keep]. */
static void close_listener_fds(struct server *s, size_t keep)
{
	close(s->listen_fd);
	close(s->lock_fd);
	close(s->sfd);
	if (s->spare_fd >= 0)
		close(s->spare_fd);
	for (size_t j = 0; j < s->npending; j++) {
		if (j == keep)
			continue;
		close(s->pending[j].fd);
		if (s->pending[j].peer.pidfd >= 0)
			close(s->pending[j].peer.pidfd);
	}
}

/*
 * The spare handler: forked ahead of time (a fork of the listener is a good part of what a
 * relayed command costs), it waits for one connection on its socketpair and serves it.
 * It ends when the listener closes its end without handing it anything.
 */
static NORETURN void spare_main(struct server *s, int fd)
{
	struct proto_peer peer;
	int conn = -1;
	size_t n = 0;
	char b[8];

	if (proto_recv(fd, b, sizeof(b), &conn, 1, &n) <= 0 || n != 1)
		_exit(0);
	close(fd);
	if (proto_peer_get(conn, &peer) < 0)
		_exit(1);
	_exit(spawn_conn_main(conn, &peer, &s->svc));
}

static void spare_start(struct server *s)
{
	int sv[2];
	pid_t pid;

	if (s->stopping || s->spare_fd >= 0)
		return;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_msg(LOG_LVL_DEBUG, errno, "socketpair for a spare handler");
		return;
	}
	pid = fork();
	if (pid < 0) {
		log_msg(LOG_LVL_DEBUG, errno, "cannot fork a spare handler");
		close(sv[0]);
		close(sv[1]);
		return;
	}
	if (pid == 0) {
		close(sv[0]);
		close_listener_fds(s, (size_t)-1);
		spare_main(s, sv[1]);
	}
	close(sv[1]);
	s->spare_pid = pid;
	s->spare_fd = sv[0];
}

static void fork_handler(struct server *s, size_t i)
{
	struct pending p = s->pending[i];
	pid_t pid;

	/* The spare takes it, and another one is made while it serves. */
	if (s->spare_fd >= 0 && proto_send(s->spare_fd, "c", 1, &p.fd, 1) == 0) {
		close(s->spare_fd);
		s->spare_fd = -1;
		s->spare_pid = -1;
		s->children++;
		pending_drop(s, i);
		spare_start(s);
		return;
	}
	pid = fork();
	if (pid < 0) {
		log_msg(LOG_LVL_ERROR, errno, "cannot fork a handler");
		(void)proto_send_error(p.fd, EAGAIN, "the relay cannot fork: %s", strerror(errno));
		pending_drop(s, i);
		return;
	}
	if (pid == 0) {
		/* The handler: nothing of the listener's stays open in it. */
		close_listener_fds(s, i);
		_exit(spawn_conn_main(p.fd, &p.peer, &s->svc));
	}
	s->children++;
	pending_drop(s, i);
	spare_start(s);
}

/*
 * Answer a connection of another uid, once its first message is there (closing with that
 * message unread would reset the connection, and the client would not learn why).
 */
static void refuse(struct server *s, size_t i)
{
	const struct proto_peer *peer = &s->pending[i].peer;
	char discard[64];

	(void)recv(s->pending[i].fd, discard, sizeof(discard), MSG_DONTWAIT);
	(void)proto_send_error(s->pending[i].fd, EACCES,
			       "uid %u may not use the relay of uid %u (in a rootless toolbox, "
			       "root and other users of the container are not you on the host: "
			       "run host-spawn as your own user)",
			       (unsigned)peer->uid, (unsigned)getuid());
	pending_drop(s, i);
}

static void accept_all(struct server *s)
{
	for (;;) {
		struct proto_peer peer;
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN)
				log_msg(LOG_LVL_WARN, errno, "accept");
			return;
		}
		s->last_busy = mono_ms();
		if (proto_peer_get(fd, &peer) < 0) {
			log_msg(LOG_LVL_WARN, errno, "cannot get the credentials of a connection");
			close(fd);
			continue;
		}
		if (peer.uid != getuid())
			log_msg(LOG_LVL_INFO, 0,
				"refused a connection from uid %u (pid %d): this relay serves uid "
				"%u "
				"only",
				(unsigned)peer.uid, (int)peer.pid, (unsigned)getuid());
		if (s->npending == RELAY_MAX_PENDING) {
			if (s->pending[0].refuse)
				refuse(s, 0);
			else
				fork_handler(s, 0);
		}
		s->pending[s->npending++] = (struct pending){
			.fd = fd,
			.peer = peer,
			.deadline = s->last_busy + RELAY_HELLO_TIMEOUT_MS,
			.refuse = peer.uid != getuid(),
		};
	}
}

static void reap(struct server *s)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == s->spare_pid) {
			/* It died waiting: make another one when the next connection comes. */
			log_msg(LOG_LVL_DEBUG, 0, "spare handler %d ended (status 0x%x)", (int)pid,
				(unsigned)status);
			close(s->spare_fd);
			s->spare_fd = -1;
			s->spare_pid = -1;
			continue;
		}
		if (s->children)
			s->children--;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			log_msg(LOG_LVL_DEBUG, 0, "handler %d ended with status 0x%x", (int)pid,
				(unsigned)status);
	}
	s->last_busy = mono_ms();
}

/* Whether a toolbox container runs: a readiness stamp whose init process is alive. */
bool relay_toolbox_running(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		static const char prefix[] = "container-initialized-";
		char path[64], comm[32] = "";
		char *end;
		long pid;
		ssize_t n;
		int fd;

		if (strncmp(de->d_name, prefix, sizeof(prefix) - 1) != 0)
			continue;
		pid = strtol(de->d_name + sizeof(prefix) - 1, &end, 10);
		if (*end || pid <= 1)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, comm, sizeof(comm) - 1);
		close(fd);
		if (n <= 0)
			continue;
		comm[n] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
		found = strcmp(comm, "toolbox-init") == 0 || strcmp(comm, "toolbox") == 0;
	}
	closedir(d);
	return found;
}

/* The readiness stamps of relay_conf.stamps, or of dir and (root) Toolbx's /run/toolbox. */
static bool relay_containers_running(const struct relay_conf *conf)
{
	if (conf->stamps[0])
		return relay_toolbox_running(conf->stamps);
	return relay_toolbox_running(conf->dir) ||
	       (getuid() == 0 && relay_toolbox_running("/run/toolbox"));
}

static int idle_timeout_ms(const struct server *s, long long now)
{
	long long deadline;

	if (!s->conf->idle_s)
		return -1;
	deadline = s->last_busy + (long long)s->conf->idle_s * 1000;
	return spawn_ms_left(now, deadline);
}

/* 1 when the relay should stop for being idle. */
static int idle_check(struct server *s, long long now)
{
	if (!s->conf->idle_s || s->children || s->npending)
		return 0;
	if (now - s->last_busy < (long long)s->conf->idle_s * 1000)
		return 0;
	if (relay_containers_running(s->conf)) {
		s->last_busy = now;
		return 0;
	}
	return 1;
}

/* ---- the loop ---- */

static int setup(struct server *s, char *err, size_t errlen)
{
	char sockdir[PATH_MAX];
	sigset_t set;
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	sigdelset(&set, SIGPIPE);
	s->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s->sfd < 0) {
		seterr(err, errlen, "signalfd: %s", strerror(errno));
		return -errno;
	}
	r = relay_check_dir(s->conf->dir, err, errlen);
	if (r < 0)
		return r;
	dir_of(s->conf->socket, sockdir, sizeof(sockdir));
	if (strcmp(sockdir, s->conf->dir) != 0) {
		r = relay_check_dir(sockdir, err, errlen);
		if (r < 0)
			return r;
	}
	r = take_lock(s, err, errlen);
	if (r < 0)
		return r;
	if (s->conf->listen_fd >= 0) {
		r = check_inherited(s->conf->listen_fd, err, errlen);
		if (r < 0)
			return r;
		s->listen_fd = s->conf->listen_fd;
	} else {
		r = bind_socket(s, err, errlen);
		if (r < 0)
			return r;
	}
	write_pid_file(s);
	return 0;
}

int relay_serve(struct relay_conf *conf)
{
	struct server s = {.conf = conf,
			   .listen_fd = -1,
			   .lock_fd = -1,
			   .sfd = -1,
			   .spare_pid = -1,
			   .spare_fd = -1,
			   .svc = {.prog = "host-spawn",
				   .base_env = conf->base_env,
				   .grace_ms = conf->grace_ms,
				   .where = "on the host",
				   .tty_uid = (uid_t)-1,
				   .tty_gid = (gid_t)-1,
				   .admit = relay_admit,
				   .data = conf}};
	char err[512] = "";
	int r, status = 0;
	bool stop = false;

	r = setup(&s, err, sizeof(err));
	if (r == -EBUSY) {
		log_msg(LOG_LVL_INFO, 0, "%s", err);
		notify_ready(conf, "busy\n");
		status = 0;
		goto out;
	}
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, err[0] ? 0 : -r, "%s",
			err[0] ? err : "cannot start the relay");
		notify_ready(conf, "failed\n");
		status = 1;
		goto out;
	}
	log_msg(LOG_LVL_INFO, 0, "relay %d listening on %s%s (idle timeout %us, grace %ums)",
		(int)getpid(), conf->socket, s.own_socket ? "" : " (socket activated)",
		conf->idle_s, conf->grace_ms);
	notify_ready(conf, "ok\n");
	s.last_busy = mono_ms();
	spare_start(&s);

	while (!stop) {
		struct pollfd p[2 + RELAY_MAX_PENDING];
		long long now = mono_ms();
		int timeout = idle_timeout_ms(&s, now);
		nfds_t np = 0;

		p[np++] = (struct pollfd){.fd = s.sfd, .events = POLLIN};
		p[np++] = (struct pollfd){.fd = s.listen_fd, .events = POLLIN};
		for (size_t i = 0; i < s.npending; i++) {
			int left = spawn_ms_left(now, s.pending[i].deadline);

			p[np++] = (struct pollfd){.fd = s.pending[i].fd, .events = POLLIN};
			if (timeout < 0 || left < timeout)
				timeout = left;
		}
		if (poll(p, np, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_LVL_ERROR, errno, "poll");
			status = 1;
			break;
		}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(s.sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGCHLD)
					reap(&s);
				else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
					stop = true;
			}
		}
		/* Pending connections, from the last (the array is compacted from the end). */
		now = mono_ms();
		for (size_t i = s.npending; i-- > 0;) {
			short rev = p[2 + i].revents;

			if ((rev & POLLIN) && s.pending[i].refuse)
				refuse(&s, i);
			else if (rev & POLLIN)
				fork_handler(&s, i);
			else if (rev & (POLLHUP | POLLERR | POLLNVAL) ||
				 now >= s.pending[i].deadline)
				pending_drop(&s, i);
		}
		if (p[1].revents & POLLIN)
			accept_all(&s);
		if (!stop && idle_check(&s, mono_ms())) {
			log_msg(LOG_LVL_INFO, 0,
				"idle for %us with no toolbox container running: exiting",
				conf->idle_s);
			break;
		}
	}
	if (stop)
		log_msg(LOG_LVL_INFO, 0, "stopping on a signal");
	/* Nobody new: take the name away first, then serve what is already queued. */
	s.stopping = true;
	remove_own_files(&s);
	if (s.listen_fd >= 0) {
		accept_all(&s);
		while (s.npending) {
			if (s.pending[s.npending - 1].refuse)
				refuse(&s, s.npending - 1);
			else
				fork_handler(&s, s.npending - 1);
		}
	}
out:
	/* A spare handler ends when it sees its socket close. */
	if (s.spare_fd >= 0)
		close(s.spare_fd);
	if (s.listen_fd >= 0)
		close(s.listen_fd);
	if (s.lock_fd >= 0)
		close(s.lock_fd);
	if (s.sfd >= 0)
		close(s.sfd);
	return status;
}
