// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of host/names.c: Toolbx's rules for names, images and releases. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

START_TEST(test_container_names)
{
	ck_assert(names_container_valid("fedora-toolbox-40"));
	ck_assert(names_container_valid("a"));
	ck_assert(names_container_valid("A_b.c-9"));
	ck_assert(!names_container_valid(""));
	ck_assert(!names_container_valid("-a"));
	ck_assert(!names_container_valid("_a"));
	ck_assert(!names_container_valid(".a"));
	ck_assert(!names_container_valid("a b"));
	ck_assert(!names_container_valid("a/b"));
	ck_assert(!names_container_valid("ßpeci@l.N@m€"));
	ck_assert(!names_container_valid("a\xc3\x9f"));
	ck_assert(!names_container_valid(NULL));
}
END_TEST

static void check_release(const char *distro, const char *in, const char *want,
			  const char *want_hint)
{
	char *out = NULL;
	const char *hint = NULL;
	int r = names_parse_release(distro, in, &out, &hint);

	if (want) {
		ck_assert_msg(r == 0, "%s %s: %d %s", distro, in, r, hint);
		ck_assert_str_eq(out, want);
	} else {
		ck_assert_msg(r == -EINVAL, "%s %s accepted", distro, in);
		ck_assert_str_eq(hint, want_hint);
	}
	free(out);
}

START_TEST(test_releases)
{
	static const char *fed = "The release must be a positive integer.";
	static const char *rhel_fmt = "The release must be in the '<major>.<minor>' format.";
	static const char *ubu_fmt = "The release must be in the 'YY.MM' format.";

	check_release("fedora", "40", "40", NULL);
	check_release("fedora", "f34", "34", NULL);
	check_release("fedora", "F34", "34", NULL);
	for (const char *const *b = (const char *const[]){"-3", "-3.0", "0", "0.0", "3.1", "foo",
							  "3foo", "", "f", NULL};
	     *b; b++)
		check_release("fedora", *b, NULL, fed);
	check_release("rhel", "8.9", "8.9", NULL);
	for (const char *const *b = (const char *const[]){"8", "8.0.0", "8.3.1", "foo", "8.2foo",
							  "-2.-1", "2.-1", NULL};
	     *b; b++)
		check_release("rhel", *b, NULL, rhel_fmt);
	check_release("rhel", "-2.1", NULL, "The release must be a positive number.");
	check_release("rhel", "0.0", NULL, "The release must be a positive number.");
	check_release("ubuntu", "22.04", "22.04", NULL);
	check_release("ubuntu", "4.10", "4.10", NULL);
	for (const char *const *b = (const char *const[]){"20", "20.04.0", "foo", "20foo",
							  "foo.bar", "4.bar", NULL};
	     *b; b++)
		check_release("ubuntu", *b, NULL, ubu_fmt);
	check_release("ubuntu", "3.10", NULL, "The release year must be 4 or more.");
	check_release("ubuntu", "202.4", NULL,
		      "The release year cannot have more than two digits.");
	check_release("ubuntu", "2020.04", NULL,
		      "The release year cannot have more than two digits.");
	check_release("ubuntu", "04.10", NULL, "The release year cannot have a leading zero.");
	check_release("ubuntu", "4.0", NULL, "The release month must be between 01 and 12.");
	check_release("ubuntu", "4.13", NULL, "The release month must be between 01 and 12.");
	check_release("ubuntu", "20.4", NULL, "The release month must have two digits.");
	check_release("arch", "", "latest", NULL);
	check_release("arch", "rolling", "latest", NULL);
	check_release("arch", "foo", NULL, "The release must be 'latest'.");
	check_release("debian", "12", "12", NULL);
	check_release("debian", "testing", "testing", NULL);
	check_release("debian", "sid", "unstable", NULL);
	check_release("debian", "bookworm", NULL,
		      "The release must be a positive integer, 'testing' or 'unstable'.");
	check_release("debian", "0", NULL,
		      "The release must be a positive integer, 'testing' or 'unstable'.");
}
END_TEST

static void check_split(const char *image, bool domain, const char *base, const char *tag)
{
	char *b = names_image_basename(image), *t = names_image_tag(image);

	ck_assert_msg(names_image_has_domain(image) == domain, "%s", image);
	ck_assert_str_eq(b, base);
	if (tag)
		ck_assert_str_eq(t, tag);
	else
		ck_assert_ptr_null(t);
	free(b);
	free(t);
}

START_TEST(test_image_refs)
{
	check_split("registry.fedoraproject.org/fedora-toolbox:40", true, "fedora-toolbox", "40");
	check_split("localhost/toolbox-debian:12", true, "toolbox-debian", "12");
	check_split("localhost:5000/a/b", true, "b", NULL);
	check_split("fedora-toolbox:40", false, "fedora-toolbox", "40");
	check_split("toolbx/arch-toolbox", false, "arch-toolbox", NULL);
	check_split("quay.io/toolbx/ubuntu-toolbox:22.04", true, "ubuntu-toolbox", "22.04");
	ck_assert(names_image_can_be_id("2955ed"));
	ck_assert(!names_image_can_be_id("2955e"));
	ck_assert(!names_image_can_be_id("2955eG"));
	ck_assert(names_image_valid("localhost/toolbox-test-debian:12-sudo"));
	ck_assert(names_image_valid("quay.io/toolbx-images/debian-toolbox:12"));
	ck_assert(names_image_valid("localhost:5000/a__b/c-d--e:Tag_1.0"));
	ck_assert(names_image_valid(
		"busybox@sha256:"
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
	ck_assert(!names_image_valid("Foo/Bar"));
	ck_assert(!names_image_valid("ßpeci@l.N@m€"));
	ck_assert(!names_image_valid("a b"));
	ck_assert(!names_image_valid("a:"));
	ck_assert(!names_image_valid("a//b"));
	ck_assert(!names_image_valid(""));
	ck_assert(!names_image_valid("a@sha256:12"));
}
END_TEST

START_TEST(test_host_default)
{
	char *d, *r;

	ck_assert_int_eq(names_host_default("debian", "12", &d, &r), 0);
	ck_assert_str_eq(d, "debian");
	ck_assert_str_eq(r, "12");
	free(d);
	free(r);
	ck_assert_int_eq(names_host_default("debian", NULL, &d, &r), 0);
	ck_assert_str_eq(r, "testing");
	free(d);
	free(r);
	ck_assert_int_eq(names_host_default("arch", NULL, &d, &r), 0);
	ck_assert_str_eq(r, "latest");
	free(d);
	free(r);
	ck_assert_int_eq(names_host_default("gentoo", "2.14", &d, &r), 0);
	ck_assert_str_eq(d, "fedora");
	ck_assert_str_eq(r, NAMES_RELEASE_FALLBACK);
	free(d);
	free(r);
	ck_assert_int_eq(names_host_default("fedora", "rawhide-ish", &d, &r), 0);
	ck_assert_str_eq(d, "fedora");
	ck_assert_str_eq(r, NAMES_RELEASE_FALLBACK);
	free(d);
	free(r);
}
END_TEST

/* Resolve with a Debian 12 host; returns the error text or "" and fills @res. */
static int resolve(const char *container, const char *distro, const char *image,
		   const char *release, const struct tb_config *cfg, struct names_result *res,
		   char *err)
{
	struct names_request req = {
		.container = container,
		.container_arg = "CONTAINER",
		.distro = distro,
		.image = image,
		.release = release,
		.cfg = cfg,
		.host_distro = "debian",
		.host_release = "12",
	};

	return names_resolve(&req, res, err, 512);
}

START_TEST(test_resolve)
{
	struct names_result res;
	char err[512];
	struct tb_config cfg = {0};

	ck_assert_int_eq(resolve(NULL, NULL, NULL, NULL, NULL, &res, err), 0);
	ck_assert_str_eq(res.container, "debian-toolbox-12");
	ck_assert_str_eq(res.image, "debian-toolbox:12");
	ck_assert_str_eq(res.release, "12");
	ck_assert_str_eq(res.distro, "debian");
	names_result_free(&res);

	ck_assert_int_eq(resolve(NULL, "fedora", NULL, "f39", NULL, &res, err), 0);
	ck_assert_str_eq(res.container, "fedora-toolbox-39");
	ck_assert_str_eq(res.image, "fedora-toolbox:39");
	names_result_free(&res);

	ck_assert_int_eq(resolve(NULL, "rhel", NULL, "8.9", NULL, &res, err), 0);
	ck_assert_str_eq(res.container, "rhel-toolbox-8.9");
	ck_assert_str_eq(res.image, "toolbox:8.9");
	names_result_free(&res);

	ck_assert_int_eq(resolve(NULL, "arch", NULL, NULL, NULL, &res, err), 0);
	ck_assert_str_eq(res.container, "arch-toolbox-latest");
	names_result_free(&res);

	ck_assert_int_eq(
		resolve(NULL, NULL, "localhost/toolbox-test-debian:12-sudo", NULL, NULL, &res, err),
		0);
	ck_assert_str_eq(res.container, "toolbox-test-debian-12-sudo");
	ck_assert_str_eq(res.release, "12-sudo");
	ck_assert_ptr_null(res.distro);
	names_result_free(&res);

	ck_assert_int_eq(resolve("mine", NULL, "quay.io/a/b", NULL, NULL, &res, err), 0);
	ck_assert_str_eq(res.container, "mine");
	ck_assert_str_eq(res.release, "12");
	names_result_free(&res);

	ck_assert_int_eq(resolve(NULL, "foo", NULL, NULL, NULL, &res, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "distribution foo is unsupported"));
	ck_assert_int_eq(resolve(NULL, "fedora", NULL, NULL, NULL, &res, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "option '--release' is needed"));
	ck_assert_int_eq(resolve(NULL, NULL, NULL, "bookworm", NULL, &res, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "invalid argument for '--release'"));
	ck_assert_int_eq(resolve("ßp", NULL, NULL, NULL, NULL, &res, err), -EINVAL);
	ck_assert_str_eq(err, "invalid argument for 'CONTAINER': container names must match "
			      "'[a-zA-Z0-9][a-zA-Z0-9_.-]*'");
	ck_assert_int_eq(resolve(NULL, NULL, "ßpeci@l.N@m€", NULL, NULL, &res, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "container name ßpeci@l.N@m€ generated from image is "
					  "invalid"));
	ck_assert_int_eq(resolve(NULL, NULL, "quay.io/", NULL, NULL, &res, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "images must have basenames"));
	ck_assert_int_eq(resolve("ok", NULL, "Foo/Bar", NULL, NULL, &res, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a valid image reference"));

	/* toolbox.conf: distro and release, then image (ignored when -d/-r are given). */
	cfg.distro = "fedora";
	cfg.release = "38";
	ck_assert_int_eq(resolve(NULL, NULL, NULL, NULL, &cfg, &res, err), 0);
	ck_assert_str_eq(res.container, "fedora-toolbox-38");
	names_result_free(&res);
	cfg.distro = NULL;
	cfg.release = NULL;
	cfg.image = "localhost/custom:7";
	ck_assert_int_eq(resolve(NULL, NULL, NULL, NULL, &cfg, &res, err), 0);
	ck_assert_str_eq(res.image, "localhost/custom:7");
	ck_assert_str_eq(res.container, "custom-7");
	names_result_free(&res);
	ck_assert_int_eq(resolve(NULL, NULL, NULL, "11", &cfg, &res, err), 0);
	ck_assert_str_eq(res.image, "debian-toolbox:11");
	names_result_free(&res);
	cfg.image = NULL;
	cfg.distro = "foo";
	ck_assert_int_eq(resolve(NULL, NULL, NULL, NULL, &cfg, &res, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "from toolbox.conf"));
}
END_TEST

START_TEST(test_candidates)
{
	char **v = names_image_candidates("debian-toolbox:12", "12");

	ck_assert_str_eq(v[0], "localhost/toolbox-debian:12");
	ck_assert_str_eq(v[1], "quay.io/toolbx-images/debian-toolbox:12");
	ck_assert_ptr_null(v[2]);
	names_strv_free(v);
	v = names_image_candidates("fedora-toolbox:40", "40");
	ck_assert_str_eq(v[0], "registry.fedoraproject.org/fedora-toolbox:40");
	ck_assert_ptr_null(v[1]);
	names_strv_free(v);
	v = names_image_candidates("toolbox:8.9", "8.9");
	ck_assert_str_eq(v[0], "registry.access.redhat.com/ubi8/toolbox:8.9");
	names_strv_free(v);
	v = names_image_candidates("ubuntu-toolbox:22.04", "22.04");
	ck_assert_str_eq(v[0], "quay.io/toolbx/ubuntu-toolbox:22.04");
	names_strv_free(v);
	v = names_image_candidates("arch-toolbox:latest", "latest");
	ck_assert_str_eq(v[0], "quay.io/toolbx/arch-toolbox:latest");
	names_strv_free(v);
	v = names_image_candidates("my-image:1", "1");
	ck_assert_str_eq(v[0], "my-image:1");
	names_strv_free(v);
	v = names_image_candidates("quay.io/x/y:1", "1");
	ck_assert_str_eq(v[0], "quay.io/x/y:1");
	ck_assert_ptr_null(v[1]);
	names_strv_free(v);
	v = names_image_candidates("arch-toolbox", "latest");
	ck_assert_str_eq(v[0], "quay.io/toolbx/arch-toolbox");
	names_strv_free(v);
}
END_TEST

START_TEST(test_container_for_image)
{
	char *n = names_container_for_image("registry.fedoraproject.org/fedora-toolbox:40");

	ck_assert_str_eq(n, "fedora-toolbox-40");
	free(n);
	n = names_container_for_image("registry.access.redhat.com/ubi9/toolbox:9.3");
	ck_assert_str_eq(n, "rhel-toolbox-9.3");
	free(n);
	n = names_container_for_image("busybox");
	ck_assert_str_eq(n, "busybox");
	free(n);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("names");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, test_container_names);
	tcase_add_test(tc, test_releases);
	tcase_add_test(tc, test_image_refs);
	tcase_add_test(tc, test_host_default);
	tcase_add_test(tc, test_resolve);
	tcase_add_test(tc, test_candidates);
	tcase_add_test(tc, test_container_for_image);
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
