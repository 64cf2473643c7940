#!/usr/bin/env bats
# Fault injection (issue 7) against real podman, real containers and the real binaries:
# podman missing or killed part-way through `toolbox create` / `toolbox rm`, the launcher
# itself interrupted, a full /etc while the init adds the user, the init killed in the
# middle of its setup, the relay killed under a running host command, 100 runs at once,
# 10 terminals racing the first start, and 10,000 orphans for PID 1 to reap. Every case
# checks what a user would see: one clear line, a documented status, and no half-made
# state (a re-run works). Runs rootful and rootless (run.sh).
#
# How the faults are injected:
# - podman: TOOLBOX_PODMAN names a wrapper (_fault_podman) that runs the REAL podman
#   and, for one subcommand, SIGKILLs it at a chosen moment: after a delay, or the moment
#   the container's name enters (create) or leaves (rm) podman's storage; or signals the
#   launcher itself (its parent) before podman starts.
# - a full /etc: the container's /etc is a small tmpfs (mounted where the mode's podman
#   sees it) holding a copy of the image's /etc, filled to leave exactly K pages free.
# - the init: strace attaches to toolbox-init while it waits (TOOLBX_DELAY_ENTRY_POINT)
#   and injects SIGKILL on entry to its N-th renameat().
# - the relay: SIGKILL to every process of a relay of this test's own (own socket).

# shellcheck disable=SC2016,SC2154 # scripts in single quotes run elsewhere; bats sets $output, $stderr

bats_require_minimum_version 1.5.0
load helpers

TB_LAUNCHER=${TB_LAUNCHER:-$TB_TOOLBOX}

setup_file() {
	export TB_REGISTRY_DIR=$BATS_FILE_TMPDIR
	if [ ! -x "$TB_LAUNCHER" ]; then
		echo "launcher $TB_LAUNCHER missing: build it (make) or set TB_LAUNCHER" >&2
		return 1
	fi
	local t
	for t in strace script pgrep; do
		command -v "$t" >/dev/null || {
			echo "$t is missing (tests/setup.sh installs it)" >&2
			return 1
		}
	done
	# One ready container for the tests that only run things in it.
	C=$(tb_name shared)
	export C
	tb_create "$C" "$TB_IMAGE_MINBASE"
	tb_wait_ready "$C" 60
}

teardown_file() {
	TB_REGISTRY_DIR=$BATS_FILE_TMPDIR tb_cleanup
}

# Per test: the relays it started, the /etc file system it mounted, what it made.
teardown() {
	local sock
	if [ -f "$BATS_TEST_TMPDIR/relays" ]; then
		while read -r sock; do
			_relay_stop "$sock"
		done <"$BATS_TEST_TMPDIR/relays"
	fi
	if [ -f "$BATS_TEST_TMPDIR/tags" ]; then
		while read -r sock; do
			_kill_tagged "$sock"
		done <"$BATS_TEST_TMPDIR/tags"
	fi
	_drop_leftovers
	tb_cleanup
	if [ -f "$BATS_TEST_TMPDIR/etcfs" ]; then
		_etcfs_drop "$(cat "$BATS_TEST_TMPDIR/etcfs")"
	fi
	[ -z "${TB_UTMP:-}" ] || rm -rf "$TB_UTMP"
}

# What tb_cleanup cannot see: a leftover that only podman's storage has, under a name this
# test registered (a test that failed between a fault and the recovery).
_drop_leftovers() {
	local reg name
	reg=$(_tb_registry)
	[ -f "$reg" ] || return 0
	while read -r name; do
		if pm container exists --external "$name" && ! pm container exists "$name"; then
			pm rm -f "$name" >/dev/null 2>&1 || true
		fi
	done < <(sort -u "$reg")
}

# The launcher as the mode's user; extra environment from $TB_ENV (words NAME=VALUE).
tbx() {
	# shellcheck disable=SC2086 # TB_ENV is a list of words
	as_user env ${TB_ENV:-} "$TB_LAUNCHER" "$@"
}

_reg() { # NAME: removed by tb_cleanup
	echo "$1" >>"$(_tb_registry)"
}

# A scratch directory the mode's user can read (bats' own are root's, 0700).
_user_tmp() {
	TB_UTMP=$(mktemp -d /tmp/tbt-faults.XXXXXX)
	chmod 0755 "$TB_UTMP"
}

_kill_tagged() { # PATTERN: what a test left running, by PID
	local p
	for p in $(pgrep -f "$1"); do
		kill -9 "$p" 2>/dev/null || true
	done
}

_tag() { # PATTERN: killed by teardown whatever happens
	echo "$1" >>"$BATS_TEST_TMPDIR/tags"
}

_wait_for() { # SECONDS CMD...: retry CMD every 50 ms
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.05
	done
}

_no_process() { # PATTERN
	! pgrep -f "$1" >/dev/null
}

# Nothing at all under NAME: no container, and nothing in podman's storage either.
_nothing_named() {
	! pm container exists --external "$1"
}

# NAME is a complete toolbox container: created, labelled, with the init as its command.
_complete() {
	local info
	info=$(pm inspect --type container --format \
		'{{index .Config.Labels "com.github.containers.toolbox"}} {{.State.Status}} {{json .Config.Cmd}}' \
		"$1" 2>/dev/null) || return 1
	[[ $info == "true created "*'"init-container"'* ]]
}

# ---- podman that fails part-way ----------------------------------------------------

# Write $TB_UTMP/podman: the real podman, except for subcommand $TBT_FAULT_CMD (create or
# rm), which meets fault $TBT_FAULT:
#   delay:S     podman is SIGKILLed S seconds after it started
#   store-in    podman is SIGKILLed the moment $TBT_NAME shows up in its storage
#   store-out   podman is SIGKILLed the moment $TBT_NAME leaves its storage
#   group       as store-in, and the launcher (our parent) is SIGKILLed with it
#   parent:SIG  the launcher gets SIG, then the real podman runs to its end
# Killed, the wrapper kills itself with SIGKILL too: the launcher sees a podman killed by
# signal 9, with nothing on stderr.
_fault_podman() {
	local store
	_user_tmp
	store="$(pm info --format '{{.Store.GraphRoot}}')/$(pm info --format \
		'{{.Store.GraphDriverName}}')-containers/containers.json"
	cat >"$TB_UTMP/podman" <<-EOF
		#!/bin/sh
		real=$(command -v podman)
		store=$store
		sub= skip=
		for a; do
			if [ -n "\$skip" ]; then skip=; continue; fi
			case \$a in --log-level) skip=1 ;; -*) ;; *) sub=\$a; break ;; esac
		done
		[ "\$sub" = "\$TBT_FAULT_CMD" ] || exec "\$real" "\$@"
		case \$TBT_FAULT in
		parent:*) kill -s "\${TBT_FAULT#parent:}" "\$PPID"; exec "\$real" "\$@" ;;
		esac
		"\$real" "\$@" &
		p=\$!
		case \$TBT_FAULT in
		delay:*) sleep "\${TBT_FAULT#delay:}" ;;
		store-in | group)
			while kill -0 "\$p" 2>/dev/null && ! grep -qF "\"\$TBT_NAME\"" "\$store"; do :; done ;;
		store-out)
			while kill -0 "\$p" 2>/dev/null && grep -qF "\"\$TBT_NAME\"" "\$store"; do :; done ;;
		esac
		kill -9 "\$p" 2>/dev/null
		[ "\$TBT_FAULT" != group ] || kill -9 "\$PPID"
		wait "\$p" 2>/dev/null
		kill -9 \$\$
	EOF
	chmod 0755 "$TB_UTMP/podman"
}

_faulty() { # CMD FAULT NAME LAUNCHER-ARG...: the launcher with podman's CMD meeting FAULT
	local cmd=$1 fault=$2 name=$3
	shift 3
	# (signals at their defaults: a run under nohup would have the launcher ignore SIGHUP)
	TB_ENV="--default-signal=HUP,INT,TERM TOOLBOX_PODMAN=$TB_UTMP/podman TBT_FAULT_CMD=$cmd \
TBT_FAULT=$fault TBT_NAME=$name" tbx "$@"
}

@test "faults: podman missing from PATH: one line, status 125, nothing created" {
	local c empty sub
	c=$(tb_name)
	_reg "$c"
	_user_tmp
	empty=$TB_UTMP/bin
	mkdir "$empty"
	chmod 0755 "$empty"
	for sub in "create -i $TB_IMAGE_MINBASE $c" "run -c $c true" "enter $c" "rm $c" \
		"rm --all" "rmi $TB_IMAGE_MINBASE" "list"; do
		# shellcheck disable=SC2086 # one argument a word
		run --separate-stderr as_user env PATH="$empty" "$TB_LAUNCHER" $sub
		assert_failure 125
		assert_output ""
		assert_equal "$stderr" \
			"toolbox: error: podman not found in PATH; install podman (apt install podman)"
	done
	run _nothing_named "$c"
	assert_success
	[ ! -e "$TB_STAMP_DIR/launcher/$c.state" ]
	run pm image exists "$TB_IMAGE_MINBASE"
	assert_success
}

@test "faults: podman create killed part-way leaves nothing, and create again works" {
	local c fault
	c=$(tb_name)
	_reg "$c"
	_fault_podman
	for fault in store-in delay:0.05 delay:0.1 delay:0.15 delay:0.2 delay:0.3 delay:0.6; do
		run --separate-stderr _faulty create "$fault" "$c" create -i "$TB_IMAGE_MINBASE" "$c"
		assert_failure 125
		assert_equal "$stderr" \
			"toolbox: error: failed to create container $c: podman was killed by signal 9"
		_nothing_named "$c" || fail "$fault: podman's storage still holds $c: $(pm ps -a \
			--external --format '{{.Names}} {{.State}}' | grep "^$c ")"
		run tbx create -i "$TB_IMAGE_MINBASE" "$c"
		assert_success
		assert_line --index 0 "Created container: $c"
		_complete "$c"
		run tbx rm "$c"
		assert_success
	done
}

@test "faults: an interrupted create (Ctrl-C, SIGTERM, hangup) is undone; SIGKILL leaves it whole" {
	local c sig how
	c=$(tb_name)
	_reg "$c"
	_fault_podman
	# The launcher is signalled as podman starts: it lets podman finish, removes what it
	# made, says so, and dies of the signal.
	for sig in INT TERM HUP; do
		run --separate-stderr _faulty create "parent:$sig" "$c" create -i "$TB_IMAGE_MINBASE" "$c"
		assert_equal "$status" $((128 + $(kill -l "$sig")))
		# (runuser, rootless, adds a line of its own naming the signal)
		assert_equal "$(grep '^toolbox' <<<"$stderr")" \
			"toolbox: error: creating container $c was interrupted (signal SIG$sig); it was not created"
		_nothing_named "$c" || fail "SIG$sig left $c behind"
		run tbx create -i "$TB_IMAGE_MINBASE" "$c"
		assert_success
		run tbx rm "$c"
		assert_success
	done
	# SIGKILL: podman is not ours to stop; it finishes and the container is whole.
	run _faulty create parent:KILL "$c" create -i "$TB_IMAGE_MINBASE" "$c"
	assert_failure 137
	_wait_for 20 _no_process "podman create .*--name $c " || fail "podman create did not end"
	_complete "$c" || fail "SIGKILL left an incomplete $c"
	run tbx create -i "$TB_IMAGE_MINBASE" "$c"
	assert_failure 125
	assert_output "toolbox: error: container $c already exists; enter with: toolbox enter $c"
	run tbx run -c "$c" sh -c 'id -un'
	assert_success
	assert_output "$TB_USER"
	run tbx rm --force "$c"
	assert_success
	# The launcher and podman killed together the moment storage has the name: nobody is
	# left to clean up, and storage keeps the name (podman itself says there is no such
	# container, and its create refuses the name). rm finishes it; so does create.
	for how in rm create; do
		run _faulty create group "$c" create -i "$TB_IMAGE_MINBASE" "$c"
		assert_failure 137
		if _complete "$c"; then
			# podman was quicker than the kill: a whole container, as above.
			run tbx rm "$c"
			assert_success
			continue
		fi
		run pm ps -a --external --format '{{.Names}} {{.State}}'
		assert_line --regexp "^$c [Ss]torage$"
		run pm container exists "$c"
		assert_failure
		if [ "$how" = rm ]; then
			run --separate-stderr tbx rm "$c"
			assert_success
			assert_equal "$stderr" ""
			_nothing_named "$c"
			continue
		fi
		run --separate-stderr tbx create -i "$TB_IMAGE_MINBASE" "$c"
		assert_success
		assert_line --index 0 "Created container: $c"
		assert_equal "$stderr" \
			"toolbox: warning: removed what an interrupted podman command had left of container $c"
		_complete "$c"
		run tbx rm "$c"
		assert_success
	done
}

@test "faults: podman rm killed part-way: rm again finishes it, the name is free" {
	local c fault
	c=$(tb_name)
	_reg "$c"
	_fault_podman
	for fault in store-out delay:0.02 delay:0.05 delay:0.08 delay:0.12 parent:KILL; do
		run tbx create -i "$TB_IMAGE_MINBASE" "$c"
		assert_success
		run --separate-stderr _faulty rm "$fault" "$c" rm "$c"
		assert_failure
		# Whatever the kill left (the container whole, half removed, a leftover in
		# storage, or nothing), rm finishes the job or says there is nothing.
		run --separate-stderr tbx rm "$c"
		if [ "$status" != 0 ]; then
			assert_failure 125
			assert_equal "$stderr" "toolbox: error: container $c does not exist"
		fi
		_nothing_named "$c" || fail "$fault: $c is still there: $(pm ps -a --external \
			--format '{{.Names}} {{.State}}' | grep "^$c ")"
	done
	run tbx create -i "$TB_IMAGE_MINBASE" "$c"
	assert_success
}

# ---- a full /etc -------------------------------------------------------------------

# Run CMD where the mode's podman mounts things: the host's mount namespace for root,
# the rootless user's own (podman unshare) for tbtest.
_ns() {
	if [ "$TB_MODE" = rootful ]; then
		"$@"
	else
		as_user podman unshare "$@"
	fi
}

_etcfs_drop() { # DIR
	_ns umount "$1" 2>/dev/null || true
	rmdir "$1" 2>/dev/null || true
}

# A tmpfs of 1 MiB at $ETCFS holding the image's /etc, as the container's user namespace
# sees it (owned by its root), with /etc/passwd made longer than two pages so that it is
# written last and alone fails when space runs out in the middle of the edit. The links
# into the host's /etc are already there, as the init of $C made them: the init replaces
# nothing before the user database (replacing a file frees room).
_etcfs_make() {
	local userns=--userns=host
	ETCFS=$(mktemp -d /tmp/tbt-etcfs.XXXXXX)
	chmod 0755 "$ETCFS"
	echo "$ETCFS" >"$BATS_TEST_TMPDIR/etcfs"
	_ns mount -t tmpfs -o size=1m,mode=0755 tbt-etc "$ETCFS"
	[ "$TB_MODE" = rootful ] || userns=--userns=keep-id
	pm run --rm --network host --user root:root "$userns" --volume "$ETCFS:/dst" \
		"$TB_IMAGE_MINBASE" sh -c 'cp -a /etc/. /dst/ && chown 0:0 /dst && chmod 0755 /dst &&
		for i in $(seq 3000 3070); do
			echo "tbtpad$i:x:$i:$i:a padding account of the fault tests:/nonexistent:/usr/sbin/nologin"
		done >>/dst/passwd'
	pm exec "$C" sh -c 'cd /etc && tar -cf - $(ls -d hosts host.conf resolv.conf localtime \
		timezone 2>/dev/null)' | _ns tar -C "$ETCFS" -xf -
}

# Fill $ETCFS so that exactly K pages are free.
_etcfs_fill() { # K
	_ns sh -c 'rm -f "$1/.tbt-filler"; a=$(stat -f -c %a "$1")
		dd if=/dev/zero of="$1/.tbt-filler" bs=4096 count=$((a - $2)) 2>/dev/null
		[ "$(stat -f -c %a "$1")" = "$2" ]' sh "$ETCFS" "$1"
}

_etcfs_sums() {
	_ns sh -c 'cd "$1" && sha256sum passwd group shadow gshadow' sh "$ETCFS"
}

_etcfs_temps() { # the temporary files an edit left in /etc
	_ns sh -c 'cd "$1" && ls -A | grep -E "^\..*\.(tb[0-9]|toolbox-link)" || true' sh "$ETCFS"
}

@test "faults: a full /etc: the user database stays as it was, the init and run say why" {
	local c k before msgs='' ok=0
	c=$(tb_name)
	_etcfs_make
	before=$(_etcfs_sums)
	tb_create "--volume=$ETCFS:/etc" "$c" "$TB_IMAGE_MINBASE"
	# One page more each time, until the edit fits: it fails at each point in turn
	# (the first file, a later one after the earlier were replaced), then succeeds.
	for k in 0 1 2 3 4 5 6; do
		_etcfs_fill "$k"
		run --separate-stderr tbx run -c "$c" id -un
		if [ "$status" = 0 ]; then
			ok=1
			break
		fi
		assert_failure 125
		assert_equal "$(wc -l <<<"$stderr")" 1
		assert_regex "$stderr" "^toolbox: error: container $c failed to initialize: .*/etc/.*No space left on device"
		msgs+="$stderr"$'\n'
		assert_equal "$(_etcfs_sums)" "$before"
		assert_equal "$(_etcfs_temps)" ""
		# The failure marker says the same, in one line.
		run cat "$TB_STAMP_DIR/container-failed-$(pm inspect --format '{{.Id}}' "$c")"
		assert_success
		assert_equal "${#lines[@]}" 1
	done
	assert_equal "$ok" 1
	assert_output "$TB_USER"
	# A failure in the middle (after some files were replaced) was among them.
	if [ "$TB_MODE" = rootful ]; then
		assert_regex "$msgs" "cannot update /etc/shadow: No space left on device"
	else
		assert_regex "$msgs" "cannot update /etc/gshadow: No space left on device"
		assert_regex "$msgs" "cannot update /etc/passwd: No space left on device"
	fi
	run _ns grep -c "^$TB_USER:" "$ETCFS/passwd" "$ETCFS/shadow"
	assert_output "$ETCFS/passwd:1"$'\n'"$ETCFS/shadow:1"
	assert_equal "$(_etcfs_temps)" ""
	pm rm -f -t 0 "$c" >/dev/null
}

# ---- the init killed in the middle of its setup ----------------------------------------

# Start NAME (made with TOOLBX_DELAY_ENTRY_POINT) and trace its init's renameat() calls
# into OUT while it sets up; with N, SIGKILL the init on entry to the N-th one.
_trace_init() { # NAME OUT [N]
	local pid sp
	pm start "$1" >/dev/null
	pid=$(pm inspect --format '{{.State.Pid}}' "$1")
	if [ -n "${3:-}" ]; then
		timeout 60 strace -qq -p "$pid" -e trace=renameat \
			-e inject=renameat:signal=KILL:when="$3" -o "$2"
		return 0
	fi
	strace -qq -p "$pid" -e trace=renameat -o "$2" &
	sp=$!
	tb_wait_ready "$1" 30
	kill -INT "$sp"
	wait "$sp" || true
}

_init_ok() { # NAME: one entry each, no temporary file left, fresh stamps
	local c=$1 id pid want
	run pm exec "$c" sh -c "grep -c '^$TB_USER:' /etc/passwd /etc/shadow
		grep -c '^root:' /etc/passwd
		ls -A /etc | grep -cE '^\..*\.(tb[0-9]|toolbox-link)'
		grep -E '^sudo:' /etc/group /etc/gshadow"
	want="/etc/passwd:1"$'\n'"/etc/shadow:1"$'\n'"1"$'\n'"0"
	if [ "$TB_UID" != 0 ]; then
		want+=$'\n'"/etc/group:sudo:x:27:$TB_USER"$'\n'"/etc/gshadow:sudo:*::$TB_USER"
	else
		want+=$'\n'"/etc/group:sudo:x:27:"$'\n'"/etc/gshadow:sudo:*::"
	fi
	assert_output "$want"
	id=$(pm inspect --format '{{.Id}}' "$c")
	pid=$(pm inspect --format '{{.State.Pid}}' "$c")
	[ -f "$TB_STAMP_DIR/container-initialized-$pid" ]
	[ -f "$TB_STAMP_DIR/container-initialized-$id" ]
	[ ! -e "$TB_STAMP_DIR/container-failed-$id" ]
	[ ! -e "$TB_STAMP_DIR/container-failed-$pid" ]
	run ls -A "$TB_STAMP_DIR"
	refute_output --partial "-$id.tb"
}

@test "faults: the init killed at each step of its setup recovers on the next start" {
	local c trace i n rc
	local -a points names jobs
	_user_tmp
	trace=$TB_UTMP/trace
	# Once whole, to learn the steps (every renameat: links, the user database, stamps).
	c=$(tb_name dry)
	tb_create --env=TOOLBX_DELAY_ENTRY_POINT=1 "$c" "$TB_IMAGE_MINBASE"
	_trace_init "$c" "$trace"
	mapfile -t points < <(awk -F'"' '/^renameat\(/ { n++; print n, $4 }' "$trace")
	[[ " ${points[*]} " == *" shadow "* ]] ||
		fail "no edit of the user database seen: ${points[*]}"
	pm rm -f -t 0 "$c" >/dev/null
	# One container per step, all at once: each init is killed as it enters that step.
	for i in "${!points[@]}"; do
		names[i]=$(tb_name "kill-${points[i]%% *}")
		tb_create --env=TOOLBX_DELAY_ENTRY_POINT=2 "${names[i]}" "$TB_IMAGE_MINBASE"
	done
	for i in "${!points[@]}"; do
		_trace_init "${names[i]}" "$trace.$i" "${points[i]%% *}" 3>&- &
		jobs[i]=$!
	done
	for i in "${!points[@]}"; do
		wait "${jobs[i]}" || true
		grep -q 'killed by SIGKILL' "$trace.$i" ||
			fail "the init was not killed at step ${points[i]}: $(cat "$trace.$i")"
	done
	# Started again (by run, all at once): each finishes the job, once. (stdin stays
	# /dev/null: podman 4.3's exec -i, run's fallback, loses the output of a command that
	# leaves data on its stdin unread.)
	for i in "${!points[@]}"; do
		tbx run -c "${names[i]}" id -un >"$trace.$i.out" 2>&1 3>&- &
		jobs[i]=$!
	done
	for i in "${!points[@]}"; do
		rc=0
		wait "${jobs[i]}" || rc=$?
		[ "$rc" = 0 ] && [ "$(cat "$trace.$i.out")" = "$TB_USER" ] ||
			fail "after a kill at step ${points[i]}: run said '$(cat "$trace.$i.out")' ($rc)"
	done
	for i in "${!points[@]}"; do
		echo "checking the container killed at step ${points[i]}"
		_init_ok "${names[i]}"
	done
	pm rm -f -t 0 "${names[@]}" >/dev/null
}

# ---- the relay killed under a command --------------------------------------------------

_relay_serve() { # SOCKET LOG
	local sock=$1 log=$2
	echo "$sock" >>"$BATS_TEST_TMPDIR/relays"
	as_user "$TB_TOOLBOX" --log-level debug relay serve --socket "$sock" --grace-ms 300 \
		--idle-timeout 0 >"$log" 2>&1 3>&- &
	_wait_for 5 test -f "$sock.pid" || {
		cat "$log"
		return 1
	}
}

_relay_stop() { # SOCKET: this relay's processes only (its socket is in their command line)
	_kill_tagged "relay serve --socket $1 "
	rm -f "$1" "$1.pid" "$1.lock"
}

@test "faults: the relay killed mid-command: host-spawn says so in one line, the host command ends" {
	local sock=$TB_RUNTIME_DIR/toolbox/relay-faults-$$.sock tag=$((20000 + RANDOM % 9999))
	local job rc=0 err=$BATS_TEST_TMPDIR/client.err
	_tag "^sleep $tag\$"
	_relay_serve "$sock" "$BATS_TEST_TMPDIR/relay.log"
	tb_exec "--env=TOOLBOX_RELAY_SOCKET=$sock" "$C" host-spawn sleep "$tag" \
		>"$BATS_TEST_TMPDIR/client.out" 2>"$err" 3>&- &
	job=$!
	_wait_for 10 pgrep -f "^sleep $tag\$" >/dev/null || fail "the host command did not start"
	# SIGKILL to every process of that relay: the listener, this command's handler, the
	# spare handler.
	pkill -KILL -f "relay serve --socket $sock "
	wait "$job" || rc=$?
	assert_equal "$rc" 125
	run cat "$err"
	assert_output "host-spawn: error: the toolbox relay closed the connection before sleep ended"
	_wait_for 5 _no_process "^sleep $tag\$" || fail "sleep $tag lingers on the host (its relay is gone)"
}

@test "faults: the relay's listener killed mid-command: the command goes on and its status comes back" {
	local sock=$TB_RUNTIME_DIR/toolbox/relay-faults-l-$$.sock tag=$((30000 + RANDOM % 9999))
	local job rc=0
	_tag "^sleep $tag\$"
	_relay_serve "$sock" "$BATS_TEST_TMPDIR/relay.log"
	tb_exec "--env=TOOLBOX_RELAY_SOCKET=$sock" "$C" host-spawn sh -c "sleep $tag & wait; exit 7" \
		>"$BATS_TEST_TMPDIR/client.out" 2>&1 3>&- &
	job=$!
	_wait_for 10 pgrep -f "^sleep $tag\$" >/dev/null || fail "the host command did not start"
	kill -9 "$(cat "$sock.pid")"
	sleep 0.3
	pkill -f "^sleep $tag\$"
	wait "$job" || rc=$?
	assert_equal "$rc" 7
	run cat "$BATS_TEST_TMPDIR/client.out"
	assert_output ""
	# Nothing of it is left once its command ended.
	_wait_for 5 _no_process "relay serve --socket $sock " || fail "relay processes linger"
}

# ---- many at once ------------------------------------------------------------------------

@test "faults: 100 toolbox runs at once into one container each get their own status and output" {
	local i rc bad='' d=$BATS_TEST_TMPDIR/par
	local -a pids way=(--exec=socket --exec=podman)
	mkdir "$d"
	# Half through the init's exec socket, half through podman exec, all at once.
	for i in $(seq 1 100); do
		tbx run "${way[i % 2]}" -c "$C" sh -c "echo out-$i; echo err-$i >&2; exit $i" \
			>"$d/$i.out" 2>"$d/$i.err" 3>&- &
		pids[i]=$!
	done
	for i in $(seq 1 100); do
		rc=0
		wait "${pids[i]}" || rc=$?
		[ "$rc" = "$i" ] && [ "$(cat "$d/$i.out")" = "out-$i" ] &&
			[ "$(cat "$d/$i.err")" = "err-$i" ] ||
			bad+="run $i (${way[i % 2]}): status $rc, out '$(cat "$d/$i.out")', err '$(cat "$d/$i.err")'"$'\n'
	done
	[ -z "$bad" ] || fail "$bad"
}

@test "faults: 10 terminals entering a stopped container at once all get in; it starts once" {
	local n i rc since bad='' d=$BATS_TEST_TMPDIR/enter
	local -a pids
	mkdir "$d"
	n=$(tb_name race)
	tb_create "$n" "$TB_IMAGE_MINBASE"
	since=$(date +%s)
	for i in $(seq 1 10); do
		as_user sh -c "printf 'echo entered-%s; exit %s\n' $i $((i + 10)) |
			script -qec '$TB_LAUNCHER enter $n' /dev/null" >"$d/$i" 2>&1 3>&- &
		pids[i]=$!
	done
	for i in $(seq 1 10); do
		rc=0
		wait "${pids[i]}" || rc=$?
		[ "$rc" = $((i + 10)) ] && tr -d '\r' <"$d/$i" | grep -q "entered-$i\$" ||
			bad+="terminal $i: status $rc, saw: $(tr -d '\r' <"$d/$i" | tr '\n' '|')"$'\n'
	done
	[ -z "$bad" ] || fail "$bad"
	run pm events --stream=false --since "$since" --filter "container=$n" \
		--filter event=start --format '{{.Status}}'
	assert_success
	assert_output start
}

@test "faults: 10,000 orphans are reaped; PID 1 stays healthy" {
	local p
	p=$(tb_name orphans)
	tb_create --pid=private "$p" "$TB_IMAGE_MINBASE"
	tb_wait_ready "$p" 60
	# Four workers; each child forks a grandchild and exits at once: the grandchild is
	# an orphan for PID 1 (the init) to reap.
	run tbx run -c "$p" perl -MPOSIX -e '
		for my $w (1..4) {
			next if fork;
			for (1..2500) {
				my $c = fork // die "fork: $!";
				if (!$c) { fork; POSIX::_exit(0) }
				waitpid($c, 0);
			}
			POSIX::_exit(0);
		}
		1 while wait > 0;
		print "forked\n";'
	assert_success
	assert_output forked
	zombies() {
		tb_exec "$p" sh -c 'cat /proc/[0-9]*/stat 2>/dev/null | grep -c ") Z " || true'
	}
	none() { [ "$(zombies)" = 0 ]; }
	_wait_for 20 none || fail "$(zombies) zombies left"
	run tb_exec "$p" sh -c 'tr "\0" " " </proc/1/cmdline; echo; sed -n "s/^State:\t//p" /proc/1/status'
	assert_line --index 0 --regexp '^(/usr/bin/)?toolbox-init init-container '
	assert_line --index 1 --regexp '^S '
	run tbx run -c "$p" echo still-fine
	assert_success
	assert_output still-fine
}
