#!/usr/bin/env bats
# The host-command relay (issue 4, docs/INTERFACES.md "Host-command relay"): host-spawn and
# flatpak-spawn --host in a real toolbox container, talking to a real `toolbox relay serve`
# on the host as the mode's user. Rootful and rootless (tests/integration/run.sh).
#
# The relay of this file listens on its own socket (passed to the container's commands
# in TOOLBOX_RELAY_SOCKET), with a short grace period, so that it is this build's relay and
# nobody else's; the default socket is covered by the `relay start` test.

# shellcheck disable=SC2016,SC2154 # scripts in single quotes run in the container; bats sets $stderr

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	export TB_REGISTRY_DIR=$BATS_FILE_TMPDIR
	TB_RELAY_C=$(tb_name relay)
	TB_RELAY_SOCK=$TB_RUNTIME_DIR/toolbox/relay-bats-$$.sock
	TB_RELAY_LOG=$BATS_FILE_TMPDIR/relay.log
	export TB_RELAY_C TB_RELAY_SOCK TB_RELAY_LOG
	tb_create "$TB_RELAY_C" "$TB_IMAGE_MINBASE"
	_relay_serve "$TB_RELAY_SOCK" "$TB_RELAY_LOG"
	tb_wait_ready "$TB_RELAY_C" 60
}

teardown_file() {
	_relay_stop "$TB_RELAY_SOCK"
	TB_REGISTRY_DIR=$BATS_FILE_TMPDIR tb_cleanup
}

# The per-test teardown of helpers.bash would remove the shared container; stop the
# relays a test started (listed in $BATS_TEST_TMPDIR/relays), even when it failed.
teardown() {
	local sock
	if [ -f "$BATS_TEST_TMPDIR/relays" ]; then
		while read -r sock; do
			_relay_stop "$sock"
			rm -f "$sock"
		done <"$BATS_TEST_TMPDIR/relays"
	fi
	tb_cleanup # the containers of this test only (its own registry)
}

# Start `toolbox relay serve` as the mode's user on SOCKET, logging to LOG; wait for it.
_relay_serve() { # SOCKET LOG [SERVE-OPTION...]
	local sock=$1 log=$2 i
	shift 2
	as_user "$TB_TOOLBOX" --log-level debug relay serve --socket "$sock" --grace-ms 300 \
		--idle-timeout 0 "$@" >"$log" 2>&1 3>&- &
	for i in $(seq 100); do
		[ -S "$sock" ] && [ -f "$sock.pid" ] && return 0
		sleep 0.05
	done
	echo "relay did not start on $sock:"
	cat "$log"
	return 1
}

_relay_stop() { # SOCKET
	local pid
	pid=$(cat "$1.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	rm -f "$1.lock"
}

# CMD... in the shared container as the user, talking to this file's relay.
_in() {
	tb_exec "--env=TOOLBOX_RELAY_SOCKET=$TB_RELAY_SOCK" "$TB_RELAY_C" "$@"
}

# A process is gone when it is not there or a zombie (reaped by someone else later).
_gone() { # PID
	local st
	st=$(sed -n 's/^.*) \(.\).*$/\1/p' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$st" ] || [ "$st" = Z ]
}

@test "relay: host-spawn runs the command on the host, and init-container linked it" {
	local host_ns
	host_ns=$(readlink /proc/self/ns/mnt)
	run _in readlink /usr/local/bin/host-spawn /usr/local/bin/flatpak-spawn
	assert_success
	assert_output $'/usr/bin/toolbox-init\n/usr/bin/toolbox-init'
	run _in host-spawn readlink /proc/self/ns/mnt
	assert_success
	assert_output "$host_ns"
	run _in readlink /proc/self/ns/mnt
	refute_output "$host_ns"
	# the host's /etc/hostname, not the container's
	run _in host-spawn uname -n
	assert_output "$(uname -n)"
}

@test "relay: the host command starts clean: fds 0-2, no blocked or ignored signal, own group" {
	# The probe (static, on the host at $TB_PROBE) lists its fds without a child of its own
	# (a shell pipeline would show its own pipe for a moment).
	run _in bash -c "trap '' USR1; host-spawn $TB_PROBE 7>/dev/null"
	assert_success
	assert_equal "$(probe_val SigBlk)" 0000000000000000
	assert_equal "$(probe_val SigIgn)" 0000000000000000
	assert_equal "$(probe_val fds)" 0,1,2
	assert_equal "$(probe_val pgid)" "$(probe_val pid)"
}

@test "relay: exit statuses 0..255 and 128+N for signals round-trip" {
	run _in bash -c '
		for i in $(seq 0 255); do
			host-spawn sh -c "exit $i"; s=$?
			[ "$s" = "$i" ] || echo "status $i came back as $s"
		done
		for n in 1 2 3 6 9 10 12 13 14 15; do
			host-spawn sh -c "kill -$n \$\$"; s=$?
			[ "$s" = $((128 + n)) ] || echo "signal $n came back as $s"
		done
		echo done'
	assert_success
	assert_output done
}

@test "relay: 100 MB on stdin arrive intact" {
	run _in bash -c '
		head -c 104857600 /dev/urandom >/tmp/relay-blob
		a=$(sha256sum </tmp/relay-blob)
		b=$(cat /tmp/relay-blob | host-spawn sha256sum)
		rm -f /tmp/relay-blob
		echo "$a"; echo "$b"
		[ "$a" = "$b" ] && [ ${#a} -gt 64 ]'
	assert_success
}

@test "relay: stdout and stderr stay separate" {
	run --separate-stderr _in host-spawn sh -c 'echo out; echo err >&2; exit 4'
	assert_failure 4
	assert_output out
	[ "$stderr" = err ]
}

@test "relay: with a terminal, the host command gets a host pty" {
	local host_devpts
	host_devpts=$(stat -c %d /dev/pts/ptmx)
	run _in bash -c 'script -qc "host-spawn sh -c \"tty; stat -L -c %d /proc/self/fd/0\"" /dev/null \
		< <(sleep 20) | tr -d "\r"; echo "container $(stat -c %d /dev/pts/ptmx)"'
	assert_success
	assert_line --index 0 --regexp '^/dev/pts/[0-9]+$'
	assert_line --index 1 "$host_devpts"
	refute_line "container $host_devpts"
	# without a terminal, no pty
	run _in host-spawn tty
	assert_output "not a tty"
}

@test "relay: the host command sees the window size, and its changes" {
	run _in bash -c 'script -qc "stty rows 33 cols 111; host-spawn stty size" /dev/null \
		< <(sleep 20) | tr -d "\r"'
	assert_success
	assert_output "33 111"
	run _in bash -c 'script -qc "(sleep 1; stty rows 40 cols 100 </dev/tty) & host-spawn sh -c \"sleep 3; stty size\"" \
		/dev/null < <(sleep 20) | tr -d "\r"'
	assert_success
	assert_output "40 100"
}

@test "relay: Ctrl-C on the terminal reaches the host command" {
	run _in bash -c 'script -qc "host-spawn sh -c \"trap \\\"echo got INT; exit 5\\\" INT; echo ready; sleep 10\"" \
		/dev/null < <(sleep 1.5; printf "\003"; sleep 20) | tr -d "\r"'
	assert_output --partial ready
	assert_output --partial "got INT"
}

@test "relay: Ctrl-Z stops the host command and host-spawn with it; fg continues both" {
	run _in bash -c '
		feed() {
			sleep 1
			echo "host-spawn sh -c \"sleep 1; echo one; sleep 2; echo two\""
			sleep 1.5
			printf "\032"
			sleep 1
			echo fg
			sleep 4
			echo "echo rc=\$?"
			sleep 0.3
			echo exit
			sleep 10 # no end of file: script(1) may then lose what is still unread
		}
		script -qfc "bash --norc -i" /dev/null < <(feed) | tr -d "\r"'
	assert_success
	assert_output --partial one
	assert_output --regexp 'Stopped +host-spawn'
	assert_line two
	assert_output --partial rc=0
}

@test "relay: flatpak-spawn --host --env --directory" {
	run _in flatpak-spawn --host --env=A=B --directory=/tmp sh -c 'echo $A; pwd'
	assert_success
	assert_output $'B\n/tmp'
	run _in flatpak-spawn --host --clear-env --env=ONLY=1 /usr/bin/env
	assert_success
	assert_output "ONLY=1"
	run _in flatpak-spawn sh -c true
	assert_failure 2
	assert_output --partial "only --host is supported"
}

@test "relay: the working directory is mapped to the host" {
	run _in sh -c 'cd /run/host/etc && host-spawn pwd'
	assert_success
	assert_output /etc
	run _in sh -c "cd '$TB_HOME' && host-spawn pwd"
	assert_output "$TB_HOME"
	# (the container's /var/tmp is its own; its /tmp is the host's)
	run --separate-stderr _in sh -c 'cd "$(mktemp -d /var/tmp/tb-relay-only.XXXXXX)" && host-spawn pwd'
	assert_success
	assert_output "$TB_HOME"
	[[ $stderr == *"directory /var/tmp/tb-relay-only."*" does not exist on the host; using $TB_HOME"* ]]
}

@test "relay: argv and environment are byte strings; long ones pass" {
	run _in bash -c 'host-spawn printf "%s" $'"'"'\xff\xfe\x80'"'"' | od -An -tx1'
	assert_success
	assert_output " ff fe 80"
	run _in bash -c 'big=$(head -c 120000 /dev/zero | tr "\0" a); host-spawn sh -c "echo \${#1} \$#" sh "$big" $(seq 3000)'
	assert_success
	assert_output "120000 3001"
	# (built in the container: podman exec's own argv is UTF-8 only)
	run _in bash -c 'export V=$'"'"'\xff'"'"'; host-spawn -env V sh -c "printf %s \"\$V\" | od -An -tx1"'
	assert_output " ff"
}

@test "relay: killing the client ends the host process group" {
	local f=$TB_HOME/.tb-relay-pids-$$ leader child
	rm -f "$f"
	run _in bash -c "host-spawn sh -c 'echo \$\$ >$f.tmp; sleep 1000 & echo \$! >>$f.tmp; mv $f.tmp $f; wait' &
		for i in \$(seq 100); do [ -f $f ] && break; sleep 0.05; done
		kill -9 \$!"
	assert_success
	read -r leader <"$f"
	child=$(sed -n 2p "$f")
	rm -f "$f"
	for _ in $(seq 40); do
		_gone "$leader" && _gone "$child" && break
		sleep 0.05
	done
	_gone "$leader"
	_gone "$child"
}

@test "relay: a command that ignores SIGHUP and SIGTERM is killed after the grace period" {
	local f=$TB_HOME/.tb-relay-pids-$$ leader
	rm -f "$f"
	run _in bash -c "host-spawn sh -c 'trap \"\" HUP TERM; echo \$\$ >$f; while :; do sleep 0.05; done' &
		for i in \$(seq 100); do [ -s $f ] && break; sleep 0.05; done
		kill -9 \$!"
	read -r leader <"$f"
	rm -f "$f"
	sleep 0.2
	! _gone "$leader"
	for _ in $(seq 60); do
		_gone "$leader" && break
		sleep 0.05
	done
	_gone "$leader"
}

@test "relay: signals to the client are forwarded" {
	run _in bash -c 'f=$(mktemp)
		host-spawn sh -c "trap \"echo got INT; exit 3\" INT; trap \"echo got USR1\" USR1; echo ready; while :; do sleep 0.05; done" >$f &
		p=$!
		for i in $(seq 100); do grep -q ready $f && break; sleep 0.05; done
		kill -USR1 $p; sleep 0.3; kill -INT $p; wait $p; echo "status $?"; cat $f; rm -f $f'
	assert_success
	assert_line "status 3"
	assert_line "got USR1"
	assert_line "got INT"
}

@test "relay: a stopped host command does not hang a client that cannot stop" {
	# podman exec's process group is orphaned: SIGTSTP cannot stop the client, so it
	# lets the host command go on.
	run _in timeout --foreground 20 host-spawn sh -c 'kill -TSTP $$; echo resumed'
	assert_success
	assert_output resumed
}

@test "relay: 50 concurrent commands all return their own status" {
	run _in bash -c '
		for i in $(seq 1 50); do host-spawn sh -c "sleep 0.5; exit $i" & p[$i]=$!; done
		bad=0
		for i in $(seq 1 50); do wait ${p[$i]}; s=$?; [ $s = $i ] || { echo "$i: $s"; bad=1; }; done
		echo "bad=$bad"'
	assert_success
	assert_output "bad=0"
}

@test "relay: a connection from another uid is refused" {
	if [ "$TB_MODE" = rootful ]; then
		# Another user who may open the socket (CAP_DAC_OVERRIDE) is still refused.
		run setpriv --reuid="$(id -u "$TB_TEST_USER")" --regid="$(id -g "$TB_TEST_USER")" \
			--clear-groups --inh-caps=+dac_override --ambient-caps=+dac_override -- \
			env TOOLBOX_RELAY_SOCKET="$TB_RELAY_SOCK" "$TB_INIT" host-spawn true
		assert_failure 125
		assert_output --partial "uid $(id -u "$TB_TEST_USER") may not use the relay of uid 0"
		# root in a rootful container is root on the host: served
		run pm exec --user root "--env=TOOLBOX_RELAY_SOCKET=$TB_RELAY_SOCK" "$TB_RELAY_C" \
			/usr/bin/toolbox-init host-spawn id -u
		assert_success
		assert_output 0
	else
		# root on the host is another uid for the user's relay
		run env TOOLBOX_RELAY_SOCKET="$TB_RELAY_SOCK" "$TB_INIT" host-spawn true
		assert_failure 125
		assert_output --partial "uid 0 may not use the relay of uid $TB_UID"
		# root in a rootless container is a subordinate uid on the host: refused
		run pm exec --user root "--env=TOOLBOX_RELAY_SOCKET=$TB_RELAY_SOCK" "$TB_RELAY_C" \
			/usr/bin/toolbox-init host-spawn id -u
		assert_failure 125
		assert_output --regexp "uid [0-9]+ may not use the relay of uid $TB_UID"
	fi
	grep -q "refused a connection from uid" "$TB_RELAY_LOG"
}

@test "relay: malformed and truncated messages are answered and do not hurt the relay" {
	run as_user sh -c "printf 'garbage!' | socat -t2 - UNIX-CONNECT:$TB_RELAY_SOCK,socktype=5 | tail -c +13"
	assert_output "malformed HELLO"
	# a HELLO cut short
	run as_user sh -c "printf '\001\000\000\000\010\000\000\000\001\000' | socat -t2 - UNIX-CONNECT:$TB_RELAY_SOCK,socktype=5 | od -An -tx1"
	assert_output --partial "02 00 00 00"
	# connect and go away without a word
	as_user socat -u /dev/null "UNIX-CONNECT:$TB_RELAY_SOCK,socktype=5"
	run _in host-spawn echo still serving
	assert_success
	assert_output "still serving"
}

@test "relay: a symlink to host-spawn runs its own name on the host" {
	local d=$TB_HOME/.tb-relay-shims-$$
	run _in sh -c "mkdir -p $d && ln -sf /usr/local/bin/host-spawn $d/uname &&
		ln -sf /usr/bin/toolbox-init $d/notashim && PATH=$d:\$PATH uname -n"
	assert_success
	assert_output "$(uname -n)"
	run _in sh -c "cd $d && ./uname -s -n"
	assert_output "$(uname -s -n)"
	# a link straight to toolbox-init is toolbox-init, not a shim
	run _in "$d/notashim"
	rm -rf "$d"
	assert_failure 2
}

@test "relay: host-spawn --help, --version and usage errors" {
	run _in host-spawn --help
	assert_success
	assert_output --partial "Usage: host-spawn"
	run _in host-spawn -v
	assert_success
	assert_output --regexp '^host-spawn \(toolbox-init\) '
	run _in host-spawn
	assert_failure 2
	run _in host-spawn no-such-command-on-the-host
	assert_failure 127
	assert_output --partial "command not found on the host: no-such-command-on-the-host"
	run _in host-spawn /etc/passwd
	assert_failure 126
}

@test "relay: toolbox create --no-host-exec turns host commands off for that container" {
	local c
	c=$(tb_name off)
	tb_create --label=toolbox.no-host-exec=true "$c" "$TB_IMAGE_MINBASE"
	tb_wait_ready "$c" 60
	run tb_exec "--env=TOOLBOX_RELAY_SOCKET=$TB_RELAY_SOCK" "$c" host-spawn true
	assert_failure 126
	assert_output --partial "disabled for this container"
	# the answer is cached per container id
	[ -f "$TB_RUNTIME_DIR/toolbox/relay-policy/$(pm inspect --format '{{.Id}}' "$c")" ]
	run _in host-spawn true
	assert_success
	grep -q "spawn for uid $TB_UID, caller pid [0-9]* in container $TB_RELAY_C" "$TB_RELAY_LOG"
}

@test "relay: toolbox run starts the relay when nobody answers, and passes the socket on" {
	local sock=$TB_RUNTIME_DIR/toolbox/relay-bats-run-$$.sock pid
	rm -f "$sock"
	echo "$sock" >"$BATS_TEST_TMPDIR/relays"
	run as_user env TOOLBOX_RELAY_SOCKET="$sock" "$TB_TOOLBOX" run -c "$TB_RELAY_C" \
		host-spawn echo started by run
	assert_success
	assert_output "started by run"
	[ -S "$sock" ]
	pid=$(cat "$sock.pid")
	# warm: the same relay serves the next run
	run as_user env TOOLBOX_RELAY_SOCKET="$sock" "$TB_TOOLBOX" run -c "$TB_RELAY_C" \
		host-spawn true
	assert_success
	[ "$(cat "$sock.pid")" = "$pid" ]
	grep -q "relay $pid listening on $sock" "$TB_RUNTIME_DIR/toolbox/relay.log"
	# TOOLBOX_RELAY=0: not started
	_relay_stop "$sock"
	run as_user env TOOLBOX_RELAY=0 TOOLBOX_RELAY_SOCKET="$sock" "$TB_TOOLBOX" run \
		-c "$TB_RELAY_C" host-spawn true
	assert_failure 125
	assert_output --partial "cannot reach the toolbox relay"
}

@test "relay: systemd socket activation" {
	local sock=$TB_RUNTIME_DIR/toolbox/relay-bats-sd-$$.sock
	rm -f "$sock"
	echo "$sock" >"$BATS_TEST_TMPDIR/relays"
	as_user systemd-socket-activate --seqpacket -l "$sock" \
		"$TB_TOOLBOX" relay serve --socket "$sock" --idle-timeout 0 \
		>"$BATS_TEST_TMPDIR/sd.log" 2>&1 3>&- &
	for _ in $(seq 100); do
		[ -S "$sock" ] && break
		sleep 0.05
	done
	run tb_exec "--env=TOOLBOX_RELAY_SOCKET=$sock" "$TB_RELAY_C" host-spawn echo activated
	assert_success
	assert_output activated
	grep -q "socket activated" "$BATS_TEST_TMPDIR/sd.log"
	_relay_stop "$sock"
	rm -f "$sock"
}

@test "relay: start, status, stop, idle exit, and a private directory only" {
	local rd
	rd=$(mktemp -d /tmp/tb-relay-rundir.XXXXXX)
	chown "$TB_UID:$TB_GID" "$rd"
	chmod 0700 "$rd"
	run as_user env XDG_RUNTIME_DIR="$rd" "$TB_TOOLBOX" relay status
	assert_failure 1
	# While a toolbox container runs (the stamp of this file's), it stays.
	run as_user env XDG_RUNTIME_DIR="$rd" TOOLBOX_RELAY_IDLE_TIMEOUT=1 \
		TOOLBOX_RELAY_STAMPS_DIR="$TB_STAMP_DIR" "$TB_TOOLBOX" relay start
	assert_success
	assert_output "the relay answers on $rd/toolbox/relay.sock"
	[ "$(stat -c %a "$rd/toolbox")" = 700 ]
	[ "$(stat -c %a "$rd/toolbox/relay.sock")" = 600 ]
	run as_user env XDG_RUNTIME_DIR="$rd" "$TB_TOOLBOX" relay status
	assert_success
	assert_output --regexp "answers on $rd/toolbox/relay.sock \(pid [0-9]+\)"
	sleep 3
	run as_user env XDG_RUNTIME_DIR="$rd" "$TB_TOOLBOX" relay stop
	assert_success
	assert_output --partial "stopped the relay"
	[ ! -e "$rd/toolbox/relay.sock" ]
	# With no toolbox container (no stamps in $rd/toolbox), it exits when idle.
	run as_user env XDG_RUNTIME_DIR="$rd" TOOLBOX_RELAY_IDLE_TIMEOUT=1 \
		TOOLBOX_RELAY_STAMPS_DIR="$rd/toolbox" "$TB_TOOLBOX" relay start
	assert_success
	for _ in $(seq 80); do
		[ -S "$rd/toolbox/relay.sock" ] || break
		sleep 0.05
	done
	run as_user env XDG_RUNTIME_DIR="$rd" "$TB_TOOLBOX" relay status
	assert_failure 1
	grep -q "idle for 1s" "$rd/toolbox/relay.log"
	# a directory others may enter: refused, with the fix in the message
	chmod 0755 "$rd/toolbox"
	run as_user env XDG_RUNTIME_DIR="$rd" "$TB_TOOLBOX" relay serve
	assert_failure 125
	assert_output --partial "accessible by group or others (mode 0755)"
	assert_output --partial "chmod 700 $rd/toolbox"
	rm -rf "$rd"
}
