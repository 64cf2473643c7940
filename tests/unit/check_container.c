// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of host/container.c, host/image.c, host/jsonutil.c on canned podman output. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "image.h"
#include "jsonutil.h"

/* `podman inspect --type container` of a rootless container made by build/toolbox
 * (podman 4.3.1; trimmed to the fields we read and a few neighbours). */
static const char inspect_ours[] =
	"[{\"Id\":\"186915440a37ced8626a1ee96871d25f2978da624826be9387ee443f85255d22\",\"Created\":"
	"\"2026-"
	"11-23T15:27:12.08517931Z\",\"Path\":\"toolbox\",\"Args\":[\"--log-level\",\"debug\","
	"\"init-container\","
	"\"--gid\",\"1001\",\"--home\",\"/home/tbtest\",\"--shell\",\"/bin/"
	"bash\",\"--uid\",\"1001\",\"--user\",\"tbte"
	"st\",\"--monitor-host\"],\"State\":{\"OciVersion\":\"1.0.2-dev\",\"Status\":\"running\","
	"\"Running\":true,"
	"\"Paused\":false,\"Restarting\":false,\"OOMKilled\":false,\"Dead\":false,\"Pid\":23513,"
	"\"ConmonPid\":2"
	"3502,\"ExitCode\":0,\"Error\":\"\",\"StartedAt\":\"2026-11-23T15:27:14.810823628Z\","
	"\"FinishedAt\":\"00"
	"01-01-01T00:00:00Z\",\"Health\":{\"Status\":\"\",\"FailingStreak\":0,\"Log\":null},"
	"\"CgroupPath\":\"/pro"
	"cess_api/"
	"44832babf137b736e45ae7ef041f6db6\",\"CheckpointedAt\":\"0001-01-01T00:00:00Z\",\"Restor"
	"edAt\":\"0001-01-01T00:00:00Z\"},\"Image\":"
	"\"9a106b4127e4a1744258c24cb9c3899cbbb16fd3f51089601a0"
	"2c1969b969ffe\",\"ImageName\":\"localhost/"
	"h4-capsh:1\",\"OCIRuntime\":\"runc\",\"Name\":\"h4-rc\",\"Moun"
	"ts\":[{\"Type\":\"bind\",\"Source\":\"/media\",\"Destination\":\"/"
	"media\",\"RW\":true,\"Propagation\":\"rsla"
	"ve\"},{\"Type\":\"bind\",\"Source\":\"/etc/profile.d/toolbox.sh\",\"Destination\":\"/etc/"
	"profile.d/too"
	"lbox.sh\",\"RW\":false,\"Propagation\":\"rprivate\"},{\"Type\":\"bind\",\"Source\":\"/"
	"dev\",\"Destination\""
	":\"/dev\",\"RW\":true,\"Propagation\":\"rslave\"},{\"Type\":\"bind\",\"Source\":\"/work/"
	"main/build/toolbo"
	"x-init\",\"Destination\":\"/usr/bin/"
	"toolbox-init\",\"RW\":false,\"Propagation\":\"rprivate\"},{\"Type\""
	":\"bind\",\"Source\":\"/\",\"Destination\":\"/run/"
	"host\",\"RW\":true,\"Propagation\":\"rslave\"},{\"Type\":\""
	"bind\",\"Source\":\"/run/user/1001\",\"Destination\":\"/run/user/"
	"1001\",\"RW\":true,\"Propagation\":\"rp"
	"rivate\"}],\"Config\":{\"Hostname\":\"toolbx\",\"User\":\"root:root\",\"Env\":[\"TOOLBOX_"
	"PATH=/work/main"
	"/build/toolbox\",\"XDG_RUNTIME_DIR=/run/user/1001\",\"PATH=/usr/local/sbin:/usr/local/"
	"bin:/usr"
	"/sbin:/usr/bin:/sbin:/"
	"bin\",\"TERM=xterm\",\"container=podman\",\"HOSTNAME=toolbx\",\"HOME=/home/t"
	"btest\"],\"Cmd\":[\"toolbox\",\"--log-level\",\"debug\",\"init-container\",\"--gid\","
	"\"1001\",\"--home\",\"/"
	"home/tbtest\",\"--shell\",\"/bin/"
	"bash\",\"--uid\",\"1001\",\"--user\",\"tbtest\",\"--monitor-host\"],\"Ima"
	"ge\":\"localhost/"
	"h4-capsh:1\",\"Entrypoint\":\"\",\"Labels\":{\"com.github.containers.toolbox\":\"true"
	"\",\"io.buildah.version\":\"1.28.2\",\"org.toolbox-tests.recipe\":\"69a3c6a0e0999ade\"},"
	"\"CreateComm"
	"and\":[\"/usr/bin/"
	"podman\",\"create\",\"--cgroupns\",\"host\",\"--dns\",\"none\"]},\"HostConfig\":{\"PidMo"
	"de\":\"host\",\"IpcMode\":\"shareable\",\"NetworkMode\":\"host\",\"Privileged\":true,"
	"\"UsernsMode\":\"priv"
	"ate\"}}]";

/* podman 4.3 `ps -a --format json`: an old-label Toolbx container, a plain one. */
static const char ps_json[] =
	"[{\"AutoRemove\":false,\"Command\":[\"sleep\",\"1\"],\"CreatedAt\":\"1 minute ago\","
	"\"Exited\":false,\"Id\":"
	"\"52c154847067782298df19e44e41b1851f66c4d6e11ab475801f687c5af7cde3\","
	"\"Image\":\"localhost/"
	"h2-test:1\",\"Labels\":{\"com.github.debarshiray.toolbox\":\"true\"},"
	"\"Names\":[\"zeta\"],\"Pid\":0,\"State\":\"created\",\"Status\":\"Created\","
	"\"Created\":1795447014},"
	"{\"Id\":\"aaaa54847067782298df19e44e41b1851f66c4d6e11ab475801f687c5af7cde3\","
	"\"Image\":\"docker.io/library/busybox:latest\",\"Labels\":null,\"Names\":[\"plain\"],"
	"\"State\":\"running\",\"Created\":1795447000},"
	"{\"Id\":\"bbbb\",\"Image\":\"x\",\"Labels\":{\"com.github.containers.toolbox\":\"false\"},"
	"\"Names\":\"alpha\",\"State\":\"exited\",\"Created\":5}]\n";

/* podman 4.3 `images --format json`. */
static const char images_json[] =
	"[{\"Id\":\"2955ed7e1451d43ac7cf6102381de4d87ff7566903ed23756cb9f2e7a42950e5\","
	"\"ParentId\":\"\",\"RepoTags\":null,\"Labels\":{\"com.github.containers.toolbox\":"
	"\"true\"},"
	"\"Containers\":2,\"Names\":[\"localhost/h2-test:1\"],\"Created\":1795446891},"
	"{\"Id\":\"86e051e82dc2\",\"Labels\":null,\"Containers\":0,\"Created\":1}]";

static const char image_inspect_json[] =
	"[{\"Id\":\"5f7d2daf481e\",\"RepoTags\":[\"localhost/x:latest\",\"localhost/x:12-sudo\"],"
	"\"Config\":{\"Labels\":{\"toolbox.init\":\"image\"}},\"Labels\":null,\"Created\":\"2026\"}"
	"]";

START_TEST(test_inspect_ours)
{
	struct container_info c;

	ck_assert_int_eq(container_parse_inspect(inspect_ours, strlen(inspect_ours), &c), 0);
	ck_assert_str_eq(c.id, "186915440a37ced8626a1ee96871d25f2978da624826be9387ee443f85255d22");
	ck_assert_str_eq(c.name, "h4-rc");
	ck_assert_str_eq(c.state, "running");
	ck_assert(c.running);
	ck_assert_int_eq(c.pid, 23513);
	ck_assert_str_eq(c.image_name, "localhost/h4-capsh:1");
	ck_assert_str_eq(c.runtime, "runc");
	ck_assert_str_eq(c.pid_mode, "host");
	ck_assert_str_eq(c.created, "2026-11-23T15:27:12.08517931Z");
	ck_assert(c.is_toolbox);
	ck_assert_str_eq(container_label(&c, TOOLBOX_LABEL), "true");
	ck_assert_ptr_null(container_label(&c, "nope"));
	ck_assert_str_eq(c.cmd[0], "toolbox");
	ck_assert_str_eq(c.cmd[3], "init-container");
	ck_assert_ptr_null(c.entrypoint[0]); /* podman 4.3 writes "" */
	ck_assert_str_eq(c.user, "tbtest");
	ck_assert_uint_eq(c.uid, 1001);
	ck_assert(container_has_mount(&c, "/media"));
	ck_assert(!container_has_mount(&c, "/nope"));
	container_info_free(&c);
	container_info_free(&c); /* harmless twice */
}
END_TEST

START_TEST(test_inspect_empty_and_bad)
{
	struct container_info c;

	ck_assert_int_eq(container_parse_inspect("[]", 2, &c), -ENOENT);
	ck_assert_int_eq(container_parse_inspect("[] x", 4, &c), -EINVAL);
	ck_assert_int_eq(container_parse_inspect("{}", 2, &c), -EINVAL);
	ck_assert_int_eq(container_parse_inspect("[1]", 3, &c), -EINVAL);
	ck_assert_int_eq(container_parse_inspect("[{\"Id\":\"x\"}]", 12, &c),
			 -EINVAL); /* no State */
	ck_assert_int_eq(container_parse_inspect("[{\"Id\":\"x\",\"State\":{\"Pid\":-4}}]", 31, &c),
			 -EINVAL);
	ck_assert_int_eq(container_parse_inspect("[{", 2, &c), -EINVAL);
	ck_assert_int_eq(container_parse_inspect("", 0, &c), -EINVAL);
	container_info_free(&c);
}
END_TEST

START_TEST(test_inspect_minimal_and_shapes)
{
	/* Entrypoint as an array (newer podman), Name with '/', labels with odd values. */
	static const char j[] =
		"[{\"Id\":\"abc\",\"Name\":\"/"
		"n\",\"State\":{\"Status\":\"exited\",\"Running\":false},"
		"\"Config\":{\"Entrypoint\":[\"toolbox-init\",\"init-container\"],\"Cmd\":null,"
		"\"Labels\":{\"com.github.containers.toolbox\":\"yes\",\"k\":1,"
		"\"com.github.debarshiray.toolbox\":\"true\"}},"
		"\"Mounts\":[{\"Source\":\"/a\"},{\"Destination\":\"/usr/bin/toolbox-init\"}]}]";
	struct container_info c;

	ck_assert_int_eq(container_parse_inspect(j, strlen(j), &c), 0);
	ck_assert_str_eq(c.name, "n");
	ck_assert(!c.running);
	ck_assert_int_eq(c.pid, 0);
	ck_assert_str_eq(c.entrypoint[0], "toolbox-init");
	ck_assert_ptr_null(c.cmd[0]);
	ck_assert(c.is_toolbox);		      /* the old label */
	ck_assert_ptr_null(container_label(&c, "k")); /* not a string: skipped */
	ck_assert(container_has_mount(&c, "/usr/bin/toolbox-init"));
	ck_assert_ptr_null(c.user);
	ck_assert_uint_eq(c.uid, (uid_t)-1);
	ck_assert_str_eq(c.image_name, "");
	container_info_free(&c);
}
END_TEST

START_TEST(test_init_user_needs_init_container)
{
	/* --user before init-container belongs to another program: not recorded. */
	static const char j[] =
		"[{\"Id\":\"a\",\"State\":{},\"Config\":{\"Cmd\":[\"x\",\"--user\",\"u\",\"--uid\","
		"\"-1\",\"init-container\",\"--uid\",\"4294967296\",\"--user\"]}}]";
	struct container_info c;

	ck_assert_int_eq(container_parse_inspect(j, strlen(j), &c), 0);
	ck_assert_ptr_null(c.user);
	ck_assert_uint_eq(c.uid, (uid_t)-1);
	container_info_free(&c);
}
END_TEST

START_TEST(test_ps_list)
{
	struct container_summary *l;
	size_t n;

	ck_assert_int_eq(container_parse_list(ps_json, strlen(ps_json), &l, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(l[0].name, "zeta");
	ck_assert(l[0].is_toolbox);
	ck_assert_str_eq(l[0].state, "created");
	ck_assert_int_eq(l[0].created, 1795447014);
	ck_assert_str_eq(l[0].image, "localhost/h2-test:1");
	ck_assert(!l[1].is_toolbox);
	ck_assert_str_eq(l[2].name, "alpha"); /* podman 1: a string */
	ck_assert(!l[2].is_toolbox);	      /* "false" is not a toolbox */
	container_list_free(l, n);
	ck_assert_int_eq(container_parse_list("null", 4, &l, &n), 0);
	ck_assert_uint_eq(n, 0);
	container_list_free(l, n);
	ck_assert_int_eq(container_parse_list("[]", 2, &l, &n), 0);
	ck_assert_uint_eq(n, 0);
	container_list_free(l, n);
	ck_assert_int_eq(container_parse_list("[{}]", 4, &l, &n), -EINVAL);
	ck_assert_int_eq(container_parse_list("{}", 2, &l, &n), -EINVAL);
}
END_TEST

/* podman 4.3 `ps -a --external --format json`: what only storage has, buildah's and not. */
static const char ps_external_json[] =
	"[{\"Command\":[\"storage\"],\"Id\":\"b5a82643ada65d19954d43046e34dc2370c3f7683192ea255d1"
	"d35b291bbd16a\",\"Image\":\"localhost/toolbox-debian-base:12\",\"Labels\":null,"
	"\"Names\":[\"left\"],\"State\":\"storage\",\"Status\":\"Storage\",\"Created\":1795456979},"
	"{\"Command\":[\"buildah\"],\"Id\":\"69186e2c\",\"Labels\":null,\"Names\":[\"bw\"],"
	"\"State\":\"storage\",\"Created\":1},"
	"{\"Command\":[\"buildah\",\"x\"],\"Id\":\"cc\",\"Names\":[\"run\"],\"State\":\"exited\"}]";

START_TEST(test_ps_external)
{
	struct container_summary *l;
	size_t n;

	ck_assert_int_eq(container_parse_list(ps_external_json, strlen(ps_external_json), &l, &n),
			 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(l[0].name, "left");
	ck_assert_str_eq(l[0].state, "storage");
	ck_assert(!l[0].buildah);
	ck_assert_int_eq(l[0].created, 1795456979);
	ck_assert_str_eq(l[1].name, "bw");
	ck_assert(l[1].buildah);
	ck_assert(!l[2].buildah); /* a command of its own that starts with "buildah" */
	container_list_free(l, n);
}
END_TEST

START_TEST(test_images)
{
	struct image_info *l, one;
	size_t n;

	ck_assert_int_eq(image_parse_list(images_json, strlen(images_json), &l, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert(l[0].is_toolbox);
	ck_assert_int_eq(l[0].containers, 2);
	ck_assert_str_eq(l[0].names[0], "localhost/h2-test:1");
	ck_assert_ptr_null(l[1].names[0]);
	ck_assert(!l[1].is_toolbox);
	image_list_free(l, n);

	ck_assert_int_eq(image_parse_inspect(image_inspect_json, strlen(image_inspect_json), &one),
			 0);
	ck_assert_str_eq(image_best_name(&one), "localhost/x:12-sudo");
	ck_assert_str_eq(image_label(&one, "toolbox.init"), "image"); /* from Config.Labels */
	ck_assert_int_eq(one.created, 0);			      /* a string: unknown */
	image_info_free(&one);
	ck_assert_int_eq(image_parse_inspect("[]", 2, &one), -ENOENT);
	ck_assert_int_eq(image_parse_inspect("[{\"Id\":3}]", 10, &one), -EINVAL);
}
END_TEST

START_TEST(test_jsonu)
{
	json_object *o;
	char **v;

	static const char j[] = " {\"a\":[\"x\",\"y\"],\"b\":\"s\",\"c\":null} \n";

	ck_assert_int_eq(jsonu_parse(j, strlen(j), &o), 0);
	ck_assert_int_eq(jsonu_strv(jsonu_get(o, "a"), &v), 0);
	ck_assert_uint_eq(jsonu_strv_len(v), 2);
	jsonu_strv_free(v);
	ck_assert_int_eq(jsonu_strv(jsonu_get(o, "b"), &v), 0);
	ck_assert_str_eq(v[0], "s");
	jsonu_strv_free(v);
	ck_assert_int_eq(jsonu_strv(jsonu_get(o, "c"), &v), 0);
	ck_assert_ptr_null(v[0]);
	jsonu_strv_free(v);
	ck_assert_ptr_null(jsonu_get_string(o, "a"));
	ck_assert_int_eq(jsonu_get_int(o, "b", 7), 7);
	ck_assert_ptr_null(jsonu_get(NULL, "a"));
	json_object_put(o);
	ck_assert_int_eq(jsonu_parse("{} {}", 5, &o), -EINVAL);
	ck_assert_int_eq(jsonu_parse("[1,", 3, &o), -EINVAL);
	ck_assert_int_eq(jsonu_parse("[\"a\\u0000b\"]", 12, &o), 0);
	json_object_put(o);
	/* Depth beyond json-c's limit is refused, not a crash. */
	{
		char deep[4001];

		memset(deep, '[', 4000);
		deep[4000] = '\0';
		ck_assert_int_eq(jsonu_parse(deep, 4000, &o), -EINVAL);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("container");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_inspect_ours);
	tcase_add_test(tc, test_inspect_empty_and_bad);
	tcase_add_test(tc, test_inspect_minimal_and_shapes);
	tcase_add_test(tc, test_init_user_needs_init_container);
	tcase_add_test(tc, test_ps_list);
	tcase_add_test(tc, test_ps_external);
	tcase_add_test(tc, test_images);
	tcase_add_test(tc, test_jsonu);
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
