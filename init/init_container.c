// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec_server.h"
#include "fdutil.h"
#include "hostspawn.h"
#include "init_container.h"
#include "log.h"
#include "macros.h"
#include "pid1.h"
#include "privs.h"
#include "readiness.h"
#include "setup_host.h"
#include "setup_mounts.h"
#include "setup_user.h"

#define HOST_ROOT "/run/host"
/* The exec socket's SIGHUP ... SIGTERM ... SIGKILL steps when `toolbox run` goes away. */
#define INIT_EXEC_GRACE_MS 2000u

static void usage(FILE *f)
{
	fputs("Usage: toolbox-init init-container --uid UID [--gid GID] --user NAME --home DIR\n"
	      "                                   --shell SHELL [--home-link] [--media-link]\n"
	      "                                   [--mnt-link] [--monitor-host] [--log-level "
	      "LEVEL]\n"
	      "Set up a toolbox container for the user, then run as its init.\n",
	      f);
}

/* Setup failed: say why where the launcher looks, then end the container. */
static NORETURN void fail(const struct readiness *rd, const char *msg)
{
	int r;

	log_msg(LOG_LVL_ERROR, 0, "%s", msg);
	r = readiness_mark_failed(rd, msg);
	if (r < 0)
		log_msg(LOG_LVL_ERROR, -r, "cannot write the failure marker in %s", rd->dir);
	exit(1);
}

/* Create @path if missing. A symlink (or FIFO, device) there is replaced, never followed. */
static int make_marker(const char *path)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) &&
	    unlink(path) < 0)
		return -errno;
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0)
		return -errno;
	return 0;
}

/*
 * podman mounts toolbox-init, the home and the runtime directory after /run/host (fewer
 * path components first), and runc follows the image's symlinks on the way: an image whose
 * /usr/bin/toolbox-init leads into /run/host made runc create the mount point on the host
 * and hide a host path. Such a container is not used; say which path did it.
 */
static int check_mount_targets(const struct init_opts *o, char *err, size_t errlen)
{
	const char *paths[] = {"/usr/bin/toolbox-init", "/usr/bin/toolbox",
			       "/etc/profile.d/toolbox.sh", o->home, getenv("XDG_RUNTIME_DIR")};
	char real[PATH_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		if (!paths[i] || paths[i][0] != '/' || !realpath(paths[i], real))
			continue;
		if (strncmp(real, HOST_ROOT "/", sizeof(HOST_ROOT)) != 0 &&
		    strcmp(real, HOST_ROOT) != 0)
			continue;
		snprintf(err, errlen,
			 "refusing to set up the container: the image's %.256s is a symbolic link "
			 "into the host (it leads to %.256s), so podman mounted it on the host's "
			 "side; use an image without that link",
			 paths[i], real);
		return -ELOOP;
	}
	return 0;
}

/* Seconds from a test-only variable (Toolbx's names), 0 when unset or invalid. */
static unsigned int env_seconds(const char *name)
{
	const char *v = getenv(name);
	char *end;
	unsigned long n;

	if (!v || !*v)
		return 0;
	n = strtoul(v, &end, 10);
	return *end || n > 3600 ? 0 : (unsigned int)n;
}

static int on_host_etc_event(int fd, void *data)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	char err[512];
	bool relevant = false;
	ssize_t n;

	(void)data;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -errno;
		}
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->mask & IN_Q_OVERFLOW)
				relevant = true;
			else if (ev->len && setup_host_watched(ev->name))
				relevant = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	if (!relevant)
		return 0;
	err[0] = '\0';
	if (setup_host_etc(HOST_ROOT, err, sizeof(err)) < 0)
		log_msg(LOG_LVL_WARN, 0, "following the host's /etc: %s", err);
	return 0;
}

static int watch_host_etc(void)
{
	_cleanup_close_ int fd = -1;

	fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (inotify_add_watch(fd, HOST_ROOT "/etc",
			      IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE |
				      IN_DONT_FOLLOW | IN_ONLYDIR) < 0)
		return -errno;
	return steal_fd(&fd);
}

int init_container_main(int argc, char **argv, const struct global_opts *g)
{
	struct init_opts o;
	struct readiness rd;
	struct pid1 p;
	struct pid1_watch watch[1];
	int nwatch = 0;
	char err[1024] = "";
	int r;

	if (cmdline_parse_init(argc, argv, &o, err, sizeof(err)) < 0) {
		log_msg(LOG_LVL_ERROR, 0, "%s", err);
		usage(stderr);
		return 2;
	}
	if (o.help) {
		usage(stdout);
		return 0;
	}
	if (o.log_level_set)
		log_set_level(o.log_level);
	else if (g->log_level_set)
		log_set_level(g->log_level);

	/* Phase 1: setup. It may fail, and then says why in the failure marker. */
	r = pid1_begin(&p);
	if (r < 0)
		die_with(1, -r, "cannot set up signal handling");
	r = readiness_prepare(&rd, o.uid, o.gid, getenv("XDG_RUNTIME_DIR"));
	if (r < 0)
		die_with(1, -r,
			 "cannot create the stamp directory %s (is XDG_RUNTIME_DIR mounted?)",
			 rd.dir[0] ? rd.dir : "$XDG_RUNTIME_DIR/toolbox");

	if (env_seconds("TOOLBX_DELAY_ENTRY_POINT"))
		sleep(env_seconds("TOOLBX_DELAY_ENTRY_POINT"));
	if (env_seconds("TOOLBX_FAIL_ENTRY_POINT"))
		fail(&rd, "TOOLBX_FAIL_ENTRY_POINT is set (this variable is for tests only)");

	if (check_mount_targets(&o, err, sizeof(err)) < 0)
		fail(&rd, err);

	r = make_marker("/run/.toolboxenv");
	if (r < 0) {
		snprintf(err, sizeof(err), "cannot create /run/.toolboxenv: %s", strerror(-r));
		fail(&rd, err);
	}
	if (access("/run/.containerenv", F_OK) < 0)
		make_marker("/run/.containerenv");

	{
		struct mount_opts mo = {.host_root = HOST_ROOT,
					.media_link = o.media_link,
					.mnt_link = o.mnt_link,
					.home_link = o.home_link};

		if (setup_mounts(&mo, err, sizeof(err)) < 0)
			fail(&rd, err);
	}
	if (setup_host_etc(HOST_ROOT, err, sizeof(err)) < 0)
		fail(&rd, err);
	{
		struct setup_user_req req = {.name = o.user,
					     .uid = o.uid,
					     .gid = o.gid,
					     .home = o.home,
					     .shell = o.shell};

		if (setup_user_apply(&req, err, sizeof(err)) < 0)
			fail(&rd, err);
	}
	setup_host_dropins();
	hostspawn_install_links();

	if (o.monitor_host && access(HOST_ROOT "/etc", F_OK) == 0) {
		r = watch_host_etc();
		if (r < 0) {
			log_msg(LOG_LVL_WARN, -r,
				"cannot watch %s/etc; host changes to the time zone "
				"will not show up until the container restarts",
				HOST_ROOT);
		} else {
			watch[nwatch++] = (struct pid1_watch){.fd = r, .handle = on_host_etc_event};
		}
	}

	/* Before the stamp: a launcher that sees the stamp finds the socket too. */
	if (rd.id[0]) {
		struct exec_server_conf ec = {.stamp_dir = rd.dir,
					      .id = rd.id,
					      .user = o.user,
					      .uid = o.uid,
					      .gid = o.gid,
					      .grace_ms = INIT_EXEC_GRACE_MS};
		pid_t server;

		r = exec_server_start(&ec, &server);
		if (r < 0)
			log_msg(LOG_LVL_WARN, -r,
				"cannot serve the exec socket; toolbox run uses podman exec");
	}

	r = readiness_mark_ready(&rd);
	if (r < 0)
		die_with(1, -r, "cannot write the initialization stamp in %s", rd.dir);
	log_msg(LOG_LVL_DEBUG, 0, "container initialized");

	r = privs_confine_pid1();
	if (r < 0)
		log_msg(LOG_LVL_WARN, -r, "cannot confine the init; it keeps running unconfined");

	/* Phase 2: the loop. Nothing here may end the process but SIGTERM/SIGINT. */
	r = pid1_loop(&p, watch, nwatch);
	if (r < 0)
		log_msg(LOG_LVL_ERROR, -r, "the signal loop failed");
	log_msg(LOG_LVL_DEBUG, 0, "stopping on signal %d", p.term_signal);
	return r < 0 ? 1 : 0;
}
