// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The I/O half of setup_user (see setup_user.h): read the four databases through a
 * directory fd, lock, write the changed ones in a safe order, roll back on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fdutil.h"
#include "macros.h"
#include "setup_user.h"
#include "setup_user_int.h"
#include "userdb.h"

#define LOCK_TIMEOUT_MS 5000u
#define SUDOERS_NAME "toolbox"
#define SUDOERS_MAX (64u << 10)

struct dbfile {
	const char *name; /* under /etc */
	enum userdb_kind kind;
	bool exists;
	bool write;
	bool written;
	struct file_meta meta;
	char *orig;
	size_t olen;
	char *out;
	size_t outlen;
};

struct sudoers_plan {
	bool mkdir; /* /etc/sudoers.d is to be created */
	bool write; /* the drop-in is missing or differs */
	char *orig;
	size_t olen;
	char text[512];
	size_t len;
};

/* "... is a symbolic link to TARGET" for an error line. */
static void describe_symlink(int dirfd, const char *name, char *buf, size_t len)
{
	ssize_t n = readlinkat(dirfd, name, buf, len - 1);

	if (n < 0)
		n = 0;
	buf[n] = '\0';
}

/*
 * Refuse anything but a regular file (@type S_IFREG) or a directory (S_IFDIR), a symbolic
 * link above all: 0, 1 if missing, -errno.
 */
static int check_node(int dirfd, const char *dir, const char *name, mode_t type, struct stat *st,
		      char *err, size_t errlen)
{
	char target[PATH_MAX];

	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0) {
		int e = errno;

		if (e == ENOENT)
			return 1;
		setup_user_seterr(err, errlen, "cannot read %s/%s: %s%s", dir, name, strerror(e),
				  setup_user_hint(e));
		return -e;
	}
	if (S_ISLNK(st->st_mode)) {
		describe_symlink(dirfd, name, target, sizeof(target));
		setup_user_seterr(
			err, errlen,
			"refusing to edit %s/%s: it is a symbolic link to %s (the image must have "
			"its own; nothing was changed)",
			dir, name, target);
		return -ELOOP;
	}
	if ((st->st_mode & S_IFMT) != type) {
		setup_user_seterr(err, errlen,
				  "refusing to edit %s/%s: not a %s (nothing was changed)", dir,
				  name, type == S_IFDIR ? "directory" : "regular file");
		return type == S_IFDIR ? -ENOTDIR : -EINVAL;
	}
	return 0;
}

static int read_regular(int dirfd, const char *dir, const char *name, size_t max, char **out,
			size_t *len, char *err, size_t errlen)
{
	int r = fd_read_file_at(dirfd, name, max, out, len);

	if (r == -EFBIG)
		setup_user_seterr(err, errlen,
				  "cannot read %s/%s: larger than %zu KiB (nothing was changed)",
				  dir, name, max >> 10);
	else if (r < 0)
		setup_user_seterr(err, errlen, "cannot read %s/%s: %s%s", dir, name, strerror(-r),
				  setup_user_hint(-r));
	return r;
}

static int read_dbfile(int etc, struct dbfile *f, char *err, size_t errlen)
{
	struct stat st;
	int r;

	r = check_node(etc, "/etc", f->name, S_IFREG, &st, err, errlen);
	if (r < 0)
		return r;
	if (r == 1) {
		/* Created, if it is created, as distributions ship it (shadow readable by
		 * root only: an image without the file has no shadow group either). */
		f->meta = (struct file_meta){
			.mode = f->kind == USERDB_SHADOW || f->kind == USERDB_GSHADOW ? 0600 : 0644,
			.uid = 0,
			.gid = 0};
		return 0;
	}
	f->exists = true;
	f->meta =
		(struct file_meta){.mode = st.st_mode & 07777, .uid = st.st_uid, .gid = st.st_gid};
	return read_regular(etc, "/etc", f->name, USERDB_MAX_SIZE, &f->orig, &f->olen, err, errlen);
}

/* A name sudoers reads as a plain user name: no alias (upper case), keyword or escape. */
static bool sudoers_plain(const char *name)
{
	if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
		return false;
	for (const char *p = name; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("_.-", *p)))
			return false;
	}
	return true;
}

static int plan_sudoers(int root, int etc, const struct setup_user_req *req,
			struct sudoers_plan *sp, char *err, size_t errlen)
{
	_cleanup_close_ int dfd = -1;
	char who[32];
	struct stat st;
	int r, n;

	if (req->uid == 0)
		return 0;
	/* A name sudoers could read otherwise (alias, keyword, escapes) is given as #uid. */
	snprintf(who, sizeof(who), "#%lu", (unsigned long)req->uid);
	n = snprintf(sp->text, sizeof(sp->text),
		     "# Written by toolbox-init: the host user may run anything as root.\n"
		     "%s ALL=(ALL:ALL) NOPASSWD: ALL\n",
		     sudoers_plain(req->name) ? req->name : who);
	if (n < 0 || (size_t)n >= sizeof(sp->text)) {
		setup_user_seterr(err, errlen,
				  "cannot write /etc/sudoers.d/" SUDOERS_NAME ": user name %s is "
				  "too long",
				  req->name);
		return -ENAMETOOLONG;
	}
	sp->len = (size_t)n;

	r = check_node(etc, "/etc", "sudoers.d", S_IFDIR, &st, err, errlen);
	if (r < 0)
		return r;
	if (r == 1) {
		/* No drop-in directory: only make one when sudo is installed. */
		sp->mkdir = sp->write = fstatat(root, "usr/bin/sudo", &st, 0) == 0;
		return 0;
	}
	dfd = openat(etc, "sudoers.d", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		int e = errno;

		setup_user_seterr(err, errlen, "cannot open /etc/sudoers.d: %s%s", strerror(e),
				  setup_user_hint(e));
		return -e;
	}
	r = check_node(dfd, "/etc/sudoers.d", SUDOERS_NAME, S_IFREG, &st, err, errlen);
	if (r < 0)
		return r;
	if (r == 1) {
		sp->write = true;
		return 0;
	}
	r = read_regular(dfd, "/etc/sudoers.d", SUDOERS_NAME, SUDOERS_MAX, &sp->orig, &sp->olen,
			 err, errlen);
	if (r < 0)
		return r;
	sp->write = sp->olen != sp->len || memcmp(sp->orig, sp->text, sp->len) != 0 ||
		    (st.st_mode & 07777) != 0440 || st.st_uid != 0 || st.st_gid != 0;
	return 0;
}

/* Wait for the lckpwdf lock; none on a read-only /etc (nothing can change it anyway). */
static int take_lock(int etc, unsigned timeout_ms, int *out, char *err, size_t errlen)
{
	_cleanup_close_ int fd = -1;
	struct timespec start, now;

	fd = RETRY_EINTR(openat(etc, ".pwd.lock",
				O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600));
	if (fd < 0) {
		int e = errno;

		if (e == EROFS)
			return 0;
		setup_user_seterr(err, errlen, "cannot lock /etc/.pwd.lock: %s%s", strerror(e),
				  setup_user_hint(e));
		return -e;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
		struct timespec pause = {.tv_nsec = 20 * 1000 * 1000};
		long long ms;

		if (fcntl(fd, F_SETLK, &fl) == 0)
			break;
		if (errno != EACCES && errno != EAGAIN && errno != EINTR) {
			int e = errno;

			setup_user_seterr(err, errlen, "cannot lock /etc/.pwd.lock: %s",
					  strerror(e));
			return -e;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (now.tv_sec - start.tv_sec) * 1000LL + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (ms >= (long long)timeout_ms) {
			setup_user_seterr(
				err, errlen,
				"cannot lock /etc/.pwd.lock: still held by another process "
				"after %u ms (something in the container is editing the user "
				"database; try again)",
				timeout_ms);
			return -ETIMEDOUT;
		}
		nanosleep(&pause, NULL);
	}
	*out = steal_fd(&fd);
	return 0;
}

static int open_etc(int root, int *out, char *err, size_t errlen)
{
	int fd;

	fd = openat(root, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		/* An image with no /etc at all (FROM scratch). */
		if (mkdirat(root, "etc", 0755) < 0 && errno != EEXIST) {
			int e = errno;

			setup_user_seterr(err, errlen, "cannot create /etc: %s%s", strerror(e),
					  setup_user_hint(e));
			return -e;
		}
		fd = openat(root, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		int e = errno;
		char target[PATH_MAX];
		struct stat st;

		if (fstatat(root, "etc", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
			describe_symlink(root, "etc", target, sizeof(target));
			setup_user_seterr(
				err, errlen,
				"refusing to edit /etc: it is a symbolic link to %s (the image "
				"must have its own /etc; nothing was changed)",
				target);
			return -ELOOP;
		}
		if (e == ENOTDIR)
			setup_user_seterr(err, errlen,
					  "refusing to edit /etc: not a directory (nothing was "
					  "changed)");
		else
			setup_user_seterr(err, errlen, "cannot open /etc: %s%s", strerror(e),
					  setup_user_hint(e));
		return -e;
	}
	*out = fd;
	return 0;
}

/* Put back the files already replaced, newest first. Appends to @err what failed. */
static void roll_back(int etc, struct dbfile **order, size_t n, char *err, size_t errlen)
{
	for (size_t k = n; k-- > 0;) {
		struct dbfile *f = order[k];
		int r = 0;

		if (!f->written)
			continue;
		if (f->exists)
			r = fd_replace_file_at(etc, f->name, f->orig, f->olen, &f->meta);
		else if (unlinkat(etc, f->name, 0) < 0)
			r = -errno;
		if (r < 0 && err) {
			size_t used = strlen(err);

			snprintf(err + used, errlen - used, "; restoring /etc/%s failed too: %s",
				 f->name, strerror(-r));
		}
		f->written = false;
	}
}

static int write_sudoers(int etc, struct sudoers_plan *sp, char *err, size_t errlen)
{
	static const struct file_meta meta = {.mode = 0440, .uid = 0, .gid = 0};
	_cleanup_close_ int dfd = -1;
	int r;

	if (sp->mkdir) {
		if (mkdirat(etc, "sudoers.d", 0750) < 0 && errno != EEXIST) {
			r = -errno;
			goto fail_dir;
		}
		if (fchmodat(etc, "sudoers.d", 0750, 0) < 0) {
			r = -errno;
			goto fail_dir;
		}
	}
	dfd = openat(etc, "sudoers.d", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		r = -errno;
		goto fail_dir;
	}
	r = fd_replace_file_at(dfd, SUDOERS_NAME, sp->text, sp->len, &meta);
	if (r < 0) {
		setup_user_seterr(err, errlen, "cannot write /etc/sudoers.d/" SUDOERS_NAME ": %s%s",
				  strerror(-r), setup_user_hint(-r));
		if (sp->mkdir)
			unlinkat(etc, "sudoers.d", AT_REMOVEDIR);
		return r;
	}
	return 0;
fail_dir:
	setup_user_seterr(err, errlen, "cannot create /etc/sudoers.d: %s%s", strerror(-r),
			  setup_user_hint(-r));
	return r;
}

/* What an init killed in the middle of an earlier edit left: its temp files. */
static void clean_temps(int etc)
{
	static const char *const names[] = {"passwd", "group", "shadow", "gshadow"};
	_cleanup_close_ int dfd = -1;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		(void)fd_replace_cleanup_at(etc, names[i]);
	dfd = openat(etc, "sudoers.d", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd >= 0)
		(void)fd_replace_cleanup_at(dfd, SUDOERS_NAME);
}

int setup_user(int root_dirfd, const struct setup_user_req *req, bool *changed, char *err,
	       size_t errlen)
{
	_cleanup_close_ int etc = -1;
	_cleanup_close_ int lock = -1;
	struct setup_user_dbs dbs = {0};
	struct sudoers_plan sp = {0};
	struct dbfile pw = {.name = "passwd", .kind = USERDB_PASSWD};
	struct dbfile gr = {.name = "group", .kind = USERDB_GROUP};
	struct dbfile sh = {.name = "shadow", .kind = USERDB_SHADOW};
	struct dbfile gs = {.name = "gshadow", .kind = USERDB_GSHADOW};
	/* The write order; see setup_user.h. */
	struct dbfile *order[] = {&gs, &gr, &sh, &pw};
	struct userdb *dbp[] = {&dbs.gshadow, &dbs.group, &dbs.shadow, &dbs.passwd};
	bool *has[] = {&dbs.has_gshadow, &dbs.has_group, &dbs.has_shadow, &dbs.has_passwd};
	size_t k;
	int r;

	if (changed)
		*changed = false;
	if (err && errlen)
		err[0] = '\0';
	r = setup_user_check_req(req, err, errlen);
	if (r < 0)
		return r;
	r = open_etc(root_dirfd, &etc, err, errlen);
	if (r < 0)
		return r;
	r = take_lock(etc, req->lock_timeout_ms ? req->lock_timeout_ms : LOCK_TIMEOUT_MS, &lock,
		      err, errlen);
	if (r < 0)
		return r;
	if (lock >= 0)
		clean_temps(etc);

	/* Read and check everything before writing anything. */
	for (k = 0; k < ARRAY_SIZE(order); k++) {
		r = read_dbfile(etc, order[k], err, errlen);
		if (r < 0)
			goto out;
		r = userdb_parse(dbp[k], order[k]->kind, order[k]->orig ? order[k]->orig : "",
				 order[k]->olen);
		if (r < 0) {
			setup_user_seterr(err, errlen, "cannot read /etc/%s: %s", order[k]->name,
					  strerror(-r));
			goto out;
		}
		*has[k] = order[k]->exists;
	}
	r = plan_sudoers(root_dirfd, etc, req, &sp, err, errlen);
	if (r < 0)
		goto out;
	r = setup_user_edit(&dbs, req, err, errlen);
	if (r < 0)
		goto out;
	for (k = 0; k < ARRAY_SIZE(order); k++) {
		struct dbfile *f = order[k];

		if (!*has[k])
			continue;
		r = userdb_serialize(dbp[k], &f->out, &f->outlen);
		if (r < 0) {
			setup_user_seterr(err, errlen, "cannot update /etc/%s: %s", f->name,
					  strerror(-r));
			goto out;
		}
		f->write =
			!f->exists || f->outlen != f->olen || memcmp(f->out, f->orig, f->olen) != 0;
	}

	/* Now write, in order; on failure put back what was written. */
	for (k = 0; k < ARRAY_SIZE(order); k++) {
		struct dbfile *f = order[k];

		if (!f->write)
			continue;
		r = fd_replace_file_at(etc, f->name, f->out, f->outlen, &f->meta);
		if (r < 0) {
			setup_user_seterr(err, errlen, "cannot update /etc/%s: %s%s", f->name,
					  strerror(-r), setup_user_hint(-r));
			roll_back(etc, order, k, err, errlen);
			goto out;
		}
		f->written = true;
	}
	if (sp.write) {
		r = write_sudoers(etc, &sp, err, errlen);
		if (r < 0) {
			roll_back(etc, order, ARRAY_SIZE(order), err, errlen);
			goto out;
		}
	}
	if (changed)
		*changed = sp.write || pw.written || gr.written || sh.written || gs.written;
out:
	setup_user_dbs_free(&dbs);
	for (k = 0; k < ARRAY_SIZE(order); k++) {
		free(order[k]->orig);
		free(order[k]->out);
	}
	free(sp.orig);
	return r;
}

int setup_user_apply(const struct setup_user_req *req, char *err, size_t errlen)
{
	_cleanup_close_ int root = -1;

	root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		int e = errno;

		setup_user_seterr(err, errlen, "cannot open /: %s", strerror(e));
		return -e;
	}
	return setup_user(root, req, NULL, err, errlen);
}
