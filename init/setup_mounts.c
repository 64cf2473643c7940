// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "macros.h"
#include "pathutil.h"
#include "setup_mounts.h"

enum bind_flags {
	BIND_RSLAVE = 1 << 0, /* follow host mounts that appear later */
	BIND_RO = 1 << 1,
};

/* The paths Toolbx binds from /run/host, plus the sockets its `create` mounts one by one. */
static const struct bind {
	const char *path;
	unsigned int flags;
} binds[] = {
	{"/etc/machine-id", BIND_RO},
	{"/run/libvirt", 0},
	{"/run/systemd/journal", 0},
	{"/run/systemd/resolve", 0},
	{"/run/systemd/sessions", 0},
	{"/run/systemd/system", 0},
	{"/run/systemd/users", 0},
	{"/run/udev/data", 0},
	{"/run/udev/tags", 0},
	{"/run/dbus", 0}, /* the system bus socket, also when the bus starts later */
	{"/run/avahi-daemon/socket", 0},
	{"/run/pcscd", 0},
	{"/run/.heim_org.h5l.kcm-socket", 0},
	{"/run/media", BIND_RSLAVE},
	{"/tmp", BIND_RSLAVE}, /* brings /tmp/.X11-unix */
	{"/var/lib/flatpak", 0},
	{"/var/lib/libvirt", 0},
	{"/var/lib/systemd/coredump", 0},
	{"/var/log/journal", 0},
	{"/var/mnt", BIND_RSLAVE},
};

static int bind_one(const char *host_root, const char *path, unsigned int flags, char *err,
		    size_t errlen)
{
	_cleanup_close_ int src = -1;
	_cleanup_close_ int dst = -1;
	char srcpath[4096], procpath[64];
	struct stat sst, dst_st;
	int r;

	snprintf(srcpath, sizeof(srcpath), "%s%s", host_root, path);
	/* The source is the host's; following its symlinks is what the host means. */
	src = open(srcpath, O_PATH | O_CLOEXEC);
	if (src < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		log_msg(LOG_LVL_INFO, errno, "not binding %s", srcpath);
		return 0;
	}
	if (fstat(src, &sst) < 0)
		return 0;
	if (!S_ISDIR(sst.st_mode) && !S_ISREG(sst.st_mode) && !S_ISSOCK(sst.st_mode))
		return 0;

	dst = path_open_nofollow(-1, path,
				 S_ISDIR(sst.st_mode) ? PATH_CREATE_DIR : PATH_CREATE_FILE);
	if (dst == -ELOOP) {
		log_msg(LOG_LVL_INFO, 0, "not binding %s: it is a symlink in the image", path);
		return 0;
	}
	if (dst < 0) {
		/* A read-only image path we cannot create is not worth failing the toolbox. */
		log_msg(LOG_LVL_INFO, -dst, "not binding %s", path);
		return 0;
	}
	if (fstat(dst, &dst_st) == 0 && dst_st.st_dev == sst.st_dev && dst_st.st_ino == sst.st_ino)
		return 0; /* podman already mounted it (a --volume of the same path) */
	if (S_ISDIR(sst.st_mode) != S_ISDIR(dst_st.st_mode)) {
		log_msg(LOG_LVL_INFO, 0, "not binding %s: file type differs from the host's", path);
		return 0;
	}

	/* Mount onto exactly the inode we opened, not onto whatever the path names now. */
	snprintf(procpath, sizeof(procpath), "/proc/self/fd/%d", dst);
	snprintf(srcpath, sizeof(srcpath), "/proc/self/fd/%d", src);
	if (mount(srcpath, procpath, NULL, MS_BIND | MS_REC, NULL) < 0) {
		r = -errno;
		snprintf(err, errlen,
			 "cannot bind %s%s to %s: %s (the container must be privileged)", host_root,
			 path, path, strerror(errno));
		return r;
	}
	if (flags & BIND_RO) {
		if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
			log_msg(LOG_LVL_INFO, errno, "cannot make %s read-only", path);
	}
	if (flags & BIND_RSLAVE) {
		if (mount(NULL, path, NULL, MS_SLAVE | MS_REC, NULL) < 0)
			log_msg(LOG_LVL_INFO, errno, "cannot make %s a slave mount", path);
	}
	log_msg(LOG_LVL_DEBUG, 0, "bound %s%s to %s", host_root, path, path);
	return 0;
}

/* Make @path a symlink to @target (Toolbx's redirectPath for directories). */
static int link_dir(const char *path, const char *target, char *err, size_t errlen)
{
	_cleanup_close_ int parent = -1;
	_cleanup_close_ int t = -1;
	const char *last;
	struct stat st;
	int r;

	parent = path_open_parent(-1, path, true, &last);
	if (parent < 0) {
		snprintf(err, errlen, "cannot open the parent of %s: %s", path, strerror(-parent));
		return parent;
	}
	if (fstatat(parent, last, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			return 0; /* already a link: the image (or a previous start) decided */
		if (S_ISDIR(st.st_mode) && unlinkat(parent, last, AT_REMOVEDIR) < 0) {
			/* Not empty or a mount point: keep the directory, as it holds data. */
			log_msg(LOG_LVL_INFO, errno, "keeping %s as a directory", path);
			return 0;
		}
	}
	t = path_open_nofollow(-1, target, PATH_CREATE_DIR);
	if (t < 0 && t != -ELOOP)
		log_msg(LOG_LVL_INFO, -t, "cannot create %s", target);
	r = path_replace_symlink(parent, last, target);
	if (r < 0) {
		snprintf(err, errlen, "cannot make %s a link to %s: %s", path, target,
			 strerror(-r));
		return r;
	}
	return 0;
}

int setup_mounts(const struct mount_opts *o, char *err, size_t errlen)
{
	int r;

	if (o->media_link) {
		r = link_dir("/media", "/run/media", err, errlen);
		if (r < 0)
			return r;
	} else {
		r = bind_one(o->host_root, "/media", BIND_RSLAVE, err, errlen);
		if (r < 0)
			return r;
	}
	if (o->mnt_link) {
		r = link_dir("/mnt", "/var/mnt", err, errlen);
		if (r < 0)
			return r;
	} else {
		r = bind_one(o->host_root, "/mnt", BIND_RSLAVE, err, errlen);
		if (r < 0)
			return r;
	}
	if (o->home_link) {
		r = link_dir("/home", "/var/home", err, errlen);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(binds); i++) {
		r = bind_one(o->host_root, binds[i].path, binds[i].flags, err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}
