#!/usr/bin/env bats
# The image matrix: every toolbox image of tests/images/matrix.list (built from images/
# by images/build through tests/images.sh --matrix), and the plain Debian 12 minbase
# image, which is no toolbox image at all (no label, no toolbox-init, no sudo). Each is
# made into a container with the launcher (`toolbox create -i IMAGE`) and used as a
# user would: `toolbox run` (user and id, os-release, exit statuses, stdin, HOME and the
# working directory, sudo where the image has it) and `toolbox enter` (the login shell,
# its commands on stdin). Then the default images: `toolbox create -d debian -r 13`
# takes the local localhost/toolbox-debian:13, and on this Debian host a bare
# `toolbox create` takes localhost/toolbox-debian:VERSION_ID once it is built.
# Runs rootful and rootless (run.sh); a test per image, so a broken image names itself.

# shellcheck disable=SC2016,SC2154 # scripts in single quotes run in the container; bats sets $stderr

bats_require_minimum_version 1.5.0
load helpers

TB_LAUNCHER=${TB_LAUNCHER:-$TB_TOOLBOX}
MATRIX_LIST=$TB_REPO/tests/images/matrix.list

setup_file() {
	if [ ! -x "$TB_LAUNCHER" ]; then
		echo "launcher $TB_LAUNCHER missing: build it (make) or set TB_LAUNCHER" >&2
		return 1
	fi
}

teardown() {
	tb_cleanup
	if [ -n "${TB_UNTAG:-}" ]; then
		# The one name: `podman untag IMAGE` alone would drop every name of the image.
		pm untag "$TB_UNTAG" "$TB_UNTAG" >/dev/null 2>&1 || true
	fi
	[ -z "${TB_UDIR:-}" ] || rm -rf "$TB_UDIR"
}

# The image of KEY in matrix.list.
_image_of() { # KEY
	local key distro release image
	while read -r key distro release image; do
		[ "$key" = "$1" ] && echo "$image" && return 0
	done < <(grep -v '^[[:space:]]*\(#\|$\)' "$MATRIX_LIST")
	echo "_image_of: no $1 in $MATRIX_LIST" >&2
	return 1
}

# The launcher as the mode's user, from directory $TB_CWD (default /).
tbx() {
	as_user sh -c 'cd "$1" && shift && exec "$@"' sh "${TB_CWD:-/}" "$TB_LAUNCHER" "$@"
}

# `toolbox create` ARGS...; NAME (the last argument, or DEFAULT-NAME) is removed by
# teardown with its readiness stamps, like tb_create's containers.
_create() { # NAME ARGS...
	local name=$1
	shift
	echo "$name" >>"$(_tb_registry)"
	run tbx create "$@"
	assert_success
	assert_line "Created container: $name"
	run pm inspect --format '{{index .Config.Labels "com.github.containers.toolbox"}}' "$name"
	assert_success
	assert_output true
}

# What every image must do, through the launcher. EXPECT: "ID VERSION_ID" of the image's
# os-release, or "none" when it has none; SUDO: yes or no.
_check_image() { # IMAGE EXPECT SUDO
	local image=$1 expect=$2 sudo=$3 c shell
	c=$(tb_name)
	_create "$c" -i "$image" "$c"

	# The first run starts the container and waits for the init; the user is ours.
	run --separate-stderr tbx run -c "$c" id -u
	assert_success
	assert_output "$TB_UID"
	# Names resolve (BusyBox reads /etc/passwd with its own parser, which refuses an
	# entry whose password field is empty: keep "x" there, an empty one in shadow).
	run --separate-stderr tbx run -c "$c" grep "^$TB_USER:" /etc/passwd
	assert_success
	if [[ $output == "$TB_USER::"* ]]; then
		fail "the init left an empty password field in /etc/passwd ($output): BusyBox's" \
			"parser drops such an entry, so id -un, ls -l, whoami lose the name"
	fi
	run --separate-stderr tbx run -c "$c" id -un
	assert_success
	assert_output "$TB_USER"
	run --separate-stderr tbx run -c "$c" sh -c 'id -Gn'
	assert_success
	if [ "$TB_MODE" = rootless ]; then
		# In the sudo group (or wheel), as Toolbx does, even where sudo is absent.
		assert_output --regexp "(^| )(sudo|wheel)( |$)"
	fi

	# The image's own os-release.
	if [ "$expect" = none ]; then
		run tbx run -c "$c" test -e /etc/os-release
		assert_failure 1
	else
		run --separate-stderr tbx run -c "$c" sh -c '. /etc/os-release && echo "$ID $VERSION_ID"'
		assert_success
		assert_output "$expect"
	fi

	# Exit statuses: the command's, 126, 127, 128+N.
	run tbx run -c "$c" true
	assert_success
	run tbx run -c "$c" sh -c 'exit 42'
	assert_failure 42
	run -126 tbx run -c "$c" /etc/passwd
	run -127 tbx run -c "$c" no-such-command-tbt
	assert_output --partial no-such-command-tbt
	run tbx run -c "$c" sh -c 'kill -TERM $$'
	assert_failure 143

	# stdin in, stdout out.
	run --separate-stderr bash -c "$(declare -f tbx as_user); TB_LAUNCHER=$TB_LAUNCHER; \
		echo piped-in | tbx run -c $c cat"
	assert_success
	assert_output piped-in

	# HOME is the host's; the session starts in the launcher's working directory.
	TB_UDIR=$(as_user mktemp -d "$TB_HOME/tbt-matrix.XXXXXX")
	TB_CWD=$TB_UDIR run --separate-stderr tbx run -c "$c" sh -c 'echo "$HOME $(pwd)"'
	assert_success
	assert_output "$TB_HOME $TB_UDIR"
	run --separate-stderr tbx run -c "$c" sh -c 'touch "$1/from-container"' sh "$TB_UDIR"
	assert_success
	[ -f "$TB_UDIR/from-container" ]
	[ "$(stat -c %u "$TB_UDIR/from-container")" = "$TB_UID" ]

	# sudo, where the image has it.
	if [ "$sudo" = yes ]; then
		run --separate-stderr tbx run -c "$c" sudo -n id -u
		assert_success
		assert_output 0
	else
		run -127 tbx run -c "$c" sudo -n true
	fi

	# enter without a terminal: the login shell reads its commands from stdin. The
	# user's shell when the image has it, else /bin/sh.
	shell=$(basename "$TB_LOGIN_SHELL")
	if ! tbx run -c "$c" test -x "$TB_LOGIN_SHELL"; then
		shell=sh
	fi
	run --separate-stderr as_user "$TB_LAUNCHER" enter "$c" \
		<<<'echo "$0 $(id -un) $HOME"; exit 3'
	assert_failure 3
	assert_output "-$shell $TB_USER $TB_HOME"
}

@test "matrix debian-12: the Debian 12 toolbox image (images/debian/12)" {
	_check_image "$(_image_of debian-12)" "debian 12" yes
}

@test "matrix debian-13: the Debian 13 toolbox image (images/debian/13)" {
	_check_image "$(_image_of debian-13)" "debian 13" yes
	run --separate-stderr tbx run -c "$(tb_name)" sh -c '. /etc/os-release && echo "$VERSION_CODENAME"'
	assert_output trixie
}

@test "matrix busybox: BusyBox only, no libc (images/busybox/latest)" {
	run pm run --rm --network host --entrypoint /bin/sh "$(_image_of busybox)" -c \
		'find / -xdev \( -name "libc.*" -o -name "libc-*" -o -name "ld-*" \) | head -1'
	assert_success
	assert_output ""
	_check_image "$(_image_of busybox)" none no
}

@test "matrix minbase: a plain Debian image, no toolbox label, no toolbox-init, no sudo" {
	run pm image inspect --format '{{index .Labels "com.github.containers.toolbox"}}' \
		"$TB_IMAGE_MINBASE"
	assert_success
	refute_output true
	run pm run --rm --network host "$TB_IMAGE_MINBASE" sh -c \
		'test -e /usr/bin/toolbox-init || command -v sudo || echo clean'
	assert_output clean
	_check_image "$TB_IMAGE_MINBASE" "debian 12" no
}

@test "matrix: toolbox create -d debian -r 13, then run -d debian -r 13: trixie, the local image" {
	if pm container exists debian-toolbox-13; then
		fail "a container debian-toolbox-13 exists already; this test needs the name"
	fi
	_create debian-toolbox-13 -d debian -r 13
	run pm inspect --format '{{.ImageName}}' debian-toolbox-13
	assert_output localhost/toolbox-debian:13
	run --separate-stderr tbx run -d debian -r 13 cat /etc/os-release
	assert_success
	assert_line 'VERSION_CODENAME=trixie'
	assert_line 'ID=debian'
}

@test "matrix: on a Debian host, toolbox create with no options takes localhost/toolbox-debian:VERSION_ID" {
	local id ver def
	id=$(. /etc/os-release && echo "$ID")
	ver=$(. /etc/os-release && echo "$VERSION_ID")
	[ "$id" = debian ] || skip "the host is $id, not Debian"
	def=localhost/toolbox-debian:$ver
	if pm container exists "debian-toolbox-$ver"; then
		fail "a container debian-toolbox-$ver exists already; this test needs the name"
	fi
	# The matrix image of this release, under the name images/build gives it, for this
	# test only (tests/images/matrix.list says why it is not kept).
	if ! pm image exists "$def"; then
		pm tag "$(_image_of "debian-$ver")" "$def"
		TB_UNTAG=$def
	fi
	_create "debian-toolbox-$ver"
	run pm inspect --format '{{.ImageName}}' "debian-toolbox-$ver"
	assert_output "$def"
	run --separate-stderr tbx run sh -c '. /etc/os-release && echo "$ID $VERSION_ID"'
	assert_success
	assert_output "debian $ver"
}

@test "matrix: every image of matrix.list is in this mode's storage and has its test" {
	local key distro release image
	while read -r key distro release image; do
		run pm image inspect --format '{{index .Labels "com.github.containers.toolbox"}}' "$image"
		assert_success
		assert_output true
		grep -q "^@test \"matrix $key: " "$BATS_TEST_FILENAME" ||
			fail "no test 'matrix $key: ...' for $image in $(basename "$BATS_TEST_FILENAME")"
		[ -f "$TB_REPO/images/$distro/$release/Containerfile" ] ||
			fail "$image: no recipe images/$distro/$release"
	done < <(grep -v '^[[:space:]]*\(#\|$\)' "$MATRIX_LIST")
}
