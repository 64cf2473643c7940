#!/bin/sh
# What bench.sh has hyperfine run between timed runs (--prepare), as the user whose
# podman is measured; staged next to the launcher as bench-prep. Never fails the run.
#   bench-prep stop NAME PIDFILE          record NAME's init PID, then podman stop -t 0
#   bench-prep start NAME PIDFILE CMD...  CMD (starts NAME, waits for it), record its PID
#   bench-prep rm NAME...                 podman rm -f -t 0 --ignore NAME...
# The PIDs let bench.sh remove the PID-keyed readiness stamps the inits leave behind.
pid_of() { # NAME PIDFILE
	p=$(podman inspect --format '{{.State.Pid}}' "$1" 2>/dev/null) || return 0
	[ "${p:-0}" = 0 ] || echo "$p" >>"$2"
}

cmd=$1
shift
case $cmd in
stop)
	pid_of "$1" "$2"
	podman stop -t 0 "$1" >/dev/null 2>&1
	;;
start)
	name=$1 file=$2
	shift 2
	"$@" >/dev/null 2>&1
	pid_of "$name" "$file"
	;;
rm)
	podman rm -f -t 0 --ignore "$@" >/dev/null 2>&1
	;;
*)
	echo "bench-prep: unknown command '$cmd'" >&2
	exit 2
	;;
esac
exit 0
