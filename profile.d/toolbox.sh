# shellcheck shell=sh
# /etc/profile.d/toolbox.sh: inside a toolbox container, mark the prompt with ⬢ and greet
# the user once. Sourced by every login shell (POSIX sh, bash, zsh): a no-op on the host,
# in non-interactive shells and in shells other than bash and zsh.

if [ -f /run/.toolboxenv ] && [ -f /run/.containerenv ] &&
	{ [ -n "${BASH_VERSION:-}" ] || [ -n "${ZSH_VERSION:-}" ]; } &&
	[ -n "${PS1:-}" ]; then

	# The prompt Toolbx users know: a magenta hexagon, then [user@host dir]$.
	if [ -n "${BASH_VERSION:-}" ]; then
		PS1='\[\033[35m\]⬢\[\033[0m\][\u@\h \W]\$ '
	else
		# shellcheck disable=SC3003,SC2025 # zsh syntax, zsh prompt escapes
		PS1=$'%{\033[35m%}⬢%{\033[0m%}[%n@%m]%~%# '
	fi

	# Once per user (the stamp has Toolbx's name: its users were greeted already).
	_tb_stamp_dir=${XDG_CONFIG_HOME:-$HOME/.config}/toolbox
	if [ -n "${HOME:-}" ] && ! [ -f "$_tb_stamp_dir/toolbox-welcome-shown" ]; then
		printf '\n%s\n%s\n\n%s\n%s\n\n' \
			"Welcome to the Toolbox: a container where you can install and run" \
			"all your tools, with this distribution's package manager." \
			" - Your home directory and the host's files (under /run/host) are here." \
			" - 'toolbox create' makes another container; 'exit' leaves this one."
		mkdir -p "$_tb_stamp_dir" 2>/dev/null &&
			: >"$_tb_stamp_dir/toolbox-welcome-shown" 2>/dev/null
	fi
	unset _tb_stamp_dir

	# A terminal the container cannot describe makes full-screen programs misbehave.
	if [ -n "${TERM:-}" ] && [ -z "${TERMINFO:-}" ] && command -v infocmp >/dev/null 2>&1 &&
		! infocmp "$TERM" >/dev/null 2>&1; then
		echo "toolbox: no terminfo entry for TERM=$TERM in this container;" \
			"install ncurses-term or set TERM=xterm-256color" >&2
	fi
fi
