// SPDX-License-Identifier: GPL-2.0-or-later
/* setup_user() against temporary directories standing for a container's root. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include "macros.h"
#include "setup_user.h"
#include "userdb.h"

#define DAYS 19000

#define DEB_PASSWD                                                                                 \
	"root:x:0:0:root:/root:/bin/bash\n"                                                        \
	"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"                                        \
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
#define DEB_GROUP "root:x:0:\ndaemon:x:1:\nshadow:x:42:\nsudo:x:27:\nnogroup:x:65534:\n"
#define DEB_SHADOW                                                                                 \
	"root:*:19500:0:99999:7:::\n"                                                              \
	"daemon:*:19500:0:99999:7:::\n"                                                            \
	"nobody:*:19500:0:99999:7:::\n"
#define DEB_GSHADOW "root:*::\ndaemon:*::\nshadow:*::\nsudo:*::\nnogroup:*::\n"

static char root_path[64];
static int root_fd = -1;

static void make_root(void)
{
	char path[96];

	strcpy(root_path, "/tmp/check-setup-user-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root_path));
	snprintf(path, sizeof(path), "%s/etc", root_path);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	root_fd = open(root_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(root_fd, 0);
}

static void rm_tree(int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		int sub;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (sub >= 0) {
			rm_tree(sub);
			unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
		}
	}
	closedir(d);
}

static void teardown(void)
{
	if (root_fd >= 0) {
		rm_tree(root_fd);
		rmdir(root_path);
		root_fd = -1;
	}
}

static void put(const char *path, const char *text, mode_t mode, uid_t uid, gid_t gid)
{
	int fd = openat(root_fd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchown(fd, uid, gid), 0);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

/* The file's content, or NULL when it does not exist. Caller frees. */
static char *get(const char *path)
{
	int fd = openat(root_fd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char *buf;
	ssize_t n;

	if (fd < 0) {
		ck_assert_int_eq(errno, ENOENT);
		return NULL;
	}
	buf = calloc(1, 1 << 20);
	ck_assert_ptr_nonnull(buf);
	n = read(fd, buf, (1 << 20) - 1);
	ck_assert_int_ge(n, 0);
	close(fd);
	return buf;
}

static void assert_file(const char *path, const char *want)
{
	char *have = get(path);

	ck_assert_msg(have != NULL, "%s is missing", path);
	ck_assert_str_eq(have, want);
	free(have);
}

static ino_t inode(const char *path)
{
	struct stat st;

	ck_assert_int_eq(fstatat(root_fd, path, &st, AT_SYMLINK_NOFOLLOW), 0);
	return st.st_ino;
}

static void put_debian(void)
{
	put("etc/passwd", DEB_PASSWD, 0644, 0, 0);
	put("etc/group", DEB_GROUP, 0644, 0, 0);
	put("etc/shadow", DEB_SHADOW, 0640, 0, 42);
	put("etc/gshadow", DEB_GSHADOW, 0640, 0, 42);
}

static const struct setup_user_req alice = {
	.name = "alice",
	.uid = 1000,
	.gid = 1000,
	.home = "/home/alice",
	.shell = "/bin/bash",
	.lastchg = DAYS,
};

static int run(const struct setup_user_req *req, bool *changed, char *err, size_t errlen)
{
	return setup_user(root_fd, req, changed, err, errlen);
}

static void run_ok(const struct setup_user_req *req, bool want_changed)
{
	char err[512] = "";
	bool changed = !want_changed;

	ck_assert_msg(run(req, &changed, err, sizeof(err)) == 0, "setup_user: %s", err);
	ck_assert_int_eq(changed, want_changed);
	ck_assert_str_eq(err, "");
}

/* Lines of @text that are entries for @name / @uid, as a C library would find them. */
static unsigned count_passwd(const char *text, const char *name, uint32_t uid)
{
	struct userdb db;
	unsigned n = 0;
	size_t i, from = 0;

	ck_assert_int_eq(userdb_parse(&db, USERDB_PASSWD, text, strlen(text)), 0);
	while (name && userdb_find_name(&db, name, from, &i)) {
		n++;
		from = i + 1;
	}
	from = 0;
	while (!name && userdb_find_id(&db, uid, from, &i)) {
		n++;
		from = i + 1;
	}
	userdb_free(&db);
	return n;
}

START_TEST(test_debian_fresh)
{
	struct stat st;

	make_root();
	put_debian();
	run_ok(&alice, true);
	assert_file("etc/passwd", DEB_PASSWD "alice:x:1000:1000::/home/alice:/bin/bash\n");
	assert_file("etc/shadow", "root::19500:0:99999:7:::\n"
				  "daemon:*:19500:0:99999:7:::\n"
				  "nobody:*:19500:0:99999:7:::\n"
				  "alice::19000:0:99999:7:::\n");
	assert_file("etc/group", "root:x:0:\ndaemon:x:1:\nshadow:x:42:\nsudo:x:27:alice\n"
				 "nogroup:x:65534:\nalice:x:1000:\n");
	assert_file("etc/gshadow",
		    "root:*::\ndaemon:*::\nshadow:*::\nsudo:*::alice\nnogroup:*::\nalice:!::\n");
	/* Mode and owner kept; no sudo in the image: no drop-in. */
	ck_assert_int_eq(fstatat(root_fd, "etc/shadow", &st, 0), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	ck_assert_uint_eq(st.st_uid, 0);
	ck_assert_uint_eq(st.st_gid, 42);
	ck_assert_int_eq(fstatat(root_fd, "etc/sudoers.d", &st, 0), -1);
	ck_assert_int_eq(fstatat(root_fd, "etc/.pwd.lock", &st, 0), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	teardown();
}
END_TEST

START_TEST(test_idempotent)
{
	static const char *const files[] = {"etc/passwd", "etc/group", "etc/shadow", "etc/gshadow",
					    "etc/sudoers.d/toolbox"};
	char *before[5];
	ino_t ino[5];

	make_root();
	put_debian();
	ck_assert_int_eq(mkdirat(root_fd, "etc/sudoers.d", 0750), 0);
	run_ok(&alice, true);
	for (int i = 0; i < 5; i++) {
		before[i] = get(files[i]);
		ino[i] = inode(files[i]);
	}
	run_ok(&alice, false);
	run_ok(&alice, false);
	for (int i = 0; i < 5; i++) {
		assert_file(files[i], before[i]);
		/* Not even rewritten with the same bytes. */
		ck_assert_uint_eq(inode(files[i]), ino[i]);
		free(before[i]);
	}
	teardown();
}
END_TEST

START_TEST(test_busybox_no_shadow)
{
	struct stat st;

	make_root();
	put("etc/passwd",
	    "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\n", 0644, 0,
	    0);
	put("etc/group", "root:x:0:\ndaemon:x:1:\nwheel:x:10:root\n", 0644, 0, 0);
	run_ok(&(struct setup_user_req){.name = "alice",
					.uid = 1000,
					.gid = 1000,
					.home = "/home/alice",
					.shell = "/bin/sh",
					.lastchg = DAYS},
	       true);
	/* "x" and a new shadow file: BusyBox's parser drops passwd lines with an empty
	 * password field. */
	assert_file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
				  "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
				  "alice:x:1000:1000::/home/alice:/bin/sh\n");
	assert_file("etc/group", "root:x:0:\ndaemon:x:1:\nwheel:x:10:root,alice\nalice:x:1000:\n");
	assert_file("etc/shadow", "alice::19000:0:99999:7:::\nroot::19000:0:99999:7:::\n");
	ck_assert_int_eq(fstatat(root_fd, "etc/shadow", &st, 0), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(fstatat(root_fd, "etc/gshadow", &st, 0), -1);
	teardown();
}
END_TEST

START_TEST(test_ubuntu_uid_conflict)
{
	char *pw;

	make_root();
	put("etc/passwd",
	    "root:x:0:0:root:/root:/bin/bash\n"
	    "syslog:x:104:111::/home/syslog:/usr/sbin/nologin\n"
	    "ubuntu:x:1000:1000:Ubuntu:/home/ubuntu:/bin/bash\n",
	    0644, 0, 0);
	put("etc/shadow",
	    "root:*:19700:0:99999:7:::\nsyslog:!:19700::::::\nubuntu:!:19700:0:99999:7:::\n", 0640,
	    0, 42);
	put("etc/group",
	    "root:x:0:\nadm:x:4:syslog,ubuntu\nsudo:x:27:ubuntu\nsyslog:x:111:\nubuntu:x:1000:\n",
	    0644, 0, 0);
	put("etc/gshadow",
	    "root:*::\nadm:*::syslog,ubuntu\nsudo:*::ubuntu\nsyslog:!::\nubuntu:!::\n", 0640, 0,
	    42);
	run_ok(&alice, true);
	pw = get("etc/passwd");
	ck_assert_str_eq(pw, "root:x:0:0:root:/root:/bin/bash\n"
			     "syslog:x:104:111::/home/syslog:/usr/sbin/nologin\n"
			     "alice:x:1000:1000::/home/alice:/bin/bash\n");
	ck_assert_uint_eq(count_passwd(pw, NULL, 1000), 1);
	free(pw);
	assert_file("etc/shadow",
		    "root::19700:0:99999:7:::\nsyslog:!:19700::::::\nalice::19000:0:99999:7:::\n");
	assert_file("etc/group",
		    "root:x:0:\nadm:x:4:syslog\nsudo:x:27:alice\nsyslog:x:111:\nalice:x:1000:\n");
	assert_file("etc/gshadow",
		    "root:*::\nadm:*::syslog\nsudo:*::alice\nsyslog:!::\nalice:!::\n");
	teardown();
}
END_TEST

/* Several other accounts at our uid, one name twice: all go, whatever their order. */
START_TEST(test_several_uid_conflicts)
{
	char *pw;

	make_root();
	put("etc/passwd",
	    "root:x:0:0:root:/root:/bin/sh\nbob:x:5:5::/h:/bin/sh\nalice:x:1000:1000::/h:/bin/sh\n"
	    "bob:x:1000:1000::/h:/bin/sh\ncarol:x:1000:1000::/h:/bin/sh\n",
	    0644, 0, 0);
	put("etc/group", "root:x:0:\nsudo:x:27:bob,carol\n", 0644, 0, 0);
	run_ok(&alice, true);
	pw = get("etc/passwd");
	ck_assert_str_eq(
		pw, "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/bash\n");
	ck_assert_uint_eq(count_passwd(pw, NULL, 1000), 1);
	free(pw);
	assert_file("etc/group", "root:x:0:\nsudo:x:27:alice\nalice:x:1000:\n");
	teardown();
}
END_TEST

START_TEST(test_keep_id_precreated)
{
	struct stat st;

	make_root();
	put_debian();
	/* What podman --userns keep-id writes before the init runs. */
	put("etc/passwd", DEB_PASSWD "alice:*:1000:1000:Alice Liddell:/home/alice:/bin/sh\n", 0644,
	    0, 0);
	put("etc/group", DEB_GROUP "alice:x:1000:\n", 0644, 0, 0);
	/* Fedora's convention: shadow files mode 0000 root:root. */
	put("etc/shadow", DEB_SHADOW, 0, 0, 0);
	run_ok(&alice, true);
	ck_assert_int_eq(fstatat(root_fd, "etc/shadow", &st, 0), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0);
	ck_assert_uint_eq(st.st_gid, 0);
	assert_file("etc/passwd",
		    DEB_PASSWD "alice:x:1000:1000:Alice Liddell:/home/alice:/bin/bash\n");
	assert_file("etc/shadow", "root::19500:0:99999:7:::\n"
				  "daemon:*:19500:0:99999:7:::\n"
				  "nobody:*:19500:0:99999:7:::\n"
				  "alice::19000:0:99999:7:::\n");
	assert_file("etc/group", "root:x:0:\ndaemon:x:1:\nshadow:x:42:\nsudo:x:27:alice\n"
				 "nogroup:x:65534:\nalice:x:1000:\n");
	/* The group existed: its gshadow entry is not invented. */
	assert_file("etc/gshadow",
		    "root:*::\ndaemon:*::\nshadow:*::\nsudo:*::alice\nnogroup:*::\n");
	teardown();
}
END_TEST

START_TEST(test_name_at_other_uid)
{
	char *pw;

	make_root();
	put_debian();
	put("etc/passwd",
	    DEB_PASSWD "alice:x:1001:1001::/home/old:/bin/sh\n"
		       "  alice:x:1002:1001::/home/old:/bin/sh\n"
		       "alice:x:1003:1001::/dup:/bin/sh\n"
		       "junk:x:1000:1000:::/bin/sh:extra\n"
		       "#alice:x:1001:1001::/home/old:/bin/sh\n",
	    0644, 0, 0);
	put("etc/shadow", DEB_SHADOW "alice:$6$hash:18000:0:99999:7:::\nalice:!\n", 0640, 0, 42);
	put("etc/group", DEB_GROUP "alice:x:1001:\n", 0644, 0, 0);
	run_ok(&alice, true);
	pw = get("etc/passwd");
	ck_assert_str_eq(pw, DEB_PASSWD "alice:x:1000:1000::/home/alice:/bin/bash\n"
					"#alice:x:1001:1001::/home/old:/bin/sh\n");
	ck_assert_uint_eq(count_passwd(pw, "alice", 0), 1);
	free(pw);
	assert_file("etc/shadow", "root::19500:0:99999:7:::\n"
				  "daemon:*:19500:0:99999:7:::\n"
				  "nobody:*:19500:0:99999:7:::\n"
				  "alice::18000:0:99999:7:::\n");
	assert_file("etc/group", "root:x:0:\ndaemon:x:1:\nshadow:x:42:\nsudo:x:27:alice\n"
				 "nogroup:x:65534:\nalice:x:1000:\n");
	teardown();
}
END_TEST

START_TEST(test_large_ids)
{
	struct setup_user_req req = alice;

	make_root();
	put_debian();
	req.uid = 4294967294u;
	req.gid = 2147483648u;
	run_ok(&req, true);
	assert_file("etc/passwd",
		    DEB_PASSWD "alice:x:4294967294:2147483648::/home/alice:/bin/bash\n");
	assert_file("etc/group", "root:x:0:\ndaemon:x:1:\nshadow:x:42:\nsudo:x:27:alice\n"
				 "nogroup:x:65534:\nalice:x:2147483648:\n");
	run_ok(&req, false);
	req.uid = (uid_t)-1;
	ck_assert_int_eq(run(&req, NULL, NULL, 0), -EINVAL);
	teardown();
}
END_TEST

START_TEST(test_gid_group_other_name)
{
	struct setup_user_req req = alice;

	make_root();
	put_debian();
	req.gid = 100;
	put("etc/group", DEB_GROUP "users:x:100:\n", 0644, 0, 0);
	run_ok(&req, true);
	assert_file("etc/passwd", DEB_PASSWD "alice:x:1000:100::/home/alice:/bin/bash\n");
	assert_file("etc/group", "root:x:0:\ndaemon:x:1:\nshadow:x:42:\nsudo:x:27:alice\n"
				 "nogroup:x:65534:\nusers:x:100:\n");
	teardown();
}
END_TEST

START_TEST(test_admin_group_choice)
{
	static const struct {
		const char *group;
		const char *want;
	} cases[] = {
		/* Fedora: wheel. */
		{"root:x:0:\nwheel:x:10:\n", "root:x:0:\nwheel:x:10:alice\nalice:x:1000:\n"},
		/* Both: wheel wins. */
		{"root:x:0:\nsudo:x:27:\nwheel:x:10:\n",
		 "root:x:0:\nsudo:x:27:\nwheel:x:10:alice\nalice:x:1000:\n"},
		/* None: sudo is created at 27. */
		{"root:x:0:\n", "root:x:0:\nalice:x:1000:\nsudo:x:27:alice\n"},
		/* None and 27 taken: the highest free system gid. */
		{"root:x:0:\nx:x:27:\ny:x:999:\n",
		 "root:x:0:\nx:x:27:\ny:x:999:\nalice:x:1000:\nsudo:x:998:alice\n"},
		/* Already a member: not twice. */
		{"root:x:0:\nsudo:x:27:bob,alice\nalice:x:1000:\n",
		 "root:x:0:\nsudo:x:27:bob,alice\nalice:x:1000:\n"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_root();
		put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644, 0, 0);
		put("etc/group", cases[i].group, 0644, 0, 0);
		run_ok(&alice, true);
		assert_file("etc/group", cases[i].want);
		run_ok(&alice, false);
		teardown();
	}
}
END_TEST

START_TEST(test_missing_files)
{
	struct stat st;

	/* No /etc at all. */
	make_root();
	ck_assert_int_eq(unlinkat(root_fd, "etc", AT_REMOVEDIR), 0);
	run_ok(&alice, true);
	assert_file("etc/passwd",
		    "alice:x:1000:1000::/home/alice:/bin/bash\nroot:x:0:0:root:/root:/bin/sh\n");
	assert_file("etc/group", "alice:x:1000:\nsudo:x:27:alice\nroot:x:0:\n");
	ck_assert_int_eq(fstatat(root_fd, "etc/passwd", &st, 0), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(fstatat(root_fd, "etc/shadow", &st, 0), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	run_ok(&alice, false);
	teardown();

	/* passwd and shadow, no group files. */
	make_root();
	put("etc/passwd", DEB_PASSWD, 0644, 0, 0);
	put("etc/shadow", DEB_SHADOW, 0640, 0, 42);
	run_ok(&alice, true);
	assert_file("etc/group", "alice:x:1000:\nsudo:x:27:alice\nroot:x:0:\n");
	ck_assert_int_eq(fstatat(root_fd, "etc/gshadow", &st, 0), -1);
	teardown();
}
END_TEST

START_TEST(test_root_request)
{
	static const struct setup_user_req root = {
		.name = "root", .uid = 0, .gid = 0, .home = "/root", .shell = "/bin/bash"};

	make_root();
	put_debian();
	ck_assert_int_eq(mkdirat(root_fd, "etc/sudoers.d", 0750), 0);
	run_ok(&root, true);
	assert_file("etc/passwd", DEB_PASSWD);
	assert_file("etc/group", DEB_GROUP);
	assert_file("etc/gshadow", DEB_GSHADOW);
	assert_file("etc/shadow", "root::19500:0:99999:7:::\n"
				  "daemon:*:19500:0:99999:7:::\n"
				  "nobody:*:19500:0:99999:7:::\n");
	ck_assert_ptr_null(get("etc/sudoers.d/toolbox"));
	run_ok(&root, false);
	teardown();
}
END_TEST

START_TEST(test_sudoers)
{
	struct setup_user_req req = alice;
	struct stat st;

	/* sudo installed, no drop-in directory yet. */
	make_root();
	put_debian();
	ck_assert_int_eq(mkdirat(root_fd, "usr", 0755), 0);
	ck_assert_int_eq(mkdirat(root_fd, "usr/bin", 0755), 0);
	put("usr/bin/sudo", "", 04755, 0, 0);
	run_ok(&alice, true);
	ck_assert_int_eq(fstatat(root_fd, "etc/sudoers.d", &st, 0), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0750);
	ck_assert_int_eq(fstatat(root_fd, "etc/sudoers.d/toolbox", &st, 0), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0440);
	ck_assert_uint_eq(st.st_uid, 0);
	assert_file("etc/sudoers.d/toolbox",
		    "# Written by toolbox-init: the host user may run anything as root.\n"
		    "alice ALL=(ALL:ALL) NOPASSWD: ALL\n");
	run_ok(&alice, false);
	/* A drop-in changed by someone is put back. */
	put("etc/sudoers.d/toolbox", "alice ALL=(ALL) ALL\n", 0644, 0, 0);
	run_ok(&alice, true);
	ck_assert_int_eq(fstatat(root_fd, "etc/sudoers.d/toolbox", &st, 0), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0440);
	teardown();

	/* A name sudoers would read as an alias: by uid. */
	make_root();
	put_debian();
	ck_assert_int_eq(mkdirat(root_fd, "etc/sudoers.d", 0755), 0);
	req.name = "ALICE";
	run_ok(&req, true);
	assert_file("etc/sudoers.d/toolbox",
		    "# Written by toolbox-init: the host user may run anything as root.\n"
		    "#1000 ALL=(ALL:ALL) NOPASSWD: ALL\n");
	teardown();
}
END_TEST

/* An init killed between writing a temp file and renaming it: the next one removes it. */
START_TEST(test_stale_temps)
{
	static const char *const stale[] = {
		"etc/.passwd.tb123.456789",	"etc/.shadow.tb1.0",
		"etc/.group.tb77.12",		"etc/.gshadow.tb2.3",
		"etc/sudoers.d/.toolbox.tb9.9",
	};
	/* Not ours (other names, other patterns): kept. */
	static const char *const kept[] = {
		"etc/.passwd.tb12",	      "etc/.passwd.tbx.1",  "etc/passwd.tb1.2",
		"etc/.passwdx.tb1.2",	      "etc/.passwd.tb1.2x", "etc/.hosts.tb1.2",
		"etc/sudoers.d/.other.tb1.2",
	};
	struct stat st;

	make_root();
	put_debian();
	ck_assert_int_eq(mkdirat(root_fd, "etc/sudoers.d", 0755), 0);
	for (size_t i = 0; i < ARRAY_SIZE(stale); i++)
		put(stale[i], "half", 0600, 0, 0);
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++)
		put(kept[i], "other", 0600, 0, 0);
	run_ok(&alice, true);
	for (size_t i = 0; i < ARRAY_SIZE(stale); i++)
		ck_assert_msg(fstatat(root_fd, stale[i], &st, 0) < 0 && errno == ENOENT,
			      "%s is still there", stale[i]);
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++)
		ck_assert_msg(fstatat(root_fd, kept[i], &st, 0) == 0, "%s is gone", kept[i]);
	/* Also when there is nothing to change. */
	put(stale[0], "half", 0600, 0, 0);
	run_ok(&alice, false);
	ck_assert_int_lt(fstatat(root_fd, stale[0], &st, 0), 0);
	teardown();
}
END_TEST

START_TEST(test_symlinks_refused)
{
	char err[512] = "", target[128];
	bool changed = true;
	ino_t ino;

	make_root();
	put_debian();
	/* /etc/passwd pointing at the host's file (here: a file outside the fake /etc). */
	put("hostpasswd", "host:x:1:1:::\n", 0644, 0, 0);
	snprintf(target, sizeof(target), "%s/hostpasswd", root_path);
	ck_assert_int_eq(unlinkat(root_fd, "etc/passwd", 0), 0);
	ck_assert_int_eq(symlinkat(target, root_fd, "etc/passwd"), 0);
	ino = inode("etc/group");
	ck_assert_int_eq(run(&alice, &changed, err, sizeof(err)), -ELOOP);
	ck_assert(!changed);
	ck_assert_msg(strstr(err, "/etc/passwd") && strstr(err, "symbolic link") &&
			      strstr(err, target),
		      "%s", err);
	assert_file("hostpasswd", "host:x:1:1:::\n");
	assert_file("etc/group", DEB_GROUP);
	assert_file("etc/shadow", DEB_SHADOW);
	ck_assert_uint_eq(inode("etc/group"), ino);
	teardown();

	/* The sudoers drop-in as a symlink: refused too, before anything is written. */
	make_root();
	put_debian();
	ck_assert_int_eq(mkdirat(root_fd, "etc/sudoers.d", 0750), 0);
	put("elsewhere", "", 0644, 0, 0);
	snprintf(target, sizeof(target), "%s/elsewhere", root_path);
	ck_assert_int_eq(symlinkat(target, root_fd, "etc/sudoers.d/toolbox"), 0);
	ck_assert_int_eq(run(&alice, NULL, err, sizeof(err)), -ELOOP);
	ck_assert_msg(strstr(err, "/etc/sudoers.d/toolbox") != NULL, "%s", err);
	assert_file("etc/passwd", DEB_PASSWD);
	assert_file("elsewhere", "");
	teardown();

	/* /etc itself a symlink. */
	make_root();
	ck_assert_int_eq(mkdirat(root_fd, "realetc", 0755), 0);
	ck_assert_int_eq(unlinkat(root_fd, "etc", AT_REMOVEDIR), 0);
	ck_assert_int_eq(symlinkat("realetc", root_fd, "etc"), 0);
	ck_assert_int_eq(run(&alice, NULL, err, sizeof(err)), -ELOOP);
	ck_assert_ptr_null(get("realetc/passwd"));
	teardown();
}
END_TEST

/*
 * In a child (so that the mounts go away with it whatever CK_FORK says): a private mount
 * namespace with the fake /etc bind-mounted read-only, then setup_user(). Exit status 0
 * when it returned @want and *changed was false.
 */
static int run_read_only(int want, const char *want_err)
{
	char err[512] = "", etc[96];
	bool changed = true;
	int fd, r;

	snprintf(etc, sizeof(etc), "%s/etc", root_path);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(etc, etc, NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, etc, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0) {
		perror("check_setup_user: cannot make a read-only mount");
		return 2;
	}
	/* The old fd sees the old namespace's mounts: reopen. */
	fd = open(root_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 2;
	r = setup_user(fd, &alice, &changed, err, sizeof(err));
	if (r != want || changed || (want_err && strcmp(err, want_err) != 0)) {
		fprintf(stderr, "check_setup_user: read-only: %d, %d, %s\n", r, changed, err);
		return 3;
	}
	return 0;
}

START_TEST(test_read_only_etc)
{
	pid_t pid;
	int status;

	make_root();
	put_debian();
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(run_read_only(-EROFS,
				    "cannot update /etc/gshadow: Read-only file system (the "
				    "image's /etc must be writable)"));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "read-only child failed (%d)",
		      WEXITSTATUS(status));
	assert_file("etc/passwd", DEB_PASSWD);
	assert_file("etc/gshadow", DEB_GSHADOW);

	/* Already set up: a read-only /etc is fine. */
	run_ok(&alice, true);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(run_read_only(0, ""));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	teardown();
}
END_TEST

/*
 * A write failing half-way: run unprivileged in a directory we own, where the shadow file
 * belongs to a group we are not in, so its replacement cannot be given the same owner after
 * gshadow and group were already replaced. They must be put back.
 */
START_TEST(test_roll_back)
{
	static const char *const files[] = {"etc/passwd", "etc/group", "etc/shadow", "etc/gshadow"};
	const uid_t nob = 65534;
	char *before[4];
	pid_t pid;
	int status;
	DIR *d;
	struct dirent *de;
	int dfd;

	make_root();
	ck_assert_int_eq(fchmodat(root_fd, ".", 0755, 0), 0);
	ck_assert_int_eq(fchownat(root_fd, "etc", nob, nob, 0), 0);
	put("etc/passwd", DEB_PASSWD, 0644, nob, nob);
	put("etc/group", DEB_GROUP, 0644, nob, nob);
	put("etc/shadow", DEB_SHADOW, 0640, nob, 42);
	put("etc/gshadow", DEB_GSHADOW, 0640, nob, nob);
	for (int i = 0; i < 4; i++)
		before[i] = get(files[i]);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char err[512] = "";
		bool changed = true;

		if (setgroups(0, NULL) < 0 || setresgid(nob, nob, nob) < 0 ||
		    setresuid(nob, nob, nob) < 0)
			_exit(2);
		if (run(&alice, &changed, err, sizeof(err)) != -EPERM || changed)
			_exit(3);
		_exit(strncmp(err, "cannot update /etc/shadow: Operation not permitted", 50) ? 4
											     : 0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed at step %d",
		      WEXITSTATUS(status));
	for (int i = 0; i < 4; i++) {
		assert_file(files[i], before[i]);
		free(before[i]);
	}
	/* No temp file left behind. */
	dfd = openat(root_fd, "etc", O_RDONLY | O_DIRECTORY);
	d = fdopendir(dfd);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		ck_assert_msg(strstr(de->d_name, ".tb") == NULL, "left behind: %s", de->d_name);
	closedir(d);
	teardown();
}
END_TEST

START_TEST(test_lock_timeout)
{
	struct setup_user_req req = alice;
	char err[512] = "", c;
	int ready[2], fd;
	pid_t pid;

	make_root();
	put_debian();
	ck_assert_int_eq(pipe(ready), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

		fd = openat(root_fd, "etc/.pwd.lock", O_WRONLY | O_CREAT, 0600);
		if (fd < 0 || fcntl(fd, F_SETLK, &fl) < 0)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	req.lock_timeout_ms = 200;
	ck_assert_int_eq(run(&req, NULL, err, sizeof(err)), -ETIMEDOUT);
	ck_assert_msg(strstr(err, "/etc/.pwd.lock") != NULL, "%s", err);
	assert_file("etc/passwd", DEB_PASSWD);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* Free again. */
	run_ok(&req, true);
	close(ready[0]);
	teardown();
}
END_TEST

START_TEST(test_bad_requests)
{
	static const char *const bad_names[] = {"",	"a:b", "a,b", "-a", "+a",  "a b",
						"a\nb", "123", ".",   "..", "root"};
	struct setup_user_req req = alice;
	char err[512];

	make_root();
	put_debian();
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		req.name = bad_names[i];
		err[0] = '\0';
		ck_assert_int_eq(run(&req, NULL, err, sizeof(err)), -EINVAL);
		ck_assert(err[0] != '\0' && strchr(err, '\n') == NULL);
	}
	req = alice;
	req.home = "home";
	ck_assert_int_eq(run(&req, NULL, err, sizeof(err)), -EINVAL);
	req.home = "/home/a:b";
	ck_assert_int_eq(run(&req, NULL, err, sizeof(err)), -EINVAL);
	req = alice;
	req.shell = NULL;
	ck_assert_int_eq(run(&req, NULL, err, sizeof(err)), -EINVAL);
	assert_file("etc/passwd", DEB_PASSWD);
	teardown();
}
END_TEST

START_TEST(test_edit_pure)
{
	struct setup_user_dbs dbs = {0};
	char err[256] = "";
	char *out;
	size_t len;

	ck_assert_int_eq(userdb_parse(&dbs.passwd, USERDB_PASSWD, "", 0), 0);
	ck_assert_int_eq(userdb_parse(&dbs.group, USERDB_GROUP, "", 0), 0);
	ck_assert_int_eq(userdb_parse(&dbs.shadow, USERDB_SHADOW, "", 0), 0);
	ck_assert_int_eq(userdb_parse(&dbs.gshadow, USERDB_GSHADOW, "", 0), 0);
	dbs.has_shadow = true;
	ck_assert_int_eq(setup_user_edit(&dbs, &alice, err, sizeof(err)), 0);
	ck_assert(dbs.has_passwd && dbs.has_group && !dbs.has_gshadow);
	ck_assert_int_eq(userdb_serialize(&dbs.shadow, &out, &len), 0);
	ck_assert_str_eq(out, "alice::19000:0:99999:7:::\nroot::19000:0:99999:7:::\n");
	free(out);
	setup_user_dbs_free(&dbs);

	/* Databases of the wrong kind. */
	ck_assert_int_eq(userdb_parse(&dbs.passwd, USERDB_PASSWD, "", 0), 0);
	ck_assert_int_eq(userdb_parse(&dbs.group, USERDB_PASSWD, "", 0), 0);
	ck_assert_int_eq(userdb_parse(&dbs.shadow, USERDB_SHADOW, "", 0), 0);
	ck_assert_int_eq(userdb_parse(&dbs.gshadow, USERDB_GSHADOW, "", 0), 0);
	ck_assert_int_eq(setup_user_edit(&dbs, &alice, err, sizeof(err)), -EINVAL);
	setup_user_dbs_free(&dbs);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("setup_user");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	if (geteuid() != 0) {
		fprintf(stderr, "check_setup_user: must run as root (it sets file owners)\n");
		return EXIT_FAILURE;
	}
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_debian_fresh);
	tcase_add_test(tc, test_idempotent);
	tcase_add_test(tc, test_busybox_no_shadow);
	tcase_add_test(tc, test_ubuntu_uid_conflict);
	tcase_add_test(tc, test_several_uid_conflicts);
	tcase_add_test(tc, test_keep_id_precreated);
	tcase_add_test(tc, test_name_at_other_uid);
	tcase_add_test(tc, test_large_ids);
	tcase_add_test(tc, test_gid_group_other_name);
	tcase_add_test(tc, test_admin_group_choice);
	tcase_add_test(tc, test_missing_files);
	tcase_add_test(tc, test_root_request);
	tcase_add_test(tc, test_sudoers);
	tcase_add_test(tc, test_symlinks_refused);
	tcase_add_test(tc, test_read_only_etc);
	tcase_add_test(tc, test_roll_back);
	tcase_add_test(tc, test_lock_timeout);
	tcase_add_test(tc, test_bad_requests);
	tcase_add_test(tc, test_edit_pure);
	tcase_add_test(tc, test_stale_temps);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
