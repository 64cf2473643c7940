#!/usr/bin/env bats
# `toolbox enter` (host/cmd_enter.c on top of run_session.c) against real podman and a
# toolbox container made as Toolbx does (tb_create): the login shell, naming the
# container (argument, -c, the default name from the host's os-release), a session on a
# terminal, and the one-line errors. Runs rootful and rootless (run.sh).

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
	C=$(tb_name enter)
	export C
	tb_create "$C" "$TB_IMAGE_SUDO"
	tb_wait_ready "$C" 60
}

teardown_file() {
	TB_REGISTRY_DIR=$BATS_FILE_TMPDIR tb_cleanup
}

teardown() {
	tb_cleanup
}

# The launcher as the mode's user (from /), stdin from the string $1.
_enter_with_input() { # INPUT ARGS...
	local input=$1
	shift
	as_user "$TB_LAUNCHER" "$@" <<<"$input"
}

@test "enter: the user's login shell reads its commands, its status is ours" {
	run --separate-stderr _enter_with_input 'echo "shell=$0 user=$(id -un) home=$HOME"; exit 7' \
		enter "$C"
	assert_failure 7
	assert_output "shell=-bash user=$TB_USER home=$TB_HOME"
}

@test "enter: the container by argument or by -c, the same" {
	run _enter_with_input 'echo via-arg' enter "$C"
	assert_success
	assert_output via-arg
	run _enter_with_input 'echo via-c' enter -c "$C"
	assert_success
	assert_output via-c
	run _enter_with_input 'echo via-both' enter -c "$C" "$C"
	assert_success
	assert_output via-both
}

@test "enter: on a terminal, a tty session and Toolbx's container escape sequences" {
	# script(1) gives the launcher a terminal; the shell's commands come through it.
	run as_user script -qec "$TB_LAUNCHER enter $C" /dev/null \
		<<<'tty; test -t 0 && echo tty-yes; exit 5'
	assert_failure 5
	assert_output --partial /dev/pts/
	assert_output --partial tty-yes
	assert_output --partial $'\e]777;container;push;'"$C;toolbox;$TB_UID"$'\e\\'
	assert_output --partial $'\e]777;container;pop;;;'"$TB_UID"$'\e\\'
}

@test "enter: without a name, the host's default container (debian-toolbox-12 here)" {
	local def
	def=$(. /etc/os-release && echo "$ID-toolbox-$VERSION_ID")
	if pm container exists "$def"; then
		fail "a container $def exists already; this test needs the name"
	fi
	tb_create "$def" "$TB_IMAGE_MINBASE"
	run _enter_with_input 'echo in-default' enter
	assert_success
	assert_output in-default
	# --release picks <distro>-toolbox-<release>.
	run _enter_with_input 'echo in-release' enter --release "$(. /etc/os-release && echo "$VERSION_ID")"
	assert_success
	assert_output in-release
	run --separate-stderr as_user "$TB_LAUNCHER" run true
	assert_success
}

@test "enter: errors are one line and status 125" {
	run --separate-stderr as_user "$TB_LAUNCHER" enter a b
	assert_failure 125
	assert_regex "$stderr" '^toolbox: error: too many arguments for "enter"'
	run --separate-stderr as_user "$TB_LAUNCHER" enter -c a b
	assert_failure 125
	assert_regex "$stderr" 'named twice'
	run --separate-stderr as_user "$TB_LAUNCHER" enter tbt-no-such-container
	assert_failure 125
	assert_regex "$stderr" '^toolbox: error: container tbt-no-such-container not found'
	assert_equal "$(wc -l <<<"$stderr")" 1
	run --separate-stderr as_user "$TB_LAUNCHER" enter --preserve-fds 1
	assert_failure 125
	run --separate-stderr as_user "$TB_LAUNCHER" enter -d fedora -r 40
	assert_failure 125
	assert_regex "$stderr" 'fedora-toolbox-40 not found'
}

@test "enter: --help shows the manual or the usage, status 0" {
	run as_user env MANPAGER=cat PAGER=cat "$TB_LAUNCHER" enter --help
	assert_success
	assert_output --partial enter
}
