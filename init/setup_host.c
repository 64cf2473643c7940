// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdutil.h"
#include "log.h"
#include "macros.h"
#include "pathutil.h"
#include "setup_host.h"

static const char *const etc_links[] = {"host.conf", "hosts", "resolv.conf", "localtime"};

bool setup_host_watched(const char *name)
{
	if (strcmp(name, "timezone") == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(etc_links); i++) {
		if (strcmp(name, etc_links[i]) == 0)
			return true;
	}
	return false;
}

int host_tz_from_target(const char *target, char *out, size_t cap)
{
	const char *p = NULL, *s = target;
	size_t len;

	/* The last "zoneinfo/" wins: /run/host/usr/share/zoneinfo/Europe/Berlin. */
	while ((s = strstr(s, "zoneinfo/"))) {
		p = s + strlen("zoneinfo/");
		s = p;
	}
	if (!p)
		return -ENOENT;
	if (strncmp(p, "posix/", 6) == 0)
		p += 6;
	len = strlen(p);
	if (len == 0 || p[0] == '/' || strstr(p, "..") || strchr(p, '\n'))
		return -EINVAL;
	if (len >= cap)
		return -ENAMETOOLONG;
	memcpy(out, p, len + 1);
	return 0;
}

int host_link_target(const char *host_root, const char *name, const char *host_link, bool resolves,
		     char *out, size_t cap)
{
	int n;

	if (host_link[0] == '/' && !resolves)
		n = snprintf(out, cap, "%s%s", host_root, host_link);
	else
		n = snprintf(out, cap, "%s/etc/%s", host_root, name);
	if (n < 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	return 0;
}

/* Link /etc/@name into the host's /etc. 0 (also when skipped) or -errno. */
static int link_etc(int etc, int host_etc, const char *host_root, const char *name, char *err,
		    size_t errlen)
{
	char hlink[PATH_MAX], target[PATH_MAX], cur[PATH_MAX];
	struct stat st;
	bool resolves;
	ssize_t n;
	int r;

	if (fstatat(host_etc, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0; /* the host has none: keep the image's */
	hlink[0] = '\0';
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(host_etc, name, hlink, sizeof(hlink) - 1);
		if (n < 0)
			return 0;
		hlink[n] = '\0';
	}
	/* Does the host file resolve here (through the link we are about to make)? */
	snprintf(target, sizeof(target), "%s/etc/%s", host_root, name);
	resolves = stat(target, &st) == 0;
	r = host_link_target(host_root, name, hlink, resolves, target, sizeof(target));
	if (r < 0)
		return 0;

	n = readlinkat(etc, name, cur, sizeof(cur) - 1);
	if (n >= 0) {
		cur[n] = '\0';
		if (strcmp(cur, target) == 0)
			return 0;
	}
	if (fstatat(etc, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
		log_msg(LOG_LVL_WARN, 0, "not linking /etc/%s to the host's: it is a directory",
			name);
		return 0;
	}
	/* A new symlink renamed over the old entry: never writes through the old one. */
	{
		char tmp[NAME_MAX + 1];

		snprintf(tmp, sizeof(tmp), ".%s.toolbox-link", name);
		unlinkat(etc, tmp, 0);
		if (symlinkat(target, etc, tmp) < 0 || renameat(etc, tmp, etc, name) < 0) {
			r = -errno;
			unlinkat(etc, tmp, 0);
			snprintf(
				err, errlen,
				"cannot link /etc/%s to %s: %s (the image's /etc must be writable)",
				name, target, strerror(-r));
			return r;
		}
	}
	log_msg(LOG_LVL_DEBUG, 0, "linked /etc/%s to %s", name, target);
	return 0;
}

/* Work out the host's zone: its /etc/localtime link, else its /etc/timezone. */
static int host_zone(int host_etc, char *zone, size_t cap)
{
	_cleanup_free_ char *text = NULL;
	char link[PATH_MAX];
	ssize_t n;

	n = readlinkat(host_etc, "localtime", link, sizeof(link) - 1);
	if (n >= 0) {
		link[n] = '\0';
		if (host_tz_from_target(link, zone, cap) == 0)
			return 0;
	}
	if (fd_read_file_at(host_etc, "timezone", 4096, &text, NULL) == 0) {
		text[strcspn(text, "\n")] = '\0';
		if (text[0] && text[0] != '/' && !strstr(text, "..")) {
			if (strlen(text) >= cap)
				return -ENAMETOOLONG;
			memcpy(zone, text, strlen(text) + 1);
			return 0;
		}
	}
	if (faccessat(host_etc, "localtime", F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
		snprintf(zone, cap, "UTC");
		return 0;
	}
	return -ENOENT;
}

static int write_timezone(int etc, int host_etc, char *err, size_t errlen)
{
	_cleanup_free_ char *cur = NULL;
	struct file_meta meta = {.mode = 0644, .uid = 0, .gid = 0};
	char zone[256], line[260];
	struct stat st;
	int r;

	/* A temp file of a write cut short by a kill (only the init writes this file). */
	(void)fd_replace_cleanup_at(etc, "timezone");
	if (host_zone(host_etc, zone, sizeof(zone)) < 0) {
		log_msg(LOG_LVL_DEBUG, 0, "host time zone unknown; /etc/timezone left as it is");
		return 0;
	}
	snprintf(line, sizeof(line), "%s\n", zone);
	if (fd_read_file_at(etc, "timezone", 4096, &cur, NULL) == 0 && strcmp(cur, line) == 0)
		return 0;
	if (fstatat(etc, "timezone", &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISREG(st.st_mode))
			meta = (struct file_meta){st.st_mode & 0777, st.st_uid, st.st_gid};
		else if (!S_ISDIR(st.st_mode))
			/* A link (never written through), a FIFO, a device: replaced. */
			unlinkat(etc, "timezone", 0);
	}
	r = fd_replace_file_at(etc, "timezone", line, strlen(line), &meta);
	if (r < 0) {
		snprintf(err, errlen,
			 "cannot write /etc/timezone: %s (the image's /etc must be writable)",
			 strerror(-r));
		return r;
	}
	log_msg(LOG_LVL_DEBUG, 0, "time zone is %s", zone);
	return 0;
}

int setup_host_etc(const char *host_root, char *err, size_t errlen)
{
	_cleanup_close_ int etc = -1;
	_cleanup_close_ int host_etc = -1;
	char path[PATH_MAX];
	int r;

	snprintf(path, sizeof(path), "%s/etc", host_root);
	host_etc = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (host_etc < 0)
		return 0; /* not a toolbox with the host at /run/host: nothing to link */
	etc = open("/etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (etc < 0) {
		r = -errno;
		snprintf(err, errlen,
			 "cannot open /etc: %s (the image needs a real /etc directory)",
			 strerror(errno));
		return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(etc_links); i++) {
		r = link_etc(etc, host_etc, host_root, etc_links[i], err, errlen);
		if (r < 0)
			return r;
	}
	return write_timezone(etc, host_etc, err, errlen);
}

static void write_if_dir(const char *dir, const char *name, const char *text)
{
	_cleanup_close_ int pfd = -1;
	_cleanup_close_ int dfd = -1;
	struct file_meta meta = {.mode = 0644, .uid = 0, .gid = 0};
	struct stat st;
	int r;

	/* No component may be a symlink: /usr/lib/rpm could lead into /run/host. */
	pfd = path_open_nofollow(-1, dir, PATH_OPEN_ONLY);
	if (pfd < 0)
		return;
	dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return; /* the image's own, or ours from a previous start */
	r = fd_replace_file_at(dfd, name, text, strlen(text), &meta);
	if (r < 0)
		log_msg(LOG_LVL_INFO, -r, "cannot write %s/%s", dir, name);
}

void setup_host_dropins(void)
{
	write_if_dir("/etc/krb5.conf.d", "kcm_default_ccache",
		     "# Written by toolbox-init: Kerberos uses the host's KCM credential cache.\n"
		     "# Comment the lines below out to use another cache.\n\n"
		     "[libdefaults]\n    default_ccache_name = KCM:\n");
	write_if_dir("/usr/lib/rpm/macros.d", "macros.toolbox",
		     "# Written by toolbox-init: RPM leaves these host bind mounts alone.\n\n"
		     "%_netsharedpath "
		     "/dev:/media:/mnt:/proc:/sys:/tmp:/var/lib/flatpak:/var/lib/libvirt\n");
}
