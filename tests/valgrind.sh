#!/bin/bash
# Memcheck of toolbox-init (`make check-valgrind`; root; about 15 s).
#
#   tests/valgrind.sh TOOLBOX-INIT TOOLBOX [TOOLBOX-INIT-GLIBC]
#
# TOOLBOX-INIT is the shipped static musl build. In a static binary memcheck cannot put
# its own malloc in place (that goes through the dynamic loader), so heap errors and leaks
# go unseen there; TOOLBOX-INIT-GLIBC (the same sources linked dynamically with glibc,
# `make build/host/toolbox-init-glibc`) covers them. Every step below runs once per build.
#
# How: a throwaway root in /var/tmp (its own /etc, /run and a fake host under /run/host;
# the host's /usr under an overlay, for valgrind itself, /bin/sh and the glibc build's
# libraries; the host's /dev bound read-only), in a private mount namespace:
#   1. `init-container` as PID 1 of a new PID namespace (unshare --pid --fork
#      --mount-proc, chroot) under valgrind: it sets up the user, the /etc links, the
#      /run/host binds and the host-spawn links, writes its readiness stamp, confines itself
#      (valgrind cannot run seccomp(2): the init says so and goes on) and waits; a change of
#      the fake host's /etc/localtime runs its inotify handler; SIGTERM must then end it
#      with status 0. Once for a user, once for root.
#   2. the same with a hostile /etc/shadow (a symlink): status 1 and the failure stamp.
#   3. `toolbox-init exec` (user switch, groups, capabilities, cwd, --preserve-fds) ending in
#      a command that does not exist (127: an execve would end valgrind's view), and its
#      errors.
#   4. host-spawn and flatpak-spawn against a real relay (TOOLBOX, `toolbox relay serve` on
#      a private socket), and with none there (125).
# Every valgrind run has --error-exitcode=99 --exit-on-first-error=yes: any memcheck error,
# a definite leak included, ends the run with 99 at once (also before an exec).
# tests/valgrind.supp holds the suppressions, each with its reason.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -lt 2 ]; then
	echo "usage: tests/valgrind.sh TOOLBOX-INIT TOOLBOX [TOOLBOX-INIT-GLIBC]" >&2
	exit 2
fi
inits=("$(realpath "$1")")
toolbox=$(realpath "$2")
[ $# -lt 3 ] || inits+=("$(realpath "$3")")

if [ "$(id -u)" != 0 ]; then
	echo "valgrind.sh: run as root (it needs PID and mount namespaces)" >&2
	exit 1
fi
for cmd in valgrind unshare chroot mountpoint; do
	command -v "$cmd" >/dev/null || {
		echo "valgrind.sh: $cmd is missing; run tests/setup.sh" >&2
		exit 1
	}
done
if [ "${TB_VALGRIND_INNER:-}" != 1 ]; then
	# Everything below runs in a private mount namespace: no mount outlives it.
	exec env TB_VALGRIND_INNER=1 unshare --mount --propagation private "$0" "$@"
fi

VG=(valgrind --quiet --error-exitcode=99 --exit-on-first-error=yes --vgdb=no
	--leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite)
roots=()
root=
relay_pid=
failures=0

# Each root is unmounted before it is removed, and the removal never crosses a mount.
cleanup() {
	local r
	[ -z "$relay_pid" ] || kill "$relay_pid" 2>/dev/null || true
	for r in "${roots[@]}"; do
		umount "$r/proc" "$r/dev" "$r/usr" 2>/dev/null || true
		if mountpoint -q "$r/usr" || mountpoint -q "$r/dev" || mountpoint -q "$r/proc"; then
			echo "valgrind.sh: $r is still mounted; left in place" >&2
			continue
		fi
		rm -rf --one-file-system "$r"
		rm -f "$r.log"
	done
}
trap cleanup EXIT

check() { # NAME EXPECTED-STATUS STATUS
	if [ "$3" = "$2" ]; then
		echo "ok   $1"
	else
		echo "FAIL $1: status $3, expected $2 (99: a memcheck error, above; 98: no inotify)"
		failures=$((failures + 1))
	fi
}

# A new throwaway root in $root, with INIT at /usr/bin/toolbox-init.
make_root() { # INIT
	root=$(mktemp -d /var/tmp/tb-valgrind.XXXXXX)
	roots+=("$root")
	chmod 0755 "$root"
	mkdir -p "$root"/{etc,run,tmp,proc,dev,usr,root,home/tbvg,var/tmp}
	ln -s usr/bin "$root/bin"
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"
	ln -s usr/sbin "$root/sbin"
	chmod 1777 "$root/tmp"
	printf 'root:x:0:0:root:/root:/bin/sh\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\n' >"$root/etc/passwd"
	printf 'root:*:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n' >"$root/etc/shadow"
	printf 'root:x:0:\nbin:x:2:\nsudo:x:27:\n' >"$root/etc/group"
	printf 'root:*::\nbin:*::\nsudo:*::\n' >"$root/etc/gshadow"
	chmod 0640 "$root/etc/shadow" "$root/etc/gshadow"
	# the host, as the container sees it
	mkdir -p "$root/run/host"/{etc,tmp,run/media}
	printf '127.0.0.1 localhost\n' >"$root/run/host/etc/hosts"
	printf 'nameserver 127.0.0.53\n' >"$root/run/host/etc/resolv.conf"
	printf 'multi on\n' >"$root/run/host/etc/host.conf"
	printf 'Europe/Berlin\n' >"$root/run/host/etc/timezone"
	ln -s /usr/share/zoneinfo/Europe/Berlin "$root/run/host/etc/localtime"
	printf '0123456789abcdef0123456789abcdef\n' >"$root/run/host/etc/machine-id"
	install -m 0644 "$here/valgrind.supp" "$root/valgrind.supp"
	# The host's /usr under an overlay whose upper layer is in the root (the init adds
	# /usr/local/bin/host-spawn), /dev read-only (device nodes stay usable): nothing of
	# the host can change.
	mkdir -p "$root/.usr/upper" "$root/.usr/work"
	mount -t overlay overlay -o "lowerdir=/usr,upperdir=$root/.usr/upper,workdir=$root/.usr/work" \
		"$root/usr"
	install -m 0755 "$1" "$root/usr/bin/toolbox-init"
	mount --bind /dev "$root/dev"
	mount -o remount,bind,ro "$root/dev"
	mount -t proc proc "$root/proc"
}

# valgrind in the root
vg_chroot() {
	chroot "$root" "${VG[@]}" --suppressions=/valgrind.supp "$@"
}

# init-container as PID 1 under valgrind, SIGTERM once ready; echoes the exit status.
run_init() { # STAMP-DIR (in the root) INIT-ARG...
	local stamps=$root$1 upid pid1='' status=0
	shift
	unshare --pid --fork --mount-proc="$root/proc" chroot "$root" "${VG[@]}" \
		--suppressions=/valgrind.supp /usr/bin/toolbox-init init-container --log-level debug \
		"$@" 2>"$root.log" &
	upid=$!
	for _ in $(seq 300); do
		[ -e "$stamps/container-initialized-1" ] || [ -e "$stamps/container-failed-1" ] && break
		kill -0 "$upid" 2>/dev/null || break
		sleep 0.1
	done
	if [ -e "$stamps/container-initialized-1" ]; then
		# the inotify handler (it logs the new zone), then the end
		ln -sfn /usr/share/zoneinfo/Asia/Tokyo "$root/run/host/etc/localtime"
		for _ in $(seq 100); do
			grep -q "time zone is Asia/Tokyo" "$root.log" && break
			sleep 0.1
		done
		grep -q "time zone is Asia/Tokyo" "$root.log" || status=98
		pid1=$(cat "/proc/$upid/task/$upid/children" 2>/dev/null || true)
		[ -z "$pid1" ] || kill -TERM "$pid1"
	fi
	if [ "$status" = 98 ]; then
		echo "valgrind.sh: the init did not follow the host's time zone" >&2
		wait "$upid" || true
	else
		wait "$upid" || status=$?
	fi
	# valgrind's own warning about seccomp(2) is expected (see above)
	grep -v -e '^--1-- ' "$root.log" >&2 || true
	echo "$status"
}

run_all() { # INIT
	local init=$1 st rundir sock

	make_root "$init"
	echo "== init-container as PID 1 (user tbvg)"
	st=$(XDG_RUNTIME_DIR=/run/user/4321 run_init /run/user/4321/toolbox --uid 4321 \
		--gid 4321 --user tbvg --home /home/tbvg --shell /bin/sh)
	check "init-container (user) ends on SIGTERM" 0 "$st"
	grep -q '^tbvg:x:4321:4321::/home/tbvg:/bin/sh$' "$root/etc/passwd" ||
		check "init-container (user) added the user" 0 1
	[ "$(readlink "$root/etc/localtime")" = /run/host/etc/localtime ] ||
		check "init-container (user) linked /etc/localtime" 0 1
	[ "$(readlink "$root/usr/local/bin/host-spawn")" = /usr/bin/toolbox-init ] ||
		check "init-container (user) linked host-spawn" 0 1

	echo "== toolbox-init exec"
	st=0
	vg_chroot /usr/bin/toolbox-init exec --user tbvg --cwd /tmp -- /nonexistent-command \
		2>/dev/null || st=$?
	check "exec --user --cwd, a missing command (127)" 127 "$st"
	st=0
	vg_chroot /usr/bin/toolbox-init exec --preserve-fds 1 --user tbvg -- \
		/nonexistent-command 3</dev/null 2>/dev/null || st=$?
	check "exec --preserve-fds (127)" 127 "$st"
	st=0
	vg_chroot /usr/bin/toolbox-init exec --user nosuchuser -- /bin/true 2>/dev/null || st=$?
	check "exec --user unknown (125)" 125 "$st"
	st=0
	vg_chroot /usr/bin/toolbox-init exec --bogus 2>/dev/null || st=$?
	check "exec usage error (125)" 125 "$st"

	echo "== init-container as PID 1 (root)"
	make_root "$init"
	st=$(run_init /run/toolbox --uid 0 --gid 0 --user root --home /root --shell /bin/sh)
	check "init-container (root) ends on SIGTERM" 0 "$st"

	echo "== init-container with a hostile /etc/shadow"
	make_root "$init"
	rm "$root/etc/shadow"
	ln -s /run/host/etc/shadow "$root/etc/shadow"
	st=$(XDG_RUNTIME_DIR=/run/user/4321 run_init /run/user/4321/toolbox --uid 4321 \
		--user tbvg --home /home/tbvg --shell /bin/sh 2>/dev/null)
	check "init-container refuses a symlinked /etc/shadow (1)" 1 "$st"
	grep -q "refusing to edit /etc/shadow" "$root/run/user/4321/toolbox/container-failed-1" ||
		check "init-container wrote the failure stamp" 0 1

	echo "== host-spawn and flatpak-spawn"
	rundir=$(mktemp -d /tmp/tb-valgrind-run.XXXXXX)
	sock=$rundir/toolbox/relay.sock
	XDG_RUNTIME_DIR=$rundir "$toolbox" relay serve --socket "$sock" --idle-timeout 0 \
		>"$rundir/relay.log" 2>&1 &
	relay_pid=$!
	for _ in $(seq 100); do
		[ -S "$sock" ] && break
		sleep 0.05
	done
	hs() { # EXPECTED NAME ARG...: `toolbox-init ARG...` on the host, against the relay
		local want=$1 name=$2 st=0
		shift 2
		TOOLBOX_RELAY_SOCKET=$sock "${VG[@]}" --suppressions="$here/valgrind.supp" \
			"$init" "$@" </dev/null >/dev/null 2>&1 || st=$?
		check "$name" "$want" "$st"
	}
	hs 0 "host-spawn true" host-spawn true
	hs 7 "host-spawn -no-pty -env -cwd, exit 7" host-spawn -no-pty -env TERM,HOME -cwd /tmp \
		sh -c 'exit 7'
	hs 0 "flatpak-spawn --host --env --unset-env --directory --clear-env" flatpak-spawn \
		--host --env=A=1 --unset-env=B --directory=/ --clear-env /bin/true
	hs 127 "host-spawn of a missing command (127)" host-spawn /nonexistent-command
	hs 2 "host-spawn usage error (2)" host-spawn -cwd
	hs 0 "host-spawn --help" host-spawn --help
	hs 2 "flatpak-spawn without --host (2)" flatpak-spawn true
	kill "$relay_pid"
	wait "$relay_pid" 2>/dev/null || true
	relay_pid=
	hs 125 "host-spawn with no relay (125)" host-spawn true
	rm -rf --one-file-system "$rundir"
}

for init in "${inits[@]}"; do
	echo "=== $init"
	run_all "$init"
done

if [ "$failures" != 0 ]; then
	echo "check-valgrind: $failures failed"
	exit 1
fi
echo "check-valgrind: all passed"
