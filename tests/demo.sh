#!/bin/bash
# The README's demo (`make demo`, as root, after a build): a toolbox container from a
# plain Debian 12 image, for the rootless test user and for root, made ready by
# toolbox-init; runs `id` and the first lines of /etc/os-release in it, then removes it.
# With a launcher (build/toolbox) that has create and run, it goes through that;
# otherwise straight through podman with Toolbx's flags (tests/integration/helpers.bash).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

if [ "$(id -u)" != 0 ]; then
	echo "demo: run as root (make demo); it drives podman as root and as the test user" >&2
	exit 1
fi
if [ ! -x "$repo/build/toolbox-init" ]; then
	echo "demo: build/toolbox-init is missing; run make first" >&2
	exit 1
fi

# The images (a quick no-op once they exist); quiet unless something goes wrong.
if ! out=$("$here/images.sh" 2>&1); then
	printf '%s\n' "$out" >&2
	exit 1
fi

# shellcheck source=tests/integration/helpers.bash disable=SC1091
. "$here/integration/helpers.bash"
TB_REGISTRY_DIR=$(mktemp -d /tmp/toolbox-demo.XXXXXX)
cleanup() {
	local mode
	for mode in rootless rootful; do
		tb_mode "$mode"
		if [ -n "${launcher:-}" ]; then
			as_user "$TB_TOOLBOX" rm --force "$(_demo_name)" >/dev/null 2>&1 || true
		fi
		tb_cleanup
	done
	rm -rf "$TB_REGISTRY_DIR"
}
trap cleanup EXIT

_demo_name() { echo "toolbox-demo-$TB_MODE"; }

# The launcher, when it is there and knows both commands.
launcher=
if [ -x "$TB_TOOLBOX" ] && help=$("$TB_TOOLBOX" --help 2>&1) &&
	grep -qw create <<<"$help" && grep -qw run <<<"$help"; then
	launcher=$TB_TOOLBOX
fi

image=$TB_IMAGE_MINBASE
show() { # NAME SHELL-COMMAND: print the command, then run it in the container with sh -c
	echo "\$ $2"
	if [ -n "$launcher" ]; then
		as_user "$launcher" run --container "$1" sh -c "$2"
	else
		tb_exec "$1" sh -c "$2"
	fi
}

for mode in rootless rootful; do
	tb_mode "$mode"
	name=$(_demo_name)
	echo
	echo "== $mode: user $TB_USER (uid $TB_UID), container $name from $image"
	pm rm -f "$name" >/dev/null 2>&1 || true
	start=$(date +%s%N)
	if [ -n "$launcher" ]; then
		echo "   (through $launcher)"
		as_user "$launcher" create --image "$image" "$name" >/dev/null
		what="toolbox create, then toolbox run starting it and waiting for toolbox-init:"
	else
		echo "   (podman create with Toolbx's flags; no launcher built yet)"
		tb_create "$name" "$image"
		tb_wait_ready "$name" 60
		what="podman create + start, toolbox-init ready:"
	fi
	show "$name" id
	ready=$(date +%s%N)
	show "$name" 'cat /etc/os-release | head -2'
	echo "   $what $(((ready - start) / 1000000)) ms"
	if [ -n "$launcher" ]; then
		as_user "$launcher" rm --force "$name" >/dev/null
	else
		tb_cleanup
	fi
done
