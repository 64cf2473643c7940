#!/bin/sh
# podman that first writes its arguments, NUL-separated, to a new file in
# $BENCH_ARGV_DIR: bench.sh points the launcher at it (TOOLBOX_PODMAN) once, to replay
# the very `podman create` that `toolbox create` runs as the raw baseline.
if [ -n "${BENCH_ARGV_DIR:-}" ]; then
	f=$(mktemp "$BENCH_ARGV_DIR/call.XXXXXX") && printf '%s\0' "$@" >"$f"
fi
exec podman "$@"
