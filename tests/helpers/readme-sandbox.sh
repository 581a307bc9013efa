# Runs one README example as pid 1 of fresh IPC, mount and pid namespaces
# (made by unshare, see readme-project.ts), with a /dev/shm of its own: so
# whatever the example leaves is its own, and goes with the namespaces.
#   sh readme-sandbox.sh LEFTOVERS COMMAND [ARG]...
# Exits with the example's status, after writing to LEFTOVERS one line per
# process, POSIX object or System V object the example left behind.
leftovers=$1
shift
mount -t tmpfs -o mode=1777 shmkit-readme /dev/shm || exit 125
"$@"
status=$?
{
  # Processes first, with builtins only: anything forked here would be listed.
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [ "$pid" = "$$" ] && continue
    read -r name < "$dir/comm" 2>/dev/null && echo "a process: pid $pid ($name)"
  done
  for entry in /dev/shm/* /dev/shm/.[!.]*; do
    [ -e "$entry" ] && echo "an entry of /dev/shm: ${entry#/dev/shm/}"
  done
  for kind in 'shm:segment' 'sem:semaphore set' 'msg:message queue'; do
    awk -v what="${kind#*:}" 'NR > 1 { print "a System V " what ": key " $1 ", id " $2 }' "/proc/sysvipc/${kind%%:*}"
  done
} > "$leftovers"
exit $status
