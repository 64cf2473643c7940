#!/bin/sh
# Prove that toolbox-init needs nothing from the container it is mounted into:
#   1. `file` calls it statically linked (or static-pie linked);
#   2. its program headers hold no INTERP (no dynamic loader) and it needs no shared
#      library (no DT_NEEDED; a plain static link has no dynamic section at all);
#   3. it runs in an image with no files at all (localhost/toolbox-test-scratch:latest,
#      made by tests/setup.sh), bind-mounted read-only: `/toolbox-init --version`.
# Usage: tests/check-static.sh PATH_TO_toolbox-init   (what `make check-static` runs)
# Exit 0 when all hold; otherwise one "check-static: FAIL: ..." line and exit 1.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
IMAGE=localhost/toolbox-test-scratch:latest
export CONTAINERS_CONF="$here/containers.conf"

fail() {
	echo "check-static: FAIL: $*" >&2
	exit 1
}

if [ $# -ne 1 ]; then
	echo "usage: $0 PATH_TO_toolbox-init" >&2
	exit 2
fi
for tool in file readelf podman; do
	command -v "$tool" >/dev/null 2>&1 ||
		fail "$tool is not installed (run scripts/install-packages.sh as root)"
done
[ -f "$1" ] || fail "$1: no such file"
[ -x "$1" ] || fail "$1: not executable"
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")

# 1. file(1)
desc=$(file -bL "$bin")
case $desc in
*ELF*"statically linked"* | *ELF*"static-pie linked"*) ;;
*) fail "$1 is not a static ELF executable: file says: $desc" ;;
esac

# 2. No loader, no shared libraries.
phdrs=$(readelf -lW "$bin" 2>&1) || fail "readelf -l $1: $phdrs"
if printf '%s\n' "$phdrs" | grep -q '^[[:space:]]*INTERP[[:space:]]'; then
	fail "$1 has a PT_INTERP program header ($(printf '%s\n' "$phdrs" |
		sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p'))"
fi
dyn=$(readelf -dW "$bin" 2>&1) || fail "readelf -d $1: $dyn"
needed=$(printf '%s\n' "$dyn" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
[ -z "$needed" ] || fail "$1 needs shared libraries: $needed"
case $desc in
*"static-pie linked"*) ;; # self-relocating: a dynamic section without NEEDED is expected
*) printf '%s\n' "$dyn" | grep -q 'no dynamic section' ||
	fail "$1 has a dynamic section (readelf -d): $(printf '%s\n' "$dyn" | head -n 3 | tr '\n' ' ')" ;;
esac

# 3. It runs where there is no libc at all.
podman image exists "$IMAGE" ||
	fail "image $IMAGE is missing (run tests/setup.sh as root, or 'make setup')"
status=0
out=$(timeout 120 podman run --rm --network host -v "$bin:/toolbox-init:ro" \
	"$IMAGE" /toolbox-init --version 2>&1) || status=$?
[ "$status" = 0 ] ||
	fail "'/toolbox-init --version' in the empty image $IMAGE exited $status: $(printf '%s' "$out" | tr '\n' ' ')"
[ -n "$out" ] || fail "'/toolbox-init --version' in the empty image $IMAGE printed nothing"

echo "check-static: ok: $1: ${desc%%,*}, $(printf '%s' "$desc" | grep -o '[a-z-]* linked'), no interpreter, no shared libraries"
echo "check-static: ok: runs in the empty image $IMAGE: $(printf '%s' "$out" | head -n 1)"
