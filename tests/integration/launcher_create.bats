#!/usr/bin/env bats
# `toolbox create` (host/cmd_create.c, create_args.c, names.c, hostcompat.c) against real
# podman with the local test images: Toolbx's layout and labels, a container that
# initializes, the adaptations for this host (no tests/containers.conf), every error
# (one line, exit 125) and no half-made container after a failure. Also Debian's
# upstream Toolbx (/usr/bin/toolbox, 0.0.99.3) against our containers and ours against
# its. Runs rootful and rootless (run.sh).

# shellcheck disable=SC2016,SC2154 # scripts in single quotes run in the container; bats sets $output

bats_require_minimum_version 1.5.0
load helpers

TB_LAUNCHER=${TB_LAUNCHER:-$TB_TOOLBOX}

setup_file() {
	if [ ! -x "$TB_LAUNCHER" ]; then
		echo "launcher $TB_LAUNCHER missing: build it (make) or set TB_LAUNCHER" >&2
		return 1
	fi
}

teardown_file() {
	pm rmi localhost/tbt-capsh:latest >/dev/null 2>&1 || true
}

teardown() {
	tb_cleanup
	[ -z "${TB_UTMP:-}" ] || rm -rf "$TB_UTMP"
	[ -z "${TB_TAG:-}" ] || pm untag "$TB_IMAGE_BUSYBOX" "$TB_TAG" >/dev/null 2>&1 || true
}

# The launcher as the mode's user; extra environment from $TB_ENV (words NAME=VALUE).
tbx() {
	# shellcheck disable=SC2086 # TB_ENV is a list of words
	as_user env ${TB_ENV:-} "$TB_LAUNCHER" "$@"
}

_reg() { # NAME: remove it in teardown
	echo "$1" >>"$(_tb_registry)"
}

_user_tmp() {
	TB_UTMP=$(mktemp -d /tmp/tbt-create.XXXXXX)
	chmod 0755 "$TB_UTMP"
}

# A podman that logs each call's arguments (one line each) to $TB_UTMP/calls, then runs
# the real one; with FAIL_CREATE="MESSAGE", a `podman create` fails with that error
# instead, making nothing.
_logging_podman() {
	_user_tmp
	cat >"$TB_UTMP/podman" <<-EOF
		#!/bin/sh
		echo "\$*" >>"$TB_UTMP/calls"
		if [ -n "\${FAIL_CREATE:-}" ]; then
			for a; do
				if [ "\$a" = create ]; then
					echo "Error: \$FAIL_CREATE" >&2
					exit 125
				fi
			done
		fi
		exec $(command -v podman) "\$@"
	EOF
	chmod 0755 "$TB_UTMP/podman"
	chmod 0777 "$TB_UTMP"
}

_exists() {
	pm container exists "$1"
}

_inspect() { # NAME FORMAT
	pm inspect --type container --format "$2" "$1"
}

@test "create: Toolbx's layout, labels and entry point; the container initializes" {
	local c
	c=$(tb_name)
	_reg "$c"
	run --separate-stderr tbx create -i "$TB_IMAGE_MINBASE" "$c"
	assert_success
	assert_line --index 0 "Created container: $c"
	assert_line --index 1 "Enter with: toolbox enter $c"

	run _inspect "$c" '{{index .Config.Labels "com.github.containers.toolbox"}}'
	assert_output true
	run _inspect "$c" '{{json .Config.Cmd}}'
	assert_output --partial '["toolbox","--log-level","debug","init-container","--gid","'"$TB_GID"'"'
	assert_output --partial '"--uid","'"$TB_UID"'","--user","'"$TB_USER"'","--monitor-host"'
	assert_output --partial '"--home","'"$(getent passwd "$TB_USER" | cut -d: -f6)"'"'
	run _inspect "$c" '{{.Config.Hostname}} {{.HostConfig.PidMode}} {{.HostConfig.NetworkMode}} {{.HostConfig.Privileged}}'
	assert_output "toolbx host host true"
	run _inspect "$c" '{{json .Config.CreateCommand}}'
	assert_output --partial '"--ipc","host"'
	assert_output --partial '"--dns","none"'
	assert_output --partial '"--no-hosts"'
	assert_output --partial '"--security-opt","label=disable"'
	assert_output --partial '"--cgroupns","host"'
	run _inspect "$c" '{{range .Mounts}}{{.Destination}}={{.RW}} {{end}}'
	assert_output --partial "/usr/bin/toolbox-init=false"
	assert_output --partial "/usr/bin/toolbox=false"
	assert_output --partial "/run/host=true"
	assert_output --partial "/dev=true"
	assert_output --partial "$TB_HOME=true"
	assert_output --partial "$TB_RUNTIME_DIR=true"
	run _inspect "$c" '{{range .Config.Env}}{{.}} {{end}}'
	assert_output --partial "XDG_RUNTIME_DIR=$TB_RUNTIME_DIR"
	assert_output --partial "TOOLBOX_PATH="
	if [ "$TB_MODE" = rootless ]; then
		run _inspect "$c" '{{json .Config.CreateCommand}}'
		assert_output --partial '"--userns","keep-id"'
	fi

	tb_wait_ready "$c" 60
	run tb_exec "$c" id -un
	assert_success
	assert_output "$TB_USER"
}

@test "create: starts without tests/containers.conf (rlimits and runtime adapted to this host)" {
	local c conf
	c=$(tb_name)
	_reg "$c"
	_user_tmp
	conf=$TB_UTMP/empty.conf
	: >"$conf"
	chmod 0644 "$conf"
	# podman's own defaults: nofile/nproc beyond what this host allows without
	# CAP_SYS_RESOURCE (`--ulimit host` too); the launcher must pass values that fit.
	run as_user env CONTAINERS_CONF="$conf" "$TB_LAUNCHER" create -i "$TB_IMAGE_MINBASE" "$c"
	assert_success
	run as_user env CONTAINERS_CONF="$conf" podman start "$c"
	assert_success
	tb_wait_ready "$c" 60
	run tb_exec "$c" sh -c 'ulimit -n; ulimit -Hn'
	assert_success
	[ "${lines[0]}" -le "$(as_user sh -c 'ulimit -Hn')" ]
}

@test "create: --pid private, --no-host-exec, --hostname" {
	local c
	c=$(tb_name)
	_reg "$c"
	run tbx create --pid private --no-host-exec --hostname tbt-host -i "$TB_IMAGE_MINBASE" -c "$c"
	assert_success
	run _inspect "$c" '{{.HostConfig.PidMode}} {{index .Config.Labels "toolbox.no-host-exec"}} {{.Config.Hostname}}'
	assert_output "private true tbt-host"
	run tbx create --pid shared "$c-x"
	assert_failure 125
	assert_output "toolbox: error: invalid argument for '--pid': shared (use host or private)"
}

@test "create: a short image name from local storage gets its full name" {
	local c
	c=$(tb_name)
	_reg "$c"
	run tbx create -i toolbox-test-busybox:latest "$c"
	assert_success
	run _inspect "$c" '{{.ImageName}}'
	assert_output "$TB_IMAGE_BUSYBOX"
	# Without a name: the one Toolbx derives from the image.
	run tbx create -i "$TB_IMAGE_BUSYBOX"
	_reg toolbox-test-busybox-latest
	assert_success
	assert_line --index 0 "Created container: toolbox-test-busybox-latest"
}

@test "create: invalid container names, as Toolbx words them (exit 125, nothing made)" {
	run tbx create 'ßpeci@l.N@m€'
	assert_failure 125
	assert_output "toolbox: error: invalid argument for 'CONTAINER': container names must match '[a-zA-Z0-9][a-zA-Z0-9_.-]*'"
	run tbx create --container -bad
	assert_failure 125
	assert_output "toolbox: error: invalid argument for '--container': container names must match '[a-zA-Z0-9][a-zA-Z0-9_.-]*'"
	run tbx create -c a b
	assert_failure 125
	assert_output --partial "container named twice"
}

@test "create: invalid images, distributions and releases" {
	run tbx create --image 'ßpeci@l.N@m€'
	assert_failure 125
	assert_output "toolbox: error: invalid argument for '--image': container name ßpeci@l.N@m€ generated from image is invalid; container names must match '[a-zA-Z0-9][a-zA-Z0-9_.-]*'"
	run tbx create --image Foo/Bar tbt-x
	assert_failure 125
	assert_output --partial "Foo/Bar is not a valid image reference"
	run tbx create --distro foo
	assert_failure 125
	assert_output --partial "invalid argument for '--distro': distribution foo is unsupported"
	run tbx create --distro fedora --release -3
	assert_failure 125
	assert_output "toolbox: error: invalid argument for '--release': The release must be a positive integer."
	run tbx create --distro ubuntu --release 20.4
	assert_failure 125
	assert_output "toolbox: error: invalid argument for '--release': The release month must have two digits."
	run tbx create --distro rhel --release 8
	assert_output "toolbox: error: invalid argument for '--release': The release must be in the '<major>.<minor>' format."
	run tbx create --distro fedora --image x:1
	assert_failure 125
	assert_output "toolbox: error: options --distro and --image cannot be used together"
	run tbx create --image x:1 --release 1
	assert_output "toolbox: error: options --image and --release cannot be used together"
	run tbx create --authfile /nonexistent/auth.json
	assert_failure 125
	assert_output "toolbox: error: file /nonexistent/auth.json not found; 'podman login' can be used to create the file"
}

@test "create: an existing name is refused and the container is left alone" {
	local c id
	c=$(tb_name)
	_reg "$c"
	pm create --name "$c" "$TB_IMAGE_BUSYBOX" true >/dev/null
	id=$(_inspect "$c" '{{.Id}}')
	run tbx create -i "$TB_IMAGE_MINBASE" "$c"
	assert_failure 125
	assert_output "toolbox: error: container $c already exists; enter with: toolbox enter $c"
	run _inspect "$c" '{{.Id}}'
	assert_output "$id"
}

@test "create: from a local image, one podman call (the name and the image are create's own errors)" {
	local c
	c=$(tb_name)
	_reg "$c"
	_logging_podman
	TB_ENV="TOOLBOX_PODMAN=$TB_UTMP/podman" run tbx create -i "$TB_IMAGE_BUSYBOX" "$c"
	assert_success
	run cat "$TB_UTMP/calls"
	assert_equal "${#lines[@]}" 1
	assert_line --index 0 --regexp "^create .*--name $c .*--pull never "
	# The name is taken now: the same one-line error as before, after create and one look
	# that tells a container from a leftover of a killed podman (faults.bats).
	: >"$TB_UTMP/calls"
	TB_ENV="TOOLBOX_PODMAN=$TB_UTMP/podman" run tbx create -i "$TB_IMAGE_BUSYBOX" "$c"
	assert_failure 125
	assert_output "toolbox: error: container $c already exists; enter with: toolbox enter $c"
	run cat "$TB_UTMP/calls"
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 --regexp "^create "
	assert_line --index 1 --regexp "^container exists "
}

@test "create: a taken name is reported before a missing image; a failed create leaves an older container alone" {
	local c id
	c=$(tb_name)
	_reg "$c"
	pm create --name "$c" "$TB_IMAGE_BUSYBOX" true >/dev/null
	id=$(_inspect "$c" '{{.Id}}')
	run tbx create -i localhost/tbt-no-such-image:1 "$c"
	assert_failure 125
	assert_output "toolbox: error: container $c already exists; enter with: toolbox enter $c"
	# podman create fails before it looks at the name: the container of that name is not
	# the create's leftover, and stays.
	_logging_podman
	TB_ENV="TOOLBOX_PODMAN=$TB_UTMP/podman FAIL_CREATE=injected_early_failure" \
		run tbx create -i "$TB_IMAGE_BUSYBOX" "$c"
	assert_failure 125
	assert_output "toolbox: error: failed to create container $c: injected_early_failure"
	run _inspect "$c" '{{.Id}}'
	assert_output "$id"
}

@test "create: a distribution's local build is used when the short name is not in storage" {
	local c rel
	rel=$((90000 + RANDOM % 9000))
	TB_TAG=localhost/toolbox-debian:$rel
	pm tag "$TB_IMAGE_BUSYBOX" "$TB_TAG"
	c=debian-toolbox-$rel
	_reg "$c"
	run tbx create --distro debian --release "$rel"
	assert_success
	assert_line --index 0 "Created container: $c"
	run _inspect "$c" '{{.ImageName}}'
	assert_output "$TB_TAG"
}

@test "create: a missing image, offline: one line naming what to do" {
	local c
	c=$(tb_name)
	run tbx create -i localhost/tbt-no-such-image:1 "$c"
	assert_failure 125
	assert_output "toolbox: error: image localhost/tbt-no-such-image:1 not found in local storage; build it or load it with 'podman load' first"
	# Not on a terminal and no -y: never pulled silently.
	run tbx create -i registry.invalid/tbt/none:1 "$c" </dev/null
	assert_failure 125
	assert_output "toolbox: error: image required to create toolbox container: use option '--assumeyes' to download registry.invalid/tbt/none:1"
	# -y: the pull fails (no such registry / no network), in one line with the hint.
	run tbx -y create -i registry.invalid/tbt/none:1 "$c"
	assert_failure 125
	assert_line --index 0 "toolbox: pulling registry.invalid/tbt/none:1 ..."
	assert_line --index 1 --regexp "^toolbox: error: failed to pull image registry.invalid/tbt/none:1 \(.*\); if it is a private image, log in with: podman login registry.invalid$"
	assert_equal "${#lines[@]}" 2
	run _exists "$c"
	assert_failure
}

@test "create: the default image of a Debian host names the local build and the remote one" {
	. /etc/os-release
	[ "$ID" = debian ] || skip "the host is $ID, not Debian"
	run tbx create </dev/null
	assert_failure 125
	assert_output "toolbox: error: image required to create toolbox container: use option '--assumeyes' to download quay.io/toolbx-images/debian-toolbox:$VERSION_ID, or build localhost/toolbox-debian:$VERSION_ID with 'images/build debian $VERSION_ID'"
	if ! pm image exists "quay.io/toolbx-images/debian-toolbox:$VERSION_ID"; then
		run tbx -y create
		assert_failure 125
		assert_line --index 1 --partial "offline, build the local image localhost/toolbox-debian:$VERSION_ID with 'images/build debian $VERSION_ID' instead"
	fi
}

@test "create: podman missing, XDG_RUNTIME_DIR wrong: one line each, exit 125" {
	TB_ENV="TOOLBOX_PODMAN=/nonexistent/podman" run tbx create -i "$TB_IMAGE_BUSYBOX" tbt-x
	assert_failure 125
	assert_output "toolbox: error: podman not found in PATH; install podman (apt install podman)"
	run as_user env PATH=/nonexistent "$TB_LAUNCHER" list
	assert_failure 125
	assert_output "toolbox: error: podman not found in PATH; install podman (apt install podman)"
	run as_user env XDG_RUNTIME_DIR=/nonexistent/run "$TB_LAUNCHER" create -i "$TB_IMAGE_BUSYBOX" tbt-x
	assert_failure 125
	assert_output --partial "toolbox: error: XDG_RUNTIME_DIR=/nonexistent/run is not a directory"
	run as_user env XDG_RUNTIME_DIR=relative "$TB_LAUNCHER" create -i "$TB_IMAGE_BUSYBOX" tbt-x
	assert_failure 125
	assert_output --partial "is not an absolute path"
}

@test "create: XDG_RUNTIME_DIR unset falls back to /run/user/UID, as Toolbx does" {
	local c
	c=$(tb_name)
	_reg "$c"
	run as_user env -u XDG_RUNTIME_DIR "$TB_LAUNCHER" create -i "$TB_IMAGE_BUSYBOX" "$c"
	assert_success
	run _inspect "$c" '{{range .Config.Env}}{{.}} {{end}}'
	assert_output --partial "XDG_RUNTIME_DIR=/run/user/$TB_UID"
}

@test "create: no half-made container when podman fails after creating it" {
	local c fake
	c=$(tb_name)
	_reg "$c"
	_user_tmp
	fake=$TB_UTMP/podman
	# A podman that creates the container, then fails (as a crash or a Ctrl-C would).
	cat >"$fake" <<-EOF
		#!/bin/sh
		for a; do
			if [ "\$a" = create ]; then
				$(command -v podman) "\$@" >/dev/null 2>&1
				echo "Error: injected failure after create" >&2
				exit 1
			fi
		done
		exec $(command -v podman) "\$@"
	EOF
	chmod 0755 "$fake"
	TB_ENV="TOOLBOX_PODMAN=$fake" run tbx create -i "$TB_IMAGE_BUSYBOX" "$c"
	assert_failure 125
	assert_output "toolbox: error: failed to create container $c: injected failure after create"
	run _exists "$c"
	assert_failure
}

@test "create: help, unknown options" {
	run tbx create --help
	assert_success
	assert_output --partial "toolbox create"
	run tbx create --bogus
	assert_failure 125
	assert_output "toolbox: error: unknown option --bogus for \"create\"; run 'toolbox create --help' for usage"
}

# An image upstream Toolbx 0.0.99.3 can enter: it runs sessions through capsh.
_capsh_image() {
	local img=localhost/tbt-capsh:latest ctx
	if ! pm image exists "$img"; then
		ctx=$(mktemp -d /tmp/tbt-capsh.XXXXXX)
		cp "$(command -v capsh)" "$ctx/capsh"
		printf 'FROM %s\nCOPY capsh /usr/sbin/capsh\n' "$TB_IMAGE_SUDO" >"$ctx/Containerfile"
		chmod -R a+rX "$ctx"
		pm build -q -t "$img" "$ctx" >/dev/null
		rm -rf "$ctx"
	fi
	echo "$img"
}

@test "compat: upstream Toolbx (/usr/bin/toolbox) runs a command in our container" {
	[ -x /usr/bin/toolbox ] || skip "Debian's podman-toolbox is not installed"
	command -v capsh >/dev/null || skip "capsh (libcap2-bin) is not installed"
	# As root, Toolbx waits for /run/toolbox/container-initialized-PID: create mounts the
	# host's /run/toolbox and toolbox-init writes root's stamps there.
	local c img
	c=$(tb_name)
	_reg "$c"
	img=$(_capsh_image)
	run tbx create -i "$img" "$c"
	assert_success
	run as_user timeout 120 /usr/bin/toolbox run -c "$c" sh -c 'id -un; echo "$HOME"'
	assert_success
	assert_line --index 0 "$TB_USER"
	assert_line --index 1 "$(getent passwd "$TB_USER" | cut -d: -f6)"
}

@test "compat: a container made by upstream Toolbx is listed and removed by ours" {
	[ -x /usr/bin/toolbox ] || skip "Debian's podman-toolbox is not installed"
	local c
	c=$(tb_name)
	_reg "$c"
	run as_user timeout 120 /usr/bin/toolbox -y create -i "$TB_IMAGE_SUDO" "$c"
	assert_success
	assert_output --partial "Created container: $c"
	run tbx list -c
	assert_success
	assert_output --regexp "[0-9a-f]{12} +$c +.+ +created +$TB_IMAGE_SUDO"
	run tbx rm "$c"
	assert_success
	run _exists "$c"
	assert_failure
}
