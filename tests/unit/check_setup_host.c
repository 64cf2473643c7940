// SPDX-License-Identifier: GPL-2.0-or-later
/* /etc links, time zone and the safe path walker, against a fake host root in a temp dir. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pathutil.h"
#include "readiness.h"
#include "setup_host.h"

START_TEST(test_tz_from_target)
{
	char z[64];

	ck_assert_int_eq(host_tz_from_target("../usr/share/zoneinfo/Europe/Berlin", z, sizeof(z)),
			 0);
	ck_assert_str_eq(z, "Europe/Berlin");
	ck_assert_int_eq(host_tz_from_target("/usr/share/zoneinfo/posix/Asia/Tokyo", z, sizeof(z)),
			 0);
	ck_assert_str_eq(z, "Asia/Tokyo");
	ck_assert_int_eq(host_tz_from_target("/run/host/usr/share/zoneinfo/UTC", z, sizeof(z)), 0);
	ck_assert_str_eq(z, "UTC");
	ck_assert_int_eq(host_tz_from_target("/etc/localtime.local", z, sizeof(z)), -ENOENT);
	ck_assert_int_eq(host_tz_from_target("/usr/share/zoneinfo/", z, sizeof(z)), -EINVAL);
	ck_assert_int_eq(host_tz_from_target("/zoneinfo/../../etc/shadow", z, sizeof(z)), -EINVAL);
	ck_assert_int_eq(host_tz_from_target("/zoneinfo/America/Argentina/Buenos_Aires", z, 8),
			 -ENAMETOOLONG);
}
END_TEST

START_TEST(test_link_target)
{
	char t[256];

	ck_assert_int_eq(host_link_target("/run/host", "resolv.conf", "", true, t, sizeof(t)), 0);
	ck_assert_str_eq(t, "/run/host/etc/resolv.conf");
	/* An absolute host link that resolves here stays pointed at the host's /etc entry. */
	ck_assert_int_eq(host_link_target("/run/host", "resolv.conf",
					  "/run/systemd/resolve/stub-resolv.conf", true, t,
					  sizeof(t)),
			 0);
	ck_assert_str_eq(t, "/run/host/etc/resolv.conf");
	/* One that does not is looked for under /run/host, as Toolbx does. */
	ck_assert_int_eq(host_link_target("/run/host", "localtime",
					  "/usr/share/zoneinfo/Europe/Paris", false, t, sizeof(t)),
			 0);
	ck_assert_str_eq(t, "/run/host/usr/share/zoneinfo/Europe/Paris");
	/* Relative links are the host's business. */
	ck_assert_int_eq(host_link_target("/run/host", "localtime", "../usr/share/zoneinfo/X",
					  false, t, sizeof(t)),
			 0);
	ck_assert_str_eq(t, "/run/host/etc/localtime");
}
END_TEST

START_TEST(test_watched)
{
	ck_assert(setup_host_watched("localtime"));
	ck_assert(setup_host_watched("resolv.conf"));
	ck_assert(setup_host_watched("timezone"));
	ck_assert(!setup_host_watched("passwd"));
}
END_TEST

static char tmpdir[PATH_MAX];

static void make_tmp(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_setup_host.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

START_TEST(test_path_nofollow)
{
	char p[PATH_MAX + 64], target[PATH_MAX + 64];
	int root, fd;
	struct stat st;

	make_tmp();
	root = open(tmpdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(root, 0);
	/* Missing parents are made; the last component as a file. */
	fd = path_open_nofollow(root, "/var/lib/flatpak/x", PATH_CREATE_FILE);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/var/lib/flatpak/x", tmpdir);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	/* A symlinked component is refused, and nothing is created behind it. */
	snprintf(target, sizeof(target), "%s/elsewhere", tmpdir);
	ck_assert_int_eq(mkdir(target, 0755), 0);
	snprintf(p, sizeof(p), "%s/evil", tmpdir);
	ck_assert_int_eq(symlink(target, p), 0);
	ck_assert_int_eq(path_open_nofollow(root, "/evil/new", PATH_CREATE_DIR), -ELOOP);
	ck_assert_int_eq(path_open_nofollow(root, "/evil", PATH_OPEN_ONLY), -ELOOP);
	snprintf(p, sizeof(p), "%s/elsewhere/new", tmpdir);
	ck_assert_int_eq(access(p, F_OK), -1);
	ck_assert_int_eq(path_open_nofollow(root, "/a/../b", PATH_CREATE_DIR), -EINVAL);
	close(root);
}
END_TEST

START_TEST(test_replace_symlink)
{
	char p[PATH_MAX + 64], buf[256];
	int dfd;
	ssize_t n;

	make_tmp();
	dfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(p, sizeof(p), "%s/hosts", tmpdir);
	ck_assert_int_eq(symlink("/proc/self/environ", p), 0);
	ck_assert_int_eq(path_replace_symlink(dfd, "hosts", "/run/host/etc/hosts"), 1);
	ck_assert_int_eq(path_replace_symlink(dfd, "hosts", "/run/host/etc/hosts"), 0);
	n = readlink(p, buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "/run/host/etc/hosts");
	close(dfd);
}
END_TEST

START_TEST(test_containerenv)
{
	const char *text = "engine=\"podman-4.3.1\"\nname=\"dev\"\nid=\"0123abcd\"\nrootless=1\n";
	char v[64];

	ck_assert_int_eq(readiness_containerenv_value(text, "id", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "0123abcd");
	ck_assert_int_eq(readiness_containerenv_value(text, "rootless", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "1");
	ck_assert_int_eq(readiness_containerenv_value(text, "image", v, sizeof(v)), -ENOENT);
	ck_assert_int_eq(readiness_containerenv_value(text, "name", v, 3), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_id_from_mountinfo)
{
	const char *text = "100 90 0:50 / / rw,relatime - overlay overlay rw\n"
			   "101 100 254:0 /var/lib/containers/storage/overlay-containers/"
			   "71bd56eece4763d7cfc47118c8eb09b237915086209ca8a09c311442c939b248/"
			   "userdata/hostname "
			   "/etc/hostname rw - ext4 /dev/vda rw\n";
	char id[128];

	ck_assert_int_eq(readiness_id_from_mountinfo(text, id, sizeof(id)), 0);
	ck_assert_str_eq(id, "71bd56eece4763d7cfc47118c8eb09b237915086209ca8a09c311442c939b248");
	ck_assert_int_eq(
		readiness_id_from_mountinfo("/overlay-containers/xyz/userdata/", id, sizeof(id)),
		-ENOENT);
	ck_assert_int_eq(
		readiness_id_from_mountinfo("1 2 3 / / rw - ext4 /dev/vda rw\n", id, sizeof(id)),
		-ENOENT);
	ck_assert_int_eq(readiness_id_from_mountinfo(text, id, 10), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_readiness_stamps)
{
	struct readiness rd;
	char p[PATH_MAX + 128], rt[PATH_MAX + 16];
	struct stat st;
	FILE *f;
	char line[256];

	make_tmp();
	snprintf(rt, sizeof(rt), "%s/run/user/4242", tmpdir);
	ck_assert_int_eq(readiness_prepare(&rd, 4242, 4343, rt), 0);
	ck_assert_int_eq(stat(rd.dir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	ck_assert_uint_eq(st.st_uid, 4242);
	ck_assert_uint_eq(st.st_gid, 4343);
	ck_assert_int_eq(readiness_mark_failed(&rd, "cannot update /etc/passwd: Read-only"), 0);
	snprintf(p, sizeof(p), "%s/container-failed-%ld", rd.dir, (long)getpid());
	f = fopen(p, "re");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	fclose(f);
	ck_assert_str_eq(line, "cannot update /etc/passwd: Read-only\n");
	ck_assert_int_eq(readiness_mark_ready(&rd), 0);
	snprintf(p, sizeof(p), "%s/container-initialized-%ld", rd.dir, (long)getpid());
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_uid, 4242);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("setup_host");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_tz_from_target);
	tcase_add_test(tc, test_link_target);
	tcase_add_test(tc, test_watched);
	tcase_add_test(tc, test_path_nofollow);
	tcase_add_test(tc, test_replace_symlink);
	tcase_add_test(tc, test_containerenv);
	tcase_add_test(tc, test_id_from_mountinfo);
	tcase_add_test(tc, test_readiness_stamps);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
