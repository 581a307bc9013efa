"""Whether a process or kernel thread id still names a running task, the
same answer the Node host gives (host/linux/liveness.ts): kill(id, 0), and
a zombie (exited, not reaped) counts as dead, because a holder that is one
never lets go. Ids come from shared memory: anything implausible is dead,
and kill(2) never sees 0 or a negative id (a process group, or everyone).
"""
from __future__ import annotations

import os

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


def _exited(task: int) -> bool:
    try:
        with open(f"/proc/{task}/stat", "rb") as stat:
            text = stat.read()
    except (FileNotFoundError, ProcessLookupError):
        return not _exists(task)
    except OSError:
        return False  # there, but not ours to read
    # The command name in parentheses may hold any byte, ')' included.
    state = text[text.rfind(b")") + 2 : text.rfind(b")") + 3]
    return state in (b"Z", b"X")


def is_alive(task: int) -> bool:
    """Whether `task` (a pid, or a kernel thread id) has not exited."""
    if not isinstance(task, int) or task <= 0 or task > PID_MAX_LIMIT:
        return False
    return _exists(task) and not _exited(task)
