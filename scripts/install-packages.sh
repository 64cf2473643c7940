#!/bin/sh
# Install the Debian packages listed in packages.list that are not installed yet.
# Idempotent; needs root only when something is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
list="${1:-$here/packages.list}"
missing=""
# shellcheck disable=SC2013 # one package name per line, never with blanks
for p in $(sed -e 's/#.*//' "$list"); do
	if ! dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-packages: missing Debian packages:$missing (run this script as root to install them)" >&2
	exit 1
fi
echo "install-packages: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Lists may be absent on a fresh machine; refresh them once before installing.
apt-get update -q >/dev/null || apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
