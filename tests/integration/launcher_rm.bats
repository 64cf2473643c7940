#!/usr/bin/env bats
# `toolbox rm` and `toolbox rmi` (host/cmd_rm.c, cmd_rmi.c) against real podman: a
# running container or an image in use only goes with --force, with the reason; other
# containers and images are refused with Toolbx's words; --all. The --all tests use a
# storage of their own (CONTAINERS_STORAGE_CONF, vfs) so that they cannot touch other
# containers on this machine. Runs rootful and rootless (run.sh).

# shellcheck disable=SC2154 # bats sets $output, $lines

bats_require_minimum_version 1.5.0
load helpers

TB_LAUNCHER=${TB_LAUNCHER:-$TB_TOOLBOX}

setup_file() {
	[ -x "$TB_LAUNCHER" ] || {
		echo "launcher $TB_LAUNCHER missing: build it (make) or set TB_LAUNCHER" >&2
		return 1
	}
}

teardown() {
	tb_cleanup
	if [ -n "${ISO:-}" ]; then
		# Only a store that was checked to be the isolated one is emptied.
		if [ "${ISO_OK:-}" = 1 ]; then
			ipm rm -a -f >/dev/null 2>&1 || true
			ipm rmi -a -f >/dev/null 2>&1 || true
			[ "$TB_MODE" = rootful ] || ipm unshare rm -rf "$ISO/graph" "$ISO/run" "$ISO/tmp" \
				>/dev/null 2>&1 || true
		fi
		rm -rf "$ISO"
		ISO=
		ISO_OK=
	fi
}

tbx() {
	as_user "$TB_LAUNCHER" "$@"
}

_reg() {
	echo "$1" >>"$(_tb_registry)"
}

# A container store of this test's own (podman's global --root, --runroot, --tmpdir:
# unlike storage.conf these cannot fall back to the user's store), with the busybox
# image and a toolbox image. $ISO/podman is that podman, for us and the launcher.
iso_setup() {
	local root
	ISO=$(mktemp -d /tmp/tbt-rm-iso.XXXXXX)
	chmod 0755 "$ISO"
	printf '#!/bin/sh\nexec %s --root %s/graph --runroot %s/run --tmpdir %s/tmp --storage-driver vfs "$@"\n' \
		"$(command -v podman)" "$ISO" "$ISO" "$ISO" >"$ISO/podman"
	chmod 0755 "$ISO/podman"
	[ "$TB_MODE" = rootful ] || chown "$TB_UID:$TB_GID" "$ISO"
	root=$(ipm info --format '{{.Store.GraphRoot}}')
	if [ "$root" != "$ISO/graph" ]; then
		echo "iso_setup: podman uses $root, not $ISO/graph: refusing to go on" >&2
		return 1
	fi
	ISO_OK=1
	pm save "$TB_IMAGE_BUSYBOX" | ipm load -q >/dev/null
	printf 'FROM %s\nLABEL com.github.containers.toolbox=true\n' "$TB_IMAGE_BUSYBOX" \
		>"$ISO/Containerfile"
	chmod 0644 "$ISO/Containerfile"
	ipm build -q -t localhost/tbt-rm-labelled:1 -f "$ISO/Containerfile" "$ISO" >/dev/null
}

ipm() { # podman on the isolated store
	as_user "$ISO/podman" "$@"
}

itbx() { # the launcher on the isolated store
	as_user env TOOLBOX_PODMAN="$ISO/podman" "$TB_LAUNCHER" "$@"
}

# A toolbox-labelled container that keeps running (no init needed for rm's checks).
_running_toolbox() { # PM-FUNCTION NAME
	"$1" run -d --network host --name "$2" --label com.github.containers.toolbox=true "$TB_IMAGE_BUSYBOX" \
		sleep 600 >/dev/null
}

@test "rm: a stopped toolbox container goes; a missing one is an error" {
	local c
	c=$(tb_name)
	_reg "$c"
	tbx create -i "$TB_IMAGE_BUSYBOX" "$c" >/dev/null
	run tbx rm "$c"
	assert_success
	assert_output ""
	run pm container exists "$c"
	assert_failure
	run tbx rm "$c"
	assert_failure 125
	assert_output "toolbox: error: container $c does not exist"
}

@test "rm: a running container only with --force, with the reason" {
	local c
	c=$(tb_name)
	_reg "$c"
	_running_toolbox pm "$c"
	run tbx rm "$c"
	assert_failure 125
	assert_output "toolbox: error: container $c is running; stop it with 'podman stop $c' or use --force"
	run pm container exists "$c"
	assert_success
	run tbx rm --force "$c"
	assert_success
	run pm container exists "$c"
	assert_failure
}

@test "rm: a container that is not a toolbox is refused, Toolbx's words" {
	local c
	c=$(tb_name)
	_reg "$c"
	pm create --name "$c" "$TB_IMAGE_BUSYBOX" true >/dev/null
	run tbx rm -f "$c"
	assert_failure 125
	assert_output "toolbox: error: container $c is not a toolbox container (no label com.github.containers.toolbox=true); remove it with 'podman rm $c'"
	run pm container exists "$c"
	assert_success
}

@test "rm: several names: the good ones go, the status tells of the others" {
	local a b
	a=$(tb_name a)
	b=$(tb_name b)
	_reg "$a"
	_reg "$b"
	tbx create -i "$TB_IMAGE_BUSYBOX" "$a" >/dev/null
	tbx create -i "$TB_IMAGE_BUSYBOX" "$b" >/dev/null
	run tbx rm "$a" tbt-no-such-container "$b"
	assert_failure 125
	assert_output "toolbox: error: container tbt-no-such-container does not exist"
	run pm container exists "$a"
	assert_failure
	run pm container exists "$b"
	assert_failure
}

@test "rm: usage errors" {
	run tbx rm
	assert_failure 125
	assert_output "toolbox: error: missing argument for \"rm\"; run 'toolbox rm --help' for usage"
	run tbx rm -a somename
	assert_failure 125
	assert_output "toolbox: error: option --all takes no names (got somename)"
	run tbx rm --bogus x
	assert_failure 125
	run tbx rm --help
	assert_success
	assert_output --partial "toolbox rm"
}

@test "rm --all: every toolbox container but the running ones; --force takes those too" {
	iso_setup
	ipm create --name tbt-iso-a --label com.github.containers.toolbox=true \
		"$TB_IMAGE_BUSYBOX" true >/dev/null
	ipm create --name tbt-iso-old --label com.github.debarshiray.toolbox=true \
		"$TB_IMAGE_BUSYBOX" true >/dev/null
	ipm create --name tbt-iso-plain "$TB_IMAGE_BUSYBOX" true >/dev/null
	_running_toolbox ipm tbt-iso-run
	run itbx rm --all
	assert_failure 125
	assert_output "toolbox: error: container tbt-iso-run is running; stop it with 'podman stop tbt-iso-run' or use --force"
	run ipm ps -a --format '{{.Names}}'
	assert_output --partial tbt-iso-run
	assert_output --partial tbt-iso-plain
	refute_output --partial tbt-iso-a
	refute_output --partial tbt-iso-old
	run itbx rm -a -f
	assert_success
	run ipm ps -a --format '{{.Names}}'
	assert_output tbt-iso-plain
}

@test "rmi: toolbox images only; in use only with --force; --all" {
	iso_setup
	run itbx rmi "$TB_IMAGE_BUSYBOX"
	assert_failure 125
	assert_output "toolbox: error: image $TB_IMAGE_BUSYBOX is not a toolbox image (no label com.github.containers.toolbox=true); remove it with 'podman rmi $TB_IMAGE_BUSYBOX'"
	run itbx rmi localhost/tbt-no-such-image:1
	assert_failure 125
	assert_output "toolbox: error: image localhost/tbt-no-such-image:1 does not exist"

	ipm create --name tbt-iso-user --label com.github.containers.toolbox=true \
		localhost/tbt-rm-labelled:1 true >/dev/null
	run itbx rmi localhost/tbt-rm-labelled:1
	assert_failure 125
	assert_output --regexp "^toolbox: error: image localhost/tbt-rm-labelled:1 is in use by a container; remove the container first or use --force"
	run itbx rmi --all
	assert_failure 125
	assert_output "toolbox: error: image localhost/tbt-rm-labelled:1 is in use by 1 container(s); remove them first or use --force"
	run ipm image exists localhost/tbt-rm-labelled:1
	assert_success
	run itbx rmi --all --force
	assert_success
	run ipm image exists localhost/tbt-rm-labelled:1
	assert_failure
	run ipm container exists tbt-iso-user
	assert_failure
	# The other image is no toolbox image: still there.
	run ipm image exists "$TB_IMAGE_BUSYBOX"
	assert_success

	ipm build -q -t localhost/tbt-rm-labelled:2 -f "$ISO/Containerfile" "$ISO" >/dev/null
	run itbx rmi localhost/tbt-rm-labelled:2
	assert_success
	run ipm image exists localhost/tbt-rm-labelled:2
	assert_failure
}
