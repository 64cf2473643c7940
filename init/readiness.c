// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdutil.h"
#include "macros.h"
#include "pathutil.h"
#include "readiness.h"

int readiness_containerenv_value(const char *text, const char *key, char *out, size_t cap)
{
	size_t klen = strlen(key);
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len > klen + 1 && strncmp(line, key, klen) == 0 && line[klen] == '=') {
			const char *v = line + klen + 1;
			size_t vlen = len - klen - 1;

			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			if (vlen >= cap)
				return -ENAMETOOLONG;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return 0;
		}
		line = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

int readiness_id_from_mountinfo(const char *text, char *out, size_t cap)
{
	static const char marker[] = "-containers/";
	const char *p = text;

	/* podman binds /etc/hostname, /run/.containerenv, ... from its storage's
	 * .../<driver>-containers/<ID>/userdata/: the id is there even with --read-only. */
	while ((p = strstr(p, marker))) {
		const char *id = p + sizeof(marker) - 1;
		size_t n = strspn(id, "0123456789abcdef");

		p = id;
		if (n < 12 || strncmp(id + n, "/userdata/", 10) != 0)
			continue;
		if (n >= cap)
			return -ENAMETOOLONG;
		memcpy(out, id, n);
		out[n] = '\0';
		return 0;
	}
	return -ENOENT;
}

/* A container id is hex; anything else is not used in a file name. */
static bool id_is_safe(const char *id)
{
	if (!*id)
		return false;
	for (const char *p = id; *p; p++) {
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	}
	return true;
}

int readiness_prepare(struct readiness *r, uid_t uid, gid_t gid, const char *runtime_dir)
{
	_cleanup_free_ char *env = NULL;
	char base[4096];
	int n;

	memset(r, 0, sizeof(*r));
	r->uid = uid;
	r->gid = gid;
	r->pid = getpid();
	/* Toolbx's layout: root's stamps live in /run/toolbox (a volume from the host's), a
	 * user's in $XDG_RUNTIME_DIR/toolbox. */
	if (uid == 0)
		n = snprintf(base, sizeof(base), "/run");
	else if (runtime_dir && runtime_dir[0] == '/')
		n = snprintf(base, sizeof(base), "%s", runtime_dir);
	else
		n = snprintf(base, sizeof(base), "/run/user/%u", (unsigned int)uid);
	if (n < 0 || (size_t)n >= sizeof(base))
		return -ENAMETOOLONG;
	n = snprintf(r->dir, sizeof(r->dir), "%s/toolbox", base);
	if (n < 0 || (size_t)n >= sizeof(r->dir))
		return -ENAMETOOLONG;

	if (fd_read_file_at(AT_FDCWD, "/run/.containerenv", 65536, &env, NULL) < 0 ||
	    readiness_containerenv_value(env, "id", r->id, sizeof(r->id)) < 0) {
		free(env);
		env = NULL;
		/* No /run/.containerenv (podman leaves it out with --read-only). */
		if (fd_read_file_at(AT_FDCWD, "/proc/self/mountinfo", 4 << 20, &env, NULL) < 0 ||
		    readiness_id_from_mountinfo(env, r->id, sizeof(r->id)) < 0)
			r->id[0] = '\0';
	}
	if (!id_is_safe(r->id))
		r->id[0] = '\0';

	n = path_mkdir_owned(base, 0700, uid, gid);
	if (n < 0)
		return n;
	n = path_mkdir_owned(r->dir, 0700, uid, gid);
	if (n < 0)
		return n;
	if (r->id[0]) {
		_cleanup_close_ int dfd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		char name[256];

		/* An earlier init's stamps, and the temp files of one killed as it wrote them
		 * (this container's init is their one writer). */
		if (dfd >= 0) {
			snprintf(name, sizeof(name), "container-initialized-%s", r->id);
			unlinkat(dfd, name, 0);
			(void)fd_replace_cleanup_at(dfd, name);
			snprintf(name, sizeof(name), "container-failed-%s", r->id);
			unlinkat(dfd, name, 0);
			(void)fd_replace_cleanup_at(dfd, name);
		}
	}
	return 0;
}

static int write_stamp(const struct readiness *r, const char *kind, const char *suffix,
		       const char *body)
{
	_cleanup_close_ int dfd = -1;
	struct file_meta meta = {.mode = 0644, .uid = r->uid, .gid = r->gid};
	char name[256];

	dfd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	snprintf(name, sizeof(name), "container-%s-%s", kind, suffix);
	return fd_replace_file_at(dfd, name, body, strlen(body), &meta);
}

static int mark(const struct readiness *r, const char *kind, const char *body)
{
	char pid[32];
	int ret;

	if (!r->dir[0])
		return -EINVAL;
	snprintf(pid, sizeof(pid), "%ld", (long)r->pid);
	/* The id stamp first: a launcher waiting on it must not miss the PID one. */
	if (r->id[0]) {
		ret = write_stamp(r, kind, r->id, body);
		if (ret < 0)
			return ret;
	}
	return write_stamp(r, kind, pid, body);
}

int readiness_mark_ready(const struct readiness *r)
{
	return mark(r, "initialized", "");
}

int readiness_mark_failed(const struct readiness *r, const char *msg)
{
	char line[1024];

	snprintf(line, sizeof(line), "%s\n", msg);
	return mark(r, "failed", line);
}
