#!/usr/bin/env bats
# Interoperation with upstream Toolbx 0.0.99.3 (Debian's podman-toolbox, /usr/bin/toolbox):
# containers it creates (its own init, no toolbox-init inside, capsh only when the image
# has it) are entered and run by ours, and ours by it where it can. Runs rootful and
# rootless (run.sh).
#
# Toolbx 0.0.99.3 insists on a D-Bus system socket to bind-mount at create time; this
# host has no system bus, so the tests point DBUS_SYSTEM_BUS_ADDRESS at an empty file
# (nothing in these tests talks to the bus).

# shellcheck disable=SC2016,SC2154 # scripts in single quotes run in the container; bats sets $stderr

bats_require_minimum_version 1.5.0
load helpers

TB_LAUNCHER=${TB_LAUNCHER:-$TB_TOOLBOX}
UPSTREAM=/usr/bin/toolbox

setup_file() {
	export TB_REGISTRY_DIR=$BATS_FILE_TMPDIR
	if [ ! -x "$TB_LAUNCHER" ]; then
		echo "launcher $TB_LAUNCHER missing: build it (make) or set TB_LAUNCHER" >&2
		return 1
	fi
	if ! "$UPSTREAM" --version | grep -q '^toolbox version'; then
		echo "upstream Toolbx ($UPSTREAM, apt podman-toolbox) is missing" >&2
		return 1
	fi
	TB_FAKE_BUS=$(mktemp /tmp/tbt-fake-bus.XXXXXX)
	chmod 0644 "$TB_FAKE_BUS"
	export TB_FAKE_BUS
	U=$(tb_name upstream)
	export U
	echo "$U" >>"$(_tb_registry)"
	as_user env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$TB_FAKE_BUS" \
		"$UPSTREAM" -y create --image "$TB_IMAGE_SUDO" "$U" >/dev/null
}

teardown_file() {
	TB_REGISTRY_DIR=$BATS_FILE_TMPDIR tb_cleanup
	rm -f "$TB_FAKE_BUS"
}

teardown() {
	tb_cleanup
}

_upstream() {
	as_user env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$TB_FAKE_BUS" "$UPSTREAM" "$@"
}

@test "toolbx: ours runs commands in a container Toolbx created, cold then warm" {
	pm stop -t 0 "$U" >/dev/null 2>&1 || true
	run --separate-stderr as_user "$TB_LAUNCHER" run -c "$U" sh -c 'id -un; echo "$TOOLBOX_PATH"'
	assert_success
	assert_line --index 0 "$TB_USER"
	run --separate-stderr as_user "$TB_LAUNCHER" run -c "$U" sh -c 'exit 42'
	assert_failure 42
	run -127 as_user "$TB_LAUNCHER" run -c "$U" no-such-command-tbt
	run bash -c "$(declare -f as_user); echo piped | as_user $TB_LAUNCHER run -c $U cat"
	assert_success
	assert_output piped
	# The warm state knows it is Toolbx's: no toolbox-init inside.
	grep -q '^kind=toolbx$' "$TB_STAMP_DIR/launcher/$U.state"
}

@test "toolbx: ours enters a container Toolbx created (login shell, status)" {
	run as_user "$TB_LAUNCHER" enter "$U" <<<'echo "in=$(id -un)"; exit 6'
	assert_failure 6
	assert_output "in=$TB_USER"
}

@test "toolbx: the working directory falls back to \$HOME with a note" {
	local d
	d=$(mktemp -d /var/tmp/tbt-hostonly.XXXXXX)
	chmod 0755 "$d"
	run --separate-stderr as_user sh -c "cd $d && exec $TB_LAUNCHER run -c $U pwd"
	rmdir "$d"
	assert_success
	assert_output "$TB_HOME"
	assert_regex "$stderr" "directory $d does not exist in the container"
}

@test "toolbx: closing the terminal ends a session in a Toolbx container" {
	local tag=$((9000 + RANDOM % 1000)) sp p
	as_user script -qfec "$TB_LAUNCHER run -c $U sleep $tag" /dev/null </dev/null \
		>/dev/null 2>&1 3>&- &
	for _ in $(seq 150); do
		pgrep -f "^sleep $tag\$" >/dev/null && break
		sleep 0.1
	done
	sp=$(pgrep -n -f "^script -qfec $TB_LAUNCHER run -c $U sleep $tag")
	[ -n "$sp" ] || fail "the session did not start"
	kill -KILL "$sp"
	for _ in $(seq 150); do
		pgrep -f "^sleep $tag\$" >/dev/null || break
		sleep 0.1
	done
	if pgrep -f "^sleep $tag\$" >/dev/null; then
		for p in $(pgrep -f "^sleep $tag\$"); do kill "$p"; done
		fail "sleep $tag outlived its terminal"
	fi
}

@test "toolbx: upstream Toolbx runs commands in a container ours created" {
	local n
	n=$(tb_name ours)
	echo "$n" >>"$(_tb_registry)"
	run --separate-stderr as_user env TOOLBOX_INIT="$TB_INIT" "$TB_LAUNCHER" create \
		-i "$TB_IMAGE_SUDO" "$n"
	assert_success
	# Toolbx wraps every command in `capsh --caps=""`, which Toolbx's images have and
	# the Debian test images lack: give the container the host's (libcap2 is there).
	pm cp /usr/sbin/capsh "$n:/usr/sbin/capsh"
	run _upstream run -c "$n" sh -c 'id -un; echo upstream-ok'
	assert_success
	assert_line "$TB_USER"
	assert_line upstream-ok
}
