#!/usr/bin/env bats
# `toolbox-init exec`, the session entry (docs/INTERFACES.md), through real `podman exec`
# into one toolbox container made from the Debian 12 + sudo image: capabilities, the
# user, exit statuses, working directory, login shell, process state. Runs rootful and
# rootless (tests/integration/run.sh).
#
# Capabilities: what `podman exec` starts may hold capabilities (a root exec does, and
# podman versions have given a non-root exec of a --privileged container full or ambient
# sets: why Toolbx wraps sessions in `capsh --caps=""`; podman 4.3 with runc does not).
# The session drops them all but the bounding set, so sudo still works. A root session
# regains the bounding set when it execs, as under capsh: root in a toolbox can still
# install packages.

# shellcheck disable=SC2016,SC2154 # scripts in single quotes run in the container; bats sets $stderr

bats_require_minimum_version 1.5.0
load helpers

ZERO=0000000000000000

# One container for the whole file; its registry lives as long as the file does.
setup_file() {
	export TB_REGISTRY_DIR=$BATS_FILE_TMPDIR
	TB_SESSION_C=$(tb_name session)
	export TB_SESSION_C
	tb_create "$TB_SESSION_C" "$TB_IMAGE_SUDO"
	tb_wait_ready "$TB_SESSION_C" 60
}

teardown_file() {
	TB_REGISTRY_DIR=$BATS_FILE_TMPDIR tb_cleanup
}

# The per-test teardown of helpers.bash would remove the shared container.
teardown() {
	:
}

# podman exec --user USER C toolbox-init exec EXEC-OPT... -- CMD...
_session() { # USER EXEC-OPT... -- CMD...
	local user=$1
	shift
	pm exec --user "$user" "$TB_SESSION_C" /usr/bin/toolbox-init exec "$@"
}

_assert_no_caps() {
	assert_line "CapEff=$ZERO"
	assert_line "CapPrm=$ZERO"
	assert_line "CapInh=$ZERO"
	assert_line "CapAmb=$ZERO"
	assert_line "NoNewPrivs=0"
	refute_line "CapBnd=$ZERO"
}

@test "session: the user's session has no capabilities but the bounding set" {
	run --separate-stderr tb_probe "$TB_SESSION_C"
	assert_success
	assert_line "uid=$TB_UID"
	assert_line "euid=$TB_UID"
	assert_line "gid=$TB_GID"
	assert_equal "$stderr" ""
	if [ "$TB_UID" != 0 ]; then
		_assert_no_caps
	else
		# Root execs with the bounding set back (Toolbx's capsh semantics), nothing more.
		assert_line "CapInh=$ZERO"
		assert_line "CapAmb=$ZERO"
		assert_line "CapEff=$(probe_val CapBnd)"
		assert_line "NoNewPrivs=0"
	fi
}

@test "session: a non-root user with capabilities, or switched by toolbox-init, ends with none" {
	# A non-root process holding capabilities, ambient ones included (older podman gave
	# them to a --privileged exec; Toolbx needs `capsh --caps=""` for that reason).
	local caps=+net_raw,+sys_admin,+dac_override
	run --separate-stderr pm exec --user root "$TB_SESSION_C" setpriv --reuid 65534 \
		--regid 65534 --clear-groups --inh-caps=$caps --ambient-caps=$caps "$TB_PROBE_IN"
	assert_success
	assert_line "uid=65534"
	refute_line "CapAmb=$ZERO"
	run --separate-stderr pm exec --user root "$TB_SESSION_C" setpriv --reuid 65534 \
		--regid 65534 --clear-groups --inh-caps=$caps --ambient-caps=$caps \
		/usr/bin/toolbox-init exec -- "$TB_PROBE_IN"
	assert_success
	assert_line "uid=65534"
	_assert_no_caps

	# podman switched: toolbox-init only drops.
	run --separate-stderr _session nobody -- "$TB_PROBE_IN"
	assert_success
	assert_line "uid=65534"
	_assert_no_caps

	# podman left us root: toolbox-init switches, groups from the container's /etc/group.
	run --separate-stderr _session root --user nobody -- "$TB_PROBE_IN" --env
	assert_success
	assert_line "uid=65534"
	assert_line "euid=65534"
	assert_line "suid=65534"
	assert_line "gid=65534"
	assert_line "groups=65534"
	assert_line "env.USER=nobody"
	assert_line "env.LOGNAME=nobody"
	assert_line "env.HOME=/nonexistent"
	assert_line "env.SHELL=/usr/sbin/nologin"
	_assert_no_caps
	assert_equal "$stderr" ""
}

@test "session: toolbox-init switches from root to the toolbox user" {
	run --separate-stderr _session root --user "$TB_USER" -- "$TB_PROBE_IN" --env
	assert_success
	assert_line "uid=$TB_UID"
	assert_line "euid=$TB_UID"
	assert_line "gid=$TB_GID"
	assert_line "env.USER=$TB_USER"
	assert_line "env.HOME=$TB_HOME"
	assert_line "env.SHELL=${TB_SHELL:-/bin/bash}"
	assert_equal "$stderr" ""
	# The groups podman would give are the ones toolbox-init gives.
	local ours theirs
	ours=$(probe_val groups)
	run --separate-stderr tb_probe "$TB_SESSION_C"
	theirs=$(probe_val groups)
	assert_equal "$ours" "$theirs"
}

@test "session: an unknown user is our own failure (125)" {
	run -125 --separate-stderr _session root --user tb-no-such-user -- true
	assert_equal "$stderr" \
		"toolbox-init: error: user tb-no-such-user not found in the container's /etc/passwd; was the container initialized by toolbox-init init-container?"
	run -125 --separate-stderr _session root --no-such-option -- true
	assert_equal "$(printf '%s\n' "$stderr" | wc -l)" 1
}

@test "session: sudo works from a session without capabilities" {
	run --separate-stderr tb_exec "$TB_SESSION_C" sudo -n id -u
	assert_success
	assert_output 0
	# sudo's own child gets root's capabilities back from the bounding set.
	run --separate-stderr tb_exec "$TB_SESSION_C" sudo -n "$TB_PROBE_IN"
	assert_success
	assert_line "euid=0"
	assert_line "CapEff=$(probe_val CapBnd)"
	refute_line "CapEff=$ZERO"
}

@test "session: exit statuses are the command's own, 126 and 127 are ours" {
	run -0 tb_exec "$TB_SESSION_C" true
	run -42 tb_exec "$TB_SESSION_C" sh -c 'exit 42'
	run -42 tb_exec "$TB_SESSION_C" "$TB_PROBE_IN" --exit 42

	# A command that exits 127 itself keeps it, and nothing is said.
	run -127 --separate-stderr tb_exec "$TB_SESSION_C" sh -c 'exit 127'
	assert_equal "$stderr" ""

	run -127 --separate-stderr tb_exec "$TB_SESSION_C" tb-no-such-command arg
	assert_output ""
	assert_equal "$stderr" \
		"toolbox-init: error: command not found: tb-no-such-command (not in the container's PATH; install it in the container or give its full path)"
	run -127 --separate-stderr tb_exec "$TB_SESSION_C" /nonexistent/tb-cmd
	assert_equal "$stderr" \
		"toolbox-init: error: command not found: /nonexistent/tb-cmd (no such file in the container)"

	run -126 --separate-stderr tb_exec "$TB_SESSION_C" /etc
	assert_equal "$stderr" "toolbox-init: error: cannot execute /etc: Is a directory"
	run -126 --separate-stderr tb_exec "$TB_SESSION_C" /etc/hostname
	assert_equal "$stderr" "toolbox-init: error: cannot execute /etc/hostname: Permission denied"

	run -143 tb_exec "$TB_SESSION_C" sh -c 'kill -TERM $$'
}

@test "session: the working directory is kept, or HOME with one note" {
	run --separate-stderr _session "$TB_USER" --cwd /usr/share -- "$TB_PROBE_IN"
	assert_success
	assert_line "cwd=/usr/share"
	assert_equal "$stderr" ""

	run --separate-stderr _session "$TB_USER" --cwd /nonexistent/tb-dir -- "$TB_PROBE_IN"
	assert_success
	assert_line "cwd=$TB_HOME"
	assert_equal "$stderr" \
		"toolbox-init: warning: directory /nonexistent/tb-dir does not exist in the container; using $TB_HOME instead"

	# The host's directory through the shared home (Toolbx's common case).
	run --separate-stderr _session "$TB_USER" --cwd "$TB_HOME" -- "$TB_PROBE_IN"
	assert_success
	assert_line "cwd=$TB_HOME"
}

@test "session: no command starts the user's login shell" {
	run --separate-stderr pm exec -i --user "$TB_USER" "$TB_SESSION_C" \
		/usr/bin/toolbox-init exec --cwd /usr <<<'echo "argv0=$0 cwd=$PWD"; shopt -q login_shell && echo login'
	assert_success
	assert_line "argv0=-bash cwd=/usr"
	assert_line login

	run --separate-stderr tb_exec -i "$TB_SESSION_C" <<<'echo "argv0=$0"'
	assert_success
	assert_line "argv0=-bash"
}

@test "session: a clean process state: signals, fds, environment" {
	run --separate-stderr tb_probe "$TB_SESSION_C" --env
	assert_success
	assert_line "SigBlk=$ZERO"
	assert_line "SigIgn=$ZERO"
	assert_line "fds=0,1,2"
	assert_line "env.HOME=$TB_HOME"
	assert_line "env.USER=$TB_USER"
	assert_line "env.LOGNAME=$TB_USER"
	assert_line "env.SHELL=${TB_SHELL:-/bin/bash}"

	# A parent that ignores and blocks signals and leaks fds changes nothing.
	run --separate-stderr pm exec --user "$TB_USER" "$TB_SESSION_C" /bin/bash -c \
		'trap "" INT QUIT TERM HUP PIPE USR1; exec 7</dev/null 9>/dev/null
		 exec /usr/bin/toolbox-init exec -- "$1"' _ "$TB_PROBE_IN"
	assert_success
	assert_line "SigBlk=$ZERO"
	assert_line "SigIgn=$ZERO"
	assert_line "fds=0,1,2"
}

@test "session: --preserve-fds keeps what podman exec passes" {
	run --separate-stderr pm exec --preserve-fds 2 --user "$TB_USER" "$TB_SESSION_C" \
		/usr/bin/toolbox-init exec --preserve-fds 2 -- "$TB_PROBE_IN" 3</dev/null 4</dev/null
	assert_success
	assert_line "fds=0,1,2,3,4"
	assert_line "fd.3=/dev/null"
}
