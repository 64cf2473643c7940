# fish completion for toolbox(1). Installed as $(datadir)/fish/vendor_completions.d/toolbox.fish.

function __toolbox_containers
    podman ps --all --filter label=com.github.containers.toolbox=true --format '{{.Names}}' 2>/dev/null
end

function __toolbox_images
    podman images --filter label=com.github.containers.toolbox=true --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | string match -v '*<none>*'
end

# `toolbox run [OPTIONS] COMMAND [ARGS...]`: before COMMAND, commands; after it, its own.
function __toolbox_run_args
    set -l tokens (commandline -opc)
    set -l i (contains -i -- run $tokens)
    or return
    set i (math $i + 1)
    while test $i -le (count $tokens)
        switch $tokens[$i]
            case -c --container -d --distro -r --release --preserve-fds -e --env --unset-env --exec
                set i (math $i + 2)
            case '-*'
                set i (math $i + 1)
            case '*'
                complete -C (string join -- ' ' $tokens[$i..-1] (commandline -ct))
                return
        end
    end
    __fish_complete_command
end

set -l __toolbox_commands create enter help list relay rm rmi run

complete -c toolbox -f
complete -c toolbox -n "not __fish_seen_subcommand_from $__toolbox_commands" -s y -l assumeyes -d 'Answer yes to every question'
complete -c toolbox -n "not __fish_seen_subcommand_from $__toolbox_commands" -s h -l help -d 'Show the manual'
complete -c toolbox -n "not __fish_seen_subcommand_from $__toolbox_commands" -l log-level -x -a 'error warn info debug' -d 'Log level'
complete -c toolbox -n "not __fish_seen_subcommand_from $__toolbox_commands" -l log-podman -d 'Pass the log level on to podman'
complete -c toolbox -n "not __fish_seen_subcommand_from $__toolbox_commands" -s v -l verbose -d 'Log everything'
complete -c toolbox -n "not __fish_seen_subcommand_from $__toolbox_commands" -l version -d 'Print the version'

complete -c toolbox -n "not __fish_seen_subcommand_from $__toolbox_commands" -a create -d 'Create a new toolbox container'
complete -c toolbox -n "not __fish_seen_subcommand_from $__toolbox_commands" -a enter -d 'Enter a toolbox container'
complete -c toolbox -n "not __fish_seen_subcommand_from $__toolbox_commands" -a help -d 'Show help'
complete -c toolbox -n "not __fish_seen_subcommand_from $__toolbox_commands" -a list -d 'List containers and images'
complete -c toolbox -n "not __fish_seen_subcommand_from $__toolbox_commands" -a relay -d 'Serve host commands to toolboxes'
complete -c toolbox -n '__fish_seen_subcommand_from relay' -x -a 'serve start stop status'
complete -c toolbox -n "not __fish_seen_subcommand_from $__toolbox_commands" -a rm -d 'Remove toolbox containers'
complete -c toolbox -n "not __fish_seen_subcommand_from $__toolbox_commands" -a rmi -d 'Remove toolbox images'
complete -c toolbox -n "not __fish_seen_subcommand_from $__toolbox_commands" -a run -d 'Run a command in a container'

# create
complete -c toolbox -n '__fish_seen_subcommand_from create' -l authfile -r -F -d 'Registry credentials'
complete -c toolbox -n '__fish_seen_subcommand_from create' -s c -l container -x -d 'Container name'
complete -c toolbox -n '__fish_seen_subcommand_from create' -s d -l distro -x -a 'arch debian fedora rhel ubuntu' -d 'Distribution'
complete -c toolbox -n '__fish_seen_subcommand_from create' -s i -l image -x -a '(__toolbox_images)' -d 'Image'
complete -c toolbox -n '__fish_seen_subcommand_from create' -s r -l release -x -d 'Release'
complete -c toolbox -n '__fish_seen_subcommand_from create' -l pid -x -a 'host private' -d 'PID namespace'
complete -c toolbox -n '__fish_seen_subcommand_from create' -l hostname -x -d 'Host name'
complete -c toolbox -n '__fish_seen_subcommand_from create' -l no-host-exec -d 'No commands on the host'
complete -c toolbox -n '__fish_seen_subcommand_from create' -l image-init -d "The image's own toolbox-init"

# enter, run
complete -c toolbox -n '__fish_seen_subcommand_from enter run' -s c -l container -x -a '(__toolbox_containers)' -d 'Container'
complete -c toolbox -n '__fish_seen_subcommand_from enter run' -s d -l distro -x -a 'arch debian fedora rhel ubuntu' -d 'Distribution'
complete -c toolbox -n '__fish_seen_subcommand_from enter run' -s r -l release -x -d 'Release'
complete -c toolbox -n '__fish_seen_subcommand_from enter run' -s e -l env -x -d 'Set NAME=VALUE in the session'
complete -c toolbox -n '__fish_seen_subcommand_from enter run' -l unset-env -x -d 'Do not pass NAME'
complete -c toolbox -n '__fish_seen_subcommand_from run' -l preserve-fds -x -d 'Pass N more file descriptors'
complete -c toolbox -n '__fish_seen_subcommand_from enter run' -l exec -x -a 'auto socket podman' -d 'How to get into the container'
complete -c toolbox -n '__fish_seen_subcommand_from enter' -a '(__toolbox_containers)'
complete -c toolbox -n '__fish_seen_subcommand_from run' -a '(__toolbox_run_args)'

# list
complete -c toolbox -n '__fish_seen_subcommand_from list' -s c -l containers -d 'Only containers'
complete -c toolbox -n '__fish_seen_subcommand_from list' -s i -l images -d 'Only images'
complete -c toolbox -n '__fish_seen_subcommand_from list' -l format -x -a 'json table' -d 'Output format'

# rm, rmi
complete -c toolbox -n '__fish_seen_subcommand_from rm rmi' -s a -l all -d 'All of them'
complete -c toolbox -n '__fish_seen_subcommand_from rm rmi' -s f -l force -d 'Even when running or in use'
complete -c toolbox -n '__fish_seen_subcommand_from rm' -a '(__toolbox_containers)'
complete -c toolbox -n '__fish_seen_subcommand_from rmi' -a '(__toolbox_images)'

# help
complete -c toolbox -n '__fish_seen_subcommand_from help' -a "$__toolbox_commands"
