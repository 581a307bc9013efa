"""The directory of a formatted segment (docs/ABI.md 5.2): named entries,
each with a kind, a place in the segment and the layout of what it holds.
Changes are made under the directory lock; entries are read from private
copies the core checked, because the segment's bytes are anyone's to
scribble on."""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Iterator, Optional

from ._corruption import corruption
from ._liveness import is_alive
from ._wait import Backoff
from .errors import ShmError, invalid_argument, shm_error
from .segments import Segment

KIND_CODES = {
    "bytes": "KIND_BYTES", "struct": "KIND_STRUCT", "table": "KIND_TABLE",
    "mutex": "KIND_MUTEX", "semaphore": "KIND_SEMAPHORE", "condition": "KIND_CONDVAR", "barrier": "KIND_BARRIER",
    "event": "KIND_EVENT", "once": "KIND_ONCE", "rwlock": "KIND_RWLOCK", "seqlock": "KIND_SEQLOCK",
    "ring": "KIND_SPSC", "queue": "KIND_MPMC", "broadcast": "KIND_BCAST",
}
"""Object kinds by their name here (the Node host's names), and the core's
name of the code stored in their entries."""

# An entry is read again when it changed while it was copied; this many
# times is no race but a writer that never stops.
_READ_TRIES = 64


@dataclass(frozen=True)
class ObjectInfo:
    """What the directory says about one object."""

    name: str
    kind: str
    """A name of KIND_CODES, or 'kind N' for a code this host does not know."""
    offset: int
    """Byte offset from the segment's start."""
    size: int
    align: int
    layout_hash: int
    layout: Optional[str]
    """The stored layout description (structs, tables, typed rings)."""
    element_size: int
    count: int
    """Records (tables), or the parameter a primitive was made with."""


class Directory:
    def __init__(self, segment: Segment, descriptor: int, timeout: float) -> None:
        self.segment = segment
        self.arena = segment.arena
        self.C = segment.arena.C
        self.base = segment.offset
        self._descriptor = descriptor
        self._pid = os.getpid()
        self._timeout = timeout
        self._kind_names = {self.C[code]: name for name, code in KIND_CODES.items()}

    @property
    def descriptor(self) -> int:
        """EBADF once closed: the descriptor may serve another object then."""
        if self.segment.closed:
            raise shm_error("EBADF", f"{self.segment.description} is closed; open it again")
        return self._descriptor

    def find(self, name: str) -> int:
        """The slot of the object named `name`, or a negative number when there is none."""
        at, length, _ = self._stage(name)
        return self.arena.t.dirFind(self.descriptor, at, length)

    def list(self) -> list[ObjectInfo]:
        capacity = self.arena.t.dirCapacity(self.descriptor) & 0xFFFFFFFF
        return [info for info in map(self.info, range(capacity)) if info is not None]

    def info(self, slot: int) -> Optional[ObjectInfo]:
        """The entry in `slot`, from a private copy the core checked; None when it holds no object."""
        arena, C = self.arena, self.C
        copy = arena.scratch(C["ENTRY_SIZE"])
        status = C["DIR_READ_MOVED"]
        for _ in range(_READ_TRIES):
            status = arena.t.dirRead(self.descriptor, slot, copy)
            if status != C["DIR_READ_MOVED"]:
                break
        if status == C["DIR_READ_FREE"]:
            return None
        if status != C["DIR_READ_LIVE"]:
            raise self.corrupt(f"in slot {slot}")
        u32 = lambda field: arena.u32(copy + C[field])  # noqa: E731
        u64 = lambda field: arena.u64(copy + C[field])  # noqa: E731
        name_length, layout_length, layout_offset = u32("E_NAME_LENGTH"), u32("E_LAYOUT_LENGTH"), u64("E_LAYOUT_OFFSET")
        kind = u32("E_KIND")
        # The core checked the name length and the layout's range in the copy;
        # only the layout's text is read from the segment itself.
        name = bytes(arena.memory[copy + C["E_NAME"] : copy + C["E_NAME"] + name_length]).decode("utf-8", "replace")
        layout = None
        if layout_length:
            start = self.base + layout_offset
            layout = bytes(arena.memory[start : start + layout_length]).decode("utf-8", "replace")
        return ObjectInfo(
            name=name, kind=self._kind_names.get(kind, f"kind {kind}"), offset=u64("E_OFFSET"), size=u64("E_SIZE"),
            align=u32("E_ALIGN"), layout_hash=u64("E_LAYOUT_HASH"), layout=layout, element_size=u32("E_ELEMENT_SIZE"),
            count=u32("E_COUNT"),
        )

    def corrupt(self, object: str) -> ShmError:
        return corruption(self.arena, self._descriptor, f"{self.segment.description}'s directory (object {object})", object=object)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Holds the directory lock (by pid); a holder that died is replaced."""
        t, d, pid = self.arena.t, self.descriptor, self._pid
        backoff = Backoff(self._timeout, f"the directory lock of {self.segment.description}")
        while True:
            holder = t.dirTryLock(d, pid) & 0xFFFFFFFF
            if holder == 0:
                break
            if holder != pid and not is_alive(holder) and t.dirStealLock(d, holder, pid):
                break
            backoff.pause()
        try:
            yield
        finally:
            t.dirUnlock(d, pid)

    def create_locked(self, name: str, kind: str, size: int, align: int, *, layout: Optional[str] = None,
                      layout_hash: int = 0, element_size: int = 0, count: int = 0) -> int:
        """Makes an entry (lock held): its slot, or DIR_EXISTS when the name is taken."""
        C = self.C
        layout_bytes = layout.encode() if layout else b""
        at, length, layout_at = self._stage(name, layout_bytes)
        slot = self.arena.t.dirCreate(self.descriptor, self._pid, at, length, C[KIND_CODES[kind]], size, align,
                                      layout_hash, layout_at, len(layout_bytes), element_size, count)
        if slot == C["DIR_EXISTS"]:
            return slot
        self._check(slot, name, size)
        return slot

    def drop_locked(self, slot: int) -> None:
        """Drops the entry in `slot` (lock held): a refused creation leaves nothing behind."""
        self.arena.t.dirRemove(self.descriptor, self._pid, slot)

    def remove(self, name: str) -> bool:
        with self.locked():
            slot = self.find(name)
            if slot < 0:
                return False
            self._check(self.arena.t.dirRemove(self.descriptor, self._pid, slot), name)
            return True

    def assert_writable(self, what: str) -> None:
        if self.segment.read_only:
            raise shm_error("EACCES", f"{self.segment.description} is attached read-only; cannot {what} objects")

    def _check(self, status: int, name: str, size: int = 0) -> None:
        if status >= 0:
            return
        C = self.C
        where = f"{self.segment.description}, object '{name}'"
        if status == C["DIR_FULL"]:
            raise shm_error("ENOSPC", f"{where}: the directory is full; remove objects, or format the segment with more directory_slots", object=name)
        if status == C["DIR_NO_SPACE"]:
            raise shm_error("ENOSPC", f"{where}: no free run of {size} bytes is left in the segment; remove objects or use a larger segment", object=name)
        if status == C["DIR_CORRUPT"]:
            raise self.corrupt(name)
        raise shm_error("EINVAL", f"{where}: directory call failed ({status})", object=name)

    # [name | extra] in this thread's scratch space, in one go: the name's
    # offset and length, and the extra bytes' offset.
    def _stage(self, name: str, extra: bytes = b"") -> tuple[int, int, int]:
        if not isinstance(name, str) or not name:
            raise invalid_argument(f"object name must be a non-empty string: {name!r}")
        encoded = name.encode()
        most = self.C["MAX_NAME"]
        if len(encoded) > most:
            raise invalid_argument(f"object name is {len(encoded)} UTF-8 bytes; at most {most} fit: {name!r}")
        at = self.arena.scratch(len(encoded) + len(extra))
        self.arena.write(at, encoded + extra)
        return at, len(encoded), at + len(encoded)
