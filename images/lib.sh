# shellcheck shell=bash
# Shell functions shared by images/build and tests/images.sh (source this file; it
# defines functions only and changes no option of the caller).
#
#   debian_mirror [FILE...]    the Debian archive URI this machine's apt uses
#   images_short_hash          the first 16 hex digits of sha256(stdin)
#   images_podman_compat       podman build options this host needs, one per line
#   images_drop_old PM OLD NEW  remove image OLD, replaced by NEW, if it has no name left

# The Debian archive this machine's apt uses: the URI of an enabled "deb" source whose
# suite is the host's own release (VERSION_CODENAME of /etc/os-release, bookworm when it
# has none), else any main-archive suite (no "-updates"/"-security"), from deb822
# *.sources files or one-line *.list files. Never written into the repository: every
# build derives it again, so a machine with another mirror (a proxy, a snapshot) uses
# its own.
debian_mirror() { # [FILES...], by default the system's
	local files=() f codename
	[ $# -gt 0 ] || set -- /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources
	for f in "$@"; do
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || return 1
	# shellcheck disable=SC1091
	codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
	awk -v want="${codename:-bookworm}" '
	function emit(types, uris, suites,   t, u, s, nt, nu, ns, i, j, k) {
		nt = split(types, t); nu = split(uris, u); ns = split(suites, s)
		for (i = 1; i <= nt; i++) {
			if (t[i] != "deb")
				continue
			for (j = 1; j <= nu; j++) {
				if (u[j] !~ /^(https?|ftp|file):/)
					continue
				for (k = 1; k <= ns; k++) {
					if (s[k] == want && best == "")
						best = u[j]
					else if (s[k] !~ /[-\/]/ && u[j] !~ /security/ && other == "")
						other = u[j]
				}
			}
		}
	}
	function flush() {
		if (types != "" && enabled != "no")
			emit(types, uris, suites)
		types = uris = suites = ""; enabled = "yes"
	}
	FNR == 1 { flush(); deb822 = (FILENAME ~ /\.sources$/) }
	deb822 && /^[ \t]*$/ { flush(); next }
	deb822 && /^[A-Za-z-]+:/ {
		key = tolower($1); sub(/:.*/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val)
		if (key == "types") types = val
		else if (key == "uris") uris = val
		else if (key == "suites") suites = val
		else if (key == "enabled") enabled = tolower(val)
		next
	}
	!deb822 && $1 == "deb" {
		line = $0; sub(/#.*/, "", line); sub(/\[[^]]*\]/, "", line)
		n = split(line, w)
		if (n >= 3)
			emit("deb", w[2], w[3])
	}
	END { flush(); out = best != "" ? best : other; if (out == "") exit 1; print out }
	' "${files[@]}"
}

images_short_hash() {
	sha256sum | cut -c1-16
}

# What `podman build` needs on hosts where podman's defaults do not start a container
# (the launcher's host/hostcompat.c makes the same choice for `podman create`):
# - cgroup v1 (or hybrid) with crun installed: crun may refuse it; use runc when present;
# - rootful without CAP_SYS_RESOURCE (a container VM, a CI sandbox): podman raises
#   nofile/nproc to its own defaults and fails; ask for the caller's limits instead.
# Rootless podman clamps the limits to the caller's itself.
images_podman_compat() {
	local eff nofile nproc
	if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" != cgroup2fs ] &&
		command -v crun >/dev/null && command -v runc >/dev/null; then
		printf '%s\n' --runtime runc
	fi
	[ "$(id -u)" = 0 ] || return 0
	eff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
	# CAP_SYS_RESOURCE is bit 24.
	if [ -n "$eff" ] && (((0x$eff >> 24) & 1)); then
		return 0
	fi
	nofile=$(ulimit -Hn)
	nproc=$(ulimit -Hu)
	[ "$nofile" != unlimited ] || nofile=-1
	if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then
		nproc=32768
	fi
	printf '%s\n' --ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc"
}

# After a rebuild moved a name to a new image: remove the old one, unless it is the same
# image, still has a name (podman import of the same tree gives the same image, which
# other names may share: `podman rmi ID` would take them all), or is in use (rmi refuses).
images_drop_old() { # PODMAN-FN OLD-ID NEW-REF
	local pm=$1 old=$2 new=$3 names
	[ -n "$old" ] || return 0
	[ "$old" != "$("$pm" image inspect --format '{{.Id}}' "$new" 2>/dev/null)" ] || return 0
	names=$("$pm" image inspect --format '{{len .RepoTags}}' "$old" 2>/dev/null) || return 0
	[ "$names" = 0 ] || return 0
	"$pm" rmi "$old" >/dev/null 2>&1 || true
}
