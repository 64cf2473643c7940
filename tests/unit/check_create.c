// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of host/create_args.c and host/hostcompat.c: the `podman create` line. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "create_args.h"
#include "hostcompat.h"

static int parse(struct create_opts *o, char *err, const char *const *args)
{
	char *argv[32];
	int argc = 0;

	for (; args[argc]; argc++)
		argv[argc] = (char *)args[argc];
	argv[argc] = NULL;
	return create_parse(argc, argv, o, err, 256);
}

#define PARSE(o, err, ...) parse(o, err, (const char *const[]){"create", __VA_ARGS__, NULL})

START_TEST(test_parse)
{
	struct create_opts o;
	char err[256];

	ck_assert_int_eq(PARSE(&o, err, "-c", "x", "-r", "12"), 0);
	ck_assert_str_eq(o.container, "x");
	ck_assert_str_eq(o.container_arg, "--container");
	ck_assert_str_eq(o.release, "12");
	ck_assert_str_eq(o.hostname, "toolbx");
	ck_assert(!o.pid_private);
	ck_assert_int_eq(PARSE(&o, err, "--image", "a:1", "name", "--pid", "private"), -EINVAL);
	ck_assert_int_eq(PARSE(&o, err, "--image", "a:1", "--pid", "private", "name"), 0);
	ck_assert_str_eq(o.container, "name");
	ck_assert_str_eq(o.container_arg, "CONTAINER");
	ck_assert(o.pid_private);
	ck_assert_int_eq(PARSE(&o, err, "-d", "fedora", "-i", "x"), -EINVAL);
	ck_assert_str_eq(err, "options --distro and --image cannot be used together");
	ck_assert_int_eq(PARSE(&o, err, "-i", "x", "-r", "1"), -EINVAL);
	ck_assert_str_eq(err, "options --image and --release cannot be used together");
	ck_assert_int_eq(PARSE(&o, err, "--pid", "shared"), -EINVAL);
	ck_assert_int_eq(PARSE(&o, err, "a", "b"), -EINVAL);
	ck_assert_int_eq(PARSE(&o, err, "-c", "a", "b"), -EINVAL);
	ck_assert_int_eq(PARSE(&o, err, "-c", "a", "a"), 0);
	ck_assert_int_eq(PARSE(&o, err, "--bogus"), -EINVAL);
	ck_assert_int_eq(PARSE(&o, err, "--image"), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "needs an argument"));
	ck_assert_int_eq(PARSE(&o, err, "--no-host-exec", "--authfile", "/f", "-h"), 0);
	ck_assert(o.help);
	ck_assert(o.no_host_exec);
	ck_assert(!o.image_init);
	ck_assert_str_eq(o.authfile, "/f");
	ck_assert_int_eq(PARSE(&o, err, "--image-init", "-i", "x"), 0);
	ck_assert(o.image_init);
}
END_TEST

static int find(char **argv, const char *s)
{
	for (int i = 0; argv[i]; i++)
		if (strcmp(argv[i], s) == 0)
			return i;
	return -1;
}

/* Whether "opt val" appears as a pair. */
static bool has_pair(char **argv, const char *opt, const char *val)
{
	for (int i = 0; argv[i] && argv[i + 1]; i++)
		if (strcmp(argv[i], opt) == 0 && strcmp(argv[i + 1], val) == 0)
			return true;
	return false;
}

START_TEST(test_build)
{
	const char *vols[] = {"/media:/media:rslave", NULL};
	const char *host[] = {"--ulimit", "host", NULL};
	struct create_spec s = {
		.name = "box",
		.image = "localhost/img:1",
		.hostname = "toolbx",
		.toolbox_path = "/usr/bin/toolbox",
		.init_path = "/opt/tb/toolbox-init",
		.runtime_dir = "/run/user/1000",
		.rootless = true,
		.user = "alice",
		.uid = 1000,
		.gid = 1001,
		.home = "/home/alice",
		.home_canonical = "/var/home/alice",
		.shell = "/bin/zsh",
		.home_link = true,
		.volumes = vols,
		.host_args = host,
	};
	char **a = create_args_build(&s);
	int img;

	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a[0], "create");
	ck_assert(has_pair(a, "--label", "com.github.containers.toolbox=true"));
	ck_assert(has_pair(a, "--name", "box"));
	ck_assert(has_pair(a, "--pid", "host"));
	ck_assert(has_pair(a, "--userns", "keep-id"));
	ck_assert(has_pair(a, "--user", "root:root"));
	ck_assert(has_pair(a, "--ulimit", "host"));
	ck_assert(has_pair(a, "--hostname", "toolbx"));
	ck_assert(has_pair(a, "--network", "host"));
	ck_assert(has_pair(a, "--pull", "never"));
	ck_assert(has_pair(a, "--cgroupns", "host"));
	ck_assert(has_pair(a, "--dns", "none"));
	ck_assert(has_pair(a, "--security-opt", "label=disable"));
	ck_assert(has_pair(a, "--mount", "type=devpts,destination=/dev/pts"));
	ck_assert(has_pair(a, "--env", "XDG_RUNTIME_DIR=/run/user/1000"));
	ck_assert(has_pair(a, "--env", "TOOLBOX_PATH=/usr/bin/toolbox"));
	ck_assert(has_pair(a, "--volume", "/:/run/host:rslave"));
	ck_assert(has_pair(a, "--volume", "/dev:/dev:rslave"));
	ck_assert(has_pair(a, "--volume", "/var/home/alice:/var/home/alice:rslave"));
	ck_assert(has_pair(a, "--volume", "/opt/tb/toolbox-init:/usr/bin/toolbox-init:ro"));
	ck_assert(has_pair(a, "--volume", "/opt/tb/toolbox-init:/usr/bin/toolbox:ro"));
	ck_assert(has_pair(a, "--volume", "/run/user/1000:/run/user/1000"));
	ck_assert(has_pair(a, "--volume", "/media:/media:rslave"));
	ck_assert(find(a, "--privileged") > 0);
	ck_assert(find(a, "--no-hosts") > 0);
	ck_assert_int_lt(find(a, "--no-host-exec"), 0);
	img = find(a, "localhost/img:1");
	ck_assert_int_gt(img, 0);
	/* Toolbx's entry point: toolbox --log-level debug init-container ... */
	ck_assert_str_eq(a[img + 1], "toolbox");
	ck_assert_str_eq(a[img + 2], "--log-level");
	ck_assert_str_eq(a[img + 4], "init-container");
	ck_assert(has_pair(a + img, "--uid", "1000"));
	ck_assert(has_pair(a + img, "--gid", "1001"));
	ck_assert(has_pair(a + img, "--user", "alice"));
	ck_assert(has_pair(a + img, "--home", "/home/alice"));
	ck_assert(has_pair(a + img, "--shell", "/bin/zsh"));
	ck_assert(find(a + img, "--monitor-host") > 0);
	ck_assert(find(a + img, "--home-link") > 0);
	ck_assert_int_lt(find(a + img, "--media-link"), 0);
	create_args_free(a);

	/* Rootful, private PID namespace, the image's own init, no host exec. */
	s.rootless = false;
	s.pid_private = true;
	s.init_path = NULL;
	s.no_host_exec = true;
	a = create_args_build(&s);
	ck_assert(has_pair(a, "--pid", "private"));
	ck_assert_int_lt(find(a, "--userns"), 0);
	ck_assert(has_pair(a, "--label", "toolbox.no-host-exec=true"));
	img = find(a, "localhost/img:1");
	ck_assert_str_eq(a[img + 1], "toolbox-init");
	ck_assert_str_eq(a[img + 2], "init-container");
	for (int i = 0; a[i]; i++)
		ck_assert_ptr_null(strstr(a[i], "/usr/bin/toolbox-init:ro"));
	create_args_free(a);
}
END_TEST

START_TEST(test_error_classify)
{
	/* podman 4.3's words, as its error line (without "Error: "). */
	ck_assert_int_eq(create_error_classify("creating container storage: the container name "
					       "\"box\" is already in use by 0123abcd. You have to "
					       "remove that container to be able to reuse that "
					       "name: that name is already in use"),
			 CREATE_ERROR_NAME_TAKEN);
	ck_assert_int_eq(create_error_classify("name \"box\" is in use: container already exists"),
			 CREATE_ERROR_NAME_TAKEN);
	ck_assert_int_eq(create_error_classify("localhost/nope:1: image not known"),
			 CREATE_ERROR_NO_IMAGE);
	ck_assert_int_eq(create_error_classify("nope: image not known"), CREATE_ERROR_NO_IMAGE);
	ck_assert_int_eq(create_error_classify("injected failure after create"),
			 CREATE_ERROR_OTHER);
	ck_assert_int_eq(create_error_classify("invalid reference format"), CREATE_ERROR_OTHER);
	/* Words in the middle of another error are not the error. */
	ck_assert_int_eq(create_error_classify("image not known: mounting /x failed"),
			 CREATE_ERROR_OTHER);
	ck_assert_int_eq(create_error_classify(""), CREATE_ERROR_OTHER);
	ck_assert_int_eq(create_error_classify(NULL), CREATE_ERROR_OTHER);
}
END_TEST

static struct hostcompat host_like_ours(void)
{
	struct hostcompat hc = {0};

	hc.hybrid = true;
	hc.has_runc = true;
	hc.nofile.rlim_cur = hc.nofile.rlim_max = 20000;
	hc.nproc.rlim_cur = hc.nproc.rlim_max = 96365;
	return hc;
}

static bool args_have(const struct hostcompat_args *a, const char *opt, const char *val)
{
	for (int i = 0; a->argv[i] && a->argv[i + 1]; i++)
		if (strcmp(a->argv[i], opt) == 0 && strcmp(a->argv[i + 1], val) == 0)
			return true;
	return false;
}

START_TEST(test_hostcompat)
{
	struct hostcompat hc = host_like_ours();
	struct hostcompat_args a;

	/* Rootful without CAP_SYS_RESOURCE: explicit limits within ours and podman's. */
	hostcompat_create_args(&hc, &a);
	ck_assert(args_have(&a, "--ulimit", "nofile=20000:20000"));
	ck_assert(args_have(&a, "--ulimit", "nproc=32768:32768"));
	ck_assert(!args_have(&a, "--runtime", "runc")); /* no crun: podman uses runc */
	ck_assert_ptr_null(a.note);

	hc.nofile.rlim_cur = 1024;
	hc.nproc.rlim_cur = hc.nproc.rlim_max = 4000;
	hostcompat_create_args(&hc, &a);
	ck_assert(args_have(&a, "--ulimit", "nofile=1024:20000"));
	ck_assert(args_have(&a, "--ulimit", "nproc=4000:4000"));

	hc.has_crun = true;
	hostcompat_create_args(&hc, &a);
	ck_assert(args_have(&a, "--runtime", "runc"));
	hc.has_runc = false;
	hostcompat_create_args(&hc, &a);
	ck_assert(!args_have(&a, "--runtime", "runc"));
	ck_assert_ptr_nonnull(a.note);

	/* Where podman can raise its limits, Toolbx's --ulimit host. */
	hc = host_like_ours();
	hc.cap_sys_resource = true;
	hostcompat_create_args(&hc, &a);
	ck_assert(args_have(&a, "--ulimit", "host"));
	hc = host_like_ours();
	hc.rootless = true;
	hostcompat_create_args(&hc, &a);
	ck_assert(args_have(&a, "--ulimit", "host"));
	/* cgroup v2 with crun: nothing to change. */
	hc.cgroup2 = true;
	hc.hybrid = false;
	hc.has_crun = true;
	hostcompat_create_args(&hc, &a);
	ck_assert(!args_have(&a, "--runtime", "runc"));
}
END_TEST

START_TEST(test_host_volumes)
{
	struct create_host_volumes hv;

	/* Whatever this host has, the result is well-formed "SRC:DST[:OPTS]" strings. */
	ck_assert_int_eq(create_host_volumes(&hv, "/etc/hostname", false), 0);
	ck_assert_uint_gt(hv.n, 0);
	for (size_t i = 0; i < hv.n; i++)
		ck_assert_ptr_nonnull(strchr(hv.v[i], ':'));
	ck_assert_str_eq(hv.v[hv.n - 1], "/etc/hostname:/etc/profile.d/toolbox.sh:ro");
	ck_assert_ptr_null(hv.v[hv.n]);
	create_host_volumes_free(&hv);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("create");
	TCase *tc = tcase_create("args");

	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_build);
	tcase_add_test(tc, test_error_classify);
	tcase_add_test(tc, test_hostcompat);
	tcase_add_test(tc, test_host_volumes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
