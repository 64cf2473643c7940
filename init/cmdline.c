// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

int cmdline_parse_id(const char *s, unsigned int *out)
{
	unsigned long long v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long long)(*p - '0');
		if (v > 4294967294ULL) /* (uid_t)-1 is "no id" */
			return -ERANGE;
	}
	*out = (unsigned int)v;
	return 0;
}

int cmdline_check_user_name(const char *name)
{
	size_t len;

	if (!name)
		return -EINVAL;
	len = strlen(name);
	if (len == 0 || len > 256 || name[0] == '-' || name[0] == '+')
		return -EINVAL;
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;

		/* ':' and newlines would corrupt passwd; '/' breaks paths. */
		if (c <= ' ' || c == ':' || c == ',' || c == '/' || c == 0x7f)
			return -EINVAL;
	}
	/* A trailing '$' is allowed (Samba machine accounts), digits-only is not. */
	if (strspn(name, "0123456789") == len)
		return -EINVAL;
	return 0;
}

int cmdline_parse_global(int argc, char **argv, struct global_opts *o, char *err, size_t errlen)
{
	static const struct option longopts[] = {
		{"log-level", required_argument, NULL, 'l'}, {"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},	     {"help", no_argument, NULL, 'h'},
		{"assumeyes", no_argument, NULL, 'y'},	     {NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->log_level = LOG_LVL_WARN;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+vhy", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (log_parse_level(optarg, &o->log_level) < 0) {
				snprintf(
					err, errlen,
					"invalid log level \"%s\" (use error, warn, info or debug)",
					optarg);
				return -EINVAL;
			}
			o->log_level_set = true;
			break;
		case 'v':
			if (o->log_level < LOG_LVL_DEBUG)
				o->log_level++;
			o->log_level_set = true;
			break;
		case 'V':
			o->version = true;
			break;
		case 'h':
			o->help = true;
			break;
		case 'y':
			break;
		default:
			snprintf(err, errlen, "unknown option \"%s\"", argv[optind - 1]);
			return -EINVAL;
		}
	}
	o->cmd_index = optind;
	return 0;
}

enum {
	OPT_UID = 256,
	OPT_GID,
	OPT_USER,
	OPT_HOME,
	OPT_SHELL,
	OPT_HOME_LINK,
	OPT_MEDIA_LINK,
	OPT_MNT_LINK,
	OPT_MONITOR_HOST,
	OPT_LOG_LEVEL,
};

static bool parse_bool_arg(const char *arg, bool *out)
{
	if (!arg || strcmp(arg, "true") == 0 || strcmp(arg, "1") == 0) {
		*out = true;
		return true;
	}
	if (strcmp(arg, "false") == 0 || strcmp(arg, "0") == 0) {
		*out = false;
		return true;
	}
	return false;
}

int cmdline_parse_init(int argc, char **argv, struct init_opts *o, char *err, size_t errlen)
{
	/* Boolean flags take an optional "=true|false", as Go's flag package does for Toolbx. */
	static const struct option longopts[] = {
		{"uid", required_argument, NULL, OPT_UID},
		{"gid", required_argument, NULL, OPT_GID},
		{"user", required_argument, NULL, OPT_USER},
		{"home", required_argument, NULL, OPT_HOME},
		{"shell", required_argument, NULL, OPT_SHELL},
		{"home-link", optional_argument, NULL, OPT_HOME_LINK},
		{"media-link", optional_argument, NULL, OPT_MEDIA_LINK},
		{"mnt-link", optional_argument, NULL, OPT_MNT_LINK},
		{"monitor-host", optional_argument, NULL, OPT_MONITOR_HOST},
		{"log-level", required_argument, NULL, OPT_LOG_LEVEL},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool uid_set = false;
	unsigned int id;
	bool *flag;
	int c;

	memset(o, 0, sizeof(*o));
	o->monitor_host = true;
	o->log_level = LOG_LVL_WARN;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_UID:
		case OPT_GID:
			if (cmdline_parse_id(optarg, &id) < 0) {
				snprintf(err, errlen,
					 "invalid %s \"%s\" (expected a number from 0 to "
					 "4294967294)",
					 c == OPT_UID ? "--uid" : "--gid", optarg);
				return -EINVAL;
			}
			if (c == OPT_UID) {
				o->uid = id;
				uid_set = true;
			} else {
				o->gid = id;
				o->gid_set = true;
			}
			break;
		case OPT_USER:
			o->user = optarg;
			break;
		case OPT_HOME:
			o->home = optarg;
			break;
		case OPT_SHELL:
			o->shell = optarg;
			break;
		case OPT_HOME_LINK:
		case OPT_MEDIA_LINK:
		case OPT_MNT_LINK:
		case OPT_MONITOR_HOST:
			flag = c == OPT_HOME_LINK    ? &o->home_link
			       : c == OPT_MEDIA_LINK ? &o->media_link
			       : c == OPT_MNT_LINK   ? &o->mnt_link
						     : &o->monitor_host;
			if (!parse_bool_arg(optarg, flag)) {
				snprintf(err, errlen,
					 "invalid value \"%s\" for %s (use true or false)", optarg,
					 argv[optind - 1]);
				return -EINVAL;
			}
			break;
		case OPT_LOG_LEVEL:
			if (log_parse_level(optarg, &o->log_level) < 0) {
				snprintf(
					err, errlen,
					"invalid log level \"%s\" (use error, warn, info or debug)",
					optarg);
				return -EINVAL;
			}
			o->log_level_set = true;
			break;
		case 'h':
			o->help = true;
			return 0;
		case ':':
			snprintf(err, errlen, "option \"%s\" needs a value", argv[optind - 1]);
			return -EINVAL;
		default:
			snprintf(err, errlen, "unknown option \"%s\"", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument \"%s\"", argv[optind]);
		return -EINVAL;
	}
	if (!uid_set || !o->user || !o->home || !o->shell) {
		snprintf(err, errlen,
			 "missing %s (init-container needs --uid, --user, --home and --shell)",
			 !uid_set   ? "--uid"
			 : !o->user ? "--user"
			 : !o->home ? "--home"
				    : "--shell");
		return -EINVAL;
	}
	if (!o->gid_set)
		o->gid = o->uid;
	if (cmdline_check_user_name(o->user) < 0) {
		snprintf(err, errlen, "invalid user name \"%s\"", o->user);
		return -EINVAL;
	}
	if (o->home[0] != '/' || strchr(o->home, ':') || strchr(o->home, '\n')) {
		snprintf(err, errlen,
			 "invalid home \"%s\" (an absolute path without ':' is needed)", o->home);
		return -EINVAL;
	}
	if (o->shell[0] != '/' || strchr(o->shell, ':') || strchr(o->shell, '\n')) {
		snprintf(err, errlen,
			 "invalid shell \"%s\" (an absolute path without ':' is needed)", o->shell);
		return -EINVAL;
	}
	return 0;
}
