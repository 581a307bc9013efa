"""Creation notes, as the Node host writes them (host/api/creation-note.ts
has the format and the reasons): a process making a formatted segment
first leaves /dev/shm/.shmkit-making-NS-PID-START-SEQ naming it, adds the
object's inode or id once it exists, and removes the note when the format
is claimed. A maker killed in between leaves its note, so that gc (the
Node CLI) can tell the blank object it left from anyone else's."""
from __future__ import annotations

import itertools
import os
import re
import stat
from typing import Optional, Union

from ._liveness import judge_user, own_identity

_DIR = "/dev/shm"
_PREFIX = ".shmkit-making-"
_NAME = re.compile(r"^\.shmkit-making-(\d{1,10})-(\d{1,7})-(\d{1,20})-\d{1,16}$")
_MAX_BYTES = 512
_sequence = itertools.count(1)

# ("posix", "/name") or ("sysv", key)
Target = tuple[str, Union[str, int]]


def _first_line(target: Target) -> bytes:
    return f"{target[0]} {target[1]}\n".encode()


class CreationNote:
    """A note this process writes while it makes `target`; nothing is written until making()."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._fd: Optional[int] = None
        self._path: Optional[str] = None

    def making(self) -> None:
        """Writes the note: call before the call that may create the object."""
        if self._path is not None:
            return
        pid, start, namespace = own_identity()
        path = f"{_DIR}/{_PREFIX}{namespace}-{pid}-{start}-{next(_sequence)}"
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            self._path = path
            os.write(self._fd, _first_line(self.target))
        except OSError:
            # No note where /dev/shm cannot take one: the object is made all
            # the same, and only a maker killed in the next microseconds leaves it.
            self.done()

    def made(self, identity: int) -> None:
        """Records the object just made: its inode (POSIX) or id (System V), in place of any made before."""
        if self._fd is None:
            return
        word = "ino" if self.target[0] == "posix" else "id"
        try:
            os.pwrite(self._fd, f"{word} {identity}\n".encode(), len(_first_line(self.target)))
        except OSError:
            pass  # the first line alone still names it

    def done(self) -> None:
        """Removes the note: the object is claimed, or this call made nothing."""
        if self._fd is not None:
            os.close(self._fd)
        if self._path is not None:
            try:
                os.unlink(self._path)
            except OSError:
                pass  # already gone; nothing else to undo
        self._fd = None
        self._path = None


def clear_dead_notes(target: Target) -> None:
    """Removes the notes naming `target` whose makers died, and those of dead
    makers that name nothing (killed before they wrote a word): called by a
    process that has just formatted it (the Node gc removes the rest)."""
    line = _first_line(target)
    try:
        entries = os.listdir(_DIR)
    except OSError:
        return
    for entry in entries:
        match = _NAME.match(entry)
        if not match:
            continue
        path = f"{_DIR}/{entry}"
        try:
            # Anyone may put anything under that name: never follow a link, never wait on a FIFO.
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                continue
            text = os.read(fd, _MAX_BYTES)
            names = text.startswith(line) or text == b""
        except OSError:
            continue
        finally:
            os.close(fd)
        namespace, pid, start = (int(group) for group in match.groups())
        if names and judge_user(pid, start, namespace) in ("dead", "recycled"):
            try:
                os.unlink(path)
            except OSError:
                pass  # another process removed it first
