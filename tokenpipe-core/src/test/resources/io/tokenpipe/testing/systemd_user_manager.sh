# Starts a real systemd service manager (systemd --user, as root) for tests, on a machine whose PID 1 is not
# systemd, without touching anything the rest of the machine sees:
# - a cgroup of its own (in the unified hierarchy and in the v1 hierarchies systemd manages), so that it takes
#   only that subtree for its units, not the root cgroup (it would move every process of the machine into an
#   init.scope of its own);
# - a private mount namespace with a tmpfs on /run/systemd holding /run/systemd/system, the directory by which
#   systemd tells that it was "booted with systemd" (sd_booted(3)); outside the namespace it does not exist;
# - its own XDG_RUNTIME_DIR (its private bus, its transient units).
# The shell execs into unshare and then into systemd, so this process's pid is the manager's pid (for nsenter).
#
# usage: sh systemd_user_manager.sh RUNTIME_DIR CGROUP_NAME
set -eu
runtime_dir=$1
cgroup=$2
for hierarchy in unified systemd pids memory cpu; do
    dir=/sys/fs/cgroup/$hierarchy
    [ -f "$dir/cgroup.procs" ] || continue
    mkdir "$dir/$cgroup"
    echo $$ > "$dir/$cgroup/cgroup.procs"
done
mkdir -p "$runtime_dir"
chmod 700 "$runtime_dir"
export XDG_RUNTIME_DIR="$runtime_dir"
exec unshare --mount --propagation private sh -c '
    mount -t tmpfs -o mode=755 tmpfs /run/systemd
    mkdir /run/systemd/system
    exec /lib/systemd/systemd --user --log-target=console --log-level=notice'
