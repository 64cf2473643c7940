#!/usr/bin/env bats
# toolbox-init as the entry point of containers made with Toolbx's podman flags, in images
# that have never heard of it. Runs rootful and rootless (tests/integration/run.sh).

bats_require_minimum_version 1.5.0
load helpers

# Small hostile or odd images, built once per mode on top of the Debian minbase.
_build_variant() { # TAG CONTAINERFILE-BODY
	local tag=localhost/toolbox-test-variant:$1 dir
	pm image exists "$tag" && return 0
	dir=$(mktemp -d /var/tmp/tb-variant.XXXXXX)
	printf 'FROM %s\n%s\n' "$TB_IMAGE_MINBASE" "$2" >"$dir/Containerfile"
	chmod -R a+rX "$dir"
	pm build --network host -q -t "$tag" "$dir" >/dev/null
	rm -rf "$dir"
}

setup_file() {
	# The decoy under /run/host is what podman reads at start; at run time the /run/host
	# volume hides it and the link names the host's own file.
	_build_variant passwd-link 'RUN mkdir -p /run/host/etc && cp /etc/passwd /run/host/etc/passwd && \
rm /etc/passwd && ln -s /run/host/etc/passwd /etc/passwd'
	_build_variant passwd-odd "RUN printf '%s\n' 'this line has no colons' '+nisuser::::::' \
'broken:x:notanumber:0::/:/bin/sh' >> /etc/passwd"
}

_host_backup() { # FILE...: restored by teardown, byte for byte
	local f
	for f in "$@"; do
		cp -a "$f" "$BATS_TEST_TMPDIR/backup.$(basename "$f")"
		echo "$f" >>"$BATS_TEST_TMPDIR/backups"
	done
}

teardown() {
	local f
	if [ -f "$BATS_TEST_TMPDIR/backups" ]; then
		while read -r f; do
			rm -f "$f"
			cp -a "$BATS_TEST_TMPDIR/backup.$(basename "$f")" "$f"
		done <"$BATS_TEST_TMPDIR/backups"
	fi
	tb_cleanup
}

_wait_for() { # SECONDS CMD...: retry CMD every 50 ms
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.05
	done
}

@test "init: a Debian minbase image initializes and the user is the host's" {
	name=$(tb_name)
	tb_create "$name" "$TB_IMAGE_MINBASE"
	tb_wait_ready "$name"

	run tb_exec "$name" id -un
	assert_success
	assert_output "$TB_USER"
	run tb_exec "$name" id -u
	assert_output "$TB_UID"
	run tb_exec "$name" id -g
	assert_output "$TB_GID"
	if [ "$TB_UID" != 0 ]; then
		# Debian has no wheel group: the user is in sudo, as Toolbx makes it.
		run tb_exec "$name" id -Gn
		assert_output --regexp "(^| )sudo( |$)"
		run tb_exec "$name" getent passwd "$TB_UID"
		assert_output "$TB_USER:x:$TB_UID:$TB_GID::$TB_HOME:/bin/bash"
		run pm exec "$name" getent shadow "$TB_USER"
		assert_output --regexp "^$TB_USER::"
	fi
	run tb_exec "$name" test -f /run/.toolboxenv
	assert_success

	# The stamp the launcher waits for belongs to the user.
	pid=$(pm inspect --format '{{.State.Pid}}' "$name")
	run stat -c '%u %a' "$TB_STAMP_DIR/container-initialized-$pid"
	assert_output "$TB_UID 644"
	run stat -c '%u %a' "$TB_STAMP_DIR"
	assert_output "$TB_UID 700"
}

@test "init: root has no password and sudo -n works where sudo is installed" {
	name=$(tb_name)
	tb_create "$name" "$TB_IMAGE_SUDO"
	tb_wait_ready "$name"

	run tb_exec "$name" sudo -n true
	assert_success
	# stderr may hold sudo's "unable to resolve host toolbx" note: the hostname is not in
	# the host's /etc/hosts, which the container shares.
	run --separate-stderr tb_exec "$name" sudo -n id -un
	assert_output root
	run pm exec "$name" getent shadow root
	assert_output --regexp '^root::'
	if [ "$TB_UID" != 0 ]; then
		run pm exec "$name" cat /etc/sudoers.d/toolbox
		assert_output --partial "$TB_USER ALL=(ALL:ALL) NOPASSWD: ALL"
	fi
}

@test "init: a busybox image with no libc and no shadow-utils initializes" {
	name=$(tb_name)
	TB_SHELL=/bin/sh tb_create "$name" "$TB_IMAGE_BUSYBOX"
	tb_wait_ready "$name"

	run pm exec "$name" grep "^$TB_USER:" /etc/passwd
	assert_success
	assert_output --regexp "^$TB_USER:x:$TB_UID:$TB_GID:"
	# BusyBox's own passwd parser (no NSS) must accept the entries: it drops lines
	# with an empty password field, so the init keeps "x" and writes /etc/shadow.
	run tb_exec "$name" id -un
	assert_output "$TB_USER"
	run tb_exec "$name" whoami
	assert_output "$TB_USER"
	run tb_probe "$name"
	assert_success
	[ "$(probe_val uid)" = "$TB_UID" ] || fail "uid $(probe_val uid), expected $TB_UID"
	[ "$(probe_val gid)" = "$TB_GID" ] || fail "gid $(probe_val gid), expected $TB_GID"
	run tb_exec "$name" sh -c 'ls /lib*/libc.so* /usr/lib*/libc.so* 2>/dev/null | wc -l'
	assert_output 0
}

@test "init: a session has no capabilities" {
	name=$(tb_name)
	tb_create "$name" "$TB_IMAGE_MINBASE"
	tb_wait_ready "$name"

	run tb_probe "$name"
	assert_success
	sets="CapInh CapPrm CapEff CapAmb"
	# uid 0 gets the bounding set back at execve, as after Toolbx's capsh --caps="": root
	# in a rootful toolbox is meant to administer it. What must be gone are the sets that
	# would survive into a non-root program.
	[ "$TB_UID" != 0 ] || sets="CapInh CapAmb"
	for set in $sets; do
		[ "$(probe_val "$set")" = 0000000000000000 ] ||
			fail "$set is $(probe_val "$set"), expected none"
	done
}

@test "init: /etc/hosts, resolv.conf and localtime follow the host's files live" {
	name=$(tb_name)
	tb_create "$name" "$TB_IMAGE_MINBASE"
	tb_wait_ready "$name"

	run tb_exec "$name" readlink /etc/resolv.conf
	assert_output /run/host/etc/resolv.conf
	run tb_exec "$name" readlink /etc/hosts
	assert_output /run/host/etc/hosts

	_host_backup /etc/resolv.conf
	token="# toolbox-test $RANDOM$RANDOM"
	echo "$token" >>/etc/resolv.conf
	run tb_exec "$name" cat /etc/resolv.conf
	assert_output --partial "$token"
}

@test "init: a host time zone change shows up inside within a second" {
	name=$(tb_name)
	tb_create "$name" "$TB_IMAGE_MINBASE"
	tb_wait_ready "$name"
	_host_backup /etc/localtime /etc/timezone

	old=$(tb_exec "$name" cat /etc/timezone)
	zone=Asia/Tokyo
	[ "$old" != "$zone" ] || zone=Europe/Lisbon
	# As timedatectl does it: a new link renamed over the old one.
	ln -sfn "/usr/share/zoneinfo/$zone" /etc/localtime.tb-new
	mv -Tf /etc/localtime.tb-new /etc/localtime
	_tz_is() { [ "$(tb_exec "$1" cat /etc/timezone)" = "$2" ]; }
	_wait_for 1 _tz_is "$name" "$zone" ||
		fail "/etc/timezone in the container still says $(tb_exec "$name" cat /etc/timezone), not $zone"
	run tb_exec "$name" sh -c 'readlink -f /etc/localtime'
	assert_output --partial "zoneinfo/$zone"
}

@test "init: 1000 orphaned grandchildren leave no zombie (private PID namespace)" {
	name=$(tb_name)
	tb_create --pid=private "$name" "$TB_IMAGE_MINBASE"
	tb_wait_ready "$name"

	run tb_exec "$name" sh -c 'i=0; while [ $i -lt 1000 ]; do (sleep 0.3 &); i=$((i+1)); done'
	assert_success
	count_left() {
		tb_exec "$name" sh -c 'cat /proc/[0-9]*/stat 2>/dev/null | grep -c -e ") Z " -e "(sleep)"'
	}
	none_left() { [ "$(count_left)" = 0 ]; }
	_wait_for 15 none_left ||
		fail "left behind: $(count_left) zombies or sleeps"
	run pm exec "$name" cat /proc/1/cmdline
	assert_output --partial toolbox-init
}

@test "init: podman stop takes under a second and restart keeps passwd and group as they were" {
	name=$(tb_name)
	tb_create "$name" "$TB_IMAGE_SUDO"
	tb_wait_ready "$name"
	before=$(pm exec "$name" sha256sum /etc/passwd /etc/group /etc/shadow /etc/gshadow)

	start=$(date +%s%N)
	pm stop -t 10 "$name" >/dev/null
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$ms" -lt 1000 ] || fail "podman stop took $ms ms"
	run pm inspect --format '{{.State.ExitCode}}' "$name"
	assert_output 0

	tb_wait_ready "$name"
	pm restart -t 10 "$name" >/dev/null
	tb_wait_ready "$name"
	after=$(pm exec "$name" sha256sum /etc/passwd /etc/group /etc/shadow /etc/gshadow)
	[ "$before" = "$after" ] || fail "user database changed across restarts: $before / $after"
	run pm exec "$name" grep -c "^$TB_USER:" /etc/passwd
	assert_output 1
}

@test "init: an image whose /etc/passwd links to the host's fails cleanly and the host file is untouched" {
	host_sum=$(sha256sum /etc/passwd /etc/shadow /etc/group)
	name=$(tb_name)
	# A numeric --user: podman itself cannot look "root" up in a dangling passwd link.
	tb_create --user=0:0 "$name" localhost/toolbox-test-variant:passwd-link
	run tb_wait_ready "$name"
	assert_failure
	assert_output --partial "failed to initialize"
	assert_output --partial "/etc/passwd"
	assert_output --regexp "symbolic link|symlink"
	[ "$host_sum" = "$(sha256sum /etc/passwd /etc/shadow /etc/group)" ] ||
		fail "the host's user database changed"
	# The container ended with a failure status, not a hang.
	stopped() { [ "$(pm inspect --format '{{.State.Running}}' "$name")" = false ]; }
	_wait_for 5 stopped
	run pm inspect --format '{{.State.ExitCode}}' "$name"
	assert_output 1
}

@test "init: a read-only /etc gives the failure marker with a clear message" {
	name=$(tb_name)
	tb_create --read-only "$name" "$TB_IMAGE_MINBASE"
	run tb_wait_ready "$name"
	assert_failure
	assert_output --partial "failed to initialize"
	assert_output --partial "Read-only file system"
	assert_output --partial "/etc"
	pid=$(pm inspect --format '{{.State.Pid}}' "$name")
	id=$(pm inspect --format '{{.Id}}' "$name")
	run cat "$TB_STAMP_DIR/container-failed-$id"
	assert_success
	[ "${#lines[@]}" = 1 ] || fail "the marker must hold one line: $output"
}

@test "init: malformed passwd lines are kept as they are" {
	name=$(tb_name)
	tb_create "$name" localhost/toolbox-test-variant:passwd-odd
	tb_wait_ready "$name"
	for line in 'this line has no colons' '+nisuser::::::' 'broken:x:notanumber:0::/:/bin/sh'; do
		run pm exec "$name" grep -cxF -- "$line" /etc/passwd
		assert_output 1
	done
	run tb_exec "$name" id -un
	assert_output "$TB_USER"
}

@test "init: --media-link, --mnt-link and --home-link make Silverblue's links" {
	name=$(tb_name)
	tb_create "$name" "$TB_IMAGE_MINBASE" --media-link --mnt-link --home-link
	tb_wait_ready "$name"
	run pm exec "$name" readlink /media /mnt
	assert_output "$(printf '/run/media\n/var/mnt')"
	run pm exec "$name" test -d /run/media -a -d /var/mnt
	assert_success
	case $TB_HOME in
	/home/*)
		# The home volume is mounted below /home: the directory stays, with a note.
		run pm exec "$name" test -d "$TB_HOME"
		assert_success
		;;
	*)
		run pm exec "$name" readlink /home
		assert_output /var/home
		;;
	esac
	# A second start finds the links in place and keeps them.
	pm restart -t 10 "$name" >/dev/null
	tb_wait_ready "$name"
	run pm exec "$name" readlink /media
	assert_output /run/media
}
