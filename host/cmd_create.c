// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * toolbox create: one `podman create` with Toolbx's layout (a taken name or a missing image
 * is what that call says); never a half-made container.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "create_args.h"
#include "globals.h"
#include "hostcompat.h"
#include "leftover.h"
#include "log.h"
#include "macros.h"
#include "names.h"
#include "osrelease.h"
#include "paths.h"
#include "podman.h"
#include "relay.h"
#include "runtime_dir.h"

#define CREATE_ERR_LEN 1024
/* A leftover younger than this may be a create still at work (see leftover_remove()). */
#define CREATE_LEFTOVER_SETTLE_S 2

/* Read a yes/no answer from the terminal; an empty answer is no. */
static bool ask_yes_no(const char *question)
{
	char line[64];

	for (;;) {
		fprintf(stdout, "%s [y/N]: ", question);
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			return false;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || strcasecmp(line, "n") == 0 || strcasecmp(line, "no") == 0)
			return false;
		if (strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0)
			return true;
	}
}

static bool on_terminal(void)
{
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

/* 1 exists, 0 does not, < 0 podman failed (message printed). @external: podman's
 * storage-only containers (buildah's, a killed create's) count too. */
static int container_exists(const char *name, bool external)
{
	const char *args[] = {"container", "exists", "--", name, NULL, NULL};
	struct podman_result res;
	int r;

	if (external) {
		args[2] = "--external";
		args[3] = "--";
		args[4] = name;
	}
	r = podman_capture(args, &res);
	if (r < 0) {
		podman_result_free(&res);
		log_msg(LOG_LVL_ERROR, -r, "cannot run podman to look for container %s", name);
		return r;
	}
	r = res.status == 0 ? 1 : res.status == 1 ? 0 : -EIO;
	if (r < 0) {
		char why[64];

		log_msg(LOG_LVL_ERROR, 0, "podman cannot look for container %s: %s", name,
			podman_result_why(&res, why, sizeof(why)));
	}
	podman_result_free(&res);
	return r;
}

static void report_exists(const char *name)
{
	log_msg(LOG_LVL_ERROR, 0, "container %s already exists; enter with: toolbox enter %s", name,
		name);
}

/*
 * podman said the name is in use. A real container: -EEXIST (printed). A leftover of an
 * interrupted podman command (in podman's storage only): removed, with a warning, and 1
 * (try again). < 0 otherwise (printed).
 */
static int name_taken(const char *name)
{
	_cleanup_free_ char *err = NULL;
	struct leftover lo;
	int r = container_exists(name, false);

	if (r < 0)
		return r;
	if (r == 1) {
		report_exists(name);
		return -EEXIST;
	}
	r = leftover_remove(name, CREATE_LEFTOVER_SETTLE_S, NULL, &err);
	if (r == 1) {
		log_msg(LOG_LVL_WARN, 0,
			"removed what an interrupted podman command had left of container %s",
			name);
		return 1;
	}
	if (r < 0) {
		if (r == -EIO)
			log_msg(LOG_LVL_ERROR, 0,
				"cannot remove what an interrupted podman command left of "
				"container %s: %s; remove it with 'podman rm --force %s'",
				name, err ? err : "podman failed", name);
		else
			log_msg(LOG_LVL_ERROR, -r, "cannot look for leftovers of container %s",
				name);
		return r;
	}
	/* Not one to remove: buildah's, or someone else's create finished meanwhile. */
	free(err);
	err = NULL;
	if (leftover_find(name, &lo, &err) == 0 && lo.kind == LEFTOVER_BUILDAH) {
		log_msg(LOG_LVL_ERROR, 0,
			"the name %s is taken by a buildah working container; remove it with "
			"'buildah rm %s' or choose another name",
			name, name);
		return -EEXIST;
	}
	report_exists(name);
	return -EEXIST;
}

/*
 * No container named @name, but podman's storage may hold one under it: what a podman
 * create killed part-way leaves (host/leftover.h). Ours when made since @t0: removed.
 * false when something is left (printed).
 */
static bool remove_leftover_since(const char *name, const struct timespec *t0)
{
	_cleanup_free_ char *err = NULL;
	struct leftover lo;
	int r;

	if (leftover_find(name, &lo, &err) < 0 || lo.kind != LEFTOVER_STORAGE ||
	    (lo.created && lo.created < (int64_t)t0->tv_sec))
		return true; /* nothing of ours */
	free(err);
	err = NULL;
	r = leftover_remove(name, 0, NULL, &err);
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, 0,
			"cannot remove what the failed create left of container %s: %s; remove it "
			"with 'podman rm --force %s'",
			name, err ? err : "podman failed", name);
		return false;
	}
	return true;
}

/*
 * Remove what a failed create may have left: a container named @name that was made after
 * @t0 (when this create began), so that one made earlier is never touched, whatever podman
 * failed with. Removed by ID, the one just looked at.
 */
static bool remove_half_made(const char *name, const struct timespec *t0)
{
	const char *insp[] = {"container", "inspect", "--format", "{{.Id}} {{.Created.UnixNano}}",
			      "--",	   name,      NULL};
	struct podman_result res;
	char id[72];
	long long created;
	bool ok = true;

	if (podman_capture(insp, &res) < 0 || res.status != 0 ||
	    sscanf(res.out, "%71s %lld", id, &created) != 2) {
		podman_result_free(&res);
		return remove_leftover_since(name, t0);
	}
	podman_result_free(&res);
	if (created < (long long)t0->tv_sec * 1000000000LL + t0->tv_nsec) {
		log_msg(LOG_LVL_DEBUG, 0, "container %s is older than this create: left alone",
			name);
		return true;
	}
	log_msg(LOG_LVL_INFO, 0, "removing the incomplete container %s", name);
	{
		const char *rm[] = {"rm", "--force", "--", id, NULL};

		if (podman_capture(rm, &res) < 0 || res.status != 0) {
			log_msg(LOG_LVL_ERROR, 0,
				"cannot remove the incomplete container %s: %s; remove it with "
				"'podman rm --force %s'",
				name, podman_result_errline(&res), name);
			ok = false;
		}
		podman_result_free(&res);
	}
	return ok;
}

/* Signals that would end us while podman creates: held until it is done. */
static const int create_deferred[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM};

/* The first of @pending that would end us (not ignored, not blocked before), or 0. */
static int interrupting_signal(const sigset_t *pending, const sigset_t *before)
{
	for (size_t i = 0; i < ARRAY_SIZE(create_deferred); i++) {
		int sig = create_deferred[i];
		struct sigaction sa;

		if (!sigismember(pending, sig) || sigismember(before, sig))
			continue;
		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			continue; /* nohup and the like: not meant to stop us */
		return sig;
	}
	return 0;
}

static char *domain_of(const char *ref)
{
	return names_image_has_domain(ref) ? strndup(ref, strcspn(ref, "/")) : strdup("docker.io");
}

/* Pull @ref (asking first unless -y). 0 pulled; < 0 failed or declined (printed). */
static int image_pull(const char *ref, const struct create_opts *o, const char *local_alt,
		      const char *release)
{
	const char *args[8];
	struct podman_result res;
	size_t n = 0;
	int r;

	if (!globals_get()->assume_yes) {
		char q[512];

		if (!on_terminal()) {
			if (local_alt)
				log_msg(LOG_LVL_ERROR, 0,
					"image required to create toolbox container: use option "
					"'--assumeyes' to download %s, or build %s with "
					"'images/build "
					"debian %s'",
					ref, local_alt, release);
			else
				log_msg(LOG_LVL_ERROR, 0,
					"image required to create toolbox container: use option "
					"'--assumeyes' to download %s",
					ref);
			return -EPERM;
		}
		snprintf(q, sizeof(q),
			 "Image required to create toolbox container.\nDownload %s (the size is "
			 "shown by the registry, typically a few hundred MB)?",
			 ref);
		if (!ask_yes_no(q)) {
			log_msg(LOG_LVL_ERROR, 0,
				"image %s not downloaded: the container was not "
				"created",
				ref);
			return -ECANCELED;
		}
	}
	args[n++] = "pull";
	args[n++] = "--quiet";
	if (o->authfile) {
		args[n++] = "--authfile";
		args[n++] = o->authfile;
	}
	args[n++] = "--";
	args[n++] = ref;
	args[n] = NULL;
	fprintf(stderr, "toolbox: pulling %s ...\n", ref);
	r = podman_capture(args, &res);
	if (r == 0 && res.status == 0) {
		podman_result_free(&res);
		return 0;
	}
	{
		_cleanup_free_ char *domain = domain_of(ref);
		const char *why = r < 0 ? strerror(-r) : podman_result_errline(&res);

		if (local_alt)
			log_msg(LOG_LVL_ERROR, 0,
				"failed to pull image %s (%s); offline, build the local image %s "
				"with "
				"'images/build debian %s' instead",
				ref, why, local_alt, release);
		else
			log_msg(LOG_LVL_ERROR, 0,
				"failed to pull image %s (%s); if it is a private image, log in "
				"with: "
				"podman login %s",
				ref, why, domain ? domain : "REGISTRY");
	}
	podman_result_free(&res);
	return -EIO;
}

struct user_info {
	char *name, *home, *home_canonical, *shell;
	uid_t uid;
	gid_t gid;
};

static void user_info_free(struct user_info *u)
{
	free(u->name);
	free(u->home);
	free(u->home_canonical);
	free(u->shell);
}

static int user_lookup(struct user_info *u)
{
	struct passwd *pw;
	const char *shell = getenv("SHELL");

	memset(u, 0, sizeof(*u));
	errno = 0;
	pw = getpwuid(getuid());
	if (!pw) {
		log_msg(LOG_LVL_ERROR, errno, "cannot find user %u in the user database",
			(unsigned)getuid());
		return -ENOENT;
	}
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	/* Toolbx takes the shell from $SHELL; passwd when it is unset. */
	if (!shell || shell[0] != '/')
		shell = pw->pw_shell && pw->pw_shell[0] == '/' ? pw->pw_shell : "/bin/sh";
	u->name = strdup(pw->pw_name);
	u->home = strdup(pw->pw_dir);
	u->shell = strdup(shell);
	if (!u->name || !u->home || !u->shell)
		return -ENOMEM;
	u->home_canonical = realpath(u->home, NULL);
	if (!u->home_canonical) {
		log_msg(LOG_LVL_ERROR, errno, "failed to canonicalize home directory %s of %s",
			u->home, u->name);
		return -errno;
	}
	return 0;
}

static void print_enter_hint(const char *name, const char *default_name)
{
	printf("Created container: %s\n", name);
	if (strcmp(name, default_name) == 0)
		printf("Enter with: toolbox enter\n");
	else
		printf("Enter with: toolbox enter %s\n", name);
}

/* One `podman create` (--pull never) and what it came to. */
struct create_try {
	const char *name;
	struct create_spec *spec;
	struct timespec t0; /* before the first attempt: containers made since are ours */
};

/*
 * `podman create` from @image: 0 created; 1 no such local image (nothing printed, nothing
 * made); 2 the name was held by a leftover, now removed (try again); < 0 failed (printed;
 * what it may have left is removed). A signal that would end us meanwhile waits for
 * podman, then the create is undone and the signal ends us (a container is made whole or
 * not at all; only SIGKILL leaves podman to finish alone).
 */
static int try_create(struct create_try *c, const char *image)
{
	struct podman_result res;
	bool progress = isatty(STDOUT_FILENO) && log_get_level() < LOG_LVL_DEBUG;
	sigset_t defer, before, pending;
	char **argv, why[64];
	const char *line;
	int r, sig;

	c->spec->image = image;
	argv = create_args_build(c->spec);
	if (!argv) {
		log_msg(LOG_LVL_ERROR, ENOMEM, "create");
		return -ENOMEM;
	}
	sigemptyset(&defer);
	for (size_t i = 0; i < ARRAY_SIZE(create_deferred); i++)
		sigaddset(&defer, create_deferred[i]);
	sigprocmask(SIG_BLOCK, &defer, &before);
	if (progress) {
		printf("Creating container %s ...", c->name);
		fflush(stdout);
	}
	r = podman_capture((const char *const *)argv, &res);
	create_args_free(argv);
	if (progress) {
		printf("\r\033[K");
		fflush(stdout);
	}
	sigpending(&pending);
	sig = interrupting_signal(&pending, &before);
	if (sig) {
		bool undone = remove_half_made(c->name, &c->t0);

		log_msg(LOG_LVL_ERROR, 0,
			"creating container %s was interrupted (signal SIG%s); %s", c->name,
			sigabbrev_np(sig), undone ? "it was not created" : "it may be incomplete");
		podman_result_free(&res);
		/* The signal ends us here; should it not, we fail all the same. */
		sigprocmask(SIG_SETMASK, &before, NULL);
		return -EINTR;
	}
	sigprocmask(SIG_SETMASK, &before, NULL);
	if (r == 0 && res.status == 0) {
		podman_result_free(&res);
		return 0;
	}
	if (r < 0) {
		podman_result_free(&res);
		log_msg(LOG_LVL_ERROR, -r, "failed to create container %s: cannot run podman",
			c->name);
		return -EIO;
	}
	line = podman_result_errline(&res);
	switch (create_error_classify(line)) {
	case CREATE_ERROR_NO_IMAGE:
		log_msg(LOG_LVL_DEBUG, 0, "no local image %s: %s", image, line);
		podman_result_free(&res);
		return 1;
	case CREATE_ERROR_NAME_TAKEN:
		log_msg(LOG_LVL_DEBUG, 0, "podman: %s", line);
		podman_result_free(&res);
		r = name_taken(c->name);
		return r == 1 ? 2 : r;
	case CREATE_ERROR_OTHER:
		break;
	}
	/* How podman ended (killed by a signal, say), or its own last line. */
	log_msg(LOG_LVL_ERROR, 0, "failed to create container %s: %s", c->name,
		podman_result_why(&res, why, sizeof(why)));
	podman_result_free(&res);
	remove_half_made(c->name, &c->t0);
	return -EIO;
}

/* try_create(), once more when it freed the name of a leftover. */
static int try_create_again(struct create_try *c, const char *image)
{
	int r = try_create(c, image);

	return r == 2 ? try_create(c, image) : r;
}

/*
 * The image is not in local storage under the name given: the slow path, where extra
 * podman calls do not matter. As before a create: a taken name first, then the
 * distribution's other candidates, then pull the remote one (asking first). 0 created,
 * < 0 failed (printed).
 */
static int create_without_image(struct create_try *c, const struct names_result *names,
				const struct create_opts *o)
{
	char **cands;
	const char *remote, *local_alt = NULL;
	size_t n;
	int r;

	r = container_exists(c->name, true);
	if (r < 0)
		return r;
	if (r == 1) {
		r = name_taken(c->name);
		if (r < 0)
			return r;
	}
	cands = names_image_candidates(names->image, names->release);
	if (!cands) {
		log_msg(LOG_LVL_ERROR, ENOMEM, "create");
		return -ENOMEM;
	}
	for (n = 0; cands[n]; n++) {
		if (strcmp(cands[n], names->image) == 0)
			continue; /* tried already */
		r = try_create_again(c, cands[n]);
		if (r != 1) {
			names_strv_free(cands);
			return r;
		}
	}
	if (!names_image_has_domain(names->image) && n == 1 &&
	    strcmp(cands[0], names->image) == 0) {
		log_msg(LOG_LVL_ERROR, 0,
			"image %s not found in local storage and known registries; give a full "
			"name such as registry.example.org/%s",
			names->image, names->image);
		names_strv_free(cands);
		return -ENOENT;
	}
	remote = cands[n - 1];
	if (strncmp(remote, "localhost/", 10) == 0) {
		/* localhost/ is podman's name for images built here: nothing to pull. */
		log_msg(LOG_LVL_ERROR, 0,
			"image %s not found in local storage; build it or load it with 'podman "
			"load' first",
			remote);
		names_strv_free(cands);
		return -ENOENT;
	}
	if (n > 1)
		local_alt = cands[0]; /* Debian: the local build we prefer */
	r = image_pull(remote, o, local_alt, names->release);
	if (r == 0) {
		r = try_create_again(c, remote);
		if (r == 1) {
			log_msg(LOG_LVL_ERROR, 0, "image %s was pulled but is not in local storage",
				remote);
			r = -ENOENT;
		}
	}
	names_strv_free(cands);
	return r;
}

int cmd_create(int argc, char **argv)
{
	char err[CREATE_ERR_LEN], init_path[PATH_MAX], runtime_dir[PATH_MAX], self[PATH_MAX];
	struct create_opts o;
	struct tb_config cfg = {0};
	struct os_release osr = {0};
	struct names_result names = {0};
	struct user_info user = {0};
	struct create_host_volumes hv = {0};
	struct hostcompat hc;
	struct hostcompat_args ha;
	struct create_spec spec = {0};
	struct create_try ct = {0};
	_cleanup_free_ char *host_distro = NULL, *host_release = NULL, *bad_path = NULL;
	_cleanup_free_ char *default_name = NULL, *toolbox_path = NULL;
	int r, line, ret = TB_EXIT_FAILURE;

	if (create_parse(argc, argv, &o, err, sizeof(err)) < 0) {
		log_msg(LOG_LVL_ERROR, 0, "%s", err);
		return TB_EXIT_FAILURE;
	}
	if (o.help)
		return help_show("create");
	if (o.authfile && access(o.authfile, F_OK) != 0) {
		log_msg(LOG_LVL_ERROR, 0,
			"file %s not found; 'podman login' can be used to create the file",
			o.authfile);
		return TB_EXIT_FAILURE;
	}
	r = config_load(&cfg, &bad_path, &line);
	if (r < 0) {
		if (r == -EINVAL)
			log_msg(LOG_LVL_ERROR, 0,
				"failed to parse file %s (line %d): fix or remove it", bad_path,
				line);
		else
			log_msg(LOG_LVL_ERROR, -r, "failed to read file %s",
				bad_path ? bad_path : "");
		goto out;
	}
	r = osrelease_read_host(NULL, &osr);
	if (r < 0 && r != -ENOENT)
		log_msg(LOG_LVL_DEBUG, -r, "cannot read the host's os-release");
	if (names_host_default(osr.id, osr.version_id, &host_distro, &host_release) < 0)
		goto oom;
	{
		struct names_request req = {
			.container = o.container,
			.container_arg = o.container_arg,
			.distro = o.distro,
			.image = o.image,
			.release = o.release,
			.cfg = &cfg,
			.host_distro = host_distro,
			.host_release = host_release,
		};
		struct names_request def = {
			.cfg = &cfg, .host_distro = host_distro, .host_release = host_release};
		struct names_result dres;

		r = names_resolve(&req, &names, err, sizeof(err));
		if (r == -ENOMEM)
			goto oom;
		if (r < 0) {
			log_msg(LOG_LVL_ERROR, 0, "%s", err);
			goto out;
		}
		if (names_resolve(&def, &dres, err, sizeof(err)) == 0) {
			default_name = steal_ptr(&dres.container);
			names_result_free(&dres);
		}
	}
	log_msg(LOG_LVL_DEBUG, 0, "container %s, image %s, release %s", names.container,
		names.image, names.release);

	r = runtime_dir_resolve(runtime_dir, sizeof(runtime_dir), err, sizeof(err));
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, 0, "%s", err);
		goto out;
	}
	if (!podman_path()) {
		log_msg(LOG_LVL_ERROR, 0, PODMAN_MISSING_MSG);
		goto out;
	}
	if (user_lookup(&user) < 0)
		goto out;
	r = o.image_init ? 0 : paths_find_init(init_path, sizeof(init_path));
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, r == -ENOENT ? 0 : -r,
			"toolbox-init not found (looked at %s); build it with 'make' or set "
			"TOOLBOX_INIT to its path",
			init_path);
		goto out;
	}
	if (paths_self_dir(self, sizeof(self)) == 0 &&
	    asprintf(&toolbox_path, "%s/toolbox", self) < 0)
		goto oom;

	{
		char profile[PATH_MAX];
		bool have_profile = paths_find_profile(profile, sizeof(profile)) == 0;

		if (create_host_volumes(&hv, have_profile ? profile : NULL, !podman_is_rootless()) <
		    0)
			goto oom;
	}
	hostcompat_probe(&hc);
	hostcompat_create_args(&hc, &ha);
	if (ha.note)
		log_msg(LOG_LVL_WARN, 0, "%s", ha.note);

	spec.name = names.container;
	/* --image-init: the image's own /usr/bin/toolbox-init, not the host's. */
	spec.init_path = o.image_init ? NULL : init_path;
	spec.hostname = o.hostname;
	spec.toolbox_path = toolbox_path ? toolbox_path : "/usr/bin/toolbox";
	spec.runtime_dir = runtime_dir;
	spec.rootless = podman_is_rootless();
	spec.pid_private = o.pid_private;
	spec.no_host_exec = o.no_host_exec;
	spec.user = user.name;
	spec.uid = user.uid;
	spec.gid = user.gid;
	spec.home = user.home;
	spec.home_canonical = user.home_canonical;
	spec.shell = user.shell;
	spec.home_link = hv.home_link;
	spec.media_link = hv.media_link;
	spec.mnt_link = hv.mnt_link;
	spec.volumes = (const char *const *)hv.v;
	spec.host_args = ha.argv;
	/*
	 * One podman call in the common case: the name taken or the image missing come back
	 * as podman create's own error, not from checks before it.
	 */
	ct.name = names.container;
	ct.spec = &spec;
	clock_gettime(CLOCK_REALTIME, &ct.t0);
	r = try_create_again(&ct, names.image);
	if (r == 1)
		r = create_without_image(&ct, &names, &o);
	if (r < 0)
		goto out;
	/* host-spawn in the new container needs the relay: start it unless it runs. */
	(void)relay_ensure_running(runtime_dir);
	print_enter_hint(names.container, default_name ? default_name : "");
	if (fflush(stdout) != 0)
		log_msg(LOG_LVL_WARN, errno, "cannot write to standard output");
	ret = 0;
	goto out;
oom:
	log_msg(LOG_LVL_ERROR, ENOMEM, "create");
out:
	create_host_volumes_free(&hv);
	user_info_free(&user);
	names_result_free(&names);
	osrelease_free(&osr);
	config_free(&cfg);
	return ret;
}
