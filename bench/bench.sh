#!/bin/bash
# shellcheck disable=SC2016 # sh -c scripts in single quotes expand in that sh
# Benchmark: this toolbox against raw podman, upstream Toolbx (Debian's podman-toolbox,
# /usr/bin/toolbox) and distrobox, side by side in one run, as the issue "Speed" asks.
# Run as root after `make`; see usage below and bench/README.md.
set -Eeuo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

usage() {
	cat <<'EOF'
usage: bench/bench.sh [--rootful] [--quick] [--runs N] [--slow-runs N] [--ready-runs N]
                      [--rounds N] [--out FILE] [--readme] [--no-make] [--no-install]

Measures, in one run: warm and cold `run true`, `create`, `podman stop`, `list` with 20
containers, init readiness, init RSS, toolbox-init's stripped size and the podman, conmon
and runc processes of one warm run, for this toolbox (podman path, and the fast exec
path when the launcher has one), Toolbx 0.0.99.3 and distrobox, against raw podman.
Prints a markdown table and saves it as bench/results-DATE-MODE.md.

  --rootful        root's podman (default: rootless, as the test user tbtest)
  --quick          few runs, a smoke test (5 warm, 3 slow, 3 ready)
  --runs N         timed runs of each warm row (default 30)
  --slow-runs N    timed runs of the cold, create, stop and list rows (default: runs/3,
                   at least 3)
  --ready-runs N   starts timed for the init-ready rows (default: as --slow-runs)
  --rounds N       split each row's runs into N rounds, interleaved with the other rows
                   of its measurement (default 3; 1 with --quick)
  --out FILE       where to save the table (default bench/results-DATE-MODE[-quick].md)
  --readme         also put the tables in README.md's "Benchmarks" section (between its
                   bench:begin and bench:end markers)
  --no-make        measure build/ as it is (default: run make first)
  --no-install     do not install missing packages (podman-toolbox, distrobox, ...)

Environment: BENCH_FAST_FLAG (default --exec=socket) and BENCH_PODMAN_FLAG (default
--exec=podman), the `toolbox run` options that pick the exec path (used when the
launcher accepts them; the fast path counts only if its run spawns no podman);
TB_TEST_USER (tbtest); BENCH_KEEP_WORK=1 keeps the scratch directory (hyperfine's JSON).
Every container it makes is named bench-* and removed at the end, also on failure.
EOF
}

mode=rootless quick=0 runs='' slow_runs='' ready_runs='' rounds='' out='' do_make=1 do_install=1
readme=0
while [ $# -gt 0 ]; do
	case $1 in
	--rootful) mode=rootful ;;
	--rootless) mode=rootless ;;
	--quick) quick=1 ;;
	--runs | --slow-runs | --ready-runs | --rounds | --out)
		[ $# -ge 2 ] || {
			echo "bench: $1 needs a value" >&2
			exit 2
		}
		case $1 in
		--runs) runs=$2 ;;
		--slow-runs) slow_runs=$2 ;;
		--ready-runs) ready_runs=$2 ;;
		--rounds) rounds=$2 ;;
		--out) out=$2 ;;
		esac
		shift
		;;
	--runs=* | --slow-runs=* | --ready-runs=* | --rounds=* | --out=*)
		set -- "${1%%=*}" "${1#*=}" "${@:2}"
		continue
		;;
	--no-make) do_make=0 ;;
	--readme) readme=1 ;;
	--no-install) do_install=0 ;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		echo "bench: unknown argument '$1'" >&2
		usage >&2
		exit 2
		;;
	esac
	shift
done
for v in "$runs" "$slow_runs" "$ready_runs" "$rounds"; do
	case $v in
	'' | [1-9] | [1-9][0-9] | [1-9][0-9][0-9]) ;;
	*)
		echo "bench: run counts are numbers from 1 to 999, not '$v'" >&2
		exit 2
		;;
	esac
done
if [ "$quick" = 1 ]; then
	runs=${runs:-5} slow_runs=${slow_runs:-3} ready_runs=${ready_runs:-3} rounds=${rounds:-1}
	warm_warmup=1
else
	runs=${runs:-30} rounds=${rounds:-3}
	warm_warmup=3
fi
if [ -z "$slow_runs" ]; then
	slow_runs=$((runs / 3))
	[ "$slow_runs" -ge 3 ] || slow_runs=3
fi
ready_runs=${ready_runs:-$slow_runs}

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and drives podman as $mode)"

# ---- packages, test user and images, build ----------------------------------------
if [ "$do_install" = 1 ]; then
	missing=()
	for p in podman-toolbox distrobox hyperfine jq strace binutils coreutils; do
		dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		say "installing ${missing[*]} (apt-get)"
		apt-get update -q >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			"${missing[@]}" >/dev/null
	fi
fi
for c in hyperfine jq strace strip podman; do
	command -v "$c" >/dev/null || die "$c is missing (run without --no-install)"
done
TOOLBX=/usr/bin/toolbox # Debian's podman-toolbox; ours is always called by its path

TB_TEST_USER=${TB_TEST_USER:-tbtest}
export TB_TEST_USER
if ! id -u "$TB_TEST_USER" >/dev/null 2>&1 ||
	! CONTAINERS_CONF="$repo/tests/containers.conf" podman image exists \
		localhost/toolbox-test-debian:12-sudo 2>/dev/null; then
	say "test user or images missing: running tests/setup.sh"
	"$repo/tests/setup.sh" >&2
fi

if [ "$do_make" = 1 ]; then
	say "make"
	make -C "$repo" -s >&2 || die "make failed (other work in progress?); fix the build, or
       pass --no-make to measure build/ as it is"
fi
for f in "$repo/build/toolbox" "$repo/build/toolbox-init"; do
	[ -x "$f" ] || die "$f is missing: run make"
done

# The test helpers (pm, as_user, tb_mode), with a stage directory of our own: a snapshot
# of the binaries and of tests/containers.conf that test runs and rebuilds leave alone.
export TB_STAGE_DIR=/var/tmp/toolbox-bench
if [ -L "$TB_STAGE_DIR" ] || { [ -e "$TB_STAGE_DIR" ] && [ "$(stat -c %u "$TB_STAGE_DIR")" != 0 ]; }; then
	die "$TB_STAGE_DIR is a symbolic link or not root's; remove it"
fi
install -d -m 0755 -o root -g root "$TB_STAGE_DIR"
exec 9>"$TB_STAGE_DIR/lock"
flock -n 9 || die "another bench is running (lock $TB_STAGE_DIR/lock)"
export TB_MODE=$mode
# shellcheck source=../tests/integration/helpers.bash disable=SC1091
. "$repo/tests/integration/helpers.bash"
_tb_stage "$here/prep.sh" "$TB_BIN_DIR/bench-prep" 0755
_tb_stage "$here/podman-argv.sh" "$TB_BIN_DIR/bench-podman-argv" 0755
T=$TB_TOOLBOX
PREP=$TB_BIN_DIR/bench-prep
BENCH_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
IMAGE=localhost/toolbox-bench:12
LABEL_TB=com.github.containers.toolbox=true
C_OURS=bench-ours C_TBX=bench-toolbx C_DBX=bench-dbx

# As the mode's user, with a fixed PATH: what every measured command runs under.
run_as() { as_user env PATH="$BENCH_PATH" "$@"; }
pm_root() { (tb_mode rootful && pm "$@"); }

# ---- scratch space, cleanup -----------------------------------------------------------
work=$(mktemp -d /tmp/toolbox-bench.XXXXXX)
chmod 0755 "$work"
install -d -m 0755 -o "$TB_UID" -g "$TB_GID" "$work/out" "$work/argv"
PIDS=$work/out/pids
: >"$PIDS"
chown "$TB_UID:$TB_GID" "$PIDS"
: >"$work/rows"
: >"$work/facts"
: >"$work/notes"
load0=$(cut -d' ' -f1-3 /proc/loadavg)

bench_containers() { pm ps -a --format '{{.Names}}' 2>/dev/null | grep '^bench-' || true; }

remove_containers() { # NAME...: and their readiness stamps and launcher state
	local name id pid
	for name in "$@"; do
		if read -r id pid < <(pm inspect --format '{{.Id}} {{.State.Pid}}' "$name" 2>/dev/null); then
			printf '%s\n%s\n' "$id" "$pid" >>"$work/stamp-keys"
		fi
		pm rm -f -t 0 "$name" >/dev/null 2>&1 || pm rm -f "$name" >/dev/null 2>&1 || true
		rm -f "$TB_RUNTIME_DIR/toolbox/launcher/$name.state" \
			"$TB_RUNTIME_DIR/toolbox/launcher/$name.lock"
	done
}

cleanup() {
	local rc=$? key names
	set +e
	trap - EXIT INT TERM
	mapfile -t names < <(bench_containers)
	if [ ${#names[@]} -gt 0 ]; then
		say "removing ${#names[@]} bench-* containers"
		remove_containers "${names[@]}"
	fi
	# PID- and ID-keyed readiness stamps of every init this run started (ours, Toolbx's).
	cat "$PIDS" >>"$work/stamp-keys" 2>/dev/null
	sort -u "$work/stamp-keys" 2>/dev/null | while read -r key; do
		case $key in '' | 0 | *[!0-9a-f]*) continue ;; esac
		rm -f "$TB_STAMP_DIR/container-initialized-$key" "$TB_STAMP_DIR/container-failed-$key"
	done
	if [ -n "${BENCH_KEEP_WORK:-}" ]; then
		say "kept $work"
	else
		rm -rf "$work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Containers of an interrupted earlier run (the lock says none is running now).
mapfile -t stale < <(bench_containers)
if [ ${#stale[@]} -gt 0 ]; then
	say "removing ${#stale[@]} bench-* containers left by an earlier run"
	remove_containers "${stale[@]}"
fi

# ---- results: rows of the tables, notes -------------------------------------------------
# $work/rows: SECTION LABEL KIND PAYLOAD ROLE TARGET (fields separated by $US)
#   KIND json (PAYLOAD: hyperfine --export-json file), na or fail (PAYLOAD: the cell text)
#   ROLE base: the section's baseline, whose median the ratios divide by
#   TARGET r:X (ratio <= X), m:S (median < S seconds), or empty
# $work/facts: ORDER MEASUREMENT TOOL VALUE TARGET-CELL (the second table, sorted by
#   ORDER, $fact_order when fact() is called, so that measurements taken apart stay together)
US=$'\x1f' # field separator of rows and facts (not whitespace: empty fields stay)
row() { printf "%s$US%s$US%s$US%s$US%s$US%s\n" "$@" >>"$work/rows"; }
fact_order=0
fact() { printf "%s$US%s$US%s$US%s$US%s\n" "$fact_order" "$@" >>"$work/facts"; }
note() { printf -- '- %s\n' "$*" >>"$work/notes"; }
# The first lines of an error, on one line, for a note.
oneline() { printf '%s' "$1" | sed -e 's/\x1b\[[0-9;]*m//g' | grep -v '^[[:space:]]*$' |
	head -n "${2:-3}" | tr '\n\t' '  ' | tr -s ' ' | sed -e 's/ *$//' -e 's/`/'"'"'/g'; }

# Shell words for hyperfine -N (no shell): each argument single-quoted.
sw() {
	local out='' a q="'"
	for a in "$@"; do
		out+="${out:+ }'${a//$q/$q\\$q$q}'"
	done
	printf '%s' "$out"
}

# A measurement's rows are queued (bench_row, na_row, json_row), then flush runs them in
# interleaved rounds (all rows for runs/rounds each, again and again), so that a slow
# drift of the machine's load spreads over every row alike, and writes them in order.
row_n=0
Q_ID=() Q_SEC=() Q_LABEL=() Q_KIND=() Q_PAYLOAD=() Q_ROLE=() Q_TARGET=() Q_RUNS=() Q_WARM=()
Q_PREP=() Q_DESC=()
queue() { # SECTION LABEL KIND PAYLOAD ROLE TARGET [RUNS WARMUP PREPARE DESC]
	local i=${#Q_ID[@]}
	Q_ID[i]=$((++row_n)) Q_SEC[i]=$1 Q_LABEL[i]=$2 Q_KIND[i]=$3 Q_PAYLOAD[i]=$4 Q_ROLE[i]=$5
	Q_TARGET[i]=$6 Q_RUNS[i]=${7:-0} Q_WARM[i]=${8:-0} Q_PREP[i]=${9:-} Q_DESC[i]=${10:-}
}
# bench_row SECTION LABEL ROLE TARGET RUNS WARMUP PREPARE CMD...
# PREPARE: hyperfine's --prepare command in shell words (sw), '' for none. One run (after
# PREPARE) outside hyperfine first, to catch and keep a peer's exact error.
bench_row() {
	local section=$1 label=$2 role=$3 target=$4 nruns=$5 warmup=$6 prep=$7 err
	shift 7
	[ -z "$prep" ] || run_as sh -c "$prep" >/dev/null 2>&1 || true
	if ! err=$(run_as "$@" 2>&1 >/dev/null); then
		queue "$section" "$label" fail "failed (see notes)" "$role" "$target"
		note "$label, $section: \`$*\` failed: $(oneline "$err" 5)"
		say "$section · $label: FAILED: $(oneline "$err" 2)"
		return 0
	fi
	queue "$section" "$label" run "$(sw "$@")" "$role" "$target" "$nruns" "$warmup" "$prep" "$*"
}
na_row() { # SECTION LABEL TEXT [TARGET]
	queue "$1" "$2" na "$3" '' "${4:-}"
}
json_row() { # SECTION LABEL FILE [TARGET]: times measured elsewhere, in hyperfine's shape
	queue "$1" "$2" json "$3" '' "${4:-}"
}
flush() {
	local r i n json err hf
	for ((r = 1; r <= rounds; r++)); do
		for i in "${!Q_ID[@]}"; do
			[ "${Q_KIND[i]}" = run ] || continue
			# This round's share of the runs (the first rounds take the remainder).
			n=$((Q_RUNS[i] / rounds + (r <= Q_RUNS[i] % rounds ? 1 : 0)))
			[ "$n" -gt 0 ] || continue
			[ "$rounds" = 1 ] || say "${Q_SEC[i]} · ${Q_LABEL[i]}: round $r/$rounds"
			hf=(hyperfine -N --style none --runs "$n" --warmup "$([ "$r" = 1 ] && echo "${Q_WARM[i]}" || echo 0)"
				--export-json "$work/out/q${Q_ID[i]}.$r.json" --command-name "${Q_LABEL[i]}")
			[ -z "${Q_PREP[i]}" ] || hf+=(--prepare "${Q_PREP[i]}")
			hf+=("${Q_PAYLOAD[i]}")
			if ! err=$(run_as "${hf[@]}" 2>&1 >/dev/null); then
				Q_KIND[i]=fail Q_PAYLOAD[i]="failed (see notes)"
				note "${Q_LABEL[i]}, ${Q_SEC[i]}: hyperfine on \`${Q_DESC[i]}\` failed: $(oneline "$err" 5)"
				say "${Q_SEC[i]} · ${Q_LABEL[i]}: FAILED under hyperfine: $(oneline "$err" 2)"
			fi
		done
	done
	for i in "${!Q_ID[@]}"; do
		if [ "${Q_KIND[i]}" = run ]; then
			json=$work/out/r${Q_ID[i]}.json
			jq -s '{results: [{command: .[0].results[0].command,
				times: [.[].results[0].times[]]}]}' "$work/out/q${Q_ID[i]}".*.json >"$json"
			Q_KIND[i]=json Q_PAYLOAD[i]=$json
			say "${Q_SEC[i]} · ${Q_LABEL[i]}: median $(stats "$json" | awk '{ printf "%.1f", $1 * 1000 }') ms"
		fi
		row "${Q_SEC[i]}" "${Q_LABEL[i]}" "${Q_KIND[i]}" "${Q_PAYLOAD[i]}" "${Q_ROLE[i]}" "${Q_TARGET[i]}"
	done
	Q_ID=() Q_SEC=() Q_LABEL=() Q_KIND=() Q_PAYLOAD=() Q_ROLE=() Q_TARGET=() Q_RUNS=() Q_WARM=()
	Q_PREP=() Q_DESC=()
}
stats() { # JSON -> median p25 p75 min max n (seconds)
	jq -r 'def q($s; $p): ($p * (($s | length) - 1)) as $i | ($i | floor) as $lo
		| ($i | ceil) as $hi | $s[$lo] + ($s[$hi] - $s[$lo]) * ($i - $lo);
		.results[0].times | sort as $s
		| [q($s; 0.5), q($s; 0.25), q($s; 0.75), $s[0], $s[-1], ($s | length)] | @tsv' "$1"
}

# Processes one command spawns: successful execve by argv[0]'s base name. strace runs in
# the background: after a cold start the container's conmon, a child of the traced
# command, lives on, and strace -f would wait for it. Once the command itself has exited
# (and its short-lived children, like podman's exit command, had 2 s), strace is told to
# let go (-I 1: SIGTERM detaches, the container keeps running).
trace_counts() { # TAG CMD... -> "podman N · conmon N · runc N · all N"
	local f=$work/out/strace.$1 pidf=$work/out/strace.$1.pid bg main='' i
	shift
	rm -f "$f" "$pidf"
	run_as sh -c 'echo $$ >"$1" && f=$2 && shift 2 &&
		exec strace -I 1 -q -f -e trace=execve -e signal=none -o "$f" "$@"' \
		sh "$pidf" "$f" "$@" >/dev/null 2>&1 &
	bg=$!
	for ((i = 0; i < 1200; i++)); do
		kill -0 "$bg" 2>/dev/null || break
		[ -n "$main" ] || main=$(awk 'NR == 1 { print $1 }' "$f" 2>/dev/null)
		[ -n "$main" ] && grep -Eq "^$main +[+]{3} exited" "$f" && break
		sleep 0.05
	done
	for ((i = 0; i < 40; i++)); do
		kill -0 "$bg" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$bg" 2>/dev/null; then
		kill -TERM "$(cat "$pidf")" 2>/dev/null || true
	fi
	wait "$bg" || true
	[ -n "$main" ] && grep -Eq "^$main +[+]{3} exited with 0 [+]{3}" "$f" || return 1
	awk '
	# argv[0] and, for podman, its subcommand (the first word of a known set, after the
	# global options: "exec", "container cleanup").
	function parse(line,   v, w, i, k) {
		v = line; sub(/^[^[]*\["/, "", v); sub(/"\].*/, "", v)
		k = split(v, w, /", "/)
		prog = w[1]; sub(/.*\//, "", prog)
		sub_ = ""
		if (prog != "podman") return
		for (i = 2; i <= k; i++)
			if (w[i] ~ /^(container|image|system|network|volume|pod)$/ && i < k) { sub_ = w[i] " " w[i + 1]; return }
			else if (w[i] ~ /^(version|exists|inspect|start|exec|create|ps|images|stop|rm|logs|info|run|pull|wait|attach|unshare)$/) { sub_ = w[i]; return }
		sub_ = "?"
	}
	function count(p, s) { n[p]++; all++; if (s != "") subs[s]++ }
	/execve\(/ {
		parse($0)
		if ($0 ~ /<unfinished \.\.\.>$/) { pend[$1] = prog; pends[$1] = sub_; next }
		if ($0 ~ /= 0$/) count(prog, sub_)
		next
	}
	/<\.\.\. execve resumed>/ {
		if (($1 in pend) && $0 ~ /= 0$/) count(pend[$1], pends[$1])
		delete pend[$1]; delete pends[$1]
	}
	END {
		d = ""
		for (s in subs) d = d (d == "" ? "" : ", ") s (subs[s] > 1 ? " ×" subs[s] : "")
		printf "podman %d · conmon %d · runc %d · all %d", n["podman"], n["conmon"], n["runc"], all
		if (d != "") printf " (podman: %s)", d
		printf "\n"
	}
	' "$f"
}
podman_count() { sed -n 's/^podman \([0-9]*\).*/\1/p' <<<"$1"; }

# ---- the image --------------------------------------------------------------------
# localhost/toolbox-bench:12 (bench/image/Containerfile) in root's storage, and in the
# test user's for rootless runs; rebuilt when the recipe or the base image changes.
say "image $IMAGE"
base_id=$(pm_root image inspect --format '{{.Id}}' "$TB_IMAGE_SUDO") ||
	die "$TB_IMAGE_SUDO missing in root's storage: run tests/setup.sh"
key=$( (cat "$here/image/Containerfile" && echo "$base_id") | sha256sum | cut -c1-16)
recipe_of() { "$@" image inspect --format '{{index .Labels "org.toolbox-bench.recipe"}}' \
	"$IMAGE" 2>/dev/null || true; }
if [ "$(recipe_of pm_root)" != "$key" ]; then
	old=$(pm_root image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
	say "building $IMAGE (podman build --network host; apt-get in the image)"
	if ! err=$(pm_root build --quiet --network host --pull=never \
		--label "org.toolbox-bench.recipe=$key" -t "$IMAGE" "$here/image" 2>&1); then
		printf '%s\n' "$err" >&2
		die "building $IMAGE failed"
	fi
	[ -z "$old" ] || pm_root rmi "$old" >/dev/null 2>&1 || true
fi
if [ "$mode" = rootless ] && [ "$(recipe_of pm)" != "$key" ]; then
	old=$(pm image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
	pm_root save --quiet "$IMAGE" | pm load --quiet >/dev/null
	[ -z "$old" ] || pm rmi "$old" >/dev/null 2>&1 || true
	[ "$(recipe_of pm)" = "$key" ] || die "loading $IMAGE as $TB_USER failed"
fi

# ---- the containers -------------------------------------------------------------
# setup TOOL-VAR LABEL CREATE-CMD... -- START-CMD...: create, then start and wait (the
# first start of distrobox sets the container up; it can take a while).
declare -A have
setup() {
	local var=$1 label=$2 create=() start=() err
	shift 2
	while [ "$1" != -- ]; do
		create+=("$1")
		shift
	done
	shift
	start=("$@")
	have[$var]=0
	say "creating and starting: $label"
	if ! err=$(run_as "${create[@]}" 2>&1 >/dev/null); then
		note "$label: \`${create[*]}\` failed: $(oneline "$err" 5)"
		say "$label: create failed: $(oneline "$err" 2)"
		have[$var]="n/a (create failed, see notes)"
		return 0
	fi
	if ! err=$(run_as "${start[@]}" 2>&1 >/dev/null); then
		note "$label: first \`${start[*]}\` failed: $(oneline "$err" 5)"
		say "$label: first start failed: $(oneline "$err" 2)"
		have[$var]="n/a (start failed, see notes)"
		return 0
	fi
	have[$var]=1
}
setup ours "toolbox" "$T" create -c "$C_OURS" -i "$IMAGE" -- "$T" run -c "$C_OURS" true
[ "${have[ours]}" = 1 ] || die "our own toolbox does not work here: $(cat "$work/notes")"
setup toolbx "Toolbx" "$TOOLBX" create -c "$C_TBX" -i "$IMAGE" -- \
	"$TOOLBX" run -c "$C_TBX" true
setup dbx "distrobox" distrobox create --yes --no-entry -i "$IMAGE" -n "$C_DBX" -- \
	distrobox enter "$C_DBX" -- true

# Which `toolbox run` options choose the podman path and the fast path, if the launcher
# has them; proved by what one run spawns.
fast_flag=${BENCH_FAST_FLAG:---exec=socket}
podman_flag=${BENCH_PODMAN_FLAG:---exec=podman}
ours_podman=("$T" run -c "$C_OURS" true)
if run_as "$T" run "$podman_flag" -c "$C_OURS" true >/dev/null 2>&1; then
	ours_podman=("$T" run "$podman_flag" -c "$C_OURS" true)
fi
ours_fast=()
fast_na="n/a (not built)"
if err=$(run_as "$T" run "$fast_flag" -c "$C_OURS" true 2>&1 >/dev/null); then
	counts=$(trace_counts probe-fast "$T" run "$fast_flag" -c "$C_OURS" true || true)
	if [ "$(podman_count "$counts")" = 0 ]; then
		ours_fast=("$T" run "$fast_flag" -c "$C_OURS" true)
	else
		fast_na="n/a (fell back to podman)"
		note "fast path: \`toolbox run $fast_flag\` works but still runs podman ($counts)"
	fi
else
	note "fast path: \`toolbox run $fast_flag\` is not there yet: $(oneline "$err" 1)"
fi
say "toolbox run, podman path: ${ours_podman[*]}"
say "toolbox run, fast path: ${ours_fast[*]:-$fast_na}"

# ---- warm run ---------------------------------------------------------------------
S="warm \`run true\`"
bench_row "$S" "podman exec C true" base '' "$runs" "$warm_warmup" '' \
	podman exec "$C_OURS" true
bench_row "$S" "toolbox run (podman path)" '' r:1.10 "$runs" "$warm_warmup" '' \
	"${ours_podman[@]}"
if [ ${#ours_fast[@]} -gt 0 ]; then
	bench_row "$S" "toolbox run (fast path)" '' m:0.015 "$runs" "$warm_warmup" '' \
		"${ours_fast[@]}"
else
	na_row "$S" "toolbox run (fast path)" "$fast_na" m:0.015
fi
if [ "${have[toolbx]}" = 1 ]; then
	bench_row "$S" "Toolbx run" '' '' "$runs" "$warm_warmup" '' "$TOOLBX" run -c "$C_TBX" true
else
	na_row "$S" "Toolbx run" "${have[toolbx]}"
fi
if [ "${have[dbx]}" = 1 ]; then
	bench_row "$S" "distrobox enter" '' '' "$runs" "$warm_warmup" '' \
		distrobox enter "$C_DBX" -- true
else
	na_row "$S" "distrobox enter" "${have[dbx]}"
fi

flush

# Processes of one warm run, while everything is warm.
say "processes of one warm run (strace)"
fact_order=1
P="processes per warm \`run true\` (execve)"
fact "$P" "podman exec C true" "$(trace_counts base podman exec "$C_OURS" true || echo failed)" ''
counts=$(trace_counts ours "${ours_podman[@]}" || echo failed)
fact "$P" "toolbox run (podman path)" "$counts" ''
if [ "$(podman_count "$counts")" = 0 ]; then
	note "podman path: \`${ours_podman[*]}\` ran no podman: the fast path is the default now; set BENCH_PODMAN_FLAG to the option that picks podman exec"
fi
if [ ${#ours_fast[@]} -gt 0 ]; then
	fact "$P" "toolbox run (fast path)" "$(trace_counts fast "${ours_fast[@]}" || echo failed)" ''
else
	fact "$P" "toolbox run (fast path)" "$fast_na" ''
fi
if [ "${have[toolbx]}" = 1 ]; then
	fact "$P" "Toolbx run" "$(trace_counts toolbx "$TOOLBX" run -c "$C_TBX" true || echo failed)" ''
else
	fact "$P" "Toolbx run" "${have[toolbx]}" ''
fi
if [ "${have[dbx]}" = 1 ]; then
	fact "$P" "distrobox enter" "$(trace_counts dbx distrobox enter "$C_DBX" -- true ||
		echo failed)" ''
else
	fact "$P" "distrobox enter" "${have[dbx]}" ''
fi

# ---- memory of the launchers (during a run) -----------------------------------------
# The launcher process's own peak RSS (VmHWM in /proc, not podman's: /usr/bin/time would
# report the largest process of the tree, podman), read while its session still runs:
# `run ... sleep TOKEN` in the background, sampled once the container's sleep is there.
re_quote() { printf '%s' "$*" | sed 's/[][\.*^$+?(){}|]/\\&/g'; }
launcher_mem() { # TABLE-ORDER MEASUREMENT TOOL PREPARE CMD... (CMD ends with: sleep TOKEN)
	local order=$1 what=$2 tool=$3 prep=$4 token bg pid='' i hwm='' rss=''
	shift 4
	token=${*: -1}
	[ -z "$prep" ] || run_as sh -c "$prep" >/dev/null 2>&1 || true
	run_as "$@" >/dev/null 2>&1 &
	bg=$!
	for ((i = 0; i < 600; i++)); do
		pgrep -f "^sleep $token\$" >/dev/null && break
		kill -0 "$bg" 2>/dev/null || break
		sleep 0.05
	done
	pid=$(pgrep -o -u "$TB_UID" -f "^$(re_quote "$@")\$" || true)
	if [ -n "$pid" ]; then
		hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
		rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
	fi
	wait "$bg" || true
	fact_order=$order
	if [ -n "$hwm" ]; then
		fact "launcher peak RSS (VmHWM) during a $what" "$tool" "$(kib "$hwm") (now $(kib "$rss"))" ''
	else
		fact "launcher peak RSS (VmHWM) during a $what" "$tool" "n/a (not seen running)" ''
		note "launcher RSS, $what: \`$*\` was not seen running"
	fi
}
mem_token() { printf '3.%06d' $((RANDOM * 30 + RANDOM % 30)); }
kib() { awk -v k="$1" 'BEGIN { if (k >= 1024) printf "%.2f MiB", k / 1024; else printf "%d KiB", k }'; }
say "launcher memory during a warm run"
M="warm \`run\`"
launcher_mem 6 "$M" "toolbox run (podman path)" '' "${ours_podman[@]:0:${#ours_podman[@]}-1}" \
	sleep "$(mem_token)"
if [ ${#ours_fast[@]} -gt 0 ]; then
	launcher_mem 6 "$M" "toolbox run (fast path)" '' "${ours_fast[@]:0:${#ours_fast[@]}-1}" \
		sleep "$(mem_token)"
fi
if [ "${have[toolbx]}" = 1 ]; then
	launcher_mem 6 "$M" "Toolbx run" '' "$TOOLBX" run -c "$C_TBX" sleep "$(mem_token)"
fi

# ---- memory of the inits (all three running and warm) --------------------------------
fact_order=4
rss_fact() { # LABEL NAME [TARGET-KIB]
	local pid rss hwm cell=''
	pid=$(pm inspect --format '{{.State.Pid}}' "$2" 2>/dev/null || echo 0)
	if [ "$pid" = 0 ] || [ ! -r "/proc/$pid/status" ]; then
		fact "init RSS (VmRSS, peak VmHWM)" "$1" "n/a (not running)" ''
		return
	fi
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
	if [ -n "${3:-}" ]; then
		cell="< $(kib "$3") $([ "$rss" -lt "$3" ] && echo ✓ || echo ✗)"
	fi
	fact "init RSS (VmRSS, peak VmHWM)" "$1" "$(kib "$rss") (peak $(kib "$hwm"))" "$cell"
}
rss_fact "toolbox-init" "$C_OURS" 1024
if [ "${have[toolbx]}" = 1 ]; then rss_fact "Toolbx (toolbox init-container)" "$C_TBX"; fi
if [ "${have[dbx]}" = 1 ]; then rss_fact "distrobox (distrobox-init)" "$C_DBX"; fi

# ---- sizes -----------------------------------------------------------------------------
fact_order=5
bytes() { awk -v b="$1" 'BEGIN { printf "%d B (%.1f KiB)", b, b / 1024 }'; }
strip -o "$work/init.stripped" "$TB_INIT"
size=$(stat -c %s "$work/init.stripped")
fact "stripped size" "toolbox-init (static)" "$(bytes "$size"); unstripped $(bytes "$(stat -c %s "$TB_INIT")")" \
	"< 400 KB (400000 B) $([ "$size" -lt 400000 ] && echo ✓ || echo ✗)"
strip -o "$work/toolbx.stripped" "$TOOLBX" 2>/dev/null &&
	fact "stripped size" "Toolbx /usr/bin/toolbox (its init too)" "$(bytes "$(stat -c %s "$work/toolbx.stripped")")" ''
[ ! -f /usr/bin/distrobox-init ] ||
	fact "stripped size" "distrobox-init (shell script)" "$(bytes "$(stat -c %s /usr/bin/distrobox-init)")" ''

# ---- cold run --------------------------------------------------------------------------
S="cold \`run true\` (after \`podman stop\`)"
cold_prep() { sw "$PREP" stop "$1" "$PIDS"; }
prep_ours=$(cold_prep "$C_OURS")
cold_base=(sh -c 'podman start "$1" >/dev/null && exec podman exec "$1" true' sh "$C_OURS")
bench_row "$S" "podman start C + podman exec C true" base '' "$slow_runs" 1 "$prep_ours" \
	"${cold_base[@]}"
bench_row "$S" "toolbox run" '' r:1.20 "$slow_runs" 1 "$prep_ours" "$T" run -c "$C_OURS" true
if [ "${have[toolbx]}" = 1 ]; then
	prep_tbx=$(cold_prep "$C_TBX")
	bench_row "$S" "Toolbx run" '' '' "$slow_runs" 1 "$prep_tbx" "$TOOLBX" run -c "$C_TBX" true
else
	na_row "$S" "Toolbx run" "${have[toolbx]}"
fi
if [ "${have[dbx]}" = 1 ]; then
	prep_dbx=$(cold_prep "$C_DBX")
	bench_row "$S" "distrobox enter" '' '' "$slow_runs" 1 "$prep_dbx" \
		distrobox enter "$C_DBX" -- true
else
	na_row "$S" "distrobox enter" "${have[dbx]}"
fi

flush

# Processes of one cold run, after the same preparation.
trace_after() { # TAG PREPARE CMD...
	local tag=$1 prep=$2
	shift 2
	run_as sh -c "$prep" >/dev/null 2>&1 || true
	trace_counts "$tag" "$@" || echo failed
}
say "processes of one cold run (strace)"
fact_order=2
P="processes per cold \`run true\` (execve)"
fact "$P" "podman start C + podman exec C true" "$(trace_after cold-base "$prep_ours" "${cold_base[@]}")" ''
fact "$P" "toolbox run" "$(trace_after cold-ours "$prep_ours" "$T" run -c "$C_OURS" true)" ''
if [ "${have[toolbx]}" = 1 ]; then
	fact "$P" "Toolbx run" "$(trace_after cold-toolbx "$prep_tbx" "$TOOLBX" run -c "$C_TBX" true)" ''
fi
if [ "${have[dbx]}" = 1 ]; then
	fact "$P" "distrobox enter" "$(trace_after cold-dbx "$prep_dbx" distrobox enter "$C_DBX" -- true)" ''
fi
say "launcher memory during a cold run"
M="cold \`run\`"
launcher_mem 7 "$M" "toolbox run" "$prep_ours" "$T" run -c "$C_OURS" sleep "$(mem_token)"
if [ "${have[toolbx]}" = 1 ]; then
	launcher_mem 7 "$M" "Toolbx run" "$prep_tbx" "$TOOLBX" run -c "$C_TBX" sleep "$(mem_token)"
fi

# ---- stop ------------------------------------------------------------------------------
S="\`podman stop\` of a ready container"
start_prep() { # NAME CMD...
	local name=$1
	shift
	sw "$PREP" start "$name" "$PIDS" "$@"
}
prep_ours=$(start_prep "$C_OURS" "$T" run -c "$C_OURS" true)
bench_row "$S" "podman stop -t 0 (SIGKILL)" base '' "$slow_runs" 1 "$prep_ours" \
	podman stop -t 0 "$C_OURS"
bench_row "$S" "toolbox" '' m:0.5 "$slow_runs" 1 "$prep_ours" podman stop "$C_OURS"
if [ "${have[toolbx]}" = 1 ]; then
	prep_tbx=$(start_prep "$C_TBX" "$TOOLBX" run -c "$C_TBX" true)
	bench_row "$S" "Toolbx" '' '' "$slow_runs" 1 "$prep_tbx" podman stop "$C_TBX"
else
	na_row "$S" "Toolbx" "${have[toolbx]}"
fi
if [ "${have[dbx]}" = 1 ]; then
	prep_dbx=$(start_prep "$C_DBX" distrobox enter "$C_DBX" -- true)
	bench_row "$S" "distrobox" '' '' "$slow_runs" 1 "$prep_dbx" podman stop "$C_DBX"
else
	na_row "$S" "distrobox" "${have[dbx]}"
fi

flush

# ---- create ------------------------------------------------------------------------
# The raw baseline is the very `podman create` our `toolbox create` runs (caught once
# through a logging podman), under another name.
S="\`create\`"
say "capturing toolbox create's podman create"
rm -f "$work/argv/"*
if ! err=$(run_as env TOOLBOX_PODMAN="$TB_BIN_DIR/bench-podman-argv" \
	BENCH_ARGV_DIR="$work/argv" "$T" create -c bench-mk-probe -i "$IMAGE" 2>&1 >/dev/null); then
	die "toolbox create failed: $err"
fi
create_argv=()
for f in "$work/argv/"call.*; do
	mapfile -d '' -t a <"$f"
	for x in "${a[@]}"; do
		if [ "$x" = create ]; then
			create_argv=("${a[@]}")
			break 2
		fi
	done
done
[ ${#create_argv[@]} -gt 0 ] || die "could not catch toolbox create's podman create"
remove_containers bench-mk-probe
raw_create() { # NAME: the captured argv under NAME, one per line
	local i prev=''
	for i in "${create_argv[@]}"; do
		if [ "$prev" = --name ]; then printf '%s\n' "$1"; else printf '%s\n' "$i"; fi
		prev=$i
	done
}
mapfile -t raw < <(raw_create bench-mk-raw)
rm_prep() { sw "$PREP" rm "$@"; }
p=$(rm_prep bench-mk-raw)
bench_row "$S" "podman create (same flags)" base '' "$slow_runs" 1 "$p" podman "${raw[@]}"
p=$(rm_prep bench-mk-ours)
bench_row "$S" "toolbox create" '' r:1.15 "$slow_runs" 1 "$p" "$T" create -c bench-mk-ours -i "$IMAGE"
if [ "${have[toolbx]}" = 1 ]; then
	p=$(rm_prep bench-mk-toolbx)
	bench_row "$S" "Toolbx create" '' '' "$slow_runs" 1 "$p" "$TOOLBX" create -c bench-mk-toolbx -i "$IMAGE"
else
	na_row "$S" "Toolbx create" "${have[toolbx]}"
fi
if [ "${have[dbx]}" = 1 ]; then
	p=$(rm_prep bench-mk-dbx)
	bench_row "$S" "distrobox create" '' '' "$slow_runs" 1 "$p" \
		distrobox create --yes --no-entry -i "$IMAGE" -n bench-mk-dbx
else
	na_row "$S" "distrobox create" "${have[dbx]}"
fi
flush

say "processes of one create (strace)"
fact_order=3
P="processes per \`create\` (execve)"
fact "$P" "podman create (same flags)" "$(trace_after mk-raw "$(rm_prep bench-mk-raw)" podman "${raw[@]}")" ''
fact "$P" "toolbox create" "$(trace_after mk-ours "$(rm_prep bench-mk-ours)" "$T" create -c bench-mk-ours -i "$IMAGE")" ''
if [ "${have[toolbx]}" = 1 ]; then
	fact "$P" "Toolbx create" "$(trace_after mk-toolbx "$(rm_prep bench-mk-toolbx)" "$TOOLBX" create -c bench-mk-toolbx -i "$IMAGE")" ''
fi
if [ "${have[dbx]}" = 1 ]; then
	fact "$P" "distrobox create" "$(trace_after mk-dbx "$(rm_prep bench-mk-dbx)" distrobox create --yes --no-entry -i "$IMAGE" -n bench-mk-dbx)" ''
fi
remove_containers bench-mk-raw bench-mk-ours bench-mk-toolbx bench-mk-dbx

# ---- list ------------------------------------------------------------------------------
say "creating 20 containers for list"
for i in $(seq -w 1 20); do
	mapfile -t raw < <(raw_create "bench-list-$i")
	pm "${raw[@]}" >/dev/null
done
ntb=$(pm ps -a --filter "label=$LABEL_TB" --format '{{.Names}}' | wc -l)
S="\`list\`, $ntb toolbox containers (20 made for it)"
bench_row "$S" "podman ps -a --filter label=toolbox" base '' "$slow_runs" 1 '' \
	podman ps -a --filter "label=$LABEL_TB"
bench_row "$S" "toolbox list" '' '' "$slow_runs" 1 '' "$T" list
bench_row "$S" "Toolbx list" '' '' "$slow_runs" 1 '' "$TOOLBX" list
if [ "${have[dbx]}" = 1 ]; then
	bench_row "$S" "distrobox list" '' '' "$slow_runs" 1 '' distrobox list
else
	na_row "$S" "distrobox list" "${have[dbx]}"
fi
flush
mapfile -t lst < <(bench_containers | grep '^bench-list-' || true)
remove_containers "${lst[@]}"

# ---- init ready -----------------------------------------------------------------------
# podman start, then poll for the init's readiness stamp (Toolbx's name, in $TB_STAMP_DIR,
# PID- or ID-keyed); the stamp's mtime is the moment, so polling adds nothing. Timed from
# just before podman's execve (in the user's process) and from the container's start as
# podman records it (.State.StartedAt: runc start has returned).
ready_runs_of() { # NAME LABEL
	local name=$1 label=$2 i t0 pid started id f ready deadline a=() b=()
	for ((i = 0; i < ready_runs; i++)); do
		run_as "$PREP" stop "$name" "$PIDS"
		id=$(pm inspect --format '{{.Id}}' "$name")
		rm -f "$TB_STAMP_DIR/container-initialized-$id" "$TB_STAMP_DIR/container-failed-$id"
		t0=$(run_as sh -c 'date +%s.%N; exec podman start "$1" >/dev/null' sh "$name") || {
			note "init ready, $label: podman start $name failed"
			return 1
		}
		read -r pid started < <(pm inspect --format '{{.State.Pid}} {{.State.StartedAt.UnixNano}}' "$name")
		echo "$pid" >>"$PIDS"
		ready=''
		deadline=$((SECONDS + 60))
		while [ -z "$ready" ] && [ "$SECONDS" -lt "$deadline" ]; do
			for f in "$TB_STAMP_DIR/container-initialized-$pid" "$TB_STAMP_DIR/container-initialized-$id"; do
				[ -f "$f" ] || continue
				f=$(stat -c %.9Y "$f")
				if awk -v m="$f" -v t="$t0" 'BEGIN { exit !(m >= t) }'; then
					ready=$f
					break
				fi
			done
			for f in "$TB_STAMP_DIR/container-failed-$pid" "$TB_STAMP_DIR/container-failed-$id"; do
				if [ -f "$f" ]; then
					note "init ready, $label: the init failed: $(oneline "$(cat "$f")" 1)"
					return 1
				fi
			done
			[ -n "$ready" ] || sleep 0.005
		done
		if [ -z "$ready" ]; then
			note "init ready, $label: no readiness stamp in $TB_STAMP_DIR after 60 s"
			return 1
		fi
		a+=("$(awk -v r="$ready" -v t="$t0" 'BEGIN { printf "%.9f", r - t }')")
		b+=("$(awk -v r="$ready" -v s="$started" 'BEGIN { printf "%.9f", r - s / 1e9 }')")
	done
	ready_json "$label: podman start → ready" "${a[@]}" >"$work/out/ready-a-$name.json"
	ready_json "$label: container start → ready" "${b[@]}" >"$work/out/ready-b-$name.json"
}
ready_json() { # NAME TIME...: hyperfine's JSON shape
	local name=$1
	shift
	printf '%s\n' "$@" | jq -s --arg c "$name" '{results: [{command: $c, times: .}]}'
}
S="init ready"
for t in ours toolbx; do
	if [ "$t" = ours ]; then
		name=$C_OURS label="toolbox-init" target=m:0.050
	else
		name=$C_TBX label="Toolbx init-container" target=''
		if [ "${have[toolbx]}" != 1 ]; then
			na_row "$S" "$label" "${have[toolbx]}"
			continue
		fi
	fi
	say "$S · $label ($ready_runs starts)"
	if ready_runs_of "$name" "$label"; then
		json_row "$S" "$label: podman start → ready" "$work/out/ready-a-$name.json"
		json_row "$S" "$label: container start → ready" "$work/out/ready-b-$name.json" "$target"
	else
		na_row "$S" "$label" "failed (see notes)"
	fi
done
[ "${have[dbx]}" != 1 ] ||
	na_row "$S" "distrobox" "n/a (no readiness file; see cold run)"
flush

# ---- the report ------------------------------------------------------------------------
# shellcheck disable=SC2094 # only row() writes $work/rows, and not from here
table_time() {
	local section prev='' label kind payload role target base med p25 p75 mn mx n
	printf '| Measurement | Tool | Median | p25–p75 | min–max | n | × baseline | Target |\n'
	printf '|---|---|--:|--:|--:|--:|--:|---|\n'
	while IFS=$US read -r section label kind payload role target; do
		local first=''
		if [ "$section" != "$prev" ]; then
			first=$section
			prev=$section
			base=$(awk -F"$US" -v s="$section" '$1 == s && $5 == "base" && $3 == "json" { print $4; exit }' "$work/rows")
			base=${base:+$(stats "$base" | cut -f1)}
		fi
		if [ "$kind" != json ]; then
			printf '| %s | %s | %s | | | | | %s |\n' "$first" "$label" "$payload" \
				"$(target_cell "$target" '' '')"
			continue
		fi
		if ! read -r med p25 p75 mn mx n < <(stats "$payload"); then
			printf '| %s | %s | no data (%s) | | | | | |\n' "$first" "$label" "$payload"
			continue
		fi
		awk -v first="$first" -v label="$label" -v med="$med" -v p25="$p25" -v p75="$p75" \
			-v mn="$mn" -v mx="$mx" -v n="$n" -v base="${base:-}" -v role="$role" \
			-v tgt="$(target_cell "$target" "$med" "${base:-}")" '
		function f(v) { return (u == "s") ? sprintf("%.2f", v) : sprintf("%.1f", v * 1000) }
		BEGIN {
			u = (med >= 1 || med <= -1) ? "s" : "ms"
			ratio = ""
			if (role == "base") ratio = "1.00 (baseline)"
			else if (base != "" && base > 0) ratio = sprintf("%.2f×", med / base)
			printf "| %s | %s | %s %s | %s–%s | %s–%s | %d | %s | %s |\n", first, label,
				f(med), u, f(p25), f(p75), f(mn), f(mx), n, ratio, tgt
		}'
	done <"$work/rows"
}
target_cell() { # SPEC MEDIAN BASE-MEDIAN
	local spec=$1 med=$2 base=$3
	case $spec in
	r:*)
		awk -v x="${spec#r:}" -v m="$med" -v b="$base" 'BEGIN {
			printf "≤ %.2f×", x
			if (m != "" && b != "" && b > 0) printf " %s", (m / b <= x) ? "✓" : "✗" }'
		;;
	m:*)
		awk -v x="${spec#m:}" -v m="$med" 'BEGIN {
			printf "< %g ms", x * 1000
			if (m != "") printf " %s", (m < x) ? "✓" : "✗" }'
		;;
	esac
}
table_facts() {
	local m prev='' tool value target
	printf '| Measurement | Tool | Value | Target |\n|---|---|---|---|\n'
	while IFS=$US read -r _ m tool value target; do
		printf '| %s | %s | %s | %s |\n' "$([ "$m" != "$prev" ] && echo "$m")" "$tool" "$value" "$target"
		prev=$m
	done < <(sort -s -t "$US" -k1,1n "$work/facts")
}

when=$(date -u '+%Y-%m-%d %H:%M UTC')
ver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo '?'; }
report() {
	printf '# toolbox bench, %s, %s\n\n' "$mode" "$when"
	printf 'Host: %s, %s CPUs, kernel %s; load average %s at the start, %s at the end.  \n' \
		"$(. /etc/os-release && echo "$PRETTY_NAME")" "$(nproc)" "$(uname -r)" "$load0" \
		"$(cut -d' ' -f1-3 /proc/loadavg)"
	printf 'podman %s, conmon %s, runc %s; Toolbx %s; distrobox %s; hyperfine %s.  \n' \
		"$(ver podman)" "$(ver conmon)" "$(ver runc)" "$(ver podman-toolbox)" \
		"$(ver distrobox)" "$(ver hyperfine)"
	printf 'toolbox %s (git %s; toolbox %s, toolbox-init %s by sha256); image %s (%s).  \n' \
		"$(cat "$repo/VERSION" 2>/dev/null || echo '?')" \
		"$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')" \
		"$(sha256sum "$T" | cut -c1-12)" "$(sha256sum "$TB_INIT" | cut -c1-12)" \
		"$IMAGE" "bench/image/Containerfile"
	printf 'Podman as %s. Runs per row: %s warm (+%s warm-up), %s cold/create/stop/list, %s; %s init starts.\n\n' \
		"$([ "$mode" = rootful ] && echo root || echo "$TB_USER (rootless)")" \
		"$runs" "$warm_warmup" "$slow_runs" \
		"$([ "$rounds" = 1 ] && echo "in one round" || echo "in $rounds interleaved rounds")" "$ready_runs"
	printf 'Times from hyperfine -N (no shell); spreads in the unit of the median; × baseline = median / the median of the row marked baseline in the same measurement; C = the toolbox container. Init ready: from just before `podman start`, and from the container start podman records (.State.StartedAt, taken after `runc start` returns, so a few ms late: values below 0 happen) to the mtime of the readiness stamp.\n\n'
	table_time
	printf '\n'
	table_facts
	if [ -s "$work/notes" ]; then
		printf '\n## Notes\n\n'
		cat "$work/notes"
	fi
}
if [ -z "$out" ]; then
	out="$here/results-$(date -u +%Y-%m-%d)-$mode"
	if [ "$quick" = 1 ]; then out+=-quick; fi
	out+=.md
fi
report >"$work/report.md"
cp "$work/report.md" "$out"
cat "$work/report.md"
say "saved $out"

# README.md's copy: the tables between the markers, with the date and where the rest is.
if [ "$readme" = 1 ]; then
	rel=${out#"$repo"/}
	{
		printf 'Latest run: %s, %s (podman as %s), on a %s-CPU machine shared with other work (load average %s at the start, %s at the end); the report with its notes: [%s](%s).\n\n' \
			"$(date -u +%Y-%m-%d)" "$mode" \
			"$([ "$mode" = rootful ] && echo root || echo "$TB_USER")" \
			"$(nproc)" "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)" "$rel" "$rel"
		table_time
		printf '\n'
		table_facts
	} >"$work/readme.md"
	if ! grep -qx '<!-- bench:begin -->' "$repo/README.md" ||
		! grep -qx '<!-- bench:end -->' "$repo/README.md"; then
		die "README.md has no <!-- bench:begin --> / <!-- bench:end --> markers"
	fi
	awk -v f="$work/readme.md" '
		$0 == "<!-- bench:end -->" { skip = 0 }
		!skip { print }
		$0 == "<!-- bench:begin -->" { while ((getline l < f) > 0) print l; skip = 1 }
	' "$repo/README.md" >"$work/README.md"
	cp "$work/README.md" "$repo/README.md"
	say "updated README.md"
fi
