#!/bin/sh
# Build the third-party code of the static toolbox-init: libcap and libseccomp as static
# musl libraries, from Debian's own source packages, plus a directory of the kernel UAPI
# headers musl-gcc needs. Usage: scripts/build-deps.sh DEPSDIR (the Makefile passes
# $(abspath build/deps)). Produces:
#   DEPSDIR/musl/lib/libcap.a, DEPSDIR/musl/lib/libseccomp.a  (musl-gcc, static only)
#   DEPSDIR/musl/include/                                     (their installed headers)
#   DEPSDIR/kheaders/{linux,asm,asm-generic,...}              (symlinks, linux-libc-dev)
# Sources come from `apt-get source` through a private apt configuration in DEPSDIR/apt/,
# derived at run time from the system's Debian archive entries (deb -> deb-src); the
# system's apt state is only read. Everything is cached by version: the source version
# of the installed libcap2/libseccomp2 binary packages when the private lists offer it,
# else the newest they offer. A run with everything in place is a no-op without apt.
# Noisy output goes to DEPSDIR/logs/*.log; one progress line per step on stdout.
set -eu

export LC_ALL=C
# A parent make (the top-level Makefile) exports its own flags and command-line
# overrides; none of them is meant for these builds.
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL GNUMAKEFLAGS CC CPP CFLAGS CPPFLAGS \
	LDFLAGS LIBS AR RANLIB CROSS_COMPILE DESTDIR prefix lib APT_CONFIG

prog=deps
say() { printf '%s: %s\n' "$prog" "$*"; }
die() {
	printf '%s: error: %s\n' "$prog" "$*" >&2
	exit 1
}

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 DEPSDIR" >&2
	exit 2
fi
mkdir -p "$1"
DEPSDIR=$(cd "$1" && pwd)
MUSL=$DEPSDIR/musl
KH=$DEPSDIR/kheaders
APTDIR=$DEPSDIR/apt
LOGS=$DEPSDIR/logs
TMPROOT=$DEPSDIR/tmp

# Flags for the libraries: small, and sections the init's --gc-sections can drop.
DEPS_COPTS="-Os -ffunction-sections -fdata-sections"

# The recipe: a changed script rebuilds the libraries (from the cached sources).
recipe=$(cksum <"$0")
recipe=${recipe%% *}

# Debian versions may carry an epoch ("1:2.66-4"); keep paths free of the colon.
fsver() {
	case $1 in
	*:*) printf '%s_%s' "${1%%:*}" "${1#*:}" ;;
	*) printf '%s' "$1" ;;
	esac
}

# ---- what is installed (one dpkg-query for everything) ----
want_libcap=
want_libseccomp=
linux_libc_dev=
installed=$(dpkg-query -W -f '${Package} ${db:Status-Abbrev} ${source:Version} ${Version}\n' \
	libcap2 libseccomp2 linux-libc-dev 2>/dev/null || true)
while read -r pkg status srcver binver; do
	[ "$status" = ii ] || continue
	case $pkg in
	libcap2) [ -n "$want_libcap" ] || want_libcap=$srcver ;;
	libseccomp2) [ -n "$want_libseccomp" ] || want_libseccomp=$srcver ;;
	linux-libc-dev) [ -n "$linux_libc_dev" ] || linux_libc_dev=$binver ;;
	esac
done <<EOF
$installed
EOF

# stamp_ok LIB VERSION: LIB's libraries for VERSION are in place, built by this recipe.
stamp_ok() {
	_s=$MUSL/.$1-$(fsver "$2").stamp
	[ -f "$MUSL/lib/$1.a" ] && [ -f "$_s" ] || return 1
	read -r _line <"$_s" || return 1
	[ "$_line" = "version=$2 recipe=$recipe" ]
}

# cached_version LIB: the version of an up-to-date cached build of LIB, if any.
cached_version() {
	for _s in "$MUSL/.$1-"*.stamp; do
		[ -f "$_s" ] || continue
		read -r _line <"$_s" || continue
		_v=${_line#version=}
		_v=${_v%% *}
		if stamp_ok "$1" "$_v"; then
			printf '%s' "$_v"
			return 0
		fi
	done
	return 1
}

kheaders_key="linux-libc-dev=$linux_libc_dev recipe=$recipe"
kheaders_ok() {
	[ -n "$linux_libc_dev" ] && [ -f "$KH/.stamp" ] && [ -e "$KH/linux/types.h" ] &&
		[ -e "$KH/asm/unistd.h" ] || return 1
	read -r _line <"$KH/.stamp" || return 1
	[ "$_line" = "$kheaders_key" ]
}

# DEPSDIR/musl/.LIB-installed-VERSION.uses names the version built in place of an
# installed VERSION the archive did not offer (or would not serve), so that later runs
# need no apt either. Remove it to try that version again.
uses_file() { printf '%s/.%s-installed-%s.uses' "$MUSL" "$1" "$(fsver "$2")"; } # LIB VER

# lib_ok LIB WANTED: nothing to do for LIB (the installed version, or the one used in
# its place, is built; or no binary package is installed and some version is built).
lib_ok() {
	if [ -z "$2" ]; then
		cached_version "$1" >/dev/null
		return
	fi
	stamp_ok "$1" "$2" && return 0
	_u=$(uses_file "$1" "$2")
	[ -f "$_u" ] && read -r _used <"$_u" && [ -n "$_used" ] && stamp_ok "$1" "$_used"
}

# ---- fast path ----
if kheaders_ok && lib_ok libcap "$want_libcap" && lib_ok libseccomp "$want_libseccomp"; then
	exit 0
fi

# ---- from here on, real work: one run at a time ----
mkdir -p "$LOGS" "$TMPROOT"
if command -v flock >/dev/null 2>&1; then
	exec 9>"$DEPSDIR/.lock"
	if ! flock -n 9; then
		say "waiting for another build-deps.sh run on $DEPSDIR"
		flock 9
	fi
fi

# DEPSDIR/tmp belongs to the run holding the lock: work happens there (same filesystem
# as the results, so they are moved into place by rename), and goes on exit, like the
# leftovers of an interrupted run.
trap 'rm -rf "$TMPROOT"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
rm -rf "$TMPROOT"
mkdir -p "$TMPROOT"
newtmp() { mktemp -d "$TMPROOT/$1.XXXXXX"; } # NAME

# log_fail LOG WHAT: LOG's tail and a one-line error naming WHAT.
log_fail() {
	echo "---- last lines of $1 ----" >&2
	tail -n 30 "$1" >&2
	echo "----" >&2
	die "$2 failed (full log: $1)"
}

# run LOG WHAT CMD...: CMD's output to LOG; on failure its tail and a one-line error.
run() {
	_log=$1
	_what=$2
	shift 2
	"$@" >>"$_log" 2>&1 || log_fail "$_log" "$_what"
}

# need_tools TOOL:PACKAGE...: all there, or name the missing ones and stop.
need_tools() {
	_missing=
	for _tp in "$@"; do
		command -v "${_tp%%:*}" >/dev/null 2>&1 || _missing="$_missing ${_tp%%:*} (package ${_tp#*:}),"
	done
	[ -z "$_missing" ] ||
		die "missing build tools:${_missing%,}; run scripts/install-packages.sh as root"
}

# ---- kernel UAPI headers for musl-gcc (which searches only musl's own headers) ----
if ! kheaders_ok; then
	[ -n "$linux_libc_dev" ] ||
		die "linux-libc-dev is not installed; run scripts/install-packages.sh as root"
	say "linking kernel headers (linux-libc-dev $linux_libc_dev) into $KH"
	multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch 2>/dev/null || true)
	if [ -z "$multiarch" ] || [ ! -d "/usr/include/$multiarch/asm" ]; then
		die "cannot find the kernel asm/ headers (/usr/include/${multiarch:-MULTIARCH}/asm)"
	fi
	t=$(newtmp kheaders)
	# Every top-level directory linux-libc-dev puts in /usr/include (linux, asm-generic,
	# mtd, ...) but the multiarch one, whose asm/ becomes kheaders/asm.
	arch=$(dpkg --print-architecture)
	for d in $({ dpkg -L "linux-libc-dev:$arch" 2>/dev/null || dpkg -L linux-libc-dev; } | sed -n 's|^/usr/include/\([^/][^/]*\)$|\1|p' | sort -u); do
		case $d in *-linux-*) continue ;; esac
		if [ -d "/usr/include/$d" ]; then ln -s "/usr/include/$d" "$t/$d"; fi
	done
	ln -s "/usr/include/$multiarch/asm" "$t/asm"
	[ -e "$t/linux/types.h" ] || die "linux-libc-dev has no /usr/include/linux/types.h"
	printf '%s\n' "$kheaders_key" >"$t/.stamp"
	chmod 0755 "$t"
	rm -rf "$KH.old"
	if [ -e "$KH" ]; then mv "$KH" "$KH.old"; fi
	mv "$t" "$KH"
	rm -rf "$KH.old"
fi

# ---- the private apt configuration ----
apt_ready=
apt_updated=
# Debian archive entries of the system's sources, as deb-src stanzas (deb822). Kept: an
# entry whose Signed-By keyring file is a Debian archive keyring; or, with no keyring
# file named (no Signed-By, a fingerprint, an inline key), one whose suite is this
# release's (the codename, -updates, -security, -backports, -proposed-updates; sid or
# unstable when os-release names no codename) and whose components are all Debian's.
# Third-party entries (their own keyring, suite or components) are dropped.
debian_sources() {
	_codename=
	if [ -r /etc/os-release ]; then
		_codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"')
	fi
	set --
	for _f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; do
		if [ -f "$_f" ]; then set -- "$@" "$_f"; fi
	done
	[ $# -gt 0 ] || return 0
	awk -v codename="$_codename" '
	function debian_suite(s, b) {
		b = s
		sub(/-(updates|security|backports|backports-sloppy|proposed-updates)$/, "", b)
		return codename != "" ? b == codename : b ~ /^(sid|unstable)$/
	}
	function debian_comps(c, n, a, i) {
		n = split(c, a, /[ \t]+/)
		for (i = 1; i <= n; i++)
			if (a[i] != "" && a[i] !~ /^(main|contrib|non-free|non-free-firmware)$/) return 0
		return 1
	}
	# emit TYPES URIS SUITES COMPS SIGNEDBY: one deb-src stanza per URI and suite.
	function emit(types, uris, suites, comps, signedby, nu, ns, u, s, i, j, key, keep) {
		if (types !~ /(^|[ \t])deb(-src)?([ \t]|$)/) return
		nu = split(uris, u, /[ \t]+/)
		ns = split(suites, s, /[ \t]+/)
		for (i = 1; i <= nu; i++) {
			if (u[i] == "" || u[i] ~ /^cdrom:/) continue
			for (j = 1; j <= ns; j++) {
				if (s[j] == "") continue
				if (signedby ~ /^\//) keep = (signedby ~ /debian-archive/)
				else keep = debian_suite(s[j]) && debian_comps(comps)
				if (!keep) continue
				key = u[i] " " s[j] " " comps
				if (key in seen) continue
				seen[key] = 1
				printf "Types: deb-src\nURIs: %s\nSuites: %s\n", u[i], s[j]
				if (comps != "") printf "Components: %s\n", comps
				if (signedby != "") printf "Signed-By: %s\n", signedby
				printf "\n"
			}
		}
	}
	function trim(x) { sub(/^[ \t]+/, "", x); sub(/[ \t]+$/, "", x); return x }
	function flush() {
		if (inpara && tolower(f["enabled"]) != "no")
			emit(f["types"], f["uris"], f["suites"], f["components"], f["signed-by"])
		split("", f)
		inpara = 0
		last = ""
	}
	FNR == 1 { flush(); deb822 = (FILENAME ~ /\.sources$/) }
	deb822 {
		if ($0 ~ /^[ \t]*#/) next
		if ($0 ~ /^[ \t]*$/) { flush(); next }
		if ($0 ~ /^[ \t]/) {  # continuation (an inline Signed-By key block)
			if (last != "") f[last] = f[last] "\n" $0
			next
		}
		k = tolower(trim(substr($0, 1, index($0, ":") - 1)))
		f[k] = trim(substr($0, index($0, ":") + 1))
		last = k
		inpara = 1
		next
	}
	{
		line = $0
		sub(/#.*/, "", line)
		line = trim(line)
		if (line == "") next
		type = line; sub(/[ \t].*/, "", type)
		rest = trim(substr(line, length(type) + 1))
		signedby = ""
		if (rest ~ /^\[/) {
			opts = substr(rest, 2, index(rest, "]") - 2)
			rest = trim(substr(rest, index(rest, "]") + 1))
			n = split(opts, o, /[ \t]+/)
			for (i = 1; i <= n; i++)
				if (tolower(o[i]) ~ /^signed-by=/) signedby = substr(o[i], 11)
		}
		uri = rest; sub(/[ \t].*/, "", uri)
		rest = trim(substr(rest, length(uri) + 1))
		suite = rest; sub(/[ \t].*/, "", suite)
		comps = trim(substr(rest, length(suite) + 1))
		emit(type, uri, suite, comps, signedby)
	}
	END { flush() }
	' "$@"
}

# The private apt.conf (APT_CONFIG): our own directories, none of the system's
# apt.conf.d (its update hooks would touch system state), but its Acquire:: settings
# (proxies, Check-Valid-Until for snapshot mirrors, ...).
apt_setup() {
	[ -z "$apt_ready" ] || return 0
	need_tools apt-get:apt apt-cache:apt apt-config:apt
	mkdir -p "$APTDIR/sources.list.d" "$APTDIR/apt.conf.d" "$APTDIR/preferences.d" \
		"$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/state"
	: >"$APTDIR/sources.list"
	[ -f "$APTDIR/status" ] || : >"$APTDIR/status"
	t=$(newtmp apt)
	debian_sources >"$t/debian-src.sources"
	[ -s "$t/debian-src.sources" ] ||
		die "no Debian archive entry in /etc/apt/sources.list{,.d/*.list,.d/*.sources} to derive deb-src from"
	{
		printf '// generated by scripts/build-deps.sh; do not edit\n'
		apt-config dump 2>/dev/null | grep '^Acquire::' | grep -v '^Acquire::IndexTargets' || true
		printf 'Acquire::Languages "none";\n'

		for kv in \
			"Dir::Etc::main=/dev/null" \
			"Dir::Etc::Parts=$APTDIR/apt.conf.d" \
			"Dir::Etc::SourceList=$APTDIR/sources.list" \
			"Dir::Etc::SourceParts=$APTDIR/sources.list.d" \
			"Dir::Etc::Preferences=$APTDIR/preferences" \
			"Dir::Etc::PreferencesParts=$APTDIR/preferences.d" \
			"Dir::State=$APTDIR/state" \
			"Dir::State::Lists=$APTDIR/lists" \
			"Dir::State::status=$APTDIR/status" \
			"Dir::State::extended_states=$APTDIR/state/extended_states" \
			"Dir::Cache=$APTDIR/cache" \
			"Dir::Cache::archives=$APTDIR/cache/archives" \
			"Dir::Cache::pkgcache=$APTDIR/cache/pkgcache.bin" \
			"Dir::Cache::srcpkgcache=$APTDIR/cache/srcpkgcache.bin" \
			"Dir::Log=$APTDIR/state" \
			"Debug::NoLocking=true" \
			"APT::Get::List-Cleanup=true" \
			"APT::Get::Assume-Yes=true"; do
			printf '%s "%s";\n' "${kv%%=*}" "${kv#*=}"
		done
	} >"$t/apt.conf"
	# Changed sources (or none fetched yet) mean the lists must be refreshed.
	if ! cmp -s "$t/debian-src.sources" "$APTDIR/sources.list.d/debian-src.sources"; then
		rm -f "$APTDIR/lists/"*_Sources* "$APTDIR/cache/srcpkgcache.bin"
	fi
	mv -f "$t/debian-src.sources" "$APTDIR/sources.list.d/debian-src.sources"
	mv -f "$t/apt.conf" "$APTDIR/apt.conf"
	apt_ready=1
}

apt_do() { APT_CONFIG=$APTDIR/apt.conf "$@"; }
apt_source() { (cd "$1" && apt_do apt-get -q source --only-source "$2"); } # DIR PKG=VER

apt_update() {
	say "updating the private apt lists (deb-src of the system's Debian sources)"
	: >"$LOGS/apt-update.log"
	run "$LOGS/apt-update.log" "apt-get update (private lists in $APTDIR)" \
		apt_do apt-get -q update
	apt_updated=1
}

# source_versions SRCPKG: the versions of SRCPKG the private lists offer, one a line.
source_versions() {
	apt_do apt-cache showsrc --only-source "$1" 2>/dev/null | sed -n 's/^Version: //p' | sort -u
}

# resolve_version SRCPKG WANTED: set $ver to the version to use (WANTED if offered, else
# the newest offered), refreshing the lists once when needed.
resolve_version() {
	apt_setup
	if ! ls "$APTDIR/lists/"*_Sources* >/dev/null 2>&1; then apt_update; fi
	_vs=$(source_versions "$1")
	if [ -z "$_vs" ] || { [ -n "$2" ] && ! printf '%s\n' "$_vs" | grep -qxF "$2"; }; then
		if [ -z "$apt_updated" ]; then
			apt_update
			_vs=$(source_versions "$1")
		fi
	fi
	[ -n "$_vs" ] || die "no source package $1 in the private apt lists (see $LOGS/apt-update.log)"
	newest=
	for _v in $_vs; do
		if [ -z "$newest" ] || dpkg --compare-versions "$_v" gt "$newest"; then newest=$_v; fi
	done
	if [ -n "$2" ] && printf '%s\n' "$_vs" | grep -qxF "$2"; then
		ver=$2
		return 0
	fi
	ver=$newest
	if [ -n "$2" ]; then
		say "$1 $2 (installed) is not offered by the archive; using the newest, $ver"
	else
		say "$1 is not installed; using the archive's newest source, $ver"
	fi
}

# fetch SRCPKG VERSION: DEPSDIR/src/SRCPKG-VERSION/, the unpacked, patched source.
# Returns 1 when apt-get source fails (its output in DEPSDIR/logs/fetch-SRCPKG.log).
fetch() {
	_dst=$DEPSDIR/src/$1-$(fsver "$2")
	[ -d "$_dst" ] && return 0
	need_tools dpkg-source:dpkg-dev
	apt_setup
	say "fetching $1 $2 source"
	_log=$LOGS/fetch-$1.log
	: >"$_log"
	_t=$(newtmp "fetch-$1")
	# apt downloads as _apt when run as root: let it write here.
	if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$_t"; fi
	apt_source "$_t" "$1=$2" >>"$_log" 2>&1 || return 1
	_n=0
	for _d in "$_t"/*/; do
		[ -d "$_d" ] || continue
		_n=$((_n + 1))
		_unpacked=${_d%/}
	done
	[ "$_n" = 1 ] || die "fetching the $1 $2 source: expected one unpacked directory in $_t (see $_log)"
	mkdir -p "$DEPSDIR/src"
	mv "$_unpacked" "$_dst"
}

# install_stage LIB STAGE VERSION: move STAGE's prefix into DEPSDIR/musl, libraries
# last, then the stamp. An interruption leaves no stamp, so the next run rebuilds.
install_stage() {
	rm -f "$MUSL/.$1-"*.stamp
	_root=$2$MUSL
	[ -f "$_root/lib/$1.a" ] || die "building $1 $3: no $1.a was installed"
	# libtool archives carry the staging paths and are of no use to a static link.
	rm -f "$_root/lib/"*.la
	(cd "$_root" && find . \( -type f -o -type l \) ! -name '*.a' && find . -name '*.a') |
		while read -r _f; do
			_f=${_f#./}
			mkdir -p "$MUSL/$(dirname "$_f")"
			mv -f "$_root/$_f" "$MUSL/$_f"
		done
	printf 'version=%s recipe=%s\n' "$3" "$recipe" >"$2/stamp"
	mv -f "$2/stamp" "$MUSL/.$1-$(fsver "$3").stamp"
}

jobs=$(nproc 2>/dev/null || echo 2)

# libcap has no configure: its libcap/ Makefile alone, the static library only (no
# shared objects, no libpsx/pthreads, no Go, no PAM); BUILD_CC builds its generator.
libcap_make() { # SRCDIR STAGE TARGET
	make -C "$1/libcap" CC=musl-gcc BUILD_CC=gcc AR=ar RANLIB=ranlib \
		COPTS="$DEPS_COPTS -isystem $KH" BUILD_COPTS=-O2 \
		SHARED=no PTHREADS=no GOLANG=no PAM_CAP=no USE_GPERF=yes \
		prefix="$MUSL" lib=lib DESTDIR="$2" "$3"
}
build_libcap() { # SRCDIR STAGE LOG
	run "$3" "building libcap $ver (make libcap.a)" libcap_make "$1" "$2" libcap.a
	run "$3" "installing libcap $ver" libcap_make "$1" "$2" install-static-cap
}

libseccomp_configure() { # SRCDIR
	(cd "$1" && ./configure CC=musl-gcc CFLAGS="$DEPS_COPTS" CPPFLAGS="-isystem $KH" \
		--prefix="$MUSL" --enable-static --disable-shared --disable-python \
		--disable-dependency-tracking)
}
build_libseccomp() { # SRCDIR STAGE LOG
	run "$3" "configuring libseccomp $ver" libseccomp_configure "$1"
	run "$3" "building libseccomp $ver" make -C "$1/src" -j"$jobs"
	run "$3" "installing libseccomp $ver" make -C "$1/include" install DESTDIR="$2"
	run "$3" "installing libseccomp $ver" make -C "$1/src" install DESTDIR="$2"
	run "$3" "installing libseccomp $ver" make -C "$1" install-pkgconfDATA DESTDIR="$2"
}

# ensure LIB SRCPKG WANTED
ensure() {
	if lib_ok "$1" "$3"; then return 0; fi
	newest=
	ver=$3
	# The cached source is enough when the installed version is already fetched.
	if [ -z "$ver" ] || [ ! -d "$DEPSDIR/src/$2-$(fsver "$ver")" ]; then
		resolve_version "$2" "$3"
	fi
	if ! stamp_ok "$1" "$ver" && ! fetch "$2" "$ver"; then
		# Listed but not served (a pool that dropped it, a stale mirror): the newest.
		if [ -z "$newest" ] || [ "$newest" = "$ver" ]; then
			log_fail "$LOGS/fetch-$2.log" "fetching the $2 $ver source (apt-get source)"
		fi
		say "could not fetch $2 $ver (see $LOGS/fetch-$2.log); using the newest, $newest"
		ver=$newest
		stamp_ok "$1" "$ver" || fetch "$2" "$ver" ||
			log_fail "$LOGS/fetch-$2.log" "fetching the $2 $ver source (apt-get source)"
	fi
	if [ -n "$3" ] && [ "$ver" != "$3" ]; then
		rm -f "$MUSL/.$1-installed-"*.uses
		mkdir -p "$MUSL"
		printf '%s\n' "$ver" >"$(uses_file "$1" "$3")"
	fi
	if stamp_ok "$1" "$ver"; then return 0; fi
	need_tools musl-gcc:musl-tools gcc:gcc make:make gperf:gperf ar:binutils
	say "building $1 $ver (musl-gcc, static)"
	_log=$LOGS/build-$1.log
	: >"$_log"
	_t=$(newtmp "build-$1")
	cp -a "$DEPSDIR/src/$2-$(fsver "$ver")" "$_t/src"
	mkdir -p "$_t/stage"
	"build_$1" "$_t/src" "$_t/stage" "$_log"
	install_stage "$1" "$_t/stage" "$ver"
}

ensure libcap libcap2 "$want_libcap"
ensure libseccomp libseccomp "$want_libseccomp"
say "ready: $MUSL/lib/libcap.a $MUSL/lib/libseccomp.a, headers in $MUSL/include and $KH"
