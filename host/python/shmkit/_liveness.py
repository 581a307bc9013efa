"""Whether a process or kernel thread id still names a running task, the
same answer the Node host gives (host/linux/liveness.ts): kill(id, 0), and
a zombie (exited, not reaped) counts as dead, because a holder that is one
never lets go. Ids come from shared memory: anything implausible is dead,
and kill(2) never sees 0 or a negative id (a process group, or everyone).
"""
from __future__ import annotations

import functools
import os
from typing import Optional

PID_MAX_LIMIT = 4 * 1024 * 1024
"""Linux's PID_MAX_LIMIT: no pid or tid is larger."""


def _exists(task: int) -> bool:
    try:
        os.kill(task, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's task
    return True


def _stat_fields(task: int) -> "list[bytes] | OSError":
    """The fields of /proc/TASK/stat after the command name (the first is
    field 3, the state letter), or the error that kept them from being read."""
    try:
        with open(f"/proc/{task}/stat", "rb", buffering=0) as stat:
            text = stat.read(4096)  # one read: a stat line is well under a page
    except OSError as error:
        return error
    # The command name in parentheses may hold any byte, ')' and spaces included.
    return text[text.rfind(b")") + 2 :].split(b" ")


def _task_status(task: int) -> "tuple[bool, Optional[list[bytes]]]":
    """(running, its stat fields when readable): gone, implausible, a zombie
    (Z) or dead (X) is not running; one kill(2) and one read of /proc."""
    if not isinstance(task, int) or task <= 0 or task > PID_MAX_LIMIT or not _exists(task):
        return False, None
    fields = _stat_fields(task)
    if isinstance(fields, OSError):
        # Reaped meanwhile, or hidden: kill tells which. Other errors mean
        # the task is there but not ours to read.
        gone = isinstance(fields, (FileNotFoundError, ProcessLookupError)) and not _exists(task)
        return (False, None) if gone else (True, None)
    return (fields[0] not in (b"Z", b"X")), fields


def is_alive(task: int) -> bool:
    """Whether `task` (a pid, or a kernel thread id) has not exited."""
    return _task_status(task)[0]


def _start_ticks_in(fields: "Optional[list[bytes]]") -> Optional[int]:
    # starttime is field 22, the 20th after the command name.
    return int(fields[19]) if fields is not None and len(fields) > 19 and fields[19].isdigit() else None


def start_ticks_of(pid: int) -> Optional[int]:
    """Start time of `pid` in clock ticks since boot (/proc/PID/stat field
    22), or None when it cannot be read (gone, or hidden)."""
    running, fields = _task_status(pid)
    return _start_ticks_in(fields) if running else None


def pid_namespace_of(which: str = "self") -> int:
    """Inode number of the pid namespace of `which` ('self' or a pid), 0 when unreadable."""
    try:
        link = os.readlink(f"/proc/{which}/ns/pid")
    except OSError:
        return 0
    return int(link[5:-1]) if link.startswith("pid:[") and link.endswith("]") and link[5:-1].isdigit() else 0


@functools.lru_cache(maxsize=None)
def _own(pid: int) -> tuple[int, int, int]:
    return pid, start_ticks_of(pid) or 0, pid_namespace_of()


def own_identity() -> tuple[int, int, int]:
    """This process as user tables record it: (pid, start ticks, pid namespace); a fork asks anew."""
    return _own(os.getpid())


def judge_user(pid: int, start: int, namespace: int) -> str:
    """What a user slot's process is now, as the Node host judges it
    (host/linux/process-identity.ts): 'alive', 'dead', 'recycled' (its pid
    names a later process) or 'unknown' (another pid namespace, or hidden)."""
    own_namespace = own_identity()[2]
    if namespace != own_namespace or own_namespace == 0:
        return "unknown"
    running, fields = _task_status(pid)
    if not running:
        return "dead"
    if start == 0:
        return "alive"
    now = _start_ticks_in(fields)
    if now is None:
        return "unknown"
    return "alive" if now == start else "recycled"
