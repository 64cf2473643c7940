#!/bin/bash
# Run the integration tests (as root, after tests/setup.sh and a build): every
# tests/integration/*.bats, or the files given, once with TB_MODE=rootful (podman as
# root) and once with TB_MODE=rootless (podman as the test user).
#
#   tests/integration/run.sh [--filter REGEX] [BATS-OPTION...] [FILE.bats...]
#
# Options are passed to bats (an option's value as --opt=value, except --filter/-f).
# TB_MODES="rootless" (say) runs one mode only. The last line is the summary over the modes, "N passed, M failed" (CI reads it);
# exit status 0 only when nothing failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

if [ "$(id -u)" != 0 ]; then
	echo "run.sh: run as root (the rootless mode drives podman through runuser)" >&2
	exit 1
fi

bats_opts=()
files=()
while [ $# -gt 0 ]; do
	case $1 in
	-f | --filter)
		[ $# -ge 2 ] || {
			echo "run.sh: $1 needs a value" >&2
			exit 2
		}
		bats_opts+=("$1" "$2")
		shift 2
		;;
	-*)
		bats_opts+=("$1")
		shift
		;;
	*)
		files+=("$(realpath "$1")")
		shift
		;;
	esac
done
[ ${#files[@]} -gt 0 ] || files=("$here"/*.bats)

for f in "$repo/build/toolbox-init" "$repo/build/musl/probe"; do
	if [ ! -x "$f" ]; then
		echo "run.sh: $f is missing; build it first (make all build/musl/probe)" >&2
		exit 1
	fi
done
if ! id -u "${TB_TEST_USER:-tbtest}" >/dev/null 2>&1; then
	echo "run.sh: no test user ${TB_TEST_USER:-tbtest}; run tests/setup.sh first" >&2
	exit 1
fi

# Binaries the containers mount, copied where the test user can read them
# (the clone may sit in a directory it cannot traverse).
# shellcheck source=tests/integration/helpers.bash disable=SC1091
. "$here/helpers.bash"
tb_stage_bins
echo "run.sh: binaries staged in $TB_BIN_DIR"

if [ -t 1 ]; then
	formatter=pretty
else
	formatter=tap
fi

# tb_create labels containers with the run's id; what carries it after a mode's tests
# ended was left behind by a test.
TB_RUN_ID="run-$$-$(date +%s)"
export TB_RUN_ID
TB_NAME_TAG=$$
export TB_NAME_TAG
report=$(mktemp -d /tmp/toolbox-tests-report.XXXXXX)
trap 'rm -rf "$report"' EXIT

total_pass=0
total_fail=0
for mode in ${TB_MODES:-rootful rootless}; do
	echo "== TB_MODE=$mode (${#files[@]} file(s))"
	mkdir -p "$report/$mode"
	rc=0
	TB_MODE=$mode bats --formatter "$formatter" --report-formatter tap --output "$report/$mode" \
		"${bats_opts[@]}" "${files[@]}" </dev/null || rc=$?
	tap="$report/$mode/report.tap"
	pass=0
	fail=0
	skip=0
	if [ -f "$tap" ]; then
		pass=$(grep -c '^ok ' "$tap" || true)
		skip=$(grep -c '^ok .* # skip' "$tap" || true)
		fail=$(grep -c '^not ok ' "$tap" || true)
		pass=$((pass - skip))
		# Tests that never ran (a failed setup_file) count as failed.
		planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$tap" | head -1)
		if [ -n "$planned" ] && [ "$planned" -gt $((pass + skip + fail)) ]; then
			echo "run.sh: $mode: $((planned - pass - skip - fail)) test(s) did not run"
			fail=$((planned - pass - skip))
		fi
	fi
	if [ "$rc" != 0 ] && [ "$fail" = 0 ]; then
		echo "run.sh: bats exited with status $rc in $mode mode and reported no failure"
		fail=1
	fi

	# Every test removes its containers (tb_cleanup); anything left is a test bug.
	tb_mode "$mode"
	leaked=$(pm ps -a --format '{{.Names}}' --filter "label=org.toolbox-tests.run=$TB_RUN_ID" \
		2>/dev/null || true)
	if [ -n "$leaked" ]; then
		echo "run.sh: $mode: containers left behind, removed:" "${leaked//$'\n'/ }"
		# shellcheck disable=SC2086 # one name a word
		pm rm -f -t 0 $leaked >/dev/null 2>&1 || true
		fail=$((fail + 1))
	fi

	echo "== $mode: $pass passed, $fail failed, $skip skipped"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
done

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
