#!/bin/bash
# Check the image recipes without building them (most need a registry this machine cannot
# reach): every images/DISTRO/RELEASE/ directory, or the ones given.
#
#   tests/check-images.sh [RECIPE-DIR...]
#
# Per Containerfile: known instructions only; only ARG before the first FROM, which must
# be there; a FROM ${VAR} has an ARG VAR with a default (the recipe builds without
# --build-arg); every COPY/ADD source exists in the directory (toolbox-init excepted:
# images/build puts it into the build context) and every file of the directory is used;
# the labels com.github.containers.toolbox="true", name="DISTRO-toolbox",
# version="RELEASE"; toolbox-init copied to /usr/bin/toolbox-init; each shell-form RUN
# parses (sh -n). Package lists (extra-packages, missing-docs): one valid name a line,
# sorted, no duplicates. One line per recipe; errors as FILE:LINE: what.
# Exit status: 0 all good, 1 a recipe is wrong, 2 usage error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

KNOWN=" ADD ARG CMD COPY ENTRYPOINT ENV EXPOSE FROM HEALTHCHECK LABEL MAINTAINER ONBUILD \
SHELL STOPSIGNAL USER VOLUME WORKDIR RUN "
# Put into the build context by images/build, not kept in the recipe's directory.
PROVIDED=" toolbox-init "

errors=0
err() { # FILE LINE(0: the whole file) MESSAGE
	local at=${1#"$repo"/}
	[ "$2" = 0 ] || at="$at:$2"
	echo "check-images: $at: $3" >&2
	errors=$((errors + 1))
}

# The Containerfile as logical instructions, "LINE<TAB>TEXT": comments and blank lines
# dropped (also inside a continued instruction, as buildah does), continuations joined.
instructions() { # FILE
	awk '
	/^[ \t]*#/ { next }
	/^[ \t]*$/ { next }
	{
		line = $0
		if (cur == "") start = NR
		if (line ~ /\\[ \t]*$/) {
			sub(/\\[ \t]*$/, "", line)
			cur = cur line " "
			next
		}
		cur = cur line
		printf "%d\t%s\n", start, cur
		cur = ""
	}
	END { if (cur != "") printf "%d\t%s\n", start, cur }
	' "$1"
}

check_list() { # FILE: a package list
	local f=$1 n=0 line prev=
	local -a lines
	mapfile -t lines <"$f"
	[ ${#lines[@]} -gt 0 ] || {
		err "$f" 0 "empty package list"
		return
	}
	for line in "${lines[@]}"; do
		n=$((n + 1))
		if ! [[ $line =~ ^[a-z0-9][a-z0-9+._-]*$ ]]; then
			err "$f" "$n" "not one package name: '$line'"
		elif [ -n "$prev" ] && [ "$(printf '%s\n%s\n' "$prev" "$line" | LC_ALL=C sort -c 2>&1)" ]; then
			err "$f" "$n" "'$line' after '$prev': keep the list sorted (LC_ALL=C sort)"
		elif [ "$line" = "$prev" ]; then
			err "$f" "$n" "'$line' twice"
		fi
		prev=$line
	done
}

check_recipe() { # DIR
	local dir=${1%/} cf release distro n text kw rest seen_from=0 args=" " used=" "
	local have_toolbox=0 have_name=0 have_version=0 have_init=0 word src f before=$errors
	local -a words
	cf=$dir/Containerfile
	release=$(basename "$dir")
	distro=$(basename "$(dirname "$dir")")
	if [ ! -f "$cf" ]; then
		err "$dir" 0 "no Containerfile"
		return
	fi
	while IFS=$'\t' read -r n text; do
		kw=${text%%[[:space:]]*}
		kw=${kw^^}
		rest=${text#"${text%%[[:space:]]*}"}
		rest=${rest#"${rest%%[![:space:]]*}"}
		if [[ $KNOWN != *" $kw "* ]]; then
			err "$cf" "$n" "unknown instruction '$kw'"
			continue
		fi
		if [ "$seen_from" = 0 ] && [ "$kw" != ARG ] && [ "$kw" != FROM ]; then
			err "$cf" "$n" "$kw before FROM (only ARG may come first)"
		fi
		case $kw in
		ARG)
			# ARG NAME[=default]; before FROM, FROM may use it.
			if [[ $rest == *=* ]] && [ -n "${rest#*=}" ]; then
				args+="${rest%%=*} "
			fi
			;;
		FROM)
			seen_from=1
			read -ra words <<<"$rest"
			word=${words[0]:-}
			while [[ $word == --* ]] && [ ${#words[@]} -gt 1 ]; do
				words=("${words[@]:1}")
				word=${words[0]}
			done
			if [ -z "$word" ]; then
				err "$cf" "$n" "FROM without an image"
			elif [[ $word =~ ^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$ ]]; then
				[[ $args == *" ${BASH_REMATCH[1]} "* ]] ||
					err "$cf" "$n" "FROM $word: no ARG ${BASH_REMATCH[1]}=DEFAULT before it"
			fi
			;;
		COPY | ADD)
			read -ra words <<<"$rest"
			if [[ $rest == *--from* ]]; then
				continue
			fi
			while [ ${#words[@]} -gt 0 ] && [[ ${words[0]} == --* ]]; do
				words=("${words[@]:1}")
			done
			if [ ${#words[@]} -lt 2 ]; then
				err "$cf" "$n" "$kw needs a source and a destination"
				continue
			fi
			for src in "${words[@]:0:${#words[@]}-1}"; do
				src=${src#./}
				used+="$src "
				if [[ $PROVIDED == *" $src "* ]]; then
					if [ "$src" = toolbox-init ] &&
						[ "${words[${#words[@]} - 1]}" = /usr/bin/toolbox-init ]; then
						have_init=1
					fi
					continue
				fi
				[ -e "$dir/$src" ] || err "$cf" "$n" "$kw source '$src' is not in ${dir#"$repo"/}"
			done
			;;
		LABEL)
			[[ $rest =~ (^|[[:space:]])com\.github\.containers\.toolbox=\"?true\"?([[:space:]]|$) ]] &&
				have_toolbox=1
			[[ $rest =~ (^|[[:space:]])name=\"?$distro-toolbox\"?([[:space:]]|$) ]] &&
				have_name=1
			[[ $rest =~ (^|[[:space:]])version=\"?$release\"?([[:space:]]|$) ]] &&
				have_version=1
			;;
		RUN)
			if [ "${rest:0:1}" = "[" ]; then
				[ "${rest: -1}" = "]" ] || err "$cf" "$n" "RUN [...]: the exec form must end with ]"
			elif ! out=$(sh -n -c "$rest" 2>&1); then
				err "$cf" "$n" "RUN does not parse: ${out//$'\n'/ }"
			fi
			;;
		esac
	done < <(instructions "$cf")
	[ "$seen_from" = 1 ] || err "$cf" 0 "no FROM"
	[ "$have_toolbox" = 1 ] || err "$cf" 0 "no LABEL com.github.containers.toolbox=\"true\""
	[ "$have_name" = 1 ] || err "$cf" 0 "no LABEL name=\"$distro-toolbox\""
	[ "$have_version" = 1 ] || err "$cf" 0 "no LABEL version=\"$release\""
	[ "$have_init" = 1 ] || err "$cf" 0 "no COPY toolbox-init /usr/bin/toolbox-init"
	for f in "$dir"/*; do
		f=${f##*/}
		case $f in
		Containerfile) ;;
		extra-packages | missing-docs) check_list "$dir/$f" ;;
		esac
		[ "$f" = Containerfile ] || [[ $used == *" $f "* ]] ||
			err "$dir/$f" 0 "not used by the Containerfile"
	done
	if [ "$errors" = "$before" ]; then
		echo "check-images: ${dir#"$repo"/}: ok"
	fi
}

dirs=("$@")
if [ ${#dirs[@]} = 0 ]; then
	for d in "$repo"/images/*/*/; do
		dirs+=("${d%/}")
	done
fi
[ ${#dirs[@]} -gt 0 ] || {
	echo "check-images: no recipe under images/" >&2
	exit 2
}
for d in "${dirs[@]}"; do
	if [ ! -d "$d" ]; then
		echo "check-images: $d: not a directory" >&2
		exit 2
	fi
	check_recipe "$(cd "$d" && pwd)"
done
if [ "$errors" != 0 ]; then
	echo "check-images: $errors error(s)" >&2
	exit 1
fi
