#!/usr/bin/env bats
# Host sockets a session must reach: the user's runtime dir (Wayland, PipeWire, session bus,
# ssh-agent, gpg-agent live there), the system bus, X11. Real sockets served on the host,
# connected to from a session in the container.

bats_require_minimum_version 1.5.0
load helpers

_serve() { # PATH REPLY [socat-user]: a Unix socket on the host answering REPLY
	local path=$1 reply=$2
	rm -f "$path"
	if [ "${3:-}" = user ]; then
		as_user socat "UNIX-LISTEN:$path,fork,mode=600" "SYSTEM:echo $reply" 3>&- &
	else
		socat "UNIX-LISTEN:$path,fork,mode=777" "SYSTEM:echo $reply" 3>&- &
	fi
	echo $! >>"$BATS_TEST_TMPDIR/pids"
	for _ in $(seq 50); do
		[ -S "$path" ] && return 0
		sleep 0.05
	done
	fail "socat did not create $path"
}

teardown() {
	local pid
	if [ -f "$BATS_TEST_TMPDIR/pids" ]; then
		while read -r pid; do
			pkill -P "$pid" 2>/dev/null || true
			kill "$pid" 2>/dev/null || true
		done <"$BATS_TEST_TMPDIR/pids"
	fi
	rm -f "$TB_RUNTIME_DIR/tb-test-$BATS_TEST_NUMBER.sock" /tmp/.X11-unix/X7"$BATS_TEST_NUMBER"
	tb_cleanup
}

@test "sockets: a socket in the user's runtime dir made after start is reachable" {
	name=$(tb_name)
	tb_create "$name" "$TB_IMAGE_MINBASE"
	tb_wait_ready "$name"
	sock=$TB_RUNTIME_DIR/tb-test-$BATS_TEST_NUMBER.sock
	_serve "$sock" agent-says-hi user

	run tb_exec "$name" "$TB_PROBE_IN" --connect "$sock"
	assert_success
	assert_line connect=ok
	assert_line read=agent-says-hi
}

@test "sockets: the system bus started after the container is reachable" {
	mkdir -p /run/dbus
	if ! pgrep -x dbus-daemon >/dev/null; then
		rm -f /run/dbus/pid /run/dbus/system_bus_socket
		started=1
	fi
	name=$(tb_name)
	tb_create "$name" "$TB_IMAGE_MINBASE"
	tb_wait_ready "$name"
	if [ -n "${started:-}" ]; then
		dbus-daemon --system --fork --print-pid >"$BATS_TEST_TMPDIR/pids"
	fi

	run tb_exec "$name" "$TB_PROBE_IN" --connect /run/dbus/system_bus_socket
	assert_success
	assert_line connect=ok
}

@test "sockets: X11 sockets in /tmp/.X11-unix are reachable" {
	install -d -m 1777 /tmp/.X11-unix
	name=$(tb_name)
	tb_create "$name" "$TB_IMAGE_MINBASE"
	tb_wait_ready "$name"
	_serve "/tmp/.X11-unix/X7$BATS_TEST_NUMBER" x11-says-hi

	run tb_exec "$name" "$TB_PROBE_IN" --connect "/tmp/.X11-unix/X7$BATS_TEST_NUMBER"
	assert_success
	assert_line connect=ok
	assert_line read=x11-says-hi
}
