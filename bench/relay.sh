#!/bin/bash
# shellcheck disable=SC2016 # scripts in single quotes run in the container
# Latency of the host-command relay: `host-spawn true` against the floors it is built on.
# Run as root after `make`:
#
#   bench/relay.sh [--rootful | --rootless] [--runs N] [--loop N] [--no-make]
#
# Measured, with a private relay (its own socket) and one toolbox container bench-relay-*:
#   host side (hyperfine -N, as the mode's user):
#     true                          fork+exec floor
#     nsenter -t INIT -m true       entering the container's mount namespace (rootful)
#     host-spawn true               the client on the host: connect, handshake, spawn, exit
#   in the container (a shell loop of --loop calls, mean per call):
#     /bin/true                     fork+exec floor in the container
#     host-spawn true               the whole relayed call, as a user sees it
#     host-spawn --pty true         the same with a host pty
# Prints a markdown table and saves it as bench/results-relay-DATE-MODE.md.
set -Eeuo pipefail
trap 'echo "bench/relay: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
mode=rootless runs=200 loop=500 do_make=1
while [ $# -gt 0 ]; do
	case $1 in
	--rootful | --rootless) mode=${1#--} ;;
	--runs) runs=$2; shift ;;
	--loop) loop=$2; shift ;;
	--no-make) do_make=0 ;;
	-h | --help)
		sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "bench/relay: unknown option $1 (see --help)" >&2
		exit 2
		;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || { echo "bench/relay: run as root" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench/relay: hyperfine is missing (apt install hyperfine)" >&2; exit 1; }

[ "$do_make" = 0 ] || make -C "$repo" -s all
# The helpers stage the binaries; a private stage directory leaves test runs alone.
export TB_STAGE_DIR=${TB_STAGE_DIR:-/var/tmp/toolbox-bench-relay}
export TB_MODE=$mode
# shellcheck source=tests/integration/helpers.bash
. "$repo/tests/integration/helpers.bash"

name=bench-relay-$$
sock=$TB_RUNTIME_DIR/toolbox/relay-bench-$$.sock
work=$(mktemp -d /tmp/bench-relay.XXXXXX)
chown "$TB_UID" "$work" # hyperfine writes its JSON there as the mode's user
cleanup() {
	local pid
	pid=$(cat "$sock.pid" 2>/dev/null) && kill "$pid" 2>/dev/null
	rm -f "$sock.lock"
	pm rm -f -t 0 "$name" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
TB_REGISTRY_DIR=$work tb_create "$name" "$TB_IMAGE_MINBASE"
tb_wait_ready "$name" 60

as_user "$TB_TOOLBOX" relay serve --socket "$sock" --idle-timeout 0 >"$work/relay.log" 2>&1 &
for _ in $(seq 100); do
	[ -f "$sock.pid" ] && break
	sleep 0.05
done
init_pid=$(pm inspect --format '{{.State.Pid}}' "$name")

# ---- host side ----
cmds=(true "env TOOLBOX_RELAY_SOCKET=$sock $TB_INIT host-spawn true")
names=("true (fork+exec floor)" "host-spawn true (client on the host)")
if [ "$mode" = rootful ]; then
	cmds=(true "nsenter -t $init_pid -m true" "${cmds[1]}")
	names=("${names[0]}" "nsenter -t INIT -m true (enter the container)" "${names[1]}")
fi
as_user hyperfine -N --style none --warmup 20 --runs "$runs" --export-json "$work/h.json" \
	"${cmds[@]}" >/dev/null
host_rows=$(python3 - "$work/h.json" "${names[@]}" <<'EOF'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
names = sys.argv[2:]
base = res[0]["median"]
for n, r in zip(names, res):
    q = sorted(r["times"])
    p25, p75 = q[len(q) // 4], q[3 * len(q) // 4]
    print(f"| {n} | {r['median']*1e6:.0f} | {p25*1e6:.0f}–{p75*1e6:.0f} | {r['median']/base:.1f}x |")
EOF
)

# ---- in the container ----
loop_us() { # CMD...: mean microseconds per call over $loop calls
	tb_exec "--env=TOOLBOX_RELAY_SOCKET=$sock" "$name" bash -c '
		n=$1; shift
		"$@"; "$@"
		s=$(date +%s%N)
		for ((i = 0; i < n; i++)); do "$@"; done
		e=$(date +%s%N)
		echo $(((e - s) / n / 1000))' loop "$loop" "$@"
}
floor=$(loop_us /bin/true)
relay=$(loop_us host-spawn true)
pty=$(loop_us host-spawn --pty true </dev/null)

load=$(cut -d' ' -f1-3 /proc/loadavg)
out=$here/results-relay-$(date +%F)-$mode.md
{
	echo "# host-spawn latency ($mode, $(date +%F), load $load, $(nproc) CPUs)"
	echo
	echo "Host side, hyperfine -N, $runs runs:"
	echo
	echo "| command | median µs | p25–p75 µs | vs floor |"
	echo "|---|---|---|---|"
	echo "$host_rows"
	echo
	echo "In the container, a loop of $loop calls (mean µs per call):"
	echo
	echo "| command | µs/call | vs floor |"
	echo "|---|---|---|"
	echo "| /bin/true (fork+exec floor) | $floor | 1.0x |"
	awk -v f="$floor" -v r="$relay" -v p="$pty" 'BEGIN {
		printf "| host-spawn true | %d | %.1fx |\n", r, r / f
		printf "| host-spawn --pty true | %d | %.1fx |\n", p, p / f }'
	echo
	echo "Overhead of the relay over a local fork+exec: $((relay - floor)) µs per call."
} | tee "$out"
echo "saved $out"
