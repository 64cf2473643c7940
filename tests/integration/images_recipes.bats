#!/usr/bin/env bats
# The image recipes and their builder, without the registry most recipes need:
# tests/check-images.sh on every images/DISTRO/RELEASE (and that it catches a broken one),
# images/build's command line, its cache (a re-run builds nothing, a new toolbox-init
# rebuilds) as the mode's user (root, or the rootless test user with its own storage and
# cache), the Debian mirror taken from apt's sources, and shellcheck on the scripts.

bats_require_minimum_version 1.5.0
load helpers

teardown() {
	if [ -n "${TB_RMI:-}" ]; then
		pm rmi -f "$TB_RMI" >/dev/null 2>&1 || true
	fi
	[ -z "${TB_UDIR:-}" ] || rm -rf "$TB_UDIR"
}

@test "recipes: every images/DISTRO/RELEASE passes tests/check-images.sh" {
	run "$TB_REPO/tests/check-images.sh"
	assert_success
	local n
	n=$(find "$TB_REPO/images" -mindepth 3 -maxdepth 3 -name Containerfile | wc -l)
	[ "$(grep -c ': ok$' <<<"$output")" = "$n" ]
	# The distributions the README's table promises.
	for d in debian/12 debian/13 fedora ubuntu/24.04 ubuntu/26.04 arch/latest alpine busybox/latest; do
		compgen -G "$TB_REPO/images/$d*" >/dev/null || fail "no recipe images/$d"
	done
	[ "$(find "$TB_REPO/images/fedora" -name Containerfile | wc -l)" = 2 ]
}

@test "recipes: tests/check-images.sh catches a broken recipe" {
	local d=$BATS_TEST_TMPDIR/foo/1
	mkdir -p "$d"
	cat >"$d/Containerfile" <<-'EOF'
		RUN true
		FROM ${NOPE}
		LABEL name="foo-toolbox"
		COPY missing /x
		FORM x
		RUN if then fi
	EOF
	printf 'b\na\nBad Name\n' >"$d/extra-packages"
	run "$TB_REPO/tests/check-images.sh" "$d"
	assert_failure 1
	assert_line --partial 'Containerfile:1: RUN before FROM'
	assert_line --partial 'Containerfile:2: FROM ${NOPE}: no ARG NOPE=DEFAULT'
	assert_line --partial "Containerfile:4: COPY source 'missing'"
	assert_line --partial "Containerfile:5: unknown instruction 'FORM'"
	assert_line --partial 'Containerfile:6: RUN does not parse'
	assert_line --partial 'no LABEL com.github.containers.toolbox="true"'
	assert_line --partial 'no LABEL version="1"'
	assert_line --partial 'no COPY toolbox-init /usr/bin/toolbox-init'
	assert_line --partial "extra-packages:2: 'a' after 'b'"
	assert_line --partial "extra-packages:3: not one package name"
	assert_line --partial 'extra-packages: not used by the Containerfile'
	# A good copy passes.
	rm -rf "$d"
	mkdir -p "$BATS_TEST_TMPDIR/debian"
	cp -R "$TB_REPO/images/debian/13" "$BATS_TEST_TMPDIR/debian/13"
	run "$TB_REPO/tests/check-images.sh" "$BATS_TEST_TMPDIR/debian/13"
	assert_success
}

@test "recipes: images/build --list, --help, usage errors (exit 2)" {
	run "$TB_REPO/images/build" --list
	assert_success
	for f in "$TB_REPO"/images/*/*/Containerfile; do
		local r d
		r=$(basename "$(dirname "$f")")
		d=$(basename "$(dirname "$(dirname "$f")")")
		assert_line --regexp "^$d +$r +"
	done
	run "$TB_REPO/images/build" --help
	assert_success
	assert_line --partial 'Usage: images/build [OPTION...] DISTRO RELEASE'
	run "$TB_REPO/images/build" debian 99
	assert_failure 2
	assert_output --partial 'no recipe images/debian/99/Containerfile'
	run "$TB_REPO/images/build" --bogus debian 13
	assert_failure 2
	run "$TB_REPO/images/build" debian
	assert_failure 2
	run "$TB_REPO/images/build" --base fedora 44
	assert_failure 2
	assert_output --partial "fedora's base comes from a registry"
}

@test "build: as the mode's user, a re-run builds nothing, a new toolbox-init rebuilds" {
	# A copy of images/ the user can read (the clone may be where it cannot), with
	# its own cache; the staged toolbox-init.
	local tag=localhost/tbt-images-busybox:1 init2
	TB_UDIR=$(mktemp -d /tmp/tbt-images.XXXXXX)
	cp -R "$TB_REPO/images" "$TB_UDIR/images"
	install -m 0755 "$TB_INIT" "$TB_UDIR/init1"
	cp "$TB_INIT" "$TB_UDIR/init2"
	printf x >>"$TB_UDIR/init2"
	chmod 0755 "$TB_UDIR/init2"
	chown -R "$TB_UID:$TB_GID" "$TB_UDIR"
	TB_RMI=$tag

	# --refresh: the base too, whatever this storage holds already.
	run as_user "$TB_UDIR/images/build" --refresh --init "$TB_UDIR/init1" --tag "$tag" \
		busybox latest
	assert_success
	assert_line --regexp '^images/build: busybox latest: BusyBox tree from /bin/busybox .* \(.*s\)$'
	assert_line --regexp '^images/build: busybox latest: podman import as localhost/toolbox-busybox-base:latest \.\.\. done'
	assert_line --regexp "^images/build: busybox latest: podman build images/busybox/latest on .* \(.*s\)$"
	assert_line --regexp "^images/build: busybox latest: $tag: ready"
	[ -n "$(find "$TB_UDIR/build/cache" -name 'busybox-latest-base-*.tar')" ]
	run pm run --rm --network host --name "$(tb_name run)" --entrypoint /bin/sh "$tag" -c \
		'sha256sum /usr/bin/toolbox-init'
	assert_output "$(sha256sum <"$TB_INIT" | cut -d' ' -f1)  /usr/bin/toolbox-init"
	run pm image inspect --format '{{index .Labels "com.github.containers.toolbox"}}' "$tag"
	assert_output true

	run as_user "$TB_UDIR/images/build" --init "$TB_UDIR/init1" --tag "$tag" busybox latest
	assert_success
	assert_output "images/build: busybox latest: $tag: up to date"

	run as_user "$TB_UDIR/images/build" --init "$TB_UDIR/init2" --tag "$tag" busybox latest
	assert_success
	assert_line --regexp "^images/build: busybox latest: podman build "
	refute_line --partial 'BusyBox tree'
	init2=$(sha256sum <"$TB_UDIR/init2" | cut -d' ' -f1)
	run pm run --rm --network host --name "$(tb_name run)" --entrypoint /bin/sh "$tag" -c \
		'sha256sum /usr/bin/toolbox-init'
	assert_output "$init2  /usr/bin/toolbox-init"
}

@test "build: the Debian mirror comes from apt's sources (deb822 and one-line)" {
	# shellcheck source=images/lib.sh disable=SC1091
	. "$TB_REPO/images/lib.sh"
	local d=$BATS_TEST_TMPDIR
	cat >"$d/a.sources" <<-'EOF'
		Types: deb
		URIs: http://security.example/debian-security
		Suites: bookworm-security
		Components: main

		Types: deb-src deb
		URIs: http://mirror.example/debian
		Suites: bookworm bookworm-updates
		Components: main

		Types: deb
		URIs: http://disabled.example/debian
		Suites: bookworm
		Enabled: no
	EOF
	printf 'deb [arch=amd64] https://other.example/apt nodistro main\n' >"$d/b.list"
	run debian_mirror "$d/b.list" "$d/a.sources"
	assert_success
	assert_output http://mirror.example/debian
	printf 'deb http://one.example/debian stable main # comment\n' >"$d/c.list"
	run debian_mirror "$d/c.list"
	assert_output http://one.example/debian
	run debian_mirror "$d/missing.list"
	assert_failure
	# This machine's: what images/build uses, never a mirror written in the repository.
	run debian_mirror
	assert_success
	assert_output --regexp '^(https?|ftp|file):'
	run grep -rn "$output" "$TB_REPO/images" "$TB_REPO/tests/images.sh" "$TB_REPO/tests/setup.sh"
	assert_failure 1
}

@test "build: the image scripts are shellcheck-clean" {
	command -v shellcheck >/dev/null || fail "shellcheck missing (scripts/packages.list has it)"
	run shellcheck "$TB_REPO/images/build" "$TB_REPO/images/lib.sh" \
		"$TB_REPO/tests/check-images.sh" "$TB_REPO/tests/images.sh"
	assert_success
}
