// SPDX-License-Identifier: GPL-2.0-or-later
/* The host user's account in the container's /etc; see setup_user.h for the behaviour. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fdutil.h"
#include "macros.h"
#include "setup_user.h"
#include "userdb.h"

#define LOCK_TIMEOUT_MS 5000u
#define SUDOERS_NAME "toolbox"
#define SUDOERS_MAX (64u << 10)

static void PRINTF_LIKE(3, 4) seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* LLVM 14's analyzer loses va_start here (as in shared/log.c); the list is set. */
	if (err && errlen > 0)
		vsnprintf(err, errlen, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
}

/* What to do about an errno, appended to an error line. */
static const char *hint(int e)
{
	switch (e) {
	case EROFS:
		return " (the image's /etc must be writable)";
	case EACCES:
	case EPERM:
		return " (toolbox-init must run as root in the container)";
	case ENOSPC:
	case EDQUOT:
		return " (free some space in the container's storage)";
	case ENOMEM:
		return " (the container is out of memory)";
	default:
		return "";
	}
}

/* ---- the pure part: edits on the four databases ---- */

static bool all_digits(const char *s)
{
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

/* @s for an error line: at most 64 bytes, control characters as '?'. */
static const char *printable(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	for (; s && s[i] && i + 1 < len && i < 64; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static int check_req(const struct setup_user_req *req, char *err, size_t errlen)
{
	char shown[72];

	if (!req->name || !userdb_valid_name(req->name) || all_digits(req->name) ||
	    strlen(req->name) > 256 || !strcmp(req->name, ".") || !strcmp(req->name, "..")) {
		seterr(err, errlen,
		       "invalid user name \"%s\" (it must be 1 to 256 characters, not all "
		       "digits, without ':', ',', blanks or a leading '-' or '+')",
		       printable(req->name, shown, sizeof(shown)));
		return -EINVAL;
	}
	if (req->uid == (uid_t)-1 || req->gid == (gid_t)-1) {
		seterr(err, errlen, "invalid uid %lu or gid %lu for user %s",
		       (unsigned long)req->uid, (unsigned long)req->gid, req->name);
		return -EINVAL;
	}
	if (req->uid != 0 && !strcmp(req->name, "root")) {
		seterr(err, errlen, "user name root with uid %lu (root must have uid 0)",
		       (unsigned long)req->uid);
		return -EINVAL;
	}
	if (!req->home || req->home[0] != '/' || !userdb_valid_value(req->home)) {
		seterr(err, errlen,
		       "invalid home directory \"%s\" for user %s (it must be an absolute "
		       "path without ':' or control characters)",
		       printable(req->home, shown, sizeof(shown)), req->name);
		return -EINVAL;
	}
	if (!req->shell || req->shell[0] != '/' || !userdb_valid_value(req->shell)) {
		seterr(err, errlen,
		       "invalid shell \"%s\" for user %s (it must be an absolute path "
		       "without ':' or control characters)",
		       printable(req->shell, shown, sizeof(shown)), req->name);
		return -EINVAL;
	}
	return 0;
}

/* Name of entry @idx as a malloc'ed string, NULL on ENOMEM. */
static char *entry_name(const struct userdb *db, size_t idx)
{
	const char *p;
	size_t len;

	if (userdb_field(db, idx, 0, &p, &len) < 0)
		return NULL;
	return strndup(p, len);
}

/*
 * Remove every line of @db that claims @name (entries and lenient matches), except the
 * first entry when @keep. 1 and its index in *@kept when one was kept, 0 if none, -errno.
 */
static int purge_name(struct userdb *db, const char *name, bool keep, size_t *kept)
{
	bool found = false;
	int r;

	for (size_t i = 0; i < db->nlines;) {
		if (!userdb_line_claims(db, i, name)) {
			i++;
			continue;
		}
		if (keep && !found && db->lines[i].entry) {
			found = true;
			*kept = i++;
			continue;
		}
		r = userdb_remove(db, i);
		if (r < 0)
			return r;
	}
	return found;
}

/* Drop @name from the member (and gshadow admin) lists of every group. */
static int remove_from_groups(struct setup_user_dbs *dbs, const char *name)
{
	int r;

	for (size_t i = 0; i < dbs->group.nlines; i++) {
		if (!dbs->group.lines[i].entry)
			continue;
		r = userdb_remove_member(&dbs->group, i, GR_MEM, name);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < dbs->gshadow.nlines; i++) {
		if (!dbs->gshadow.lines[i].entry)
			continue;
		r = userdb_remove_member(&dbs->gshadow, i, SG_ADM, name);
		if (r == 0)
			r = userdb_remove_member(&dbs->gshadow, i, SG_MEM, name);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Some passwd entry other than @except has primary gid @gid. */
static bool gid_is_primary(const struct userdb *pw, uint32_t gid, const char *except)
{
	for (size_t i = 0; i < pw->nlines; i++) {
		uint32_t g;

		if (!pw->lines[i].entry || userdb_line_claims(pw, i, except))
			continue;
		if (userdb_get_number(pw, i, PW_GID, &g) == 0 && g == gid)
			return true;
	}
	return false;
}

/* Remove account @name the way userdel does (see setup_user.h); @keep is the request's. */
static int drop_user(struct setup_user_dbs *dbs, const char *name, const char *keep)
{
	uint32_t gid = 0;
	bool has_gid = false;
	size_t i;
	int r;

	if (userdb_find_name(&dbs->passwd, name, 0, &i))
		has_gid = userdb_get_number(&dbs->passwd, i, PW_GID, &gid) == 0;
	r = purge_name(&dbs->passwd, name, false, &i);
	if (r >= 0)
		r = purge_name(&dbs->shadow, name, false, &i);
	if (r >= 0)
		r = remove_from_groups(dbs, name);
	if (r < 0 || !has_gid)
		return r < 0 ? r : 0;

	/* Its personal group: named like it, its primary gid, no members, nobody else's. */
	if (!userdb_find_name(&dbs->group, name, 0, &i) || dbs->group.lines[i].id != gid ||
	    !userdb_field_eq(&dbs->group, i, GR_MEM, "") || gid_is_primary(&dbs->passwd, gid, keep))
		return 0;
	r = userdb_remove(&dbs->group, i);
	if (r == 0 && userdb_find_name(&dbs->gshadow, name, 0, &i) &&
	    userdb_field_eq(&dbs->gshadow, i, SG_MEM, "") &&
	    userdb_field_eq(&dbs->gshadow, i, SG_ADM, ""))
		r = userdb_remove(&dbs->gshadow, i);
	return r;
}

/* Today in days since 1970, or the request's fixed value. */
static uint32_t lastchg_days(const struct setup_user_req *req)
{
	if (req->lastchg > 0 && req->lastchg <= (long)UINT32_MAX)
		return (uint32_t)req->lastchg;
	return (uint32_t)(time(NULL) / 86400);
}

/*
 * Delete the password of passwd entry @pi, as `passwd --delete` does. Its shadow entry is
 * found by name (getspnam() takes the first), and duplicates are dropped.
 */
static int empty_password(struct setup_user_dbs *dbs, size_t pi, const struct setup_user_req *req)
{
	char days[16], *name;
	size_t si;
	int r;

	if (!dbs->has_shadow)
		return userdb_set_field(&dbs->passwd, pi, PW_PASSWD, "");
	r = userdb_set_field(&dbs->passwd, pi, PW_PASSWD, "x");
	if (r < 0)
		return r;
	name = entry_name(&dbs->passwd, pi);
	if (!name)
		return -ENOMEM;
	r = purge_name(&dbs->shadow, name, true, &si);
	if (r == 1) {
		r = userdb_set_field(&dbs->shadow, si, SP_PWDP, "");
	} else if (r == 0) {
		snprintf(days, sizeof(days), "%" PRIu32, lastchg_days(req));
		r = userdb_add(&dbs->shadow,
			       (const char *const[]){name, "", days, "0", "99999", "7", "", "", ""},
			       NULL);
	}
	free(name);
	return r;
}

/* root exists (added when neither the name nor id 0 is there) and has no password. */
static int setup_root(struct setup_user_dbs *dbs, const struct setup_user_req *req)
{
	size_t i;
	int r;

	if (!userdb_find_name(&dbs->passwd, "root", 0, &i) &&
	    !userdb_find_id(&dbs->passwd, 0, 0, &i)) {
		r = userdb_add(&dbs->passwd,
			       (const char *const[]){"root", dbs->has_shadow ? "x" : "", "0", "0",
						     "root", "/root", "/bin/sh"},
			       &i);
		if (r < 0)
			return r;
	}
	if (!userdb_find_name(&dbs->group, "root", 0, &i) &&
	    !userdb_find_id(&dbs->group, 0, 0, &i)) {
		r = userdb_add(&dbs->group, (const char *const[]){"root", "x", "0", ""}, NULL);
		if (r < 0)
			return r;
	}
	/* By name, as `passwd --delete root`; else whoever has uid 0. */
	if (!userdb_find_name(&dbs->passwd, "root", 0, &i) &&
	    !userdb_find_id(&dbs->passwd, 0, 0, &i))
		return -ENOENT;
	return empty_password(dbs, i, req);
}

/* Passwd: exactly one line for NAME and one for UID, with the requested values. */
static int setup_passwd(struct setup_user_dbs *dbs, const struct setup_user_req *req)
{
	struct userdb *pw = &dbs->passwd;
	size_t i, from = 0;
	int r;

	/* Other accounts at our uid go away (see setup_user.h for why). */
	while (userdb_find_id(pw, req->uid, from, &i)) {
		char *other;

		if (userdb_line_claims(pw, i, req->name)) {
			from = i + 1;
			continue;
		}
		other = entry_name(pw, i);
		if (!other)
			return -ENOMEM;
		r = drop_user(dbs, other, req->name);
		free(other);
		if (r < 0)
			return r;
		/* Lines before @from may have moved: look again from the start. */
		from = 0;
	}
	/* Lines no module parses but a lenient libc might read as our uid. */
	for (i = 0; i < pw->nlines;) {
		if (!pw->lines[i].entry && userdb_line_claims_id(pw, i, req->uid)) {
			r = userdb_remove(pw, i);
			if (r < 0)
				return r;
			continue;
		}
		i++;
	}

	r = purge_name(pw, req->name, true, &i);
	if (r < 0)
		return r;
	if (r == 0) {
		char uid[16], gid[16];

		snprintf(uid, sizeof(uid), "%lu", (unsigned long)req->uid);
		snprintf(gid, sizeof(gid), "%lu", (unsigned long)req->gid);
		return userdb_add(pw,
				  (const char *const[]){req->name, dbs->has_shadow ? "x" : "", uid,
							gid, "", req->home, req->shell},
				  NULL);
	}
	r = userdb_set_number(pw, i, PW_UID, req->uid);
	if (r == 0)
		r = userdb_set_number(pw, i, PW_GID, req->gid);
	if (r == 0)
		r = userdb_set_field(pw, i, PW_DIR, req->home);
	if (r == 0)
		r = userdb_set_field(pw, i, PW_SHELL, req->shell);
	return r;
}

/* A group, and its gshadow entry when the image keeps one, unless they exist. */
static int add_group(struct setup_user_dbs *dbs, const char *name, uint32_t gid, size_t *idx)
{
	char num[16];
	size_t i;
	int r;

	snprintf(num, sizeof(num), "%" PRIu32, gid);
	r = userdb_add(&dbs->group, (const char *const[]){name, "x", num, ""}, idx);
	if (r < 0 || !dbs->has_gshadow || userdb_find_name(&dbs->gshadow, name, 0, &i))
		return r;
	return userdb_add(&dbs->gshadow, (const char *const[]){name, "!", "", ""}, NULL);
}

static int setup_primary_group(struct setup_user_dbs *dbs, const struct setup_user_req *req)
{
	size_t i;

	if (userdb_find_id(&dbs->group, req->gid, 0, &i))
		return 0;
	if (userdb_find_name(&dbs->group, req->name, 0, &i))
		return userdb_set_number(&dbs->group, i, GR_GID, req->gid);
	return add_group(dbs, req->name, req->gid, NULL);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static bool gid_free(const uint32_t *used, size_t n, uint32_t gid)
{
	return !bsearch(&gid, used, n, sizeof(*used), cmp_u32);
}

/* 27 if free, else the highest free gid in 101..999, else the lowest free from 1000. */
static int pick_free_gid(const struct userdb *gr, uint32_t *out)
{
	_cleanup_free_ uint32_t *used = NULL;
	size_t n = 0;

	used = malloc((gr->nlines ? gr->nlines : 1) * sizeof(*used));
	if (!used)
		return -ENOMEM;
	for (size_t i = 0; i < gr->nlines; i++) {
		if (gr->lines[i].entry)
			used[n++] = gr->lines[i].id;
	}
	qsort(used, n, sizeof(*used), cmp_u32);
	*out = 27;
	if (gid_free(used, n, *out))
		return 0;
	for (*out = 999; *out >= 101; (*out)--) {
		if (gid_free(used, n, *out))
			return 0;
	}
	/* n entries cannot take all of 1000..1000+n. */
	for (*out = 1000; *out < UINT32_MAX - 1; (*out)++) {
		if (gid_free(used, n, *out))
			return 0;
	}
	return -ENOSPC;
}

static int setup_admin_group(struct setup_user_dbs *dbs, const struct setup_user_req *req)
{
	const char *name = "wheel";
	size_t i;
	int r;

	if (!userdb_find_name(&dbs->group, name, 0, &i)) {
		name = "sudo";
		if (!userdb_find_name(&dbs->group, name, 0, &i)) {
			uint32_t gid;

			r = pick_free_gid(&dbs->group, &gid);
			if (r == 0)
				r = add_group(dbs, name, gid, &i);
			if (r < 0)
				return r;
		}
	}
	r = userdb_add_member(&dbs->group, i, GR_MEM, req->name);
	if (r < 0 || !dbs->has_gshadow || !userdb_find_name(&dbs->gshadow, name, 0, &i))
		return r;
	return userdb_add_member(&dbs->gshadow, i, SG_MEM, req->name);
}

int setup_user_edit(struct setup_user_dbs *dbs, const struct setup_user_req *req, char *err,
		    size_t errlen)
{
	size_t i;
	int r;

	r = check_req(req, err, errlen);
	if (r < 0)
		return r;
	if (dbs->passwd.kind != USERDB_PASSWD || dbs->group.kind != USERDB_GROUP ||
	    dbs->shadow.kind != USERDB_SHADOW || dbs->gshadow.kind != USERDB_GSHADOW) {
		seterr(err, errlen, "internal error: user databases of the wrong kind");
		return -EINVAL;
	}
	dbs->has_passwd = dbs->has_group = true;

	if (req->uid != 0) {
		r = setup_passwd(dbs, req);
		if (r == 0)
			r = setup_primary_group(dbs, req);
		if (r == 0)
			r = setup_admin_group(dbs, req);
		if (r == 0)
			r = userdb_find_name(&dbs->passwd, req->name, 0, &i)
				    ? empty_password(dbs, i, req)
				    : -ENOENT;
		if (r < 0) {
			seterr(err, errlen, "cannot set up user %s in the container's /etc: %s",
			       req->name, strerror(-r));
			return r;
		}
	}
	r = setup_root(dbs, req);
	if (r < 0)
		seterr(err, errlen, "cannot set up root in the container's /etc: %s", strerror(-r));
	return r;
}

void setup_user_dbs_free(struct setup_user_dbs *dbs)
{
	userdb_free(&dbs->passwd);
	userdb_free(&dbs->group);
	userdb_free(&dbs->shadow);
	userdb_free(&dbs->gshadow);
}

/* ---- the I/O part: read, lock, write in order, roll back ---- */

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
		seterr(err, errlen, "cannot read %s/%s: %s%s", dir, name, strerror(e), hint(e));
		return -e;
	}
	if (S_ISLNK(st->st_mode)) {
		describe_symlink(dirfd, name, target, sizeof(target));
		seterr(err, errlen,
		       "refusing to edit %s/%s: it is a symbolic link to %s (the image must have "
		       "its own; nothing was changed)",
		       dir, name, target);
		return -ELOOP;
	}
	if ((st->st_mode & S_IFMT) != type) {
		seterr(err, errlen, "refusing to edit %s/%s: not a %s (nothing was changed)", dir,
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
		seterr(err, errlen, "cannot read %s/%s: larger than %zu KiB (nothing was changed)",
		       dir, name, max >> 10);
	else if (r < 0)
		seterr(err, errlen, "cannot read %s/%s: %s%s", dir, name, strerror(-r), hint(-r));
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
		/* Created, if it is created, as distributions ship it. */
		f->meta = (struct file_meta){.mode = 0644, .uid = 0, .gid = 0};
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
		seterr(err, errlen,
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

		seterr(err, errlen, "cannot open /etc/sudoers.d: %s%s", strerror(e), hint(e));
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
		seterr(err, errlen, "cannot lock /etc/.pwd.lock: %s%s", strerror(e), hint(e));
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

			seterr(err, errlen, "cannot lock /etc/.pwd.lock: %s", strerror(e));
			return -e;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (now.tv_sec - start.tv_sec) * 1000LL + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (ms >= (long long)timeout_ms) {
			seterr(err, errlen,
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

			seterr(err, errlen, "cannot create /etc: %s%s", strerror(e), hint(e));
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
			seterr(err, errlen,
			       "refusing to edit /etc: it is a symbolic link to %s (the image "
			       "must have its own /etc; nothing was changed)",
			       target);
			return -ELOOP;
		}
		if (e == ENOTDIR)
			seterr(err, errlen,
			       "refusing to edit /etc: not a directory (nothing was "
			       "changed)");
		else
			seterr(err, errlen, "cannot open /etc: %s%s", strerror(e), hint(e));
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
		seterr(err, errlen, "cannot write /etc/sudoers.d/" SUDOERS_NAME ": %s%s",
		       strerror(-r), hint(-r));
		if (sp->mkdir)
			unlinkat(etc, "sudoers.d", AT_REMOVEDIR);
		return r;
	}
	return 0;
fail_dir:
	seterr(err, errlen, "cannot create /etc/sudoers.d: %s%s", strerror(-r), hint(-r));
	return r;
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
	r = check_req(req, err, errlen);
	if (r < 0)
		return r;
	r = open_etc(root_dirfd, &etc, err, errlen);
	if (r < 0)
		return r;
	r = take_lock(etc, req->lock_timeout_ms ? req->lock_timeout_ms : LOCK_TIMEOUT_MS, &lock,
		      err, errlen);
	if (r < 0)
		return r;

	/* Read and check everything before writing anything. */
	for (k = 0; k < ARRAY_SIZE(order); k++) {
		r = read_dbfile(etc, order[k], err, errlen);
		if (r < 0)
			goto out;
		r = userdb_parse(dbp[k], order[k]->kind, order[k]->orig ? order[k]->orig : "",
				 order[k]->olen);
		if (r < 0) {
			seterr(err, errlen, "cannot read /etc/%s: %s", order[k]->name,
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
			seterr(err, errlen, "cannot update /etc/%s: %s", f->name, strerror(-r));
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
			seterr(err, errlen, "cannot update /etc/%s: %s%s", f->name, strerror(-r),
			       hint(-r));
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

		seterr(err, errlen, "cannot open /: %s", strerror(e));
		return -e;
	}
	return setup_user(root, req, NULL, err, errlen);
}
