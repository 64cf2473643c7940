#!/bin/bash
# Prepare this machine for the test suite (run as root; idempotent, fast when all is in
# place): Debian packages, the rootless test user, its runtime directory, /dev/mqueue,
# podman's rootless state for that user, and the test images (tests/images.sh --matrix).
# One progress line per step.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
TB_TEST_USER=${TB_TEST_USER:-tbtest}

step() { printf 'setup: %-28s %s\n' "$1" "$2"; }

if [ "$(id -u)" != 0 ]; then
	echo "setup: must run as root (it installs packages and creates the user $TB_TEST_USER)" >&2
	exit 1
fi

# 1. Debian packages (quiet and quick when nothing is missing).
"$repo/scripts/install-packages.sh"
step packages ok

# The test helpers: TB_STAGE_DIR (a world-readable copy of tests/containers.conf, which
# CONTAINERS_CONF names, and of the built binaries), pm (podman in a mode).
# shellcheck source=tests/integration/helpers.bash disable=SC1091
. "$here/integration/helpers.bash"
step "staged in $TB_STAGE_DIR" ok

# 2. The rootless test user.
if id -u "$TB_TEST_USER" >/dev/null 2>&1; then
	step "user $TB_TEST_USER" "ok (exists)"
else
	useradd -m -s /bin/bash "$TB_TEST_USER"
	step "user $TB_TEST_USER" created
fi
uid=$(id -u "$TB_TEST_USER")
gid=$(id -g "$TB_TEST_USER")

# 3. Subordinate ids: useradd normally adds a range; add one after the highest range in
# use when it did not (an /etc/login.defs without SUB_*, or a user made elsewhere).
subid_range() { # FILE: make sure FILE has a range of 65536 ids for the test user
	local file=$1 flag=$2 start
	if grep -q "^$TB_TEST_USER:" "$file" 2>/dev/null; then
		echo ok
		return
	fi
	start=$(awk -F: 'BEGIN { m = 100000 } NF >= 3 && $2 + $3 > m { m = $2 + $3 } END { print m }' \
		"$file" 2>/dev/null || echo 100000)
	usermod "$flag" "$start-$((start + 65535))" "$TB_TEST_USER"
	echo "added $start-$((start + 65535))"
}
step "subuids $TB_TEST_USER" "$(subid_range /etc/subuid --add-subuids)"
step "subgids $TB_TEST_USER" "$(subid_range /etc/subgid --add-subgids)"

# 4. /run/user/UID as logind would make it (no logind here); root's too, for the
# rootful tests, which mount it into toolbox containers like Toolbx does.
runtime_dir() { # DIR OWNER
	if [ -d "$1" ] && [ "$(stat -c '%a %u' "$1")" = "700 $2" ]; then
		echo ok
		return
	fi
	mkdir -p "$1"
	chown "$2:$3" "$1"
	chmod 0700 "$1"
	echo created
}
# logind removes /run/user/UID when the user's last process ends; a machine without
# logind keeps it, and with it podman's record of containers whose processes are gone
# ("invalid internal status ... could not find any running process"). Do as logind does.
if [ -d "/run/user/$uid" ] && ! pgrep -u "$uid" >/dev/null; then
	rm -rf --one-file-system "/run/user/$uid"
	step "/run/user/$uid (stale)" removed
fi
mkdir -p /run/user
step "/run/user/$uid" "$(runtime_dir "/run/user/$uid" "$uid" "$gid")"
step /run/user/0 "$(runtime_dir /run/user/0 0 0)"

# 5. POSIX message queues: podman bind-mounts /dev/mqueue for --ipc host.
if mountpoint -q /dev/mqueue; then
	step /dev/mqueue "ok (mounted)"
else
	mkdir -p /dev/mqueue
	mount -t mqueue mqueue /dev/mqueue
	step /dev/mqueue mounted
fi

# 6. Rootless podman: re-read the subordinate ids after they or podman changed.
key="$(podman --version) $(grep "^$TB_TEST_USER:" /etc/subuid)"
key="$key $(grep "^$TB_TEST_USER:" /etc/subgid)"
home=$(getent passwd "$TB_TEST_USER" | cut -d: -f6)
stamp="$home/.cache/toolbox-tests-migrated"
if [ "$(cat "$stamp" 2>/dev/null)" = "$key" ]; then
	step "podman migrate $TB_TEST_USER" "ok (up to date)"
else
	# Quiet unless it fails (it warns that / is not a shared mount here).
	if ! out=$(tb_mode rootless && pm system migrate 2>&1); then
		printf '%s\n' "$out" >&2
		exit 1
	fi
	runuser -u "$TB_TEST_USER" -- mkdir -p "$home/.cache"
	printf '%s\n' "$key" >"$stamp"
	chown "$uid:$gid" "$stamp"
	step "podman migrate $TB_TEST_USER" "done"
fi

# 6b. Rootless storage on native overlay (kernel >= 5.13): podman 4.3 may have settled on
# vfs, which copies the whole image for every container (seconds each). Switching drivers
# needs an empty store, so the test user's store is reset once; images.sh reloads it.
conf_dir="$home/.config/containers"
if ! grep -qs '^driver = "overlay"' "$conf_dir/storage.conf"; then
	runuser -u "$TB_TEST_USER" -- mkdir -p "$conf_dir"
	printf '# Written by toolbox tests/setup.sh\n[storage]\ndriver = "overlay"\n' >"$conf_dir/storage.conf"
	chown "$uid:$gid" "$conf_dir/storage.conf"
fi
user_driver() { (tb_mode rootless && pm info --format '{{.Store.GraphDriverName}}' 2>/dev/null) || true; }
driver=$(user_driver)
if [ "$driver" != overlay ]; then
	if ! (tb_mode rootless && pm system reset -f >/dev/null 2>&1); then
		echo "setup: podman system reset for $TB_TEST_USER failed; its storage stays $driver" >&2
	fi
	driver=$(user_driver)
fi
step "storage $TB_TEST_USER" "${driver:-unknown}"

# 7. Test images, in root's and the test user's storage, and the toolbox images of the
# image matrix (tests/images/matrix.list, built by images/build).
t0=$SECONDS
"$here/images.sh" --matrix
step images "ok ($((SECONDS - t0))s)"
