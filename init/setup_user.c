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
#include "setup_user_int.h"
#include "userdb.h"

void setup_user_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* LLVM 14's analyzer loses va_start here (as in shared/log.c); the list is set. */
	if (err && errlen > 0)
		vsnprintf(err, errlen, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
}

/* What to do about an errno, appended to an error line. */
const char *setup_user_hint(int e)
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

int setup_user_check_req(const struct setup_user_req *req, char *err, size_t errlen)
{
	char shown[72];

	if (!req->name || !userdb_valid_name(req->name) || all_digits(req->name) ||
	    strlen(req->name) > 256 || !strcmp(req->name, ".") || !strcmp(req->name, "..")) {
		setup_user_seterr(
			err, errlen,
			"invalid user name \"%s\" (it must be 1 to 256 characters, not all "
			"digits, without ':', ',', blanks or a leading '-' or '+')",
			printable(req->name, shown, sizeof(shown)));
		return -EINVAL;
	}
	if (req->uid == (uid_t)-1 || req->gid == (gid_t)-1) {
		setup_user_seterr(err, errlen, "invalid uid %lu or gid %lu for user %s",
				  (unsigned long)req->uid, (unsigned long)req->gid, req->name);
		return -EINVAL;
	}
	if (req->uid != 0 && !strcmp(req->name, "root")) {
		setup_user_seterr(err, errlen, "user name root with uid %lu (root must have uid 0)",
				  (unsigned long)req->uid);
		return -EINVAL;
	}
	if (!req->home || req->home[0] != '/' || !userdb_valid_value(req->home)) {
		setup_user_seterr(
			err, errlen,
			"invalid home directory \"%s\" for user %s (it must be an absolute "
			"path without ':' or control characters)",
			printable(req->home, shown, sizeof(shown)), req->name);
		return -EINVAL;
	}
	if (!req->shell || req->shell[0] != '/' || !userdb_valid_value(req->shell)) {
		setup_user_seterr(err, errlen,
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

	r = setup_user_check_req(req, err, errlen);
	if (r < 0)
		return r;
	if (dbs->passwd.kind != USERDB_PASSWD || dbs->group.kind != USERDB_GROUP ||
	    dbs->shadow.kind != USERDB_SHADOW || dbs->gshadow.kind != USERDB_GSHADOW) {
		setup_user_seterr(err, errlen, "internal error: user databases of the wrong kind");
		return -EINVAL;
	}
	/* A missing shadow file is created too: an empty password field in /etc/passwd is
	 * what `passwd --delete` would leave, but BusyBox's own passwd parser drops such
	 * lines, so the user would lose its name there. "x" plus an empty shadow password
	 * reads the same everywhere. */
	dbs->has_passwd = dbs->has_group = dbs->has_shadow = true;

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
			setup_user_seterr(err, errlen,
					  "cannot set up user %s in the container's /etc: %s",
					  req->name, strerror(-r));
			return r;
		}
	}
	r = setup_root(dbs, req);
	if (r < 0)
		setup_user_seterr(err, errlen, "cannot set up root in the container's /etc: %s",
				  strerror(-r));
	return r;
}

void setup_user_dbs_free(struct setup_user_dbs *dbs)
{
	userdb_free(&dbs->passwd);
	userdb_free(&dbs->group);
	userdb_free(&dbs->shadow);
	userdb_free(&dbs->gshadow);
}
