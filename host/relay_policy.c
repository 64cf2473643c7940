// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "create_args.h"
#include "fdutil.h"
#include "log.h"
#include "macros.h"
#include "podman.h"
#include "relay.h"
#include "relay_policy.h"
#include "spawn_conn.h"
#include "syscalls.h"

#define CONTAINERENV_MAX 65536

bool relay_is_container_id(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return i == 64;
}

static bool name_ok(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-'))
			return false;
	}
	return true;
}

int relay_containerenv_parse(const char *text, size_t len, struct relay_caller *c)
{
	const char *p = text, *end = text + len;

	*c = (struct relay_caller){.in_container = true};
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(line_end - p));

		if (eq) {
			size_t klen = (size_t)(eq - p);
			const char *v = eq + 1;
			size_t vlen = (size_t)(line_end - v);

			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			if (klen == 2 && strncmp(p, "id", 2) == 0 && vlen == 64) {
				memcpy(c->id, v, 64);
				c->id[64] = '\0';
				if (!relay_is_container_id(c->id))
					c->id[0] = '\0';
			} else if (klen == 4 && strncmp(p, "name", 4) == 0 &&
				   vlen < sizeof(c->name) && name_ok(v, vlen)) {
				memcpy(c->name, v, vlen);
				c->name[vlen] = '\0';
			}
		}
		p = line_end + 1;
	}
	return 0;
}

/* open(@path) resolved inside the root @rootfd (openat2 RESOLVE_IN_ROOT when we have it). */
static int open_in_root(int rootfd, const char *path)
{
	struct tb_open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
		.resolve = TB_RESOLVE_IN_ROOT | TB_RESOLVE_NO_MAGICLINKS,
	};
	int fd = sys_openat2(rootfd, path, &how, sizeof(how));

	if (fd >= 0 || (errno != ENOSYS && errno != EINVAL && errno != E2BIG))
		return fd;
	/* Older kernels: no symlink may be followed at all then. */
	while (*path == '/')
		path++;
	return openat(rootfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
}

/* The whole of a small regular file. */
static int read_small(int fd, char **out, size_t *len)
{
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t used = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	buf = malloc(CONTAINERENV_MAX + 1);
	if (!buf)
		return -ENOMEM;
	while (used < CONTAINERENV_MAX) {
		ssize_t n = RETRY_EINTR(read(fd, buf + used, CONTAINERENV_MAX - used));

		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	*out = steal_ptr(&buf);
	*len = used;
	return 0;
}

static bool pidfd_exited(int pidfd)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLHUP));
}

int relay_caller_identify(const struct proto_peer *peer, struct relay_caller *c)
{
	_cleanup_close_ int rootfd = -1, fd = -1;
	_cleanup_free_ char *text = NULL;
	char path[64];
	size_t len = 0;
	int r;

	*c = (struct relay_caller){0};
	if (peer->pid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/root", (int)peer->pid);
	rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	fd = open_in_root(rootfd, "/run/.containerenv");
	if (fd < 0 && errno != ENOENT && errno != ELOOP)
		return -errno;
	if (fd >= 0) {
		r = read_small(fd, &text, &len);
		if (r < 0)
			return r;
		relay_containerenv_parse(text, len, c);
	}
	/* /proc/PID was the peer only if the peer is still alive now. */
	if (peer->pidfd >= 0 && pidfd_exited(peer->pidfd))
		return -ESRCH;
	return 0;
}

/* ---- the policy and its cache ---- */

static int cache_dir(const char *dir, bool create)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	int pfd;

	if (dfd < 0)
		return -errno;
	if (create && mkdirat(dfd, RELAY_POLICY_DIR, 0700) < 0 && errno != EEXIST) {
		close(dfd);
		return -errno;
	}
	pfd = openat(dfd, RELAY_POLICY_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	close(dfd);
	return pfd < 0 ? -errno : pfd;
}

/* 1 allow, 0 deny, -ENOENT not cached. */
static int cache_get(const char *dir, const char *id)
{
	_cleanup_close_ int pfd = cache_dir(dir, false);
	_cleanup_free_ char *text = NULL;

	if (pfd < 0)
		return -ENOENT;
	if (fd_read_file_at(pfd, id, 64, &text, NULL) < 0)
		return -ENOENT;
	if (strcmp(text, "allow\n") == 0)
		return 1;
	if (strcmp(text, "deny\n") == 0)
		return 0;
	return -ENOENT;
}

static void cache_put(const char *dir, const char *id, bool allow)
{
	_cleanup_close_ int pfd = cache_dir(dir, true);
	struct file_meta meta = {.mode = 0600, .uid = getuid(), .gid = getgid()};
	const char *text = allow ? "allow\n" : "deny\n";
	int r;

	if (pfd < 0) {
		log_msg(LOG_LVL_DEBUG, -pfd, "cannot cache the policy of %s", id);
		return;
	}
	r = fd_replace_file_at(pfd, id, text, strlen(text), &meta);
	if (r < 0)
		log_msg(LOG_LVL_DEBUG, -r, "cannot cache the policy of %s", id);
}

static bool no_such_container(const char *err)
{
	return strstr(err, "no such container") || strstr(err, "no container with");
}

int relay_policy_check(const char *dir, const struct relay_caller *c)
{
	static const char format[] = "{{index .Config.Labels \"" CREATE_NO_HOST_EXEC_LABEL "\"}}";
	const char *args[] = {"container", "inspect", "--format", format, "--", c->id, NULL};
	struct podman_result res;
	bool allow;
	int r;

	if (!c->in_container || !c->id[0])
		return 0;
	r = cache_get(dir, c->id);
	if (r >= 0)
		return r ? 0 : -EPERM;
	r = podman_capture(args, &res);
	if (r < 0) {
		podman_result_free(&res);
		log_msg(LOG_LVL_ERROR, -r, "cannot run podman to look up container %s", c->id);
		return r;
	}
	if (res.status != 0) {
		const char *line = podman_result_errline(&res);

		if (no_such_container(line)) {
			/* Not a container of this user's podman: no label of ours applies. */
			log_msg(LOG_LVL_DEBUG, 0, "container %s is not known to podman: %s", c->id,
				line);
			podman_result_free(&res);
			return 0;
		}
		log_msg(LOG_LVL_ERROR, 0, "podman cannot inspect container %s: %s", c->id, line);
		podman_result_free(&res);
		return -EIO;
	}
	res.out[strcspn(res.out, "\r\n")] = '\0';
	allow = strcmp(res.out, "true") != 0;
	podman_result_free(&res);
	cache_put(dir, c->id, allow);
	return allow ? 0 : -EPERM;
}

int relay_map_cwd(const char *cwd, char *out, size_t cap)
{
	size_t plen = strlen(RELAY_HOST_PREFIX);
	const char *p = cwd;
	int n;

	if (strncmp(cwd, RELAY_HOST_PREFIX, plen) == 0 && (cwd[plen] == '\0' || cwd[plen] == '/'))
		p = cwd[plen] ? cwd + plen : "/";
	n = snprintf(out, cap, "%s", p);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

int relay_admit(const struct spawn_service *svc, const struct proto_peer *peer,
		struct spawn_request *req, unsigned *stage, char *who, size_t whocap)
{
	const struct relay_conf *conf = svc->data;
	struct relay_caller caller;
	char cwd[PROTO_PATH_MAX + 1];
	int r;

	*stage = PROTO_STAGE_POLICY;
	r = relay_caller_identify(peer, &caller);
	if (r < 0) {
		log_msg(LOG_LVL_INFO, -r, "cannot identify the caller (pid %d)", (int)peer->pid);
		return r;
	}
	if (!caller.in_container)
		snprintf(who, whocap, "a host process");
	else if (caller.id[0])
		snprintf(who, whocap, "container %s (%.12s)", caller.name, caller.id);
	else
		snprintf(who, whocap, "an unidentified container");
	r = relay_policy_check(conf->dir, &caller);
	if (r < 0) {
		log_msg(LOG_LVL_INFO, r == -EPERM ? 0 : -r, "refused %s for container %s%s",
			req->argv[0], caller.name,
			r == -EPERM ? " (created with --no-host-exec)" : "");
		return r;
	}
	*stage = PROTO_STAGE_REQUEST;
	r = relay_map_cwd(req->cwd, cwd, sizeof(cwd));
	if (r < 0)
		return r;
	memcpy(req->cwd, cwd, sizeof(cwd));
	return 0;
}
