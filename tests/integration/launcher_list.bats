#!/usr/bin/env bats
# `toolbox list` (host/cmd_list.c) against real podman: Toolbx's columns, both toolbox
# labels, no other containers or images, colour only on a terminal, --format json, and
# one podman call per table. Runs rootful and rootless (run.sh).

# shellcheck disable=SC2154 # bats sets $output, $lines

bats_require_minimum_version 1.5.0
load helpers

TB_LAUNCHER=${TB_LAUNCHER:-$TB_TOOLBOX}
LABELLED=localhost/tbt-list-labelled:1

setup_file() {
	local ctx
	export TB_REGISTRY_DIR=$BATS_FILE_TMPDIR
	[ -x "$TB_LAUNCHER" ] || {
		echo "launcher $TB_LAUNCHER missing: build it (make) or set TB_LAUNCHER" >&2
		return 1
	}
	# A toolbox image: a label on the busybox test image (no network needed).
	ctx=$(mktemp -d /tmp/tbt-list.XXXXXX)
	printf 'FROM %s\nLABEL com.github.containers.toolbox=true\n' "$TB_IMAGE_BUSYBOX" \
		>"$ctx/Containerfile"
	chmod -R a+rX "$ctx"
	pm build -q -t "$LABELLED" "$ctx" >/dev/null
	rm -rf "$ctx"

	A=$(tb_name a)
	B=$(tb_name b)
	OLD=$(tb_name old)
	PLAIN=$(tb_name plain)
	export A B OLD PLAIN
	for n in "$A" "$B" "$OLD" "$PLAIN"; do
		echo "$n" >>"$(_tb_registry)"
	done
	as_user "$TB_LAUNCHER" create -i "$TB_IMAGE_MINBASE" "$A" >/dev/null
	as_user "$TB_LAUNCHER" create -i "$LABELLED" "$B" >/dev/null
	# Toolbx's old label, and a container that is no toolbox at all.
	pm create --name "$OLD" --label com.github.debarshiray.toolbox=true "$TB_IMAGE_BUSYBOX" \
		true >/dev/null
	pm create --name "$PLAIN" "$TB_IMAGE_BUSYBOX" true >/dev/null
	tb_wait_ready "$A" 60
}

teardown_file() {
	TB_REGISTRY_DIR=$BATS_FILE_TMPDIR tb_cleanup
	pm rmi "$LABELLED" >/dev/null 2>&1 || true
}

teardown() {
	:
}

tbx() {
	as_user "$TB_LAUNCHER" "$@"
}

@test "list: Toolbx's container table, both labels, nothing else" {
	run tbx list -c
	assert_success
	assert_line --index 0 --regexp "^CONTAINER ID +CONTAINER NAME +CREATED +STATUS +IMAGE NAME$"
	assert_line --regexp "^[0-9a-f]{12} +$A +[A-Za-z0-9 ]+ ago +running +$TB_IMAGE_MINBASE$"
	assert_line --regexp "^[0-9a-f]{12} +$B +[A-Za-z0-9 ]+ ago +created +$LABELLED$"
	assert_line --regexp "^[0-9a-f]{12} +$OLD +.* +created +$TB_IMAGE_BUSYBOX$"
	refute_output --partial "$PLAIN"
	# No colour when stdout is not a terminal.
	refute_output --partial $'\033'
	# Columns line up: every name starts where the header's does.
	local col
	col=$(printf '%s\n' "${lines[0]}" | awk '{ print index($0, "CONTAINER NAME") }')
	for l in "${lines[@]:1}"; do
		[ "$(printf '%s\n' "$l" | awk -v n="$col" '{ print (substr($0, n - 2, 2) == "  " && substr($0, n, 1) != " ") }')" = 1 ]
	done
}

@test "list: images table with toolbox images only; -c and -i" {
	run tbx list -i
	assert_success
	assert_line --index 0 --regexp "^IMAGE ID +IMAGE NAME +CREATED$"
	assert_line --regexp "^[0-9a-f]{12} +$LABELLED +.+ ago$"
	refute_output --partial "$TB_IMAGE_MINBASE"
	refute_output --partial CONTAINER
	run tbx list
	assert_success
	assert_output --partial "IMAGE NAME"
	assert_output --partial "CONTAINER NAME"
	assert_output --partial $'\n\nCONTAINER ID'
	run tbx list -c -i
	assert_output --partial "IMAGE NAME"
	assert_output --partial "CONTAINER NAME"
}

@test "list: running containers in bold green on a terminal" {
	run as_user script -qec "$TB_LAUNCHER list -c" /dev/null
	assert_success
	assert_output --partial $'\033[1;32m'
	assert_output --regexp $'\033\\[1;32m[0-9a-f]{12} +'"$A"
	assert_output --regexp $'\033\\[0;00m[0-9a-f]{12} +'"$B"
}

@test "list: --format json" {
	run --separate-stderr tbx list --format json
	assert_success
	run python3 -c '
import json, sys
d = json.loads(sys.argv[1])
names = {c["name"]: c for c in d["containers"]}
a, b = names[sys.argv[2]], names[sys.argv[3]]
assert a["status"] == "running" and a["image"] == sys.argv[5], a
assert b["status"] == "created", b
assert sys.argv[4] not in names
assert any(sys.argv[6] in i["names"] for i in d["images"])
assert len(a["id"]) == 64 and a["created"].endswith("Z")
print("ok")' "$output" "$A" "$B" "$PLAIN" "$TB_IMAGE_MINBASE" "$LABELLED"
	assert_success
	assert_output ok
	run tbx list -c --format json
	run python3 -c 'import json, sys; d = json.loads(sys.argv[1]); assert "images" not in d; print(len(d["containers"]) > 0)' "$output"
	assert_output True
	run tbx list --format yaml
	assert_failure 125
	assert_output "toolbox: error: invalid argument for '--format': yaml (use json or table)"
}

@test "list: one podman call per table, nothing else" {
	command -v strace >/dev/null || skip "strace is not installed"
	local log
	log=$(mktemp /tmp/tbt-list-strace.XXXXXX)
	chmod 0666 "$log"
	as_user "${TB_STRACE[@]}" -f -qq -e trace=execve -e signal=none -o "$log" "$TB_LAUNCHER" list >/dev/null
	run grep -c 'execve("[^"]*podman"' "$log"
	assert_output 2
	run grep 'execve("[^"]*podman"' "$log"
	assert_line --index 0 --partial '"images", "--format", "json"'
	assert_line --index 1 --partial '"ps", "--all", "--format", "json"'
	as_user "${TB_STRACE[@]}" -f -qq -e trace=execve -e signal=none -o "$log" "$TB_LAUNCHER" list -c >/dev/null
	run grep -c 'execve("[^"]*podman"' "$log"
	assert_output 1
	rm -f "$log"
}

@test "list: errors" {
	run as_user env TOOLBOX_PODMAN=/nonexistent/podman "$TB_LAUNCHER" list
	assert_failure 125
	assert_output "toolbox: error: podman not found in PATH; install podman (apt install podman)"
	run tbx list extra
	assert_failure 125
	assert_output --partial "\"list\" takes no arguments"
	run tbx list --bogus
	assert_failure 125
}
