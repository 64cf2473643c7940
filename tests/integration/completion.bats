#!/usr/bin/env bats
# Bash completion as a user's shell runs it.

bats_require_minimum_version 1.5.0
load helpers

_complete() { # WORDS...: what bash offers for the last word
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _toolbox; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$TB_REPO/completion/bash/toolbox" "$@"
}

@test "completion: commands, relay's subcommands and rm's options" {
	run _complete toolbox r
	assert_success
	assert_output "$(printf 'relay\nrm\nrmi\nrun')"
	run _complete toolbox relay st
	assert_output "$(printf 'start\nstop\nstatus')"
	run _complete toolbox rm --f
	assert_line --force
}
