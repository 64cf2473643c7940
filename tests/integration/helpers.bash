# shellcheck shell=bash
# Helpers for the integration tests (load with `load helpers` in a .bats file); also
# sourced by tests/setup.sh, images.sh and demo.sh. The bats process runs as root in
# both modes; TB_MODE picks whose podman the tests drive:
#   TB_MODE=rootful   podman as root, toolbox user root (Toolbx's --userns host)
#   TB_MODE=rootless  podman as the test user tbtest through runuser (--userns keep-id)
#
# Variables (set by tb_mode, called below with $TB_MODE, default rootful):
#   TB_MODE TB_USER TB_UID TB_GID TB_HOME TB_RUNTIME_DIR (the user's XDG_RUNTIME_DIR)
#   TB_LOGIN_SHELL (the user's shell on the host)
#   TB_INIT   toolbox-init, readable by the mode's user (staged by tb_stage_bins)
#   TB_PROBE  the static probe (tests/probe/probe.c), same treatment
#   TB_TOOLBOX  the launcher (build/toolbox), same treatment, when it is built
#   TB_PROBE_IN  the probe's path inside a toolbox container (through /run/host)
#   TB_IMAGE_{MINBASE,SUDO,BUSYBOX,SCRATCH}  the images of tests/images.sh
# Functions:
#   pm ARGS...                   podman in the current mode (run from /)
#   as_user CMD...               CMD as the mode's user, with HOME, SHELL (the user's
#                                login shell), XDG_RUNTIME_DIR, CONTAINERS_CONF (from /)
#   tb_name [SUFFIX]             a container name unique to this test (tbt-...)
#   tb_create [OPT...] NAME IMAGE [INIT-ARG...]
#                                `podman create` as Toolbx does; OPTs (each one word,
#                                --opt=value) are added to podman create, INIT-ARGs to
#                                `toolbox-init init-container`; $TB_SHELL (default
#                                /bin/bash) is the --shell. Registers NAME for tb_cleanup.
#   tb_wait_ready NAME [TIMEOUT]  start NAME unless running, wait for its readiness stamp
#   tb_exec [OPT...] NAME CMD... `podman exec --user TB_USER [OPT...] NAME toolbox-init
#                                exec -- CMD...`; OPTs as above (-i, -t, --env=K=V ...)
#   tb_probe NAME [ARG...]       run the probe in NAME through tb_exec
#   probe_val KEY [TEXT]         KEY's value in probe output (default: $output)
#   tb_cleanup                   remove every container this test registered; the
#                                default teardown below calls it (a file that defines
#                                its own teardown must call it too)
#   tb_stage_bins                copy tests/containers.conf, build/toolbox-init,
#                                build/musl/probe (and build/toolbox when built) to
#                                $TB_STAGE_DIR (world-readable), when they changed;
#                                done when this file is loaded

TB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TB_TEST_USER=${TB_TEST_USER:-tbtest}

# The repository may live where the test user cannot look (a clone under /root, say),
# so what the user's podman reads (containers.conf, the binaries containers mount) is
# copied to a world-readable root-owned directory (tests/setup.sh uses the same one).
TB_STAGE_DIR=${TB_STAGE_DIR:-/var/tmp/toolbox-tests}
TB_BIN_DIR="$TB_STAGE_DIR/bin"
TB_INIT="$TB_BIN_DIR/toolbox-init"
TB_PROBE="$TB_BIN_DIR/probe"
TB_TOOLBOX="$TB_BIN_DIR/toolbox"
TB_PROBE_IN="/run/host$TB_PROBE"
export CONTAINERS_CONF="$TB_STAGE_DIR/containers.conf"

TB_IMAGE_MINBASE=localhost/toolbox-test-debian:12-minbase
TB_IMAGE_SUDO=localhost/toolbox-test-debian:12-sudo
TB_IMAGE_BUSYBOX=localhost/toolbox-test-busybox:latest
TB_IMAGE_SCRATCH=localhost/toolbox-test-scratch:latest
export TB_STAGE_DIR TB_BIN_DIR TB_INIT TB_PROBE TB_TOOLBOX TB_PROBE_IN \
	TB_IMAGE_MINBASE TB_IMAGE_SUDO TB_IMAGE_BUSYBOX TB_IMAGE_SCRATCH

# strace for the tests. LeakSanitizer cannot work under ptrace: a sanitized launcher
# (make check-integration-san) runs with its leak check off there.
TB_STRACE=(strace)
[ -z "${ASAN_OPTIONS:-}" ] || TB_STRACE+=(-E "ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0")

_tb_stage() { # SRC DST MODE: copy when different, as a new inode renamed into place
	cmp -s "$1" "$2" && return 0
	install -m "$3" -o root -g root "$1" "$2.tmp.$$"
	mv -f "$2.tmp.$$" "$2"
}

tb_stage_bins() {
	local d src
	for d in "$TB_STAGE_DIR" "$TB_BIN_DIR"; do
		if [ -L "$d" ] || { [ -e "$d" ] && [ "$(stat -c %u "$d")" != 0 ]; }; then
			echo "helpers: $d is a symbolic link or not root's; remove it" >&2
			return 1
		fi
	done
	install -d -m 0755 -o root -g root "$TB_STAGE_DIR" "$TB_BIN_DIR"
	_tb_stage "$TB_REPO/tests/containers.conf" "$CONTAINERS_CONF" 0644
	# A running container keeps the binary it mounted (the old inode).
	# TB_TOOLBOX_SRC: another launcher build to test (make check-integration-san).
	for src in "$TB_REPO/build/toolbox-init" "$TB_REPO/build/musl/probe" \
		"${TB_TOOLBOX_SRC:-$TB_REPO/build/toolbox}"; do
		[ -f "$src" ] || continue
		_tb_stage "$src" "$TB_BIN_DIR/$(basename "$src")" 0755
	done
}

tb_mode() { # rootful|rootless
	TB_MODE=$1
	case $TB_MODE in
	rootful)
		TB_USER=root
		TB_UID=0
		TB_GID=0
		TB_HOME=/root
		;;
	rootless)
		TB_USER=$TB_TEST_USER
		TB_UID=$(id -u "$TB_USER")
		TB_GID=$(id -g "$TB_USER")
		TB_HOME=$(getent passwd "$TB_USER" | cut -d: -f6)
		;;
	*)
		echo "helpers: TB_MODE must be rootful or rootless, not '$TB_MODE'" >&2
		return 1
		;;
	esac
	# Toolbx mounts the canonical home.
	TB_HOME=$(readlink -f "$TB_HOME")
	TB_LOGIN_SHELL=$(getent passwd "$TB_USER" | cut -d: -f7)
	TB_RUNTIME_DIR=/run/user/$TB_UID
	# Where the init's readiness stamps go: Toolbx keeps root's in /run/toolbox.
	if [ "$TB_UID" = 0 ]; then
		TB_STAMP_DIR=/run/toolbox
	else
		TB_STAMP_DIR=$TB_RUNTIME_DIR/toolbox
	fi
	export TB_STAMP_DIR
	export TB_MODE TB_USER TB_UID TB_GID TB_HOME TB_RUNTIME_DIR TB_LOGIN_SHELL
}

as_user() {
	if [ "$TB_MODE" = rootful ]; then
		(cd / && env HOME="$TB_HOME" SHELL="$TB_LOGIN_SHELL" \
			XDG_RUNTIME_DIR="$TB_RUNTIME_DIR" CONTAINERS_CONF="$CONTAINERS_CONF" "$@")
	else
		(cd / && runuser -u "$TB_USER" -- env HOME="$TB_HOME" USER="$TB_USER" \
			LOGNAME="$TB_USER" SHELL="$TB_LOGIN_SHELL" XDG_RUNTIME_DIR="$TB_RUNTIME_DIR" \
			CONTAINERS_CONF="$CONTAINERS_CONF" "$@")
	fi
}

pm() {
	if [ "$TB_MODE" = rootful ]; then
		(cd / && podman "$@")
	else
		as_user podman "$@"
	fi
}

_tb_registry() {
	echo "${BATS_TEST_TMPDIR:-${TB_REGISTRY_DIR:-/tmp}}/tb-containers.$TB_MODE"
}

tb_name() {
	local base
	base=$(basename "${BATS_TEST_FILENAME:-demo}" .bats)
	# TB_NAME_TAG (set per run by run.sh) keeps two runs at once from sharing names.
	echo "tbt-${TB_NAME_TAG:+$TB_NAME_TAG-}$base-${BATS_TEST_NUMBER:-$$}${1:+-$1}"
}

tb_create() {
	local opts=() name image args
	while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do
		opts+=("$1")
		shift
	done
	if [ $# -lt 2 ]; then
		echo "usage: tb_create [PODMAN-OPT...] NAME IMAGE [INIT-ARG...]" >&2
		return 2
	fi
	name=$1
	image=$2
	shift 2

	# Toolbx's `toolbox create` (src/cmd/create.go), minus what only a desktop has
	# (TOOLBOX_PATH, Avahi/KCM/PC/SC sockets, /media, /mnt, toolbox.sh). --ulimit host
	# is kept as Toolbx has it: podman 4.3 accepts it, but the container still gets
	# containers.conf's default_ulimits (tests/containers.conf, which stay under the
	# hard limits: no CAP_SYS_RESOURCE here), as root and rootless alike.
	# shellcheck disable=SC2054 # the commas belong to --mount's value
	args=(create
		--cgroupns host
		--dns none
		--env "XDG_RUNTIME_DIR=$TB_RUNTIME_DIR"
		--hostname toolbx
		--ipc host
		--label com.github.containers.toolbox=true
		--mount type=devpts,destination=/dev/pts
		--name "$name"
		--network host
		--no-hosts
		--pid host
		--privileged
		--security-opt label=disable
		--ulimit host)
	if [ "$TB_MODE" = rootful ]; then
		args+=(--userns host)
	else
		args+=(--userns keep-id)
	fi
	args+=(--user root:root
		--volume /:/run/host:rslave
		--volume /dev:/dev:rslave
		--volume "$TB_HOME:$TB_HOME:rslave"
		--volume "$TB_RUNTIME_DIR:$TB_RUNTIME_DIR")
	if [ "$TB_UID" = 0 ]; then
		install -d -m 0700 /run/toolbox
		args+=(--volume /run/toolbox:/run/toolbox)
	fi
	if [ -S /run/dbus/system_bus_socket ]; then
		args+=(--volume /run/dbus/system_bus_socket:/run/dbus/system_bus_socket)
	fi
	# Not Toolbx's: lets run.sh find what a test left behind, in this run only.
	args+=(--label "org.toolbox-tests.run=${TB_RUN_ID:-adhoc}")
	args+=(--volume "$TB_INIT:/usr/bin/toolbox-init:ro"
		"${opts[@]}"
		"$image"
		toolbox-init init-container
		--gid "$TB_GID"
		--home "$TB_HOME"
		--shell "${TB_SHELL:-/bin/bash}"
		--uid "$TB_UID"
		--user "$TB_USER"
		--monitor-host
		"$@")

	# Registered first, so a half-made container is removed too.
	echo "$name" >>"$(_tb_registry)"
	pm "${args[@]}" >/dev/null
}

# Paths of NAME's readiness stamps (docs/INTERFACES.md), PID-keyed and ID-keyed.
_tb_stamps() { # KIND NAME-ID PID
	echo "$TB_STAMP_DIR/container-$1-$2"
	[ "${3:-0}" = 0 ] || echo "$TB_STAMP_DIR/container-$1-$3"
}

_tb_show_logs() {
	echo "--- pm logs $1:"
	pm logs "$1" 2>&1 | tail -40 || true
	echo "---"
}

tb_wait_ready() { # NAME [TIMEOUT seconds, default 30]
	local name=$1 timeout=${2:-30} running id pid since='' rc=0
	running=$(pm inspect --format '{{.State.Running}}' "$name") || return 1
	id=$(pm inspect --format '{{.Id}}' "$name") || return 1
	if [ "$running" != true ]; then
		# Stale ID stamps from an earlier start would read as this one's, and a
		# PID-keyed stamp older than this start is another (gone) container's.
		rm -f "$TB_STAMP_DIR/container-initialized-$id" \
			"$TB_STAMP_DIR/container-failed-$id"
		since=$(mktemp "${BATS_TEST_TMPDIR:-/tmp}/tb-start.XXXXXX")
		if ! pm start "$name" >/dev/null; then
			echo "tb_wait_ready: podman start $name failed"
			_tb_show_logs "$name"
			rm -f "$since"
			return 1
		fi
	fi
	# 0 when the init is already gone; its ID-keyed stamp still tells why.
	pid=$(pm inspect --format '{{.State.Pid}}' "$name") || return 1
	_tb_wait_stamp "$name" "$id" "$pid" "$timeout" "$since" || rc=$?
	[ -z "$since" ] || rm -f "$since"
	return "$rc"
}

_tb_stamp_is() { # KIND ID PID SINCE: a stamp of this kind for this start exists
	local f
	for f in $(_tb_stamps "$1" "$2" "$3"); do
		[ -f "$f" ] && { [ -z "$4" ] || [ "$f" -nt "$4" ]; } && return 0
	done
	return 1
}

_tb_wait_stamp() { # NAME ID PID TIMEOUT SINCE
	local name=$1 id=$2 pid=$3 timeout=$4 since=$5 deadline f tick=0
	deadline=$((SECONDS + timeout))
	while :; do
		if _tb_stamp_is failed "$id" "$pid" "$since"; then
			for f in $(_tb_stamps failed "$id" "$pid"); do
				[ -f "$f" ] && break
			done
			echo "tb_wait_ready: $name failed to initialize: $(cat "$f")"
			_tb_show_logs "$name"
			return 1
		fi
		_tb_stamp_is initialized "$id" "$pid" "$since" && return 0
		# At once when it had no PID, then every second: has the init gone, with
		# no stamp?
		if { [ "$pid" = 0 ] || [ $((++tick % 10)) = 0 ]; } &&
			[ "$(pm inspect --format '{{.State.Running}}' "$name")" != true ]; then
			# It may have written its stamp just before exiting.
			if _tb_stamp_is failed "$id" "$pid" "$since" ||
				_tb_stamp_is initialized "$id" "$pid" "$since"; then
				continue
			fi
			echo "tb_wait_ready: $name exited (status $(pm inspect \
				--format '{{.State.ExitCode}}' "$name")) without a readiness stamp" \
				"in $TB_STAMP_DIR"
			_tb_show_logs "$name"
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "tb_wait_ready: $name not ready after ${timeout}s (no" \
				"container-initialized-$pid in $TB_STAMP_DIR)"
			_tb_show_logs "$name"
			return 1
		fi
		sleep 0.1
	done
}

tb_exec() {
	local opts=() name
	while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do
		opts+=("$1")
		shift
	done
	if [ $# -lt 1 ]; then
		echo "usage: tb_exec [PODMAN-OPT...] NAME [CMD...]" >&2
		return 2
	fi
	name=$1
	shift
	pm exec --user "$TB_USER" "${opts[@]}" "$name" /usr/bin/toolbox-init exec -- "$@"
}

tb_probe() { # NAME [PROBE-ARG...]
	local name=$1
	shift
	tb_exec "$name" "$TB_PROBE_IN" "$@"
}

probe_val() { # KEY [TEXT]: the value of KEY= in probe output (default: $output)
	local text=${2-${output-}}
	printf '%s\n' "$text" | sed -n "s/^$1=//p" | head -1
}

tb_cleanup() {
	local reg name id pid stamps
	reg=$(_tb_registry)
	[ -f "$reg" ] || return 0
	while read -r name; do
		[ -n "$name" ] || continue
		read -r id pid < <(pm inspect --format '{{.Id}} {{.State.Pid}}' "$name" 2>/dev/null) ||
			continue
		pm rm -f -t 0 "$name" >/dev/null 2>&1 || pm rm -f "$name" >/dev/null 2>&1 || true
		mapfile -t stamps < <(_tb_stamps initialized "$id" "$pid"; _tb_stamps failed "$id" "$pid")
		rm -f "${stamps[@]}"
	done < <(sort -u "$reg")
	rm -f "$reg"
}

# Only in bats: the assertion libraries and the default teardown.
if [ -n "${BATS_VERSION:-}" ]; then
	BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
	bats_load_library bats-support
	bats_load_library bats-assert

	teardown() {
		tb_cleanup
	}
fi

tb_mode "${TB_MODE:-rootful}"
tb_stage_bins
