#!/usr/bin/env bats
# `toolbox run` (host/cmd_run.c, run_session.c, run_supervise.c) against real podman and
# one toolbox container made as Toolbx does (tb_create) from the Debian 12 minbase image:
# exit statuses, stdin/stdout, the working directory, the environment, the warm path
# (one podman execve, no probes), the cold path (start + wait on the stamps), init
# failures, signals and the terminal hangup. Runs rootful and rootless (run.sh).
#
# The launcher is $TB_LAUNCHER (default: the staged build/toolbox).

# shellcheck disable=SC2016,SC2154 # scripts in single quotes run in the container; bats sets $stderr

bats_require_minimum_version 1.5.0
load helpers

TB_LAUNCHER=${TB_LAUNCHER:-$TB_TOOLBOX}

setup_file() {
	export TB_REGISTRY_DIR=$BATS_FILE_TMPDIR
	if [ ! -x "$TB_LAUNCHER" ]; then
		echo "launcher $TB_LAUNCHER missing: build it (make) or set TB_LAUNCHER" >&2
		return 1
	fi
	C=$(tb_name run)
	export C
	tb_create "$C" "$TB_IMAGE_MINBASE"
	tb_wait_ready "$C" 60
}

teardown_file() {
	TB_REGISTRY_DIR=$BATS_FILE_TMPDIR tb_cleanup
}

# Per test: only what the test itself made (tb_create in a test registers there).
teardown() {
	tb_cleanup
	[ -z "${TB_UTMP:-}" ] || rm -rf "$TB_UTMP"
}

# A scratch directory the mode's user can write to (bats' own are root's, 0700).
_user_tmp() {
	TB_UTMP=$(mktemp -d /tmp/tbt-launcher.XXXXXX)
	chmod 0777 "$TB_UTMP"
}

# Kill what a test left running, by PID (the pattern holds the test's random tag).
_kill_tagged() {
	local p
	for p in $(pgrep -f "$1"); do
		kill "$p" 2>/dev/null || true
	done
}

# The launcher as the mode's user, from directory $TB_CWD (default /), with extra
# environment from $TB_ENV (words NAME=VALUE).
tbx() {
	# shellcheck disable=SC2086 # TB_ENV is a list of words
	as_user env ${TB_ENV:-} sh -c 'cd "$1" && shift && exec "$@"' sh "${TB_CWD:-/}" \
		"$TB_LAUNCHER" "$@"
}

# Wait until `pgrep -f PATTERN` finds something (or not, with -v), up to 15 s.
_wait_pgrep() {
	local neg=0 i
	if [ "$1" = -v ]; then
		neg=1
		shift
	fi
	for ((i = 0; i < 150; i++)); do
		if pgrep -f "$1" >/dev/null; then
			[ $neg = 0 ] && return 0
		else
			[ $neg = 1 ] && return 0
		fi
		sleep 0.1
	done
	return 1
}

_state_file() { # NAME
	echo "$TB_STAMP_DIR/launcher/$1.state"
}

@test "run: exit statuses are the command's (0, 1, 42), 126, 127 and 128+N" {
	run tbx run -c "$C" true
	assert_success
	run tbx run -c "$C" false
	assert_failure 1
	run tbx run -c "$C" sh -c 'exit 42'
	assert_failure 42
	run tbx run -c "$C" /etc/passwd
	assert_failure 126
	run -127 tbx run -c "$C" no-such-command-tbt
	assert_output --partial "no-such-command-tbt"
	run tbx run -c "$C" sh -c 'kill -TERM $$'
	assert_failure 143
	run tbx run -c "$C" sh -c 'kill -KILL $$'
	assert_failure 137
}

@test "run: stdin is piped in, stdout and stderr stay apart" {
	# tbx is a function: bash -c with its definition makes the pipeline.
	run --separate-stderr bash -c "$(declare -f tbx as_user); TB_MODE=$TB_MODE \
		TB_LAUNCHER=$TB_LAUNCHER; echo hello-pipe | tbx run -c $C cat"
	assert_success
	assert_output hello-pipe
	run --separate-stderr tbx run -c "$C" sh -c 'echo to-out; echo to-err >&2'
	assert_success
	assert_output to-out
	assert_equal "$stderr" to-err
	# A long output through a pipe arrives whole.
	run bash -c "$(declare -f tbx as_user); TB_LAUNCHER=$TB_LAUNCHER; \
		tbx run -c $C seq 1 20000 | tail -1"
	assert_output 20000
}

@test "run: no tty when stdin or stdout is not a terminal, a tty when both are" {
	run tbx run -c "$C" sh -c 'test -t 0 || echo no-tty-in; test -t 1 || echo no-tty-out'
	assert_success
	assert_line no-tty-in
	assert_line no-tty-out
	run as_user script -qec "$TB_LAUNCHER run -c $C sh -c 'test -t 0 && test -t 1 && echo both-tty'" /dev/null
	assert_success
	assert_output --partial both-tty
}

@test "run: the working directory is kept, or \$HOME with a note" {
	local d="$TB_HOME/tbt-cwd-$BATS_TEST_NUMBER"
	as_user mkdir -p "$d/sub dir"
	TB_CWD="$d/sub dir" run --separate-stderr tbx run -c "$C" pwd
	assert_success
	assert_output "$d/sub dir"
	rm -rf "$d"

	# A directory of the host that the container does not have.
	d=$(mktemp -d /var/tmp/tbt-hostonly.XXXXXX)
	chmod 0755 "$d"
	TB_CWD=$d run --separate-stderr tbx run -c "$C" pwd
	rmdir "$d"
	assert_success
	assert_output "$TB_HOME"
	assert_equal "$(grep -c "directory $d does not exist in the container" <<<"$stderr")" 1
}

@test "run: the environment is forwarded by the allow-list, and edited by --env/--unset-env" {
	TB_ENV="DISPLAY=:42 LC_TIME=C.UTF-8 XDG_SESSION_TYPE=wayland TBT_SECRET=x MAIL=/tbt/mail" \
		run tbx run -c "$C" sh -c 'echo "D=$DISPLAY L=$LC_TIME X=$XDG_SESSION_TYPE S=${TBT_SECRET-unset} P=${MAIL-unset}"'
	assert_success
	assert_output "D=:42 L=C.UTF-8 X=wayland S=unset P=unset"
	# The container keeps its own PATH and HOME.
	TB_ENV="PATH=/tbt/bin:/usr/bin:/bin" run tbx run -c "$C" sh -c 'echo "$PATH|$HOME"'
	assert_success
	refute_output --partial /tbt/bin
	assert_output --partial "|$TB_HOME"
	# Edits: --env NAME=VALUE, --env NAME (the host's), --unset-env NAME.
	TB_ENV="DISPLAY=:42 TBT_HOSTVAR=fromhost" run tbx run -c "$C" --env TBT_A=1 \
		--env TBT_HOSTVAR --unset-env DISPLAY \
		sh -c 'echo "A=$TBT_A H=$TBT_HOSTVAR D=${DISPLAY-unset}"'
	assert_success
	assert_output "A=1 H=fromhost D=unset"
	run tbx run -c "$C" --env 1BAD=x true
	assert_failure 125
	assert_output --partial "'--env'"
}

# Trace `toolbox run -c $C ARGS...` (warm) and classify every execve as the launcher's
# own ("self"), one of its children's ("child") or another process's ("other").
_trace_warm_run() {
	local trace
	_user_tmp
	trace=$TB_UTMP/trace
	run tbx run -c "$C" true # make sure it is warm
	assert_success
	run as_user "${TB_STRACE[@]}" -f -qq -o "$trace" -e trace=execve,clone,clone3,fork,vfork \
		"$TB_LAUNCHER" run -c "$C" "$@"
	assert_success
	# Lines may be split ("<unfinished ...>" / "<... clone3 resumed>"): collect the
	# launcher's children first, then classify every execve.
	run awk '
		NR == 1 { launcher = $1 }
		$1 == launcher && $NF ~ /^[0-9]+$/ &&
		    ($2 ~ /^(clone|clone3|fork|vfork)\(/ || ($2 == "<..." && $3 ~ /^(clone|clone3|fork|vfork)$/)) {
			child[$NF] = 1
		}
		$2 ~ /^execve\(/ { n++; pid[n] = $1; line = $0; sub(/^[0-9]+ +/, "", line); call[n] = line }
		END {
			for (i = 1; i <= n; i++)
				print (pid[i] == launcher ? "self" : (pid[i] in child ? "child" : "other")), call[i]
		}' "$trace"
	assert_success
}

@test "run: a warm run through podman is exactly one podman execve, with no probes" {
	command -v strace >/dev/null || fail "strace is missing (tests/setup.sh installs it)"
	_trace_warm_run --exec=podman true
	assert_equal "$(grep -c '^child execve(".*/podman",' <<<"$output")" 1
	assert_equal "$(grep -c '^child ' <<<"$output")" 1
	assert_equal "$(grep -c '^self execve(".*/podman"' <<<"$output")" 0
	assert_line --regexp '^child execve\(".*/podman", \["[^"]*podman", "exec",'
}

@test "run: a warm run through the exec socket runs no podman, conmon or runc at all" {
	command -v strace >/dev/null || fail "strace is missing (tests/setup.sh installs it)"
	_trace_warm_run true
	# Only the launcher's own execve: no child of it runs anything.
	assert_equal "$(grep -c '^self ' <<<"$output")" 1
	assert_equal "$(grep -c '^child ' <<<"$output")" 0
	refute_output --regexp 'podman|conmon|runc|crun'
}

@test "run: cold start from a stopped container waits for the init" {
	local n
	n=$(tb_name cold)
	tb_create "$n" "$TB_IMAGE_MINBASE"
	# Never started: inspect, start, wait on the stamp, run.
	run --separate-stderr tbx run -c "$n" echo cold-ok
	assert_success
	assert_output cold-ok
	assert_equal "$stderr" ""
	[ -f "$(_state_file "$n")" ]
	run pm inspect --format '{{.State.Running}}' "$n"
	assert_output true
	# Stopped behind our back: the state is stale and the launcher notices.
	pm stop -t 0 "$n" >/dev/null
	run tbx run -c "$n" echo again
	assert_success
	assert_output again
	# Restarted behind our back: a new init, the old state no longer matches.
	pm restart -t 0 "$n" >/dev/null
	run tbx run -c "$n" echo restarted
	assert_success
	assert_output restarted
	grep -q "^pid=$(pm inspect --format '{{.State.Pid}}' "$n")\$" "$(_state_file "$n")"
}

@test "run: a cold start is one inspect and one start (the session takes the exec socket); the init's PID comes from its stamps" {
	local n calls
	n=$(tb_name coldcalls)
	tb_create "$n" "$TB_IMAGE_MINBASE"
	tb_wait_ready "$n" 60
	pm stop -t 0 "$n" >/dev/null
	_user_tmp
	calls=$TB_UTMP/calls
	# A podman that logs its subcommand (the first word), then runs the real one.
	printf '#!/bin/sh\necho "$1" >>%s\nexec %s "$@"\n' "$calls" "$(command -v podman)" \
		>"$TB_UTMP/podman"
	chmod 0755 "$TB_UTMP/podman"
	TB_ENV="TOOLBOX_PODMAN=$TB_UTMP/podman" run --separate-stderr tbx run -c "$n" echo cold-ok
	assert_success
	assert_output cold-ok
	assert_equal "$(tr '\n' ' ' <"$calls")" "inspect start "
	# What it recorded is the init podman knows.
	grep -q "^pid=$(pm inspect --format '{{.State.Pid}}' "$n")\$" "$(_state_file "$n")"
	run tbx run -c "$n" echo warm-ok
	assert_success
	assert_output warm-ok
}

@test "run: concurrent runs racing the first start all succeed" {
	local n i
	n=$(tb_name race)
	tb_create "$n" "$TB_IMAGE_MINBASE"
	local pids=()
	for i in 1 2 3 4; do
		tbx run -c "$n" echo "racer-$i" >"$BATS_TEST_TMPDIR/out.$i" 2>&1 3>&- &
		pids+=($!)
	done
	for i in 1 2 3 4; do
		wait "${pids[$((i - 1))]}" || fail "racer $i failed: $(cat "$BATS_TEST_TMPDIR/out.$i")"
	done
	for i in 1 2 3 4; do
		assert_equal "$(cat "$BATS_TEST_TMPDIR/out.$i")" "racer-$i"
	done
}

@test "run: an init that fails shows its own message, status 125" {
	local n
	n=$(tb_name ro)
	# A read-only root: the init cannot set up /etc.
	tb_create --read-only "$n" "$TB_IMAGE_MINBASE"
	run --separate-stderr tbx run -c "$n" true
	assert_failure 125
	assert_equal "$(wc -l <<<"$stderr")" 1
	assert_regex "$stderr" "^toolbox: error: container $n failed to initialize: .*Read-only file system"
}

@test "run: an init that dies without a word is reported, status 125" {
	local n
	n=$(tb_name dies)
	# Not our init: a command that exits at once, without any stamp.
	echo "$n" >>"$(_tb_registry)"
	pm create --name "$n" --network host --label com.github.containers.toolbox=true \
		--label "org.toolbox-tests.run=${TB_RUN_ID:-adhoc}" \
		--volume "$TB_INIT:/usr/bin/toolbox-init:ro" "$TB_IMAGE_MINBASE" sh -c 'exit 3' \
		>/dev/null
	run --separate-stderr tbx run -c "$n" true
	assert_failure 125
	assert_regex "$stderr" "container $n stopped (right after it started|while it was initializing)"
	# The same under --pid host, where the launcher waits on the stamps alone at first.
	echo "$n-host" >>"$(_tb_registry)"
	pm create --name "$n-host" --network host --pid host \
		--label com.github.containers.toolbox=true \
		--label "org.toolbox-tests.run=${TB_RUN_ID:-adhoc}" \
		--volume "$TB_INIT:/usr/bin/toolbox-init:ro" "$TB_IMAGE_MINBASE" sh -c 'exit 3' \
		>/dev/null
	run --separate-stderr tbx run -c "$n-host" true
	assert_failure 125
	assert_regex "$stderr" "container $n-host stopped (right after it started|while it was initializing)"
}

@test "run: unknown and non-toolbox containers are one-line errors, status 125" {
	run --separate-stderr tbx run -c tbt-no-such-container true
	assert_failure 125
	assert_equal "$stderr" \
		"toolbox: error: container tbt-no-such-container not found; create it with 'toolbox create tbt-no-such-container' or pick one from 'toolbox list'"
	local n
	n=$(tb_name plain)
	echo "$n" >>"$(_tb_registry)"
	pm create --name "$n" --network host --label "org.toolbox-tests.run=${TB_RUN_ID:-adhoc}" \
		"$TB_IMAGE_MINBASE" true >/dev/null
	run --separate-stderr tbx run -c "$n" true
	assert_failure 125
	assert_regex "$stderr" "^toolbox: error: container $n is not a toolbox container \(no label com.github.containers.toolbox\)"
	run --separate-stderr tbx run
	assert_failure 125
	assert_regex "$stderr" 'missing argument for "run"'
	run --separate-stderr tbx run -c 'bad/name' true
	assert_failure 125
	assert_regex "$stderr" "container names must match"
}

@test "run: SIGTERM to the launcher reaches the command, whose status is kept" {
	local out="$BATS_TEST_TMPDIR/term.out" tag=$((7000 + RANDOM % 1000)) lp job
	tbx run -c "$C" sh -c "trap 'echo got-TERM; exit 3' TERM; sleep $tag & wait" >"$out" 2>&1 3>&- &
	job=$!
	_wait_pgrep "^sleep $tag\$" || fail "the session did not start"
	lp=$(pgrep -n -f "^$TB_LAUNCHER run -c $C sh -c trap 'echo got-TERM")
	kill -TERM "$lp"
	local rc=0
	wait "$job" || rc=$?
	assert_equal "$rc" 3
	assert_equal "$(cat "$out")" got-TERM
	# The background sleep was not the session's to end (a shell's job would live on too).
	_kill_tagged "^sleep $tag\$"
}

@test "run: Ctrl-C in a pipeline reaches the command; podman stays to relay it" {
	local out="$BATS_TEST_TMPDIR/int.out" tag=$((8000 + RANDOM % 1000)) pg job
	# A job of its own, as a shell would make one: the launcher and cat in one group.
	setsid bash -c "$(declare -f tbx as_user); TB_LAUNCHER=$TB_LAUNCHER; \
		tbx run -c $C sh -c \"trap 'echo got-INT; exit 4' INT; sleep $tag; echo not-reached\" \
		| cat >$out; echo status=\${PIPESTATUS[0]} >>$out" 3>&- &
	job=$!
	_wait_pgrep "^sleep $tag\$" || fail "the session did not start"
	pg=$(ps -o pgid= -p "$(pgrep -n -f "^$TB_LAUNCHER run -c $C sh -c trap 'echo got-INT")" | tr -d ' ')
	kill -INT -- "-$pg"
	wait "$job" || true
	run cat "$out"
	assert_line got-INT
	assert_line status=4
	refute_line not-reached
	run _wait_pgrep -v "^sleep $tag\$"
	assert_success
}

@test "run: closing the terminal ends the session (SIGHUP)" {
	local tag=$((9000 + RANDOM % 1000)) sp
	# A terminal of its own: script(1) holds the pty master, the launcher is the
	# session leader on the slave. Killing script closes the master: a hangup.
	as_user script -qfec "$TB_LAUNCHER run -c $C sleep $tag" /dev/null </dev/null \
		>/dev/null 2>&1 3>&- &
	_wait_pgrep "^sleep $tag\$" || fail "the session did not start"
	sp=$(pgrep -n -f "^script -qfec $TB_LAUNCHER run -c $C sleep $tag")
	kill -KILL "$sp"
	run _wait_pgrep -v "^sleep $tag\$"
	if [ "$status" != 0 ]; then
		_kill_tagged "^sleep $tag\$"
		fail "sleep $tag outlived its terminal (conmon keeps the pty open)"
	fi
	run _wait_pgrep -v "^$TB_LAUNCHER run -c $C sleep $tag"
	assert_success
}

@test "run: --preserve-fds passes file descriptors on" {
	local f="$BATS_TEST_TMPDIR/fd3"
	echo via-fd-3 >"$f"
	run bash -c "$(declare -f tbx as_user); TB_LAUNCHER=$TB_LAUNCHER; \
		tbx run -c $C --preserve-fds 1 sh -c 'cat <&3' 3<$f"
	assert_success
	assert_output via-fd-3
}

@test "run: a slow start shows a progress note on a terminal, erased, and none otherwise" {
	local n
	n=$(tb_name slow)
	# The init waits 2 s before its setup (a test hook of toolbox-init, Toolbx's name).
	tb_create --env=TOOLBX_DELAY_ENTRY_POINT=2 "$n" "$TB_IMAGE_MINBASE"
	run as_user script -qec "$TB_LAUNCHER run -c $n echo slow-ok" /dev/null
	assert_success
	assert_output --partial "Starting container $n"$'\u2026'
	assert_output --partial $'\r\e[K'
	assert_output --partial slow-ok
	# Stopped again, started again without a terminal: no note at all.
	pm stop -t 0 "$n" >/dev/null
	run --separate-stderr tbx run -c "$n" echo quiet-ok
	assert_success
	assert_output quiet-ok
	assert_equal "$stderr" ""
}

@test "run: signals reach the session under --pid private too" {
	local n out="$BATS_TEST_TMPDIR/priv.out" tag=$((6000 + RANDOM % 1000)) lp job rc=0
	n=$(tb_name private)
	tb_create --pid=private "$n" "$TB_IMAGE_MINBASE"
	run tbx run -c "$n" sh -c 'echo $$'
	assert_success
	tbx run -c "$n" sh -c "trap 'echo got-TERM; exit 5' TERM; sleep $tag & wait" >"$out" 2>&1 3>&- &
	job=$!
	_wait_pgrep "^sleep $tag\$" || fail "the session did not start"
	lp=$(pgrep -n -f "^$TB_LAUNCHER run -c $n sh -c trap 'echo got-TERM")
	kill -TERM "$lp"
	wait "$job" || rc=$?
	assert_equal "$rc" 5
	assert_equal "$(cat "$out")" got-TERM
	_kill_tagged "^sleep $tag\$"
}

@test "run: Ctrl-Z without a tty stops the command with the launcher, fg continues both" {
	local tag=$((5000 + RANDOM % 1000)) lp sp rc=0
	_user_tmp
	# A job of an interactive-like shell (set -m: its own process group, not orphaned),
	# as Ctrl-Z would find it; stdin is not a terminal.
	setsid bash -c "$(declare -f tbx as_user); TB_LAUNCHER=$TB_LAUNCHER; set -m; \
		tbx run -c $C sh -c 'sleep $tag; echo resumed' </dev/null >$TB_UTMP/z.out 2>&1 & \
		wait \$!; echo status=\$? >>$TB_UTMP/z.out" 3>&- &
	_wait_pgrep "^sleep $tag\$" || fail "the session did not start"
	sp=$(pgrep -n -f "^sleep $tag\$")
	lp=$(pgrep -n -f "^$TB_LAUNCHER run -c $C sh -c sleep $tag")
	kill -TSTP "$lp"
	sleep 0.5
	run ps -o stat= -p "$lp" -p "$sp"
	assert_line --index 0 --regexp '^T'
	assert_line --index 1 --regexp '^T'
	# What fg does: SIGCONT to the whole job (runuser stopped with the launcher).
	kill -CONT -- -"$(ps -o pgid= -p "$lp" | tr -d ' ')"
	sleep 0.5
	run ps -o stat= -p "$sp"
	assert_output --regexp '^S'
	kill -INT "$sp"
	_wait_pgrep -v "^$TB_LAUNCHER run -c $C sh -c sleep $tag" || rc=1
	assert_equal "$rc" 0
	run cat "$TB_UTMP/z.out"
	assert_line resumed
}
