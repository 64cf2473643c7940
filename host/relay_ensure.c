// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * relay_ensure_running(): what create, enter and run call. The warm path is a connect()
 * to the socket and a close() (the relay forks nothing for a connection that sends
 * nothing); only when nobody listens is `toolbox relay serve` started, detached from us
 * (double fork, new session, stdio to relay.log), and waited for until it listens.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdutil.h"
#include "log.h"
#include "macros.h"
#include "proto_io.h"
#include "relay.h"
#include "relay_server.h"
#include "syscalls.h"

#define RELAY_START_WAIT_MS 3000
#define RELAY_LOG_MAX (1 << 20)

/* In the detached grandchild: set up stdio and exec the relay. Never returns. */
static NORETURN void exec_relay(const char *dir, const char *sock, int ready_fd)
{
	char log_path[PATH_MAX + 16], exe[PATH_MAX];
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigset_t none;
	struct stat st;
	ssize_t n;
	int fd;

	if (chdir("/") < 0)
		_exit(127);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
		_exit(127);
	snprintf(log_path, sizeof(log_path), "%s/" RELAY_LOG_NAME, dir);
	fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
		  0600);
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > RELAY_LOG_MAX)
		(void)ftruncate(fd, 0);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
		_exit(127);
	if (dup2(ready_fd, 3) < 0)
		_exit(127);
	fd_close_from(4);
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, &sa, NULL) < 0)
			(void)sys_signal_default(sig);
	}
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		_exit(127);
	exe[n] = '\0';
	setenv("TOOLBOX_RELAY_READY_FD", "3", 1);
	execl(exe, "toolbox", "relay", "serve", "--socket", sock, (char *)NULL);
	_exit(127);
}

static int start_relay(const char *dir, const char *sock)
{
	char answer[16] = "";
	int pipefd[2];
	pid_t pid;
	int status;
	struct pollfd p;
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = errno;

		close(pipefd[0]);
		close(pipefd[1]);
		return -err;
	}
	if (pid == 0) {
		close(pipefd[0]);
		/* A new session, and a grandchild that is not its leader: never a terminal. */
		if (setsid() < 0)
			_exit(127);
		pid = fork();
		if (pid != 0)
			_exit(pid < 0 ? 127 : 0);
		exec_relay(dir, sock, pipefd[1]);
	}
	close(pipefd[1]);
	(void)RETRY_EINTR(waitpid(pid, &status, 0));
	p = (struct pollfd){.fd = pipefd[0], .events = POLLIN};
	n = RETRY_EINTR(poll(&p, 1, RELAY_START_WAIT_MS));
	if (n == 1)
		n = RETRY_EINTR(read(pipefd[0], answer, sizeof(answer) - 1));
	close(pipefd[0]);
	if (n <= 0) {
		log_msg(LOG_LVL_DEBUG, 0, "the relay did not start; see %s/" RELAY_LOG_NAME, dir);
		return n == 0 ? -ETIMEDOUT : -EIO;
	}
	answer[n] = '\0';
	if (strcmp(answer, "ok\n") == 0 || strcmp(answer, "busy\n") == 0)
		return 0;
	log_msg(LOG_LVL_DEBUG, 0, "the relay failed to start; see %s/" RELAY_LOG_NAME, dir);
	return -EIO;
}

int relay_ensure_at(const char *dir, const char *sock)
{
	int fd = proto_connect(sock);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (fd != -ENOENT && fd != -ECONNREFUSED) {
		log_msg(LOG_LVL_DEBUG, -fd, "the relay at %s does not answer", sock);
		return fd;
	}
	log_msg(LOG_LVL_DEBUG, 0, "starting the relay on %s", sock);
	return start_relay(dir, sock);
}

int relay_ensure_running(const char *rundir)
{
	char dir[PATH_MAX], sock[PATH_MAX];
	const char *off = getenv("TOOLBOX_RELAY");

	/* TOOLBOX_RELAY=0: never start it (tests, or a user who does not want it). */
	if (off && strcmp(off, "0") == 0)
		return 0;
	if (!rundir ||
	    relay_paths_for(rundir, getenv("TOOLBOX_RELAY_SOCKET"), dir, sock, sizeof(dir)) < 0)
		return -ENAMETOOLONG;
	return relay_ensure_at(dir, sock);
}
