#!/usr/bin/env bats
# The two ways `toolbox run` gets into a running container, side by side: the init's exec
# socket (--exec=socket, the default when it answers) and podman exec (--exec=podman).
# What the command is given must be the same either way: identity, capabilities,
# environment, working directory, rlimits, signal state, exit statuses, signals, the
# terminal and stdin. Plus the socket itself: fallback, refusals, permissions.
# Runs rootful and rootless (run.sh).

# shellcheck disable=SC2016,SC2154 # scripts in single quotes run in the container

bats_require_minimum_version 1.5.0
load helpers

TB_LAUNCHER=${TB_LAUNCHER:-$TB_TOOLBOX}

setup_file() {
	export TB_REGISTRY_DIR=$BATS_FILE_TMPDIR
	C=$(tb_name paths)
	export C
	tb_create "$C" "$TB_IMAGE_SUDO"
	tb_wait_ready "$C" 60
	ID=$(pm inspect --format '{{.Id}}' "$C")
	export ID
}

teardown_file() {
	TB_REGISTRY_DIR=$BATS_FILE_TMPDIR tb_cleanup
}

teardown() {
	tb_cleanup
	[ -z "${TB_UTMP:-}" ] || rm -rf "$TB_UTMP"
}

_user_tmp() {
	TB_UTMP=$(mktemp -d /tmp/tbt-paths.XXXXXX)
	chmod 0777 "$TB_UTMP"
}

# The launcher as the mode's user, from directory $TB_CWD (default: the home directory).
tbx() {
	as_user sh -c 'cd "$1" && shift && exec "$@"' sh "${TB_CWD:-$TB_HOME}" "$TB_LAUNCHER" "$@"
}

_socket() {
	echo "$TB_STAMP_DIR/exec/$ID.sock"
}

# What the probe reports, minus what differs between any two processes (pids) and what
# the fds point to: podman exec puts conmon's pipes there, the socket the caller's own.
_probe_both() { # ARGS...: sets $socket_out and $podman_out
	run --separate-stderr tbx run --exec=socket -c "$C" "$TB_PROBE_IN" "$@"
	assert_success
	socket_out=$(grep -Ev '^(pid|ppid|pgid|sid|fd\.[0-9]+)=' <<<"$output")
	run --separate-stderr tbx run --exec=podman -c "$C" "$TB_PROBE_IN" "$@"
	assert_success
	podman_out=$(grep -Ev '^(pid|ppid|pgid|sid|fd\.[0-9]+)=' <<<"$output")
}

@test "paths: the exec socket is there, the user's, 0600, in a 0700 directory" {
	local s
	s=$(_socket)
	[ -S "$s" ]
	assert_equal "$(stat -c '%a %u' "$s")" "600 $TB_UID"
	assert_equal "$(stat -c '%a %u' "$(dirname "$s")")" "700 $TB_UID"
}

@test "paths: same ids, groups, capabilities, seccomp, signals, umask, rlimits, cwd, fds" {
	_probe_both
	diff -u <(echo "$podman_out") <(echo "$socket_out")
	assert_equal "$(probe_val uid "$socket_out")" "$TB_UID"
	# A user has no capabilities in effect (root keeps the container's, both ways).
	[ "$TB_UID" = 0 ] || assert_equal "$(probe_val CapEff "$socket_out")" 0000000000000000
	assert_equal "$(probe_val NoNewPrivs "$socket_out")" 0
	assert_equal "$(probe_val fds "$socket_out")" 0,1,2
	# Through the socket, stdout is the caller's own pipe: nothing copies it.
	run bash -c "$(declare -f tbx as_user); TB_MODE=$TB_MODE TB_USER=$TB_USER \
		TB_HOME=$TB_HOME TB_LAUNCHER=$TB_LAUNCHER; \
		tbx run --exec=socket -c $C readlink /proc/self/fd/1; readlink /proc/self/fd/1"
	assert_equal "${lines[0]}" "${lines[1]}"
	assert_equal "$(probe_val cwd "$socket_out")" "$TB_HOME"
}

@test "paths: the same environment (allow-list, --env, --unset-env, the container's)" {
	local socket_env podman_env
	_probe_both --env
	socket_env=$(grep '^env\.' <<<"$socket_out" | sort)
	podman_env=$(grep '^env\.' <<<"$podman_out" | sort)
	diff -u <(echo "$podman_env") <(echo "$socket_env")
	grep -q "^env.HOME=$TB_HOME\$" <<<"$socket_env"
	grep -q '^env.container=' <<<"$socket_env"

	run --separate-stderr as_user env TBT_X=1 LANG=C.UTF-8 "$TB_LAUNCHER" run --exec=socket \
		-c "$C" --env TBT_Y=2 --env TBT_X --unset-env LANG sh -c 'echo "$TBT_X $TBT_Y ${LANG-unset}"'
	assert_success
	assert_output "1 2 unset"
}

@test "paths: the working directory is kept, or the home directory with the same note" {
	local d
	d=$(mktemp -d /var/tmp/tbt-hostonly.XXXXXX)
	chmod 0755 "$d"
	TB_CWD=/run run --separate-stderr tbx run --exec=socket -c "$C" pwd
	assert_output /run
	TB_CWD=$d run --separate-stderr tbx run --exec=socket -c "$C" pwd
	local socket_err=$stderr socket_pwd=$output
	TB_CWD=$d run --separate-stderr tbx run --exec=podman -c "$C" pwd
	rmdir "$d"
	assert_equal "$socket_pwd" "$output"
	assert_equal "$socket_err" "$stderr"
	assert_equal "$socket_pwd" "$TB_HOME"
}

@test "paths: exit statuses 0..255 through the socket; a sample, 126, 127, 128+N both ways" {
	local i
	# One session per status is cheap on the socket.
	for i in $(seq 0 255); do
		run -"$i" tbx run --exec=socket -c "$C" sh -c "exit $i"
	done
	for path in socket podman; do
		for i in 1 42 125 254; do
			run -"$i" tbx run --exec=$path -c "$C" sh -c "exit $i"
		done
		run -127 tbx run --exec=$path -c "$C" no-such-command-tbt
		assert_output --partial "no-such-command-tbt"
		run -126 tbx run --exec=$path -c "$C" /etc/passwd
		run -143 tbx run --exec=$path -c "$C" sh -c 'kill -TERM $$'
		run -137 tbx run --exec=$path -c "$C" sh -c 'kill -KILL $$'
		run -138 tbx run --exec=$path -c "$C" sh -c 'kill -USR1 $$'
	done
}

@test "paths: signals to the launcher reach the command, both ways" {
	local path sig out
	_user_tmp
	for path in socket podman; do
		for sig in TERM INT HUP USR1 USR2; do
			out=$TB_UTMP/$path-$sig
			as_user "$TB_LAUNCHER" run --exec=$path -c "$C" sh -c \
				"trap 'echo got-$sig >$out; exit 7' $sig; echo ready >$out.r; sleep 30 & wait" &
			local pid=$!
			local i
			for ((i = 0; i < 100; i++)); do
				[ -s "$out.r" ] && break
				sleep 0.05
			done
			[ -s "$out.r" ] || fail "$path: the command did not start"
			# The launcher is the user's process: its pid is the newest of that name.
			kill -"$sig" "$(pgrep -n -u "$TB_UID" -f "$TB_LAUNCHER run --exec=$path")"
			wait "$pid" || true
			assert_equal "$(cat "$out")" "got-$sig"
		done
	done
}

@test "paths: a terminal when stdin and stdout are terminals: a pty of the container, the user's" {
	local path
	for path in socket podman; do
		run as_user script -qec "$TB_LAUNCHER run --exec=$path -c $C sh -c 'test -t 0 && test -t 1 && test -t 2 && echo tty=\$(tty) && stat -c owner=%u /proc/self/fd/0 && stty size'" /dev/null
		assert_success
		assert_output --regexp "tty=/dev/pts/[0-9]+"
		assert_output --partial "owner=$TB_UID"
	done
	# The window size follows the caller's terminal.
	run as_user script -qec "stty rows 33 cols 111; $TB_LAUNCHER run --exec=socket -c $C stty size" /dev/null
	assert_success
	assert_output --partial "33 111"
}

@test "paths: no terminal without one; stdin is piped intact (10 MB), both ways" {
	local path sum
	_user_tmp
	head -c 10000000 /dev/urandom >"$TB_UTMP/in"
	chmod 0644 "$TB_UTMP/in"
	sum=$(sha256sum <"$TB_UTMP/in" | cut -d' ' -f1)
	for path in socket podman; do
		run as_user sh -c "$TB_LAUNCHER run --exec=$path -c $C sha256sum <$TB_UTMP/in"
		assert_success
		assert_output "$sum  -"
		run tbx run --exec=$path -c "$C" sh -c 'test -t 0 || echo no-tty'
		assert_output no-tty
	done
}

@test "paths: --preserve-fds passes fds 3.. through the socket" {
	run as_user bash -c "exec 3<<<fd-three; $TB_LAUNCHER run --exec=socket --preserve-fds 1 -c $C sh -c 'cat <&3'"
	assert_success
	assert_output fd-three
}

@test "paths: auto falls back to podman exec, silently, when the socket is gone" {
	local s
	s=$(_socket)
	mv "$s" "$s.away"
	run --separate-stderr tbx run -c "$C" sh -c 'echo fell-back'
	local st=$status
	mv "$s.away" "$s"
	assert_equal "$st" 0
	assert_output fell-back
	assert_equal "$stderr" ""
	# --exec=socket says what is wrong instead.
	mv "$s" "$s.away"
	run --separate-stderr tbx run --exec=socket -c "$C" true
	st=$status
	mv "$s.away" "$s"
	assert_equal "$st" 125
	[[ $stderr == *"exec socket"* ]] || fail "no message: $stderr"
}

@test "paths: toolbox.conf exec = \"podman\" turns the socket off; a bad value is an error" {
	local conf=$TB_HOME/.config/containers/toolbox.conf
	as_user mkdir -p "$(dirname "$conf")"
	[ ! -e "$conf" ] || fail "$conf exists already"
	printf '[general]\nexec = "podman"\n' >"$conf"
	chown "$TB_UID" "$conf"
	_user_tmp
	run as_user "${TB_STRACE[@]}" -f -qq -e trace=execve -o "$TB_UTMP/trace" "$TB_LAUNCHER" run -c "$C" true
	local out
	out=$(cat "$TB_UTMP/trace")
	printf '[general]\nexec = "fast"\n' >"$conf"
	run --separate-stderr tbx run -c "$C" true
	rm -f "$conf"
	grep -q 'podman", "exec"' <<<"$out" || fail "podman exec not used: $out"
	assert_equal "$status" 125
	[[ $stderr == *'exec = "fast"'* ]] || fail "no message: $stderr"
}

@test "paths: --exec takes auto, socket or podman only" {
	run --separate-stderr tbx run --exec=quick -c "$C" true
	assert_failure 125
	[[ $stderr == *"'--exec'"* ]] || fail "$stderr"
}

@test "paths: another user is refused by the socket itself" {
	# The directories keep others out; behind them, the server checks the peer's uid.
	local s dirs
	s=$(_socket)
	run runuser -u nobody -- "$TB_PROBE" --connect "$s"
	assert_output --partial "connect=error"
	# With the path opened up, the server still refuses, and says why.
	dirs=("$TB_RUNTIME_DIR" "$TB_STAMP_DIR" "$(dirname "$s")")
	chmod 0711 "${dirs[@]}"
	chmod 0666 "$s"
	run runuser -u nobody -- env TOOLBOX_RELAY_SOCKET="$s" "$TB_INIT" host-spawn true
	chmod 0700 "${dirs[@]}"
	chmod 0600 "$s"
	assert_failure 125
	assert_output --partial "serves uid $TB_UID only"
}

@test "paths: a request that is not toolbox-init exec is refused without running anything" {
	# The socket speaks the relay's protocol: host-spawn (its client) aimed at it asks
	# for a bare command, which the server refuses.
	run as_user env TOOLBOX_RELAY_SOCKET="$(_socket)" "$TB_INIT" host-spawn touch /tmp/tbt-never
	assert_failure
	[ ! -e /tmp/tbt-never ]
	run tbx run --exec=socket -c "$C" test -e /tmp/tbt-never
	assert_failure 1
}

@test "paths: the session's process tree ends when the launcher is killed" {
	_user_tmp
	as_user "$TB_LAUNCHER" run --exec=socket -c "$C" sh -c "echo \$\$ >$TB_UTMP/pid; sleep 300" &
	local i
	for ((i = 0; i < 100; i++)); do
		[ -s "$TB_UTMP/pid" ] && break
		sleep 0.05
	done
	kill -KILL "$(pgrep -n -u "$TB_UID" -f "$TB_LAUNCHER run --exec=socket")"
	wait || true
	# SIGHUP then SIGTERM: gone within the grace period.
	for ((i = 0; i < 60; i++)); do
		pgrep -f "sleep 300" >/dev/null || break
		sleep 0.1
	done
	run pgrep -f "sleep 300"
	assert_failure
}

@test "paths: toolbox rm takes the container's socket, state and stamp with it" {
	local n id
	n=$(tb_name gone)
	tb_create "$n" "$TB_IMAGE_MINBASE"
	tb_wait_ready "$n" 60
	id=$(pm inspect --format '{{.Id}}' "$n")
	run tbx run -c "$n" true
	assert_success
	[ -S "$TB_STAMP_DIR/exec/$id.sock" ]
	[ -f "$TB_STAMP_DIR/launcher/$n.state" ]
	run tbx rm --force "$n"
	assert_success
	[ ! -e "$TB_STAMP_DIR/exec/$id.sock" ]
	[ ! -e "$TB_STAMP_DIR/launcher/$n.state" ]
	[ ! -e "$TB_STAMP_DIR/container-initialized-$id" ]
}
