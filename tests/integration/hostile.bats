#!/usr/bin/env bats
# Hostile images and the guards of SECURITY.md (issue 7): images whose /etc files or
# directories are symbolic links into the host (through /run/host, /proc/self/root or
# /proc/1/root), a huge or binary /etc/passwd, FIFOs where files belong, and images that
# ship a toolbox-init of their own that is something else. For each: no host file changes
# (checksums before and after), and the container either works safely or `toolbox run`
# fails with one line and status 125, never hanging (every launcher call is under
# `timeout`). Then the runtime directory's permissions and file-descriptor leaks into
# `toolbox run` sessions and relayed host commands. Rootful and rootless (run.sh).
#
# The images are built here from the Debian minbase (names tbt-hostile-<run>-...), in the
# mode's storage, and removed by teardown_file. Symlinks aim at a sentinel directory,
# /var/tmp/tbt-hostile-<run>/, owned by the mode's user, so that a write through them
# would succeed (and show) in both modes.

# shellcheck disable=SC2016,SC2154 # scripts in single quotes run in the container; bats sets $stderr

bats_require_minimum_version 1.5.0
load helpers

TB_LAUNCHER=${TB_LAUNCHER:-$TB_TOOLBOX}

_img() { # CASE: this run's image for CASE
	echo "localhost/tbt-hostile-${TB_NAME_TAG:-$BATS_ROOT_PID}:$1"
}

_build() { # CASE BASE CONTAINERFILE-BODY [BUILD-OPTION...]
	local tag=$1 base=$2 body=$3 dir
	shift 3
	dir=$(mktemp -d /var/tmp/tbt-hostile-build.XXXXXX)
	printf 'FROM %s\n%s\n' "$base" "$body" >"$dir/Containerfile"
	chmod -R a+rX "$dir"
	pm build --network host -q "$@" -t "$(_img "$tag")" "$dir" >/dev/null
	rm -rf "$dir"
}

# Bogus init-containers for images created with --image-init (their own init). The stamp directory is the
# launcher's: /run/toolbox for uid 0, else $XDG_RUNTIME_DIR/toolbox.
_bogus_init() { # BODY: a shell script that knows $d (stamp directory) and $id (container)
	cat <<EOF
#!/bin/sh
uid=
while [ \$# -gt 0 ]; do [ "\$1" = --uid ] && uid=\$2; shift; done
if [ "\$uid" = 0 ]; then d=/run/toolbox; else d=\$XDG_RUNTIME_DIR/toolbox; fi
id=\$(sed -n 's/^id="\\(.*\\)"\$/\\1/p' /run/.containerenv)
$1
EOF
}

_build_bogus() { # CASE SCRIPT-BODY
	local dir
	dir=$(mktemp -d /var/tmp/tbt-hostile-build.XXXXXX)
	_bogus_init "$2" >"$dir/init"
	printf 'FROM %s\nCOPY --chmod=0755 init /usr/bin/toolbox-init\n' \
		"$TB_IMAGE_MINBASE" >"$dir/Containerfile"
	chmod -R a+rX "$dir"
	pm build --network host -q -t "$(_img "$1")" "$dir" >/dev/null
	rm -rf "$dir"
}

setup_file() {
	export TB_REGISTRY_DIR=$BATS_FILE_TMPDIR
	if [ ! -x "$TB_LAUNCHER" ]; then
		echo "launcher $TB_LAUNCHER missing: build it (make) or set TB_LAUNCHER" >&2
		return 1
	fi
	local m=$TB_IMAGE_MINBASE s
	TB_SENT=/var/tmp/tbt-hostile-${TB_NAME_TAG:-$BATS_ROOT_PID}-$TB_MODE
	export TB_SENT
	rm -rf "$TB_SENT"
	install -d -m 0755 -o "$TB_UID" -g "$TB_GID" "$TB_SENT" "$TB_SENT/bin" "$TB_SENT/rpm" \
		"$TB_SENT/rpm/macros.d" "$TB_SENT/krb5" "$TB_SENT/created"
	echo "sentinel $TB_SENT" >"$TB_SENT/sentinel"
	chown "$TB_UID:$TB_GID" "$TB_SENT/sentinel"
	s=/run/host$TB_SENT

	# The decoy under /run/host is what podman reads at start (--user root:root is looked
	# up in the image); at run time the /run/host volume hides it and the link names the
	# host's own file.
	_build passwd-host "$m" 'RUN mkdir -p /run/host/etc && cp /etc/passwd /run/host/etc/ && \
rm /etc/passwd && ln -s /run/host/etc/passwd /etc/passwd'
	_build group-host "$m" 'RUN mkdir -p /run/host/etc && cp /etc/group /run/host/etc/ && \
rm /etc/group && ln -s /run/host/etc/group /etc/group'
	_build passwd-proc "$m" 'RUN rm /etc/passwd && ln -s /proc/self/root/run/host/etc/passwd /etc/passwd'
	_build shadow-proc1 "$m" 'RUN rm /etc/shadow && ln -s /proc/1/root/etc/shadow /etc/shadow'
	_build gshadow-proc "$m" 'RUN rm /etc/gshadow && ln -s /proc/self/root/run/host/etc/gshadow /etc/gshadow'
	_build sudoers-host "$TB_IMAGE_SUDO" 'RUN rm -rf /etc/sudoers.d && ln -s /run/host/etc/sudoers.d /etc/sudoers.d'
	_build localtime-proc "$m" 'RUN rm -f /etc/localtime /etc/timezone && \
ln -s /proc/self/root/run/host/etc/shadow /etc/localtime && ln -s /run/host/etc/passwd /etc/timezone'
	_build timezone-fifo "$m" 'RUN rm -f /etc/timezone && mkfifo /etc/timezone'
	# 30 MB of well-formed lines, past the init's 16 MiB limit
	_build passwd-huge "$m" 'RUN yes "filler:x:5000:5000:$(printf %0200d 0):/nonexistent:/usr/sbin/nologin" | \
head -c 30000000 >>/etc/passwd'
	_build passwd-binary "$m" 'RUN head -c 65536 /dev/urandom >>/etc/passwd && printf "\n" >>/etc/passwd'
	_build dirs-host "$m" "RUN rm -rf /usr/local/bin /etc/krb5.conf.d && ln -s $s/bin /usr/local/bin && \
mkdir -p /usr/lib && ln -s $s/rpm /usr/lib/rpm && ln -s $s/krb5 /etc/krb5.conf.d"
	_build marker-host "$m" "RUN ln -s $s/sentinel /run/.toolboxenv"
	_build init-other "$m" "RUN printf '#!/bin/sh\necho not an init; exit 3\n' >/usr/bin/toolbox-init && \
chmod 0755 /usr/bin/toolbox-init && cp /usr/bin/toolbox-init /usr/bin/toolbox"
	_build init-symlink "$m" "RUN ln -s $s/created/init /usr/bin/toolbox-init"
	_build init-missing "$m" 'LABEL org.toolbox-tests.case=init-missing'
	_build_bogus init-exits 'exit 0'
	_build_bogus init-liar 'printf "\033[31mowned\033[0m by the image\nsecond line\n" >"$d/container-failed-$id"
exit 1'
	_build_bogus init-hangs 'rm -f "$d/container-failed-$id" && mkfifo "$d/container-failed-$id"
exec sleep 1000'

	# One ordinary toolbox for the socket and fd tests.
	TB_FD_C=$(tb_name fds)
	export TB_FD_C
	tb_create "$TB_FD_C" "$m"
	tb_wait_ready "$TB_FD_C" 60
}

teardown_file() {
	local img
	TB_REGISTRY_DIR=$BATS_FILE_TMPDIR tb_cleanup
	for img in $(pm images --format '{{.Repository}}:{{.Tag}}' |
		grep "^localhost/tbt-hostile-${TB_NAME_TAG:-$BATS_ROOT_PID}:"); do
		pm rmi -f "$img" >/dev/null 2>&1 || true
	done
	rm -rf "${TB_SENT:?}"
}

teardown() {
	local sock
	if [ -f "$BATS_TEST_TMPDIR/relays" ]; then
		while read -r sock; do
			kill "$(cat "$sock.pid" 2>/dev/null)" 2>/dev/null || true
			rm -f "$sock" "$sock.lock" "$sock.pid"
		done <"$BATS_TEST_TMPDIR/relays"
	fi
	tb_cleanup
	[ -z "${TB_UTMP:-}" ] || rm -rf "$TB_UTMP"
}

# What must not change on the host: the user and group databases, sudoers.d, the time
# zone, and the sentinel tree (every entry with its type, mode, owner and size).
_host_state() {
	(
		cd / || exit 1
		sha256sum etc/passwd etc/group etc/shadow etc/gshadow etc/localtime
		readlink etc/localtime || true
		find etc/sudoers.d -printf '%p %y %m %U %G %s\n' | sort
		find etc/sudoers.d -type f -exec sha256sum {} + | sort
		find "$TB_SENT" -printf '%p %y %m %U %G %s %l\n' | sort
		sha256sum "$TB_SENT/sentinel"
	) 2>&1
}

_host_snapshot() {
	_host_state >"$BATS_TEST_TMPDIR/host.before"
}

_host_unchanged() {
	_host_state >"$BATS_TEST_TMPDIR/host.after"
	diff -u "$BATS_TEST_TMPDIR/host.before" "$BATS_TEST_TMPDIR/host.after" ||
		fail "a host file changed (diff above)"
}

# The launcher as the mode's user, under a timeout; TB_ENV adds environment (NAME=VALUE
# words). The default relay is left alone unless a test asks for one.
tbx() {
	# shellcheck disable=SC2086 # TB_ENV is a list of words
	as_user env TOOLBOX_RELAY=0 ${TB_ENV:-} timeout 90 "$TB_LAUNCHER" "$@"
}

_reg() { # NAME: removed (with its stamps) by teardown
	echo "$1" >>"$(_tb_registry)"
}

# `toolbox create` from CASE's image; the name is in $c.
_create() { # CASE [CREATE-OPTION...]
	c=$(tb_name "$1")
	_reg "$c"
	run tbx create "${@:2}" -i "$(_img "$1")" "$c"
	assert_success
}

# `toolbox run -c $c CMD...` fails with status 125 and one line on stderr matching REGEX.
_run_fails() { # REGEX CMD...
	local re=$1
	shift
	run --separate-stderr tbx run -c "$c" "$@"
	[ "$status" != 124 ] || fail "toolbox run hung (killed by timeout): $stderr"
	assert_failure 125
	[ "$(printf '%s\n' "$stderr" | wc -l)" = 1 ] || fail "not one line: $stderr"
	assert_regex "$stderr" "^toolbox: error: $re"
}

# ---- /etc files and directories that lead to the host -----------------------------------

@test "hostile: /etc/passwd or /etc/group linked to the host's (/run/host): refused, host untouched" {
	_host_snapshot
	for t in passwd group; do
		_create "$t-host"
		_run_fails "container $c failed to initialize: refusing to edit /etc/$t: it is a symbolic link to /run/host/etc/$t \(the image must have its own; nothing was changed\)$" true
	done
	_host_unchanged
}

@test "hostile: /etc/passwd, shadow, gshadow linked through /proc/self/root and /proc/1/root: refused, host untouched" {
	_host_snapshot
	# podman itself cannot find root in a passwd that does not resolve in the image
	_create passwd-proc
	_run_fails "cannot start container $c: .*(user root|passwd)" true
	_create shadow-proc1
	_run_fails "container $c failed to initialize: refusing to edit /etc/shadow: it is a symbolic link to /proc/1/root/etc/shadow " true
	_create gshadow-proc
	_run_fails "container $c failed to initialize: refusing to edit /etc/gshadow: it is a symbolic link to /proc/self/root/run/host/etc/gshadow " true
	_host_unchanged
}

@test "hostile: /etc/sudoers.d linked to the host's is never written through" {
	local n
	_host_snapshot
	_create sudoers-host
	if [ "$TB_MODE" = rootful ]; then
		# root needs no drop-in: the container works, the link stays as it was
		run tbx run -c "$c" sh -c 'readlink /etc/sudoers.d; id -u'
		assert_success
		assert_output $'/run/host/etc/sudoers.d\n0'
		# and a non-root user of a rootful container (the init is real root) is refused
		n=$(tb_name nonroot)
		tb_create --env=XDG_RUNTIME_DIR=/var/tbt-stamps "$n" "$(_img sudoers-host)" \
			--uid 4242 --gid 4242 --user tbthostile --home /var/tbthostile
		pm start "$n" >/dev/null
		for _ in $(seq 100); do
			[ "$(pm inspect --format '{{.State.Running}}' "$n")" = false ] && break
			sleep 0.1
		done
		run pm inspect --format '{{.State.ExitCode}}' "$n"
		assert_output 1
		run pm logs "$n"
		assert_output --partial "refusing to edit /etc/sudoers.d: it is a symbolic link to /run/host/etc/sudoers.d"
	else
		_run_fails "container $c failed to initialize: refusing to edit /etc/sudoers.d: it is a symbolic link to /run/host/etc/sudoers.d " true
	fi
	_host_unchanged
}

@test "hostile: /etc/localtime and /etc/timezone linked to host files are replaced, never written through" {
	_host_snapshot
	_create localtime-proc
	run tbx run -c "$c" sh -c 'readlink /etc/localtime; [ -f /etc/timezone ] && [ ! -L /etc/timezone ] && echo file'
	assert_success
	assert_output $'/run/host/etc/localtime\nfile'
	_host_unchanged
}

@test "hostile: a FIFO at /etc/timezone does not block the init" {
	_host_snapshot
	_create timezone-fifo
	run tbx run -c "$c" sh -c '[ -f /etc/timezone ] && [ -s /etc/timezone ] && echo file'
	[ "$status" != 124 ] || fail "toolbox run hung"
	assert_success
	assert_output file
	_host_unchanged
}

@test "hostile: a 30 MB /etc/passwd is refused with its size limit" {
	_host_snapshot
	_create passwd-huge
	_run_fails "container $c failed to initialize: cannot read /etc/passwd: larger than 16384 KiB \(nothing was changed\)$" true
	_host_unchanged
}

@test "hostile: binary garbage in /etc/passwd is kept and the user still works" {
	_host_snapshot
	_create passwd-binary
	run tbx run -c "$c" sh -c 'id -un; head -c 1024 /etc/passwd | grep -c "^root:"'
	assert_success
	assert_output "$TB_USER"$'\n1'
	_host_unchanged
}

@test "hostile: /usr/local/bin, /usr/lib/rpm, krb5.conf.d and /run/.toolboxenv linked into the host get nothing" {
	_host_snapshot
	_create dirs-host
	run tbx run -c "$c" sh -c 'readlink /usr/local/bin /usr/lib/rpm /etc/krb5.conf.d'
	assert_success
	assert_output "/run/host$TB_SENT/bin
/run/host$TB_SENT/rpm
/run/host$TB_SENT/krb5"
	# host-spawn was not linked into bin/, nor RPM's macros written into rpm/macros.d/ or
	# Kerberos' into krb5/
	_host_unchanged
	# The marker is replaced by a file of the container's.
	_create marker-host
	run tbx run -c "$c" sh -c '[ -f /run/.toolboxenv ] && [ ! -L /run/.toolboxenv ] && echo marker'
	assert_success
	assert_output marker
	_host_unchanged
}

# ---- an image with a toolbox-init of its own --------------------------------------------

@test "hostile: an image's own /usr/bin/toolbox-init is hidden by ours unless create --image-init" {
	_create init-other
	run pm inspect --format '{{range .Mounts}}{{.Destination}} {{end}}' "$c"
	assert_output --partial /usr/bin/toolbox-init
	run --separate-stderr tbx run -c "$c" /usr/bin/toolbox-init --version
	assert_success
	assert_output "$("$TB_INIT" --version)"
	run tbx run -c "$c" /usr/bin/toolbox --version
	assert_output "$("$TB_INIT" --version)"
}

@test "hostile: an image's own init (--image-init) that exits, lies or hangs: one line, status 125, no hang" {
	_host_snapshot
	# exits at once without a stamp
	_create init-exits --image-init
	_run_fails "container $c stopped (right after it started|while it was initializing); see 'podman logs $c'$" true
	# a failure stamp with terminal escapes and two lines: the first, made printable
	_create init-liar --image-init
	_run_fails "container $c failed to initialize: \?\[31mowned\?\[0m by the image$" true
	[[ "$stderr" != *$'\033'* ]] || fail "an escape sequence reached the terminal"
	# never ready, a FIFO where its failure stamp goes: the launcher gives up in 25 s
	_create init-hangs --image-init
	_run_fails "container $c did not finish initializing within 25 s; see 'podman logs $c'$" true
	# none at all
	_create init-missing --image-init
	_run_fails "cannot start container $c: .*toolbox-init" true
	_host_unchanged
}

@test "hostile: /usr/bin/toolbox-init linked into /run/host is refused (runc made the mount point on the host)" {
	_host_snapshot
	_create init-symlink
	_run_fails "container $c failed to initialize: refusing to set up the container: the image's /usr/bin/toolbox-init is a symbolic link into the host \(it leads to /run/host$TB_SENT/created/init\)" true
	# podman mounts after /run/host and runc follows the image's link: the empty mount
	# point on the host is runc's doing (SECURITY.md), before our init runs. Nothing else.
	[ -f "$TB_SENT/created/init" ] && [ ! -s "$TB_SENT/created/init" ]
	pm rm -f -t 0 "$c" >/dev/null
	rm -f "$TB_SENT/created/init"
	_host_unchanged
}

# ---- the runtime directory and our sockets ----------------------------------------------

@test "hostile: a runtime directory open to group or others, or someone else's, is refused" {
	local rd m
	rd=$(mktemp -d /tmp/tbt-hostile-rundir.XXXXXX)
	chown "$TB_UID:$TB_GID" "$rd"
	for m in 0755 0750 0701 1777; do
		chmod "$m" "$rd"
		run as_user env XDG_RUNTIME_DIR="$rd" timeout 30 "$TB_LAUNCHER" relay serve
		assert_failure 125
		assert_output "toolbox: error: the runtime directory $rd is accessible by group or others (mode $m); toolbox keeps its sockets there: run 'chmod 700 $rd'"
		[ ! -e "$rd/toolbox" ] || fail "the relay made $rd/toolbox before refusing"
		run as_user env XDG_RUNTIME_DIR="$rd" TOOLBOX_RELAY=0 timeout 30 "$TB_LAUNCHER" run -c "$TB_FD_C" true
		assert_failure 125
		assert_output --partial "is accessible by group or others (mode $m)"
		run as_user env XDG_RUNTIME_DIR="$rd" timeout 30 "$TB_LAUNCHER" create -i "$TB_IMAGE_MINBASE" tbt-hostile-never
		assert_failure 125
		assert_output --partial "is accessible by group or others (mode $m)"
		run pm container exists tbt-hostile-never
		assert_failure
	done
	# someone else's (0700, but not the user's)
	chmod 0700 "$rd"
	chown "$((TB_UID + 1))" "$rd"
	if [ "$TB_MODE" = rootful ]; then
		run as_user env XDG_RUNTIME_DIR="$rd" timeout 30 "$TB_LAUNCHER" relay serve
		assert_failure 125
		assert_output "toolbox: error: the runtime directory $rd belongs to uid $((TB_UID + 1)), not to you (uid 0); set XDG_RUNTIME_DIR to your own (usually /run/user/0)"
	else
		# the user cannot even look into it
		run as_user env XDG_RUNTIME_DIR="$rd" timeout 30 "$TB_LAUNCHER" relay serve
		assert_failure 125
		assert_output --partial "$rd"
	fi
	rm -rf "$rd"
}

@test "hostile: toolbox run sessions get fds 0-2 only, plus --preserve-fds ones" {
	run as_user env TOOLBOX_RELAY=0 timeout 60 "$TB_LAUNCHER" run -c "$TB_FD_C" "$TB_PROBE_IN" --fds \
		5</dev/null 6>/dev/null 9</etc/hostname
	assert_success
	assert_line fds=0,1,2
	run as_user env TOOLBOX_RELAY=0 timeout 60 "$TB_LAUNCHER" run -c "$TB_FD_C" --preserve-fds 2 \
		"$TB_PROBE_IN" --fds 3</etc/hostname 4</dev/null 5</dev/null 9</dev/null
	assert_success
	assert_line fds=0,1,2,3,4
	assert_line "fd.3=/etc/hostname"
}

@test "hostile: a host command gets fds 0-2 only, from a relay that run started with fds open" {
	local sock=$TB_RUNTIME_DIR/toolbox/relay-hostile-$$.sock marker=$BATS_TEST_TMPDIR/leak-marker
	rm -f "$sock"
	echo "$sock" >"$BATS_TEST_TMPDIR/relays"
	touch "$marker"
	# The launcher starts this relay (nobody answers there) while it holds fds 5, 6 and 9;
	# the caller in the container has fds 7 and 8 open too.
	run as_user env TOOLBOX_RELAY_SOCKET="$sock" timeout 60 "$TB_LAUNCHER" run -c "$TB_FD_C" \
		sh -c "host-spawn $TB_PROBE --fds 7</dev/null 8>/dev/null" \
		5<"$marker" 6<"$marker" 9<"$marker"
	assert_success
	assert_line fds=0,1,2
	[ -S "$sock" ] || fail "the relay was not started on $sock"
	# and the relay itself kept none of the launcher's
	run ls -l "/proc/$(cat "$sock.pid")/fd"
	assert_success
	refute_output --partial leak-marker
}
