#!/bin/bash
# Build the test images (run as root), each only when missing or built from an older
# recipe, into root's podman storage, then copy them into the rootless test user's:
#   localhost/toolbox-test-debian:12-minbase  debootstrap --variant=minbase bookworm
#                                             (images/build --base debian 12)
#   localhost/toolbox-test-debian:12-sudo     the above + sudo (tests/images/debian-12-sudo)
#   localhost/toolbox-test-busybox:latest     /bin/busybox (busybox-static) + applet links
#                                             (images/build --base busybox latest)
#   localhost/toolbox-test-scratch:latest     empty: no files at all
# With --matrix, also the toolbox images of tests/images/matrix.list (images/build), which
# tests/integration/images_matrix.bats proves.
# images/build keys its images with the label org.toolbox-images.recipe; the two made here
# carry org.toolbox-tests.recipe=KEY; a different KEY (a new recipe version below, a new
# Containerfile, a new base) rebuilds them. No registry is used: the Debian mirror is the
# one this machine's apt uses (or $TB_DEBIAN_MIRROR).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cache="$repo/build/cache"
TB_TEST_USER=${TB_TEST_USER:-tbtest}

# Bump when its recipe below changes.
SCRATCH_RECIPE=1

LABEL=org.toolbox-tests.recipe
MINBASE=localhost/toolbox-test-debian:12-minbase
SUDO=localhost/toolbox-test-debian:12-sudo
BUSYBOX=localhost/toolbox-test-busybox:latest
SCRATCH=localhost/toolbox-test-scratch:latest

matrix=0
case ${1:-} in
--matrix) matrix=1 ;;
'') ;;
*)
	echo "usage: tests/images.sh [--matrix]" >&2
	exit 2
	;;
esac

if [ "$(id -u)" != 0 ]; then
	echo "images: must run as root (debootstrap, then podman as root and as $TB_TEST_USER)" >&2
	exit 1
fi

# pm (podman as root, or as the test user through runuser, with the staged copy of
# tests/containers.conf the user can read wherever this clone is).
# shellcheck source=tests/integration/helpers.bash disable=SC1091
. "$here/integration/helpers.bash"
# shellcheck source=images/lib.sh disable=SC1091
. "$repo/images/lib.sh"
pm_root() { (tb_mode rootful && pm "$@"); }
pm_user() { (tb_mode rootless && pm "$@"); }
recipe_of() { # PM IMAGE [LABEL]: the image's recipe label, empty when the image is missing
	"$1" image inspect --format "{{index .Labels \"${3:-$LABEL}\"}}" "$2" 2>/dev/null |
		sed 's/^<no value>$//' || true
}
say() { printf 'images: %-42s %s\n' "$1" "$2"; }

build_sudo() { # KEY
	local old out
	old=$(pm_root image inspect --format '{{.Id}}' "$SUDO" 2>/dev/null || true)
	# Its output (apt's chatter) only when it fails.
	if ! out=$(pm_root build --quiet --network host --pull=never --label "$LABEL=$1" \
		-t "$SUDO" "$here/images/debian-12-sudo" 2>&1); then
		printf '%s\n' "$out" >&2
		return 1
	fi
	images_drop_old pm_root "$old" "$SUDO"
}

build_scratch() { # KEY
	local old
	old=$(pm_root image inspect --format '{{.Id}}' "$SCRATCH" 2>/dev/null || true)
	tar -cf - --files-from /dev/null |
		pm_root import --quiet --change "LABEL $LABEL=$1" - "$SCRATCH" >/dev/null
	images_drop_old pm_root "$old" "$SCRATCH"
}

ensure() { # IMAGE KEY BUILDER [ARGS...]: root's copy, then the test user's
	local image=$1 key=$2 builder=$3 old
	shift 3
	if [ "$(recipe_of pm_root "$image")" = "$key" ]; then
		say "$image" "root: ok"
	else
		"$builder" "$key" "$@"
		[ "$(recipe_of pm_root "$image")" = "$key" ] || {
			echo "images: building $image did not give recipe $key" >&2
			return 1
		}
		say "$image" "root: built"
	fi
	if [ "$(recipe_of pm_user "$image")" = "$key" ]; then
		say "$image" "$TB_TEST_USER: ok"
	else
		# The same image, byte for byte: save as root, load as the user (through
		# a pipe, so the user needs no access to this directory).
		old=$(pm_user image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
		pm_root save --quiet "$image" | pm_user load --quiet >/dev/null
		images_drop_old pm_user "$old" "$image"
		[ "$(recipe_of pm_user "$image")" = "$key" ] || {
			echo "images: loading $image as $TB_TEST_USER failed" >&2
			return 1
		}
		say "$image" "$TB_TEST_USER: loaded"
	fi
}

mkdir -p "$cache"
exec 9>"$cache/images.lock"
flock 9

# The bases come from images/build (the same debootstrap tree as the toolbox images).
"$repo/images/build" --base --tag "$MINBASE" --user "$TB_TEST_USER" debian 12 </dev/null
"$repo/images/build" --base --tag "$BUSYBOX" --user "$TB_TEST_USER" busybox latest </dev/null

minbase_key=$(recipe_of pm_root "$MINBASE" "org.toolbox-images.recipe")
sudo_key=$(cat - "$here/images/debian-12-sudo/Containerfile" <<<"$minbase_key" | images_short_hash)
scratch_key=$(printf 'scratch %s\n' "$SCRATCH_RECIPE" | images_short_hash)

ensure "$SUDO" "$sudo_key" build_sudo
ensure "$SCRATCH" "$scratch_key" build_scratch

if [ "$matrix" = 1 ]; then
	while read -r key distro release image; do
		case $key in '' | '#'*) continue ;; esac
		"$repo/images/build" --tag "$image" --user "$TB_TEST_USER" "$distro" "$release" \
			</dev/null
	done <"$here/images/matrix.list"
fi
