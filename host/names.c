// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macros.h"
#include "names.h"

typedef int (*parse_release_fn)(const char *release, char **out, const char **hint);

struct distro {
	const char *id;
	const char *name_prefix;    /* container names: "<prefix>-<release>" */
	const char *image_basename; /* default image: "<basename>:<release>" */
	bool release_required;	    /* a non-host distro needs --release */
	parse_release_fn parse_release;
};

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
	}
	return true;
}

/* Go's strconv.Atoi accepts an optional sign and decimal digits. */
static bool parse_int(const char *s, long *out)
{
	char *end;

	if (!*s || isspace((unsigned char)*s))
		return false;
	errno = 0;
	*out = strtol(s, &end, 10);
	return !errno && !*end &&
	       (all_digits(s) || ((s[0] == '-' || s[0] == '+') && all_digits(s + 1)));
}

static int dup_out(const char *s, char **out)
{
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

static int parse_release_arch(const char *release, char **out, const char **hint)
{
	if (*release && strcmp(release, "latest") != 0 && strcmp(release, "rolling") != 0) {
		*hint = "The release must be 'latest'.";
		return -EINVAL;
	}
	return dup_out("latest", out);
}

static int parse_release_fedora(const char *release, char **out, const char **hint)
{
	long n;

	if (release[0] == 'F' || release[0] == 'f')
		release++;
	if (!parse_int(release, &n) || n <= 0) {
		*hint = "The release must be a positive integer.";
		return -EINVAL;
	}
	return dup_out(release, out);
}

static int parse_release_rhel(const char *release, char **out, const char **hint)
{
	const char *dot = strchr(release, '.'), *p = release;

	/* "<major>.<minor>": what Go's ParseFloat accepts, restricted to plain decimals. */
	if (*p == '-' || *p == '+')
		p++;
	if (!dot || dot == p || !all_digits(dot + 1) || strchr(dot + 1, '.')) {
		*hint = "The release must be in the '<major>.<minor>' format.";
		return -EINVAL;
	}
	for (; p < dot; p++) {
		if (!isdigit((unsigned char)*p)) {
			*hint = "The release must be in the '<major>.<minor>' format.";
			return -EINVAL;
		}
	}
	if (release[0] == '-' || strtod(release, NULL) <= 0) {
		*hint = "The release must be a positive number.";
		return -EINVAL;
	}
	return dup_out(release, out);
}

static int parse_release_ubuntu(const char *release, char **out, const char **hint)
{
	const char *dot = strchr(release, '.');
	_cleanup_free_ char *year = NULL;
	long y, m;

	*hint = "The release must be in the 'YY.MM' format.";
	if (!dot || strchr(dot + 1, '.'))
		return -EINVAL;
	year = strndup(release, (size_t)(dot - release));
	if (!year)
		return -ENOMEM;
	if (!parse_int(year, &y))
		return -EINVAL;
	if (y < 4) {
		*hint = "The release year must be 4 or more.";
		return -EINVAL;
	}
	if (strlen(year) > 2) {
		*hint = "The release year cannot have more than two digits.";
		return -EINVAL;
	}
	if (y < 10 && strlen(year) == 2) {
		*hint = "The release year cannot have a leading zero.";
		return -EINVAL;
	}
	if (!parse_int(dot + 1, &m))
		return -EINVAL;
	if (m < 1 || m > 12) {
		*hint = "The release month must be between 01 and 12.";
		return -EINVAL;
	}
	if (strlen(dot + 1) != 2) {
		*hint = "The release month must have two digits.";
		return -EINVAL;
	}
	return dup_out(release, out);
}

static int parse_release_debian(const char *release, char **out, const char **hint)
{
	long n;

	if (strcmp(release, "testing") == 0 || strcmp(release, "unstable") == 0)
		return dup_out(release, out);
	if (strcmp(release, "sid") == 0)
		return dup_out("unstable", out);
	if (!parse_int(release, &n) || n <= 0 || release[0] == '+') {
		*hint = "The release must be a positive integer, 'testing' or 'unstable'.";
		return -EINVAL;
	}
	return dup_out(release, out);
}

static const struct distro distros[] = {
	{"arch", "arch-toolbox", "arch-toolbox", false, parse_release_arch},
	{"debian", "debian-toolbox", "debian-toolbox", true, parse_release_debian},
	{"fedora", "fedora-toolbox", "fedora-toolbox", true, parse_release_fedora},
	{"rhel", "rhel-toolbox", "toolbox", true, parse_release_rhel},
	{"ubuntu", "ubuntu-toolbox", "ubuntu-toolbox", true, parse_release_ubuntu},
};

static const struct distro *distro_find(const char *id)
{
	for (size_t i = 0; id && i < ARRAY_SIZE(distros); i++) {
		if (strcmp(distros[i].id, id) == 0)
			return &distros[i];
	}
	return NULL;
}

static const struct distro *distro_for_basename(const char *basename)
{
	for (size_t i = 0; i < ARRAY_SIZE(distros); i++) {
		if (strcmp(distros[i].image_basename, basename) == 0)
			return &distros[i];
	}
	return NULL;
}

const char *names_supported_distros(void)
{
	return "arch, debian, fedora, rhel, ubuntu";
}

bool names_distro_supported(const char *distro)
{
	return distro_find(distro) != NULL;
}

int names_parse_release(const char *distro, const char *release, char **out, const char **hint)
{
	const struct distro *d = distro_find(distro);

	*out = NULL;
	*hint = "";
	if (!d) {
		*hint = "The distribution is unsupported.";
		return -EINVAL;
	}
	return d->parse_release(release ? release : "", out, hint);
}

bool names_container_valid(const char *name)
{
	if (!name || !isalnum((unsigned char)name[0]) || !isascii((unsigned char)name[0]))
		return false;
	for (const char *p = name + 1; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!isascii(c) || !(isalnum(c) || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

bool names_image_has_domain(const char *image)
{
	const char *slash = strchr(image, '/');
	size_t n;

	if (!slash)
		return false;
	n = (size_t)(slash - image);
	if (n == 9 && strncmp(image, "localhost", 9) == 0)
		return true;
	return memchr(image, '.', n) || memchr(image, ':', n);
}

/* The reference after the domain, as Toolbx slices it (the '/' is kept). */
static const char *after_domain(const char *image)
{
	return names_image_has_domain(image) ? strchr(image, '/') : image;
}

char *names_image_basename(const char *image)
{
	const char *rest = after_domain(image);
	size_t n = strcspn(rest, ":");
	const char *start = rest, *end = rest + n;

	/* filepath.Base: trailing slashes dropped, then the last element. */
	while (end > start + 1 && end[-1] == '/')
		end--;
	for (const char *p = start; p < end; p++) {
		if (*p == '/' && p + 1 < end)
			start = p + 1;
	}
	if (end == start)
		return strdup("");
	if (end - start == 1 && *start == '/')
		return strdup("/");
	return strndup(start, (size_t)(end - start));
}

char *names_image_tag(const char *image)
{
	const char *colon = strchr(after_domain(image), ':');

	return colon ? strdup(colon + 1) : NULL;
}

bool names_image_can_be_id(const char *s)
{
	size_t n = strlen(s);

	if (n < 6 || n > 64)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s) && !(*s >= 'a' && *s <= 'f'))
			return false;
	}
	return true;
}

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)* */
static bool path_component_valid(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return false;
	while (i < n) {
		if (is_lower_alnum(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '.' || s[i] == '-') {
			size_t j = i;

			if (s[i] == '.')
				j++;
			else
				while (j < n && s[j] == '-')
					j++;
			if (j >= n || !is_lower_alnum(s[j]))
				return false;
			i = j;
		} else if (s[i] == '_') {
			size_t j = i + 1;

			if (j < n && s[j] == '_')
				j++;
			if (j >= n || !is_lower_alnum(s[j]))
				return false;
			i = j;
		} else {
			return false;
		}
	}
	return true;
}

bool names_image_valid(const char *image)
{
	const char *p = image, *at, *end;
	const char *tag = NULL;

	if (!image || !*image || strlen(image) > 255 + 128 + 72)
		return false;
	if (names_image_can_be_id(image))
		return true;
	if (names_image_has_domain(image)) {
		const char *slash = strchr(image, '/');

		for (const char *q = image; q < slash; q++) {
			unsigned char c = (unsigned char)*q;

			if (!isascii(c) || !(isalnum(c) || c == '.' || c == '-' || c == ':'))
				return false;
		}
		p = slash + 1;
	}
	at = strchr(p, '@');
	end = at ? at : p + strlen(p);
	/* The tag: after the last ':' of the path part. */
	for (const char *q = end; q > p; q--) {
		if (q[-1] == '/')
			break;
		if (q[-1] == ':') {
			tag = q;
			break;
		}
	}
	if (tag) {
		size_t tn = (size_t)(end - tag);

		if (tn == 0 || tn > 128 || !(isalnum((unsigned char)*tag) || *tag == '_'))
			return false;
		for (const char *q = tag; q < end; q++) {
			unsigned char c = (unsigned char)*q;

			if (!isascii(c) || !(isalnum(c) || c == '_' || c == '.' || c == '-'))
				return false;
		}
		end = tag - 1;
	}
	for (const char *c = p; c <= end;) {
		const char *slash = memchr(c, '/', (size_t)(end - c));
		const char *cend = slash ? slash : end;

		if (!path_component_valid(c, (size_t)(cend - c)))
			return false;
		if (!slash)
			break;
		c = slash + 1;
	}
	if (at) {
		const char *d = at + 1;

		if (strncmp(d, "sha256:", 7) != 0 || strlen(d + 7) != 64)
			return false;
		for (d += 7; *d; d++) {
			if (!isdigit((unsigned char)*d) && !(*d >= 'a' && *d <= 'f'))
				return false;
		}
	}
	return true;
}

int names_host_default(const char *os_id, const char *os_version_id, char **distro, char **release)
{
	const struct distro *d = distro_find(os_id);
	const char *hint;
	const char *ver = os_version_id;

	*distro = *release = NULL;
	if (d && strcmp(d->id, "arch") == 0)
		ver = "latest";
	else if (d && strcmp(d->id, "debian") == 0 && (!ver || !*ver))
		ver = "testing"; /* testing and unstable have no VERSION_ID */
	if (d && ver && d->parse_release(ver, release, &hint) == 0) {
		*distro = strdup(d->id);
	} else {
		free(*release);
		*distro = strdup("fedora");
		*release = strdup(NAMES_RELEASE_FALLBACK);
	}
	if (!*distro || !*release) {
		free(*distro);
		free(*release);
		*distro = *release = NULL;
		return -ENOMEM;
	}
	return 0;
}

void names_result_free(struct names_result *res)
{
	if (!res)
		return;
	free(res->container);
	free(res->image);
	free(res->release);
	free(res->distro);
	memset(res, 0, sizeof(*res));
}

static int fail(char *err, size_t errlen, const char *fmt, ...) PRINTF_LIKE(3, 4);
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* The analyzer loses va_start through the PRINTF_LIKE prototype above. */
	vsnprintf(err, errlen, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	return -EINVAL;
}

char *names_container_for_image(const char *image)
{
	_cleanup_free_ char *basename = names_image_basename(image);
	_cleanup_free_ char *tag = NULL;
	const struct distro *d;
	const char *prefix;
	char *name;

	if (!basename)
		return NULL;
	d = distro_for_basename(basename);
	prefix = d ? d->name_prefix : basename;
	tag = names_image_tag(image);
	if (tag && *tag) {
		if (asprintf(&name, "%s-%s", prefix, tag) < 0)
			return NULL;
		return name;
	}
	return strdup(prefix);
}

static int resolve(const struct names_request *req, struct names_result *res, char *err,
		   size_t errlen)
{
	const char *distro = req->distro, *release = req->release, *image = req->image;
	const char *cfg_distro = req->cfg ? req->cfg->distro : NULL;
	const char *cfg_release = req->cfg ? req->cfg->release : NULL;
	const char *cfg_image = req->cfg ? req->cfg->image : NULL;
	const char *hint = "";
	bool distro_from_cfg = false;
	const struct distro *d;
	_cleanup_free_ char *parsed = NULL, *image_buf = NULL, *tag = NULL;
	int r;

	memset(res, 0, sizeof(*res));
	err[0] = '\0';
	if (!distro) {
		distro = cfg_distro;
		distro_from_cfg = distro != NULL;
		if (!distro)
			distro = req->host_distro;
	}
	d = distro_find(distro);
	if (!d)
		return fail(err, errlen,
			    "invalid argument for '--distro': distribution %s is unsupported%s "
			    "(supported: %s)",
			    distro, distro_from_cfg ? " (from toolbox.conf)" : "",
			    names_supported_distros());

	if (strcmp(distro, req->host_distro) == 0) {
		if (!release)
			release = cfg_release ? cfg_release : req->host_release;
	} else if (d->release_required) {
		if (!release)
			release = cfg_release;
		if (!release)
			return fail(err, errlen,
				    "option '--release' is needed: distribution %s doesn't match "
				    "the host (%s)",
				    distro, req->host_distro);
	} else if (!release && distro_from_cfg) {
		release = cfg_release;
	}
	r = d->parse_release(release ? release : "", &parsed, &hint);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return fail(err, errlen, "invalid argument for '--release': %s", hint);

	if (!image) {
		if (asprintf(&image_buf, "%s:%s", d->image_basename, parsed) < 0)
			return -ENOMEM;
		image = image_buf;
		res->distro = strdup(d->id);
		if (!res->distro)
			return -ENOMEM;
		if (cfg_image && !req->distro && !req->release) {
			image = cfg_image;
			free(res->distro);
			res->distro = NULL;
		}
	}
	if (image != image_buf) {
		tag = names_image_tag(image);
		free(parsed);
		parsed = strdup(tag && *tag	    ? tag
				: cfg_release	    ? cfg_release
				: req->host_release ? req->host_release
						    : "");
		if (!parsed)
			return -ENOMEM;
	}

	if (!req->container) {
		_cleanup_free_ char *basename = names_image_basename(image);

		if (!basename)
			return -ENOMEM;
		if (!*basename || strcmp(basename, "/") == 0 || strcmp(basename, ".") == 0)
			return fail(err, errlen,
				    "invalid argument for '--image': images must have basenames");
		res->container = names_container_for_image(image);
		if (!res->container)
			return -ENOMEM;
		if (!names_container_valid(res->container)) {
			fail(err, errlen,
			     "invalid argument for '--image': container name %s generated from "
			     "image is invalid; container names must match '%s'",
			     res->container, NAMES_CONTAINER_REGEXP);
			names_result_free(res);
			return -EINVAL;
		}
	} else {
		if (!names_container_valid(req->container))
			return fail(err, errlen,
				    "invalid argument for '%s': container names must match '%s'",
				    req->container_arg ? req->container_arg : "CONTAINER",
				    NAMES_CONTAINER_REGEXP);
		res->container = strdup(req->container);
		if (!res->container)
			return -ENOMEM;
	}
	if (!names_image_valid(image)) {
		fail(err, errlen,
		     "invalid argument for '--image': %s is not a valid image reference "
		     "([DOMAIN/]NAME[:TAG], lowercase name)",
		     image);
		names_result_free(res);
		return -EINVAL;
	}
	res->image = strdup(image);
	res->release = steal_ptr(&parsed);
	if (!res->image) {
		names_result_free(res);
		return -ENOMEM;
	}
	return 0;
}

int names_resolve(const struct names_request *req, struct names_result *res, char *err,
		  size_t errlen)
{
	int r = resolve(req, res, err, errlen);

	if (r < 0)
		names_result_free(res); /* whatever was made before the error */
	return r;
}

void names_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static char *str_printf(const char *fmt, ...) PRINTF_LIKE(1, 2);
static char *str_printf(const char *fmt, ...)
{
	va_list ap;
	char *out;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&out, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : out;
}

char **names_image_candidates(const char *image, const char *release)
{
	_cleanup_free_ char *basename = NULL, *tag = NULL;
	const struct distro *d = NULL;
	char **v = calloc(3, sizeof(*v));

	if (!v)
		return NULL;
	if (!names_image_has_domain(image) && !names_image_can_be_id(image)) {
		basename = names_image_basename(image);
		tag = names_image_tag(image);
		if (!tag)
			tag = strdup(release ? release : "latest");
		if (!basename || !tag)
			goto fail;
		d = distro_for_basename(basename);
	}
	if (!d) {
		v[0] = strdup(image);
	} else if (strcmp(d->id, "debian") == 0) {
		v[0] = str_printf("localhost/toolbox-debian:%s", tag);
		v[1] = v[0] ? str_printf("quay.io/toolbx-images/%s", image) : NULL;
		if (!v[1])
			goto fail;
	} else if (strcmp(d->id, "fedora") == 0) {
		v[0] = str_printf("registry.fedoraproject.org/%s", image);
	} else if (strcmp(d->id, "rhel") == 0) {
		v[0] = str_printf("registry.access.redhat.com/ubi%.*s/%s", (int)strcspn(tag, "."),
				  tag, image);
	} else {
		v[0] = str_printf("quay.io/toolbx/%s", image);
	}
	if (!v[0])
		goto fail;
	return v;
fail:
	names_strv_free(v);
	return NULL;
}
