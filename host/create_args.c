// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "create_args.h"
#include "macros.h"

struct argv_buf {
	char **v;
	size_t n, cap;
	bool oom;
};

static void add_owned(struct argv_buf *a, char *s)
{
	if (!s)
		a->oom = true;
	if (a->oom) {
		free(s);
		return;
	}
	if (a->n + 2 > a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 64;
		char **nv = realloc(a->v, ncap * sizeof(*nv));

		if (!nv) {
			free(s);
			a->oom = true;
			return;
		}
		a->v = nv;
		a->cap = ncap;
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void add(struct argv_buf *a, const char *s)
{
	add_owned(a, strdup(s));
}

static void addf(struct argv_buf *a, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void addf(struct argv_buf *a, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	add_owned(a, r < 0 ? NULL : s);
}

void create_args_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

char **create_args_build(const struct create_spec *s)
{
	struct argv_buf a = {0};

	add(&a, "create");
	add(&a, "--cgroupns");
	add(&a, "host");
	add(&a, "--dns");
	add(&a, "none");
	add(&a, "--env");
	addf(&a, "TOOLBOX_PATH=%s", s->toolbox_path);
	add(&a, "--env");
	addf(&a, "XDG_RUNTIME_DIR=%s", s->runtime_dir);
	add(&a, "--hostname");
	add(&a, s->hostname);
	add(&a, "--ipc");
	add(&a, "host");
	add(&a, "--label");
	add(&a, "com.github.containers.toolbox=true");
	if (s->no_host_exec) {
		add(&a, "--label");
		add(&a, CREATE_NO_HOST_EXEC_LABEL "=true");
	}
	add(&a, "--mount");
	add(&a, "type=devpts,destination=/dev/pts");
	add(&a, "--name");
	add(&a, s->name);
	add(&a, "--network");
	add(&a, "host");
	add(&a, "--no-hosts");
	add(&a, "--pid");
	add(&a, s->pid_private ? "private" : "host");
	add(&a, "--privileged");
	/* Only the local image: a missing one is our business (we ask before pulling). */
	add(&a, "--pull");
	add(&a, "never");
	add(&a, "--security-opt");
	add(&a, "label=disable");
	for (const char *const *h = s->host_args; h && *h; h++)
		add(&a, *h);
	if (s->rootless) {
		add(&a, "--userns");
		add(&a, "keep-id");
	}
	add(&a, "--user");
	add(&a, "root:root");
	add(&a, "--volume");
	add(&a, "/:/run/host:rslave");
	add(&a, "--volume");
	add(&a, "/dev:/dev:rslave");
	add(&a, "--volume");
	addf(&a, "%s:%s:rslave", s->home_canonical, s->home_canonical);
	if (s->init_path) {
		add(&a, "--volume");
		addf(&a, "%s:" CREATE_INIT_DEST ":ro", s->init_path);
		/* Toolbx's entry point is `toolbox init-container`: answer to that name too. */
		add(&a, "--volume");
		addf(&a, "%s:" CREATE_TOOLBX_DEST ":ro", s->init_path);
	}
	add(&a, "--volume");
	addf(&a, "%s:%s", s->runtime_dir, s->runtime_dir);
	for (const char *const *v = s->volumes; v && *v; v++) {
		add(&a, "--volume");
		add(&a, *v);
	}
	add(&a, s->image);

	/* The entry point, in Toolbx's form when our init is also /usr/bin/toolbox. */
	if (s->init_path) {
		add(&a, "toolbox");
		add(&a, "--log-level");
		add(&a, "debug");
	} else {
		add(&a, "toolbox-init");
	}
	add(&a, "init-container");
	add(&a, "--gid");
	addf(&a, "%u", (unsigned)s->gid);
	add(&a, "--home");
	add(&a, s->home);
	add(&a, "--shell");
	add(&a, s->shell);
	add(&a, "--uid");
	addf(&a, "%u", (unsigned)s->uid);
	add(&a, "--user");
	add(&a, s->user);
	add(&a, "--monitor-host");
	if (s->home_link)
		add(&a, "--home-link");
	if (s->media_link)
		add(&a, "--media-link");
	if (s->mnt_link)
		add(&a, "--mnt-link");
	if (a.oom) {
		create_args_free(a.v);
		errno = ENOMEM;
		return NULL;
	}
	return a.v;
}

/* Whether @s ends with @suffix. */
static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

enum create_error create_error_classify(const char *line)
{
	if (!line)
		return CREATE_ERROR_OTHER;
	/* libpod's and containers/storage's words for a taken name (podman 4 and 5). */
	if (strstr(line, "that name is already in use") ||
	    ends_with(line, "container already exists"))
		return CREATE_ERROR_NAME_TAKEN;
	/* "REF: image not known" (storage.ErrImageUnknown), with --pull never. */
	if (ends_with(line, "image not known"))
		return CREATE_ERROR_NO_IMAGE;
	return CREATE_ERROR_OTHER;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Whether @path resolves to exactly @target. */
static bool resolves_to(const char *path, const char *target)
{
	_cleanup_free_ char *real = realpath(path, NULL);

	return real && strcmp(real, target) == 0;
}

static int add_volume(struct create_host_volumes *hv, const char *src, const char *dst,
		      const char *opts)
{
	char *s;

	if (hv->n + 1 >= ARRAY_SIZE(hv->v))
		return 0;
	if (asprintf(&s, "%s:%s%s%s", src, dst, opts ? ":" : "", opts ? opts : "") < 0)
		return -ENOMEM;
	hv->v[hv->n++] = s;
	hv->v[hv->n] = NULL;
	return 0;
}

/* The system bus socket from DBUS_SYSTEM_BUS_ADDRESS ("unix:path=..."), resolved. */
static char *dbus_system_socket(void)
{
	const char *addr = getenv("DBUS_SYSTEM_BUS_ADDRESS");
	const char *path = "/var/run/dbus/system_bus_socket";

	if (addr && strncmp(addr, "unix:path=", 10) == 0 && !strchr(addr + 10, ',') &&
	    !strchr(addr + 10, ';'))
		path = addr + 10;
	return realpath(path, NULL); /* NULL when absent: no socket, no mount */
}

void create_host_volumes_free(struct create_host_volumes *hv)
{
	for (size_t i = 0; i < hv->n; i++)
		free(hv->v[i]);
	memset(hv, 0, sizeof(*hv));
}

int create_host_volumes(struct create_host_volumes *hv, const char *profile_sh, bool rootful)
{
	static const char *const sockets[] = {
		"/run/avahi-daemon/socket",
		"/run/.heim_org.h5l.kcm-socket",
		"/run/pcscd/pcscd.comm",
	};
	_cleanup_free_ char *dbus = dbus_system_socket();
	int r = 0;

	memset(hv, 0, sizeof(*hv));
	if (dbus)
		r = add_volume(hv, dbus, dbus, NULL);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(sockets); i++) {
		if (exists(sockets[i]))
			r = add_volume(hv, sockets[i], sockets[i], NULL);
	}
	if (r == 0 && exists("/media")) {
		if (resolves_to("/media", "/run/media"))
			hv->media_link = true;
		else
			r = add_volume(hv, "/media", "/media", "rslave");
	}
	if (r == 0) {
		if (resolves_to("/mnt", "/var/mnt"))
			hv->mnt_link = true;
		else if (exists("/mnt"))
			r = add_volume(hv, "/mnt", "/mnt", "rslave");
	}
	if (r == 0 && exists("/run/media"))
		r = add_volume(hv, "/run/media", "/run/media", "rslave");
	if (r == 0 && profile_sh)
		r = add_volume(hv, profile_sh, "/etc/profile.d/toolbox.sh", "ro");
	if (r == 0 && rootful && (mkdir("/run/toolbox", 0700) == 0 || errno == EEXIST))
		r = add_volume(hv, "/run/toolbox", "/run/toolbox", NULL);
	hv->home_link = resolves_to("/home", "/var/home");
	if (r < 0)
		create_host_volumes_free(hv);
	return r;
}

int create_parse(int argc, char **argv, struct create_opts *o, char *err, size_t errlen)
{
	enum { OPT_AUTHFILE = 256, OPT_PID, OPT_NO_HOST_EXEC, OPT_HOSTNAME, OPT_IMAGE_INIT };
	static const struct option longopts[] = {
		{"authfile", required_argument, NULL, OPT_AUTHFILE},
		{"container", required_argument, NULL, 'c'},
		{"distro", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{"hostname", required_argument, NULL, OPT_HOSTNAME},
		{"image", required_argument, NULL, 'i'},
		{"image-init", no_argument, NULL, OPT_IMAGE_INIT},
		{"no-host-exec", no_argument, NULL, OPT_NO_HOST_EXEC},
		{"pid", required_argument, NULL, OPT_PID},
		{"release", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	const char *flag_container = NULL;
	int c;

	memset(o, 0, sizeof(*o));
	o->hostname = "toolbx";
	err[0] = '\0';
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:c:d:hi:r:", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			flag_container = optarg;
			break;
		case 'd':
			o->distro = optarg;
			break;
		case 'h':
			o->help = true;
			return 0;
		case 'i':
			o->image = optarg;
			break;
		case 'r':
			o->release = optarg;
			break;
		case OPT_AUTHFILE:
			o->authfile = optarg;
			break;
		case OPT_HOSTNAME:
			o->hostname = optarg;
			break;
		case OPT_NO_HOST_EXEC:
			o->no_host_exec = true;
			break;
		case OPT_IMAGE_INIT:
			o->image_init = true;
			break;
		case OPT_PID:
			if (strcmp(optarg, "host") == 0) {
				o->pid_private = false;
			} else if (strcmp(optarg, "private") == 0) {
				o->pid_private = true;
			} else {
				snprintf(err, errlen,
					 "invalid argument for '--pid': %s (use host or private)",
					 optarg);
				return -EINVAL;
			}
			break;
		case ':':
			snprintf(err, errlen,
				 "option %s needs an argument; run 'toolbox create --help'",
				 argv[optind - 1]);
			return -EINVAL;
		default:
			snprintf(err, errlen,
				 "unknown option %s for \"create\"; run 'toolbox create "
				 "--help' for usage",
				 optind > 0 && optind <= argc ? argv[optind - 1] : "");
			return -EINVAL;
		}
	}
	if (argc - optind > 1) {
		snprintf(err, errlen,
			 "too many arguments for \"create\" (%s); give one container name",
			 argv[optind + 1]);
		return -EINVAL;
	}
	if (argc - optind == 1) {
		if (flag_container && strcmp(flag_container, argv[optind]) != 0) {
			snprintf(err, errlen,
				 "container named twice ('%s' and '%s'); give one name",
				 flag_container, argv[optind]);
			return -EINVAL;
		}
		o->container = argv[optind];
		o->container_arg = "CONTAINER";
	} else if (flag_container) {
		o->container = flag_container;
		o->container_arg = "--container";
	}
	if (o->distro && o->image) {
		snprintf(err, errlen, "options --distro and --image cannot be used together");
		return -EINVAL;
	}
	if (o->image && o->release) {
		snprintf(err, errlen, "options --image and --release cannot be used together");
		return -EINVAL;
	}
	if (o->hostname && !*o->hostname) {
		snprintf(err, errlen, "invalid argument for '--hostname': empty");
		return -EINVAL;
	}
	return 0;
}
