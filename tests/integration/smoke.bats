#!/usr/bin/env bats
# First end to end check: a toolbox container from the plain Debian 12 image becomes
# ready (docs/INTERFACES.md, Readiness) and `toolbox-init exec` runs commands as the
# user, with no capabilities left.

bats_require_minimum_version 1.5.0
load helpers

@test "smoke: Debian 12 container gets ready, exec runs as the user with no capabilities" {
	name=$(tb_name)
	tb_create "$name" "$TB_IMAGE_MINBASE"
	tb_wait_ready "$name"

	run --separate-stderr tb_exec "$name" id -un
	assert_success
	assert_output "$TB_USER"

	run --separate-stderr tb_probe "$name"
	assert_success
	assert_line "uid=$TB_UID"
	assert_line "euid=$TB_UID"
	assert_line "CapAmb=0000000000000000"
	assert_line "CapInh=0000000000000000"
	# root gets the bounding set back at execve (as after Toolbx's capsh --caps=""); a
	# user's session has nothing.
	if [ "$TB_UID" != 0 ]; then
		assert_line "CapEff=0000000000000000"
	else
		assert_line "CapEff=$(probe_val CapBnd)"
	fi
}
