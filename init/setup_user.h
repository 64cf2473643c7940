/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * setup_user: give the host user an account in the container's user database, as Toolbx
 * does with useradd/usermod, `passwd --delete USER` and `passwd --delete root`, but by
 * editing /etc/passwd, /etc/group, /etc/shadow and /etc/gshadow directly (images need no
 * shadow-utils), plus a sudoers drop-in.
 *
 * What it does, for a user NAME with UID, GID, HOME and SHELL (UID != 0):
 *  - root: added as root:x:0:0:root:/root:/bin/sh (group root:x:0:) when the image has no
 *    entry named root nor one with id 0; its password is deleted: "x" in /etc/passwd and
 *    empty in /etc/shadow.
 *  - UID taken by another name (Ubuntu's `ubuntu`, a vendor's default user): that account
 *    is removed as userdel would: its passwd and shadow entries, its name from every
 *    member and admin list, and its personal group (named like it, its primary gid, no
 *    other member, no other user's primary group). Renaming it instead would leave files
 *    and groups referring to a name that no longer exists; keeping both would make
 *    getpwuid(UID) answer the wrong name. Afterwards `id -un` in the container prints NAME.
 *  - NAME present (podman's --userns keep-id pre-creates `NAME:*:UID:GID:...`), maybe at
 *    another uid: its uid, gid, home and shell are set to the request, as usermod would;
 *    its GECOS is kept. Duplicate entries for NAME, and lines that are not entries but that
 *    a lenient parser would read as NAME or as UID (leading blanks, trailing junk), are
 *    removed so that exactly one passwd line answers for NAME and for UID.
 *  - NAME absent: `NAME:x:UID:GID::HOME:SHELL` is added.
 *  - Password: empty, as `passwd --delete` leaves it: the passwd field is "x" and the
 *    shadow entry's password empty (the entry is added as NAME::DAYS:0:99999:7::: when
 *    missing; /etc/shadow itself is created when the image has none, see below).
 *    Other fields of an existing shadow entry are kept.
 *  - Primary group: a group with GID, whatever its name, is used as it is. Else a group
 *    named NAME at another gid is moved to GID (as groupmod -g would). Else NAME:x:GID: is
 *    added, with a NAME:!:: gshadow entry when /etc/gshadow exists.
 *  - Admin group: NAME is added to `wheel` if it exists, else to `sudo`, else a `sudo`
 *    group is created (gid 27 as on Debian when free, else the highest free gid in
 *    101..999, else the lowest free one from 1000 on). Also to the gshadow member list
 *    when the group has a gshadow entry. Never listed twice.
 *  - sudoers: when /etc/sudoers.d exists or the image has /usr/bin/sudo,
 *    /etc/sudoers.d/toolbox (0440 root:root) says `NAME ALL=(ALL:ALL) NOPASSWD: ALL`
 *    (`#UID` instead of NAME when NAME has characters sudoers would need escaped). The
 *    directory is created 0750 when sudo is installed but it is missing.
 * For UID 0 (the host user is root) only root is handled: added when absent, password
 * deleted. Nothing else changes.
 *
 * Missing files: /etc/passwd and /etc/group are created (0644 root:root) when the image
 * has none (and /etc itself, 0755), so that the user resolves even in an image that shipped
 * without them. /etc/shadow is created (0600 root:root) when missing: an empty password
 * field in /etc/passwd is what `passwd --delete` leaves there, but BusyBox's own passwd
 * parser drops such lines (`id -un` then fails), so the user gets "x" and an empty shadow
 * password instead, which every libc reads the same. /etc/gshadow is never created.
 *
 * Limits: a file over USERDB_MAX_SIZE (16 MiB) is refused, unchanged. Whether sudo is
 * installed is a stat() of usr/bin/sudo under the root directory given.
 *
 * Safety: everything is read through a directory fd with O_NOFOLLOW. If /etc, one of the
 * four files, /etc/sudoers.d or /etc/sudoers.d/toolbox is a symbolic link (say to
 * /run/host/etc/passwd, the host's own file) or not a regular file/directory, nothing is
 * written and the error says so. While editing, the shadow-utils lock is held
 * (/etc/.pwd.lock, fcntl write lock as lckpwdf takes it; on a read-only /etc no lock is
 * taken, and the run only fails if something must change).
 *
 * Atomicity and ordering: every new content is computed before anything is written. Then
 * each changed file is replaced by temp file + fsync + rename, keeping its mode and owner,
 * in the order gshadow, group, shadow, passwd, sudoers drop-in: an entry is always
 * resolvable before anything refers to it (a shadow entry before the passwd line that says
 * "x", a group before the passwd line whose primary gid it is), so a crash between two
 * renames leaves only harmless leftovers (an orphan shadow entry, a group member not yet
 * in passwd). If a write fails, the files already replaced are put back as they were
 * (same bytes, mode, owner; created files removed), so on error the user database is
 * unchanged byte for byte. Unchanged files are not written: a second run with the same
 * request writes nothing.
 */
#ifndef TB_SETUP_USER_H
#define TB_SETUP_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "userdb.h"

struct setup_user_req {
	const char *name;	  /* checked; with uid 0 unused: root is who is handled */
	uid_t uid;		  /* 0 is the root case above; (uid_t)-1 is refused */
	gid_t gid;		  /* (gid_t)-1 is refused */
	const char *home;	  /* absolute */
	const char *shell;	  /* absolute */
	long lastchg;		  /* days since 1970 written in new shadow entries; 0: today */
	unsigned lock_timeout_ms; /* wait for /etc/.pwd.lock at most this long; 0: 5000 */
};

/* The four databases in memory, and whether each file exists (or is to be created). */
struct setup_user_dbs {
	struct userdb passwd;
	struct userdb group;
	struct userdb shadow;
	struct userdb gshadow;
	bool has_passwd, has_group, has_shadow, has_gshadow;
};

/*
 * The pure part: check @req and edit @dbs as described above. No I/O. Each db must have
 * been parsed (an empty one for a missing file, has_* false). A missing passwd, group or
 * shadow gets has_* set: it is to be created. On error, one line in @err (may be NULL)
 * and -errno; @dbs may then be partly edited and must only be freed.
 */
int setup_user_edit(struct setup_user_dbs *dbs, const struct setup_user_req *req, char *err,
		    size_t errlen);
void setup_user_dbs_free(struct setup_user_dbs *dbs);

/*
 * Do it on the container whose root directory is @root_dirfd (the container's "/" when
 * run by toolbox-init; a test directory in the unit tests). *@changed (may be NULL) tells
 * whether any file was written. 0, or -errno with one line in @err (may be NULL): what
 * failed, on which file, what to do, e.g. "cannot update /etc/passwd: Read-only file
 * system (the image's /etc must be writable)".
 */
int setup_user(int root_dirfd, const struct setup_user_req *req, bool *changed, char *err,
	       size_t errlen);

/* setup_user() on the root of the running container ("/"): what toolbox-init calls. */
int setup_user_apply(const struct setup_user_req *req, char *err, size_t errlen);

#endif
