#!/bin/bash
# Build the test images (run as root), each only when missing or built from an older
# recipe, into root's podman storage, then copy them into the rootless test user's:
#   localhost/toolbox-test-debian:12-minbase  debootstrap --variant=minbase bookworm
#   localhost/toolbox-test-debian:12-sudo     the above + sudo (tests/images/debian-12-sudo)
#   localhost/toolbox-test-busybox:latest     /bin/busybox (busybox-static) + applet links
#   localhost/toolbox-test-scratch:latest     empty: no files at all
# Every image carries the label org.toolbox-tests.recipe=KEY; a different KEY (a new
# recipe version below, a new Containerfile, another busybox) rebuilds it. No registry is
# used: the Debian mirror is the one this machine's apt uses (or $TB_DEBIAN_MIRROR).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cache="$repo/build/cache"
TB_TEST_USER=${TB_TEST_USER:-tbtest}

# Bump one of these when its recipe below changes.
MINBASE_RECIPE=1
BUSYBOX_RECIPE=1
SCRATCH_RECIPE=1

LABEL=org.toolbox-tests.recipe
MINBASE=localhost/toolbox-test-debian:12-minbase
SUDO=localhost/toolbox-test-debian:12-sudo
BUSYBOX=localhost/toolbox-test-busybox:latest
SCRATCH=localhost/toolbox-test-scratch:latest

if [ "$(id -u)" != 0 ]; then
	echo "images: must run as root (debootstrap, then podman as root and as $TB_TEST_USER)" >&2
	exit 1
fi

# pm (podman as root, or as the test user through runuser, with the staged copy of
# tests/containers.conf the user can read wherever this clone is).
# shellcheck source=tests/integration/helpers.bash disable=SC1091
. "$here/integration/helpers.bash"
pm_root() { (tb_mode rootful && pm "$@"); }
pm_user() { (tb_mode rootless && pm "$@"); }
recipe_of() { # PM IMAGE: the image's recipe label, empty when the image is missing
	"$1" image inspect --format "{{index .Labels \"$LABEL\"}}" "$2" 2>/dev/null || true
}
short_hash() { sha256sum | cut -c1-16; }
say() { printf 'images: %-42s %s\n' "$1" "$2"; }

# The Debian archive this machine's apt uses: the URI of an enabled "deb" source whose
# suite is bookworm, else any main-archive suite (no "-updates"/"-security"), from
# deb822 *.sources files or one-line *.list files.
debian_mirror() { # [FILES...], by default the system's
	local files=() f
	[ $# -gt 0 ] || set -- /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources
	for f in "$@"; do
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || return 1
	awk '
	function emit(types, uris, suites,   t, u, s, nt, nu, ns, i, j, k) {
		nt = split(types, t); nu = split(uris, u); ns = split(suites, s)
		for (i = 1; i <= nt; i++) {
			if (t[i] != "deb")
				continue
			for (j = 1; j <= nu; j++) {
				if (u[j] !~ /^(https?|ftp|file):/)
					continue
				for (k = 1; k <= ns; k++) {
					if (s[k] == "bookworm" && best == "")
						best = u[j]
					else if (s[k] !~ /[-\/]/ && u[j] !~ /security/ && other == "")
						other = u[j]
				}
			}
		}
	}
	function flush() {
		if (types != "" && enabled != "no")
			emit(types, uris, suites)
		types = uris = suites = ""; enabled = "yes"
	}
	FNR == 1 { flush(); deb822 = (FILENAME ~ /\.sources$/) }
	deb822 && /^[ \t]*$/ { flush(); next }
	deb822 && /^[A-Za-z-]+:/ {
		key = tolower($1); sub(/:.*/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val)
		if (key == "types") types = val
		else if (key == "uris") uris = val
		else if (key == "suites") suites = val
		else if (key == "enabled") enabled = tolower(val)
		next
	}
	!deb822 && $1 == "deb" {
		line = $0; sub(/#.*/, "", line); sub(/\[[^]]*\]/, "", line)
		n = split(line, w)
		if (n >= 3)
			emit("deb", w[2], w[3])
	}
	END { flush(); out = best != "" ? best : other; if (out == "") exit 1; print out }
	' "${files[@]}"
}

replace_tag() { # OLD_ID: drop the image a rebuild replaced, if nothing uses it
	if [ -n "$1" ]; then
		pm_root rmi "$1" >/dev/null 2>&1 || true
	fi
}

build_minbase() { # KEY MIRROR
	local key=$1 mirror=$2 tarball="$cache/debian-12-minbase-$1.tar" tmp old
	if [ ! -f "$tarball" ]; then
		tmp=$(mktemp -d "$cache/tmp.minbase.XXXXXX")
		say "$MINBASE" "debootstrap from $mirror ..."
		if ! debootstrap --variant=minbase bookworm "$tmp/rootfs" "$mirror" >"$tmp/log" 2>&1; then
			tail -20 "$tmp/log" >&2
			rm -rf "$tmp"
			echo "images: debootstrap failed (mirror $mirror)" >&2
			return 1
		fi
		# Like a registry image: no device nodes (rootless storage cannot hold
		# them), no host name or resolver of the build machine, no package cache.
		rm -rf "$tmp/rootfs/dev/"* "$tmp/rootfs/var/cache/apt/archives/"*.deb \
			"$tmp/rootfs/var/lib/apt/lists/"* "$tmp/rootfs/etc/hostname" \
			"$tmp/rootfs/etc/resolv.conf"
		printf 'deb %s bookworm main\n' "$mirror" >"$tmp/rootfs/etc/apt/sources.list"
		tar -C "$tmp/rootfs" --numeric-owner -cf "$tmp/rootfs.tar" .
		mv "$tmp/rootfs.tar" "$tarball"
		rm -rf "$tmp"
	fi
	old=$(pm_root image inspect --format '{{.Id}}' "$MINBASE" 2>/dev/null || true)
	pm_root import --quiet --change 'CMD ["/bin/bash"]' --change "LABEL $LABEL=$key" \
		"$tarball" "$MINBASE" >/dev/null
	replace_tag "$old"
}

build_sudo() { # KEY
	local old out
	old=$(pm_root image inspect --format '{{.Id}}' "$SUDO" 2>/dev/null || true)
	# Its output (apt's chatter) only when it fails.
	if ! out=$(pm_root build --quiet --network host --pull=never --label "$LABEL=$1" \
		-t "$SUDO" "$here/images/debian-12-sudo" 2>&1); then
		printf '%s\n' "$out" >&2
		return 1
	fi
	replace_tag "$old"
}

build_busybox() { # KEY
	local tmp r old applet
	tmp=$(mktemp -d "$cache/tmp.busybox.XXXXXX")
	r="$tmp/rootfs"
	mkdir -p "$r/bin" "$r/sbin" "$r/usr/bin" "$r/usr/sbin" "$r/etc" "$r/root" "$r/home" \
		"$r/run" "$r/var/tmp" "$r/tmp" "$r/dev" "$r/proc" "$r/sys"
	chmod 1777 "$r/tmp" "$r/var/tmp"
	chmod 0700 "$r/root"
	if ! file -L /bin/busybox | grep -q 'statically linked'; then
		echo "images: /bin/busybox is not static (install busybox-static)" >&2
		return 1
	fi
	install -m 0755 /bin/busybox "$r/bin/busybox"
	for applet in $(/bin/busybox --list-full); do
		[ -e "$r/$applet" ] || ln -s /bin/busybox "$r/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\n' >"$r/etc/group"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$r/etc/hosts"
	: >"$r/etc/resolv.conf"
	if [ -n "$(find "$r" -name 'libc*' -o -name 'ld-*')" ]; then
		echo "images: busybox rootfs holds a libc" >&2
		return 1
	fi
	old=$(pm_root image inspect --format '{{.Id}}' "$BUSYBOX" 2>/dev/null || true)
	tar -C "$r" --numeric-owner -cf - . |
		pm_root import --quiet --change 'CMD ["/bin/sh"]' --change "LABEL $LABEL=$1" - \
			"$BUSYBOX" >/dev/null
	replace_tag "$old"
	rm -rf "$tmp"
}

build_scratch() { # KEY
	local old
	old=$(pm_root image inspect --format '{{.Id}}' "$SCRATCH" 2>/dev/null || true)
	tar -cf - --files-from /dev/null |
		pm_root import --quiet --change "LABEL $LABEL=$1" - "$SCRATCH" >/dev/null
	replace_tag "$old"
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
		if [ -n "$old" ]; then
			pm_user rmi "$old" >/dev/null 2>&1 || true
		fi
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
# Work directories of this run (or of an interrupted one: the lock says none is running).
rm -rf "$cache"/tmp.*
trap 'rm -rf "$cache"/tmp.*' EXIT

mirror=${TB_DEBIAN_MIRROR:-$(debian_mirror)} || {
	echo "images: no Debian mirror in /etc/apt/sources.list{,.d/} (set TB_DEBIAN_MIRROR)" >&2
	exit 1
}
minbase_key=$(printf 'minbase %s bookworm %s\n' "$MINBASE_RECIPE" "$mirror" | short_hash)
sudo_key=$(cat - "$here/images/debian-12-sudo/Containerfile" <<<"$minbase_key" | short_hash)
busybox_key=$(printf 'busybox %s %s\n' "$BUSYBOX_RECIPE" \
	"$(dpkg-query -W -f '${Version}' busybox-static)" | short_hash)
scratch_key=$(printf 'scratch %s\n' "$SCRATCH_RECIPE" | short_hash)

ensure "$MINBASE" "$minbase_key" build_minbase "$mirror"
ensure "$SUDO" "$sudo_key" build_sudo
ensure "$BUSYBOX" "$busybox_key" build_busybox
ensure "$SCRATCH" "$scratch_key" build_scratch
