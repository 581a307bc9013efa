"""Formatted segments: a header initialised by exactly one process, and a
directory of named objects — raw bytes, structs, tables, locks, channels —
each stored with its layout, so that every host (Node, Python, anything
that follows docs/ABI.md) finds the same objects under the same names."""
from __future__ import annotations

import os
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar

from ._arena import Arena
from ._creation_note import CreationNote, clear_dead_notes
from ._directory import Directory, ObjectInfo
from ._condemn import removable, remove_unless_used
from ._format_init import USER_SLOTS, check_header_fits, format_error, join_format, unusable
from ._liveness import is_alive
from ._place import Place
from ._users import condemned, holds_on, join_users, leave_users, read_users
from ._wait import Backoff, check_timeout
from .errors import ShmError, checked_arguments, invalid_argument, shm_error
from .segments import Memfd, Posix, Segment, SysV

if TYPE_CHECKING:
    from .channel.broadcast import Broadcast
    from .layout import Layout
    from .table import Record, Table
    from .channel.mpmc import MpmcQueue
    from .channel.spsc import SpscRing
    from .sync.barrier import Barrier
    from .sync.event import Event
    from .sync.mutex import Mutex
    from .sync.rwlock import RwLock
    from .sync.semaphore import Semaphore

T = TypeVar("T")


@dataclass(frozen=True)
class Param:
    """The parameter a primitive was made with (kept in its entry's count),
    compared when the caller asked for one, so opening never silently gives
    another object than asked for."""

    value: int
    asked: bool
    what: Callable[[int], str]
    """Words for a value: `lambda n: f"a barrier of {n} parties"`."""


class FormattedSegment:
    """A shmkit segment: `segment` is the kernel segment under it."""

    @checked_arguments
    def __init__(self, segment: Segment, *, directory_slots: int = 64, user_slots: int = USER_SLOTS,
                 remove_when_unused: bool = False, timeout: float = 10.0) -> None:
        """Formats `segment` or joins its format, and registers this process
        as one of its users. Any number of processes may race here: one
        formats, the rest wait (at most `timeout` seconds); an initialiser
        that died is noticed and replaced, and so are the user slots of
        processes that died. With `remove_when_unused` (kept in the header:
        any opener may ask, none can take it back) the last user to leave
        removes the name. ESTALE (reason 'being-removed') when a reaper is
        removing the segment: open it again by name."""
        if not isinstance(segment, Segment) or segment.closed:
            raise invalid_argument(f"FormattedSegment: give an open segment (Posix, SysV or Memfd): {segment!r}")
        slots, user_slots, timeout = _check_format_options(segment.arena, directory_slots, user_slots, remove_when_unused, timeout)
        if remove_when_unused and not removable(segment):
            raise invalid_argument(f"remove_when_unused needs a kernel object with a name to remove; {segment.description} has none "
                                   "(it goes with its last handle anyway)")
        self.segment = segment
        arena = segment.arena
        check_header_fits(segment)
        flags = arena.C["FLAG_REMOVE_WITH_LAST_USER"] if remove_when_unused else 0
        self.initialised = join_format(segment, slots, user_slots, flags, timeout, _revivable.get(segment, frozenset()))
        """True when this call formatted the segment."""
        descriptor = arena.take_descriptor()
        status = arena.t.formatOpen(descriptor, segment.offset, segment.size)
        if status != arena.C["FORMAT_OK"]:
            arena.give_descriptor(descriptor)
            raise unusable(segment, "ECORRUPT" if status == arena.C["FORMAT_CORRUPT"] else "ELAYOUT", format_error(arena.C, status))
        self._descriptor = descriptor
        try:
            # A read-only attachment cannot write the table: it is not registered.
            self._user_slot = 0 if self.initialised else (-1 if segment.read_only else self._join(descriptor, flags))
        except BaseException:
            arena.give_descriptor(descriptor)
            raise
        self._directory = Directory(segment, descriptor, timeout)

    def _join(self, descriptor: int, flags: int) -> int:
        # A segment that goes with its last user, whose users all died, is
        # removed instead (ESTALE: open_or_create then makes it anew).
        segment = self.segment
        t = segment.arena.t
        if flags:
            t.formatSetFlags(descriptor, flags)
        if self.remove_when_unused and removable(segment):
            users = read_users(t, descriptor)
            word = t.formatInitWord(segment.offset) & 0xFFFFFFFF
            if users and not any(holds_on(user) for user in users) and remove_unless_used(segment, descriptor, word) == "removed":
                raise condemned(segment, os.getpid())
        return join_users(segment, descriptor)

    @property
    def remove_when_unused(self) -> bool:
        """Whether the segment goes with its last user (asked by any of its openers)."""
        t, C = self.segment.arena.t, self.segment.arena.C
        return bool(t.formatFlags(self._descriptor) & C["FLAG_REMOVE_WITH_LAST_USER"])

    @property
    def description(self) -> str:
        return self.segment.description

    @property
    def creator_pid(self) -> int:
        """Pid of the process that formatted the segment."""
        return self.segment.arena.u32(self.segment.offset + self.segment.arena.C["H_CREATOR_PID"])

    # Raw bytes.

    @checked_arguments
    def create_bytes(self, name: str, size: int, *, align: Optional[int] = None) -> memoryview:
        """A new object of `size` raw bytes (zeroed); EEXIST if the name is taken."""
        size, align = self._check_bytes(size, align)
        directory = self._directory
        directory.assert_writable("create")
        with directory.locked():
            slot = directory.create_locked(name, "bytes", size, align)
        if slot == self.segment.arena.C["DIR_EXISTS"]:
            raise shm_error("EEXIST", f"{self.description} already has an object named '{name}'; find it instead, or remove it first", object=name)
        return self._bytes_view(slot, name, None)

    @checked_arguments
    def find_bytes(self, name: str, *, size: Optional[int] = None) -> Optional[memoryview]:
        """The named raw bytes (of `size` bytes, when given), or None when there is no such object."""
        slot = self._directory.find(name)
        return None if slot < 0 else self._bytes_view(slot, name, size)

    @checked_arguments
    def find_or_create_bytes(self, name: str, size: int, *, align: Optional[int] = None) -> memoryview:
        """find_bytes, or create_bytes when missing; racing callers all get the same object."""
        size, align = self._check_bytes(size, align)
        directory = self._directory
        directory.assert_writable("create")
        with directory.locked():
            slot = directory.find(name)
            if slot < 0:
                slot = directory.create_locked(name, "bytes", size, align)
        return self._bytes_view(slot, name, size)

    def _check_bytes(self, size: Any, align: Any) -> tuple[int, int]:
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise invalid_argument(f"size must be a whole number of bytes ≥ 1: size={size!r}")
        if align is None:
            align = self.segment.arena.C["CACHE_LINE"]
        if isinstance(align, bool) or not isinstance(align, int) or align < 1 or align & (align - 1):
            raise invalid_argument(f"align must be a power of two: align={align!r}")
        return size, align

    def _bytes_view(self, slot: int, name: str, size: Optional[int]) -> memoryview:
        info = self.live_info(slot, name)
        if info.kind != "bytes":
            raise self.mismatch(name, f"it is {_article(info.kind)}, not raw bytes")
        if size is not None and info.size != size:
            raise self.mismatch(name, f"it is {info.size} bytes, not {size}")
        return self.segment.buf[info.offset : info.offset + info.size]

    # Structs and tables: records of a layout stored beside them.

    @checked_arguments
    def create_table(self, name: str, layout: "Layout", count: int) -> "Table":
        """A new table of `count` zeroed records of `layout` (a struct()); EEXIST if the name is taken."""
        return self._make_records(name, layout, count, "table", exclusive=True)

    @checked_arguments
    def find_or_create_table(self, name: str, layout: "Layout", count: int) -> "Table":
        """The named table, made if missing; an existing one must have this layout and count."""
        return self._make_records(name, layout, count, "table", exclusive=False)

    @checked_arguments
    def table(self, name: str, layout: Optional["Layout"] = None) -> Optional["Table"]:
        """The named table read through the layout stored with it (or, when
        `layout` is given, checked to be that one); None when there is none."""
        return self._records(name, "table", layout)

    @checked_arguments
    def create_struct(self, name: str, layout: "Layout") -> "Record":
        """One zeroed record of `layout`; EEXIST if the name is taken."""
        return self._make_records(name, layout, 1, "struct", exclusive=True)[0]

    @checked_arguments
    def struct(self, name: str, layout: Optional["Layout"] = None) -> Optional["Record"]:
        """The named struct, read through its stored layout; None when there is none."""
        records = self._records(name, "struct", layout)
        return None if records is None else records[0]

    def _make_records(self, name: str, layout: "Layout", count: int, kind: str, *, exclusive: bool) -> "Table":
        from .layout import Layout

        if not isinstance(layout, Layout):
            raise invalid_argument(f"{kind} {name!r}: give a layout made by shmkit.struct(): {layout!r}")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise invalid_argument(f"table count must be a whole number ≥ 1: count={count!r}")
        directory = self._directory
        directory.assert_writable("create")
        align = max(self.segment.arena.C["CACHE_LINE"], layout.align)
        with directory.locked():
            slot = directory.find(name) if not exclusive else -1
            if slot < 0:
                slot = directory.create_locked(name, kind, layout.size * count, align, layout=layout.describe,
                                               layout_hash=layout.hash, element_size=layout.size, count=count)
        if slot == self.segment.arena.C["DIR_EXISTS"]:
            raise shm_error("EEXIST", f"{self.description} already has an object named '{name}'; find it instead, or remove it first", object=name)
        table = self._records_at(slot, name, kind, layout)
        if table.count != count:
            raise self.mismatch(name, f"it holds {table.count} records, not {count}")
        return table

    def _records(self, name: str, kind: str, layout: Optional["Layout"]) -> Optional["Table"]:
        slot = self._directory.find(name)
        return None if slot < 0 else self._records_at(slot, name, kind, layout)

    def _records_at(self, slot: int, name: str, kind: str, layout: Optional["Layout"]) -> "Table":
        from .layout import parse
        from .table import Table

        info = self.live_info(slot, name)
        if info.kind != kind:
            raise self.mismatch(name, f"it is {_article(info.kind)}, not a {kind}")
        if layout is not None and info.layout_hash != layout.hash:
            raise self.mismatch(name, f"its layout differs: it holds {info.layout}, not {layout.describe}")
        stored = parse(info.layout or "", f"{self.description}, object '{name}'")
        # The text must be what the hash covers, and fit the entry: it came from shared memory.
        if stored.hash != info.layout_hash or stored.size != info.element_size or info.count * stored.size > info.size:
            raise self.corrupt(name)
        return Table(self.segment.buf[info.offset : info.offset + info.count * stored.size], stored, info.count)

    # The directory.

    def list(self) -> list[ObjectInfo]:
        """Every object in the directory."""
        return self._directory.list()

    def info(self, name: str) -> Optional[ObjectInfo]:
        """What the directory says about the named object, or None."""
        slot = self._directory.find(name)
        return None if slot < 0 else self._directory.info(slot)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._directory.find(name) >= 0

    def remove(self, name: str) -> bool:
        """Removes a named object (its bytes may be reused); whether it existed."""
        self._directory.assert_writable("remove")
        return self._directory.remove(name)

    def live_info(self, slot: int, name: str) -> ObjectInfo:
        """The entry in `slot`; ENOENT when it went between its lookup and now."""
        info = self._directory.info(slot)
        if info is None:
            raise shm_error("ENOENT", f"{self.description}: object '{name}' was removed meanwhile", object=name)
        return info

    def mismatch(self, name: str, why: str) -> ShmError:
        return shm_error("ELAYOUT", f"{self.description}, object '{name}': {why}", object=name)

    def corrupt(self, name: str) -> ShmError:
        return self._directory.corrupt(name)

    # Primitives: made and initialised under the directory lock, and looked
    # up under it, so nobody ever sees one between creation and initialisation.

    def primitive(self, name: str, kind: str, size: int, create: Callable[[Place], T], open: Callable[[Place], T], *,
                  param: Optional[Param] = None, layout: Optional[str] = None, layout_hash: int = 0,
                  layout_name: str = "") -> T:
        """The named primitive of `kind`, opened, or made with `create` when missing."""
        directory = self._directory
        directory.assert_writable(f"use a {kind} in")
        with directory.locked():
            found = directory.find(name)
            slot = found if found >= 0 else directory.create_locked(
                name, kind, size, self.segment.arena.C["CACHE_LINE"], layout=layout, layout_hash=layout_hash,
                count=param.value if param else 0,
            )
            info = self.live_info(slot, name)
            if info.kind != kind or info.size != size:
                raise self.mismatch(name, f"it is {_article(info.kind)} of {info.size} bytes, not a {kind} of {size}")
            if layout is not None and info.layout_hash != layout_hash:
                raise self.mismatch(name, "its records' layout differs" if info.layout else f"it carries raw bytes, not records of {layout_name}")
            if layout is None and info.layout_hash:
                raise self.mismatch(name, f"it carries records ({info.layout}), not raw bytes")
            if param is not None and param.asked and info.count != param.value:
                raise self.mismatch(name, f"it is {param.what(info.count)}, not {param.what(param.value)}")
            offset = self.segment.offset + info.offset
            place = Place(self.segment.arena, offset, offset + info.size, self.segment, name)
            if found >= 0:
                return open(place)
            try:
                return create(place)
            except BaseException:
                directory.drop_locked(slot)  # a refused creation leaves no entry behind
                raise

    # Locks and friends.

    def mutex(self, name: str, *, recursive: Optional[bool] = None) -> "Mutex":
        """The named mutex, made (plain, or `recursive`) if missing; an
        existing one must be of the kind asked for, when asked."""
        from .sync.mutex import Mutex

        C = self.segment.arena.C
        if recursive is not None and not isinstance(recursive, bool):
            raise invalid_argument(f"mutex: recursive must be True or False: recursive={recursive!r}")
        kind = Param(C["MUTEX_RECURSIVE"] if recursive else C["MUTEX_NORMAL"], recursive is not None,
                     lambda k: "a recursive mutex" if k == C["MUTEX_RECURSIVE"] else "a plain (not recursive) mutex")
        return self.primitive(name, "mutex", C["MUTEX_SIZE"], lambda place: Mutex.create(place, recursive=bool(recursive)),
                              lambda place: Mutex.open(place, recursive=bool(recursive)), param=kind)

    def semaphore(self, name: str, value: Optional[int] = None) -> "Semaphore":
        """The named counting semaphore, made with `value` tokens (default 0)
        if missing; an existing one must have been made with `value`, when given."""
        from .sync.semaphore import Semaphore

        C = self.segment.arena.C
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= C["SEMAPHORE_MAX_VALUE"]):
            raise invalid_argument(f"semaphore value must be from 0 to {C['SEMAPHORE_MAX_VALUE']}: value={value!r}")
        initial = Param(value or 0, value is not None, lambda n: f"made with {n} tokens")
        return self.primitive(name, "semaphore", C["SEMAPHORE_SIZE"], lambda place: Semaphore.create(place, value or 0),
                              Semaphore.open, param=initial)

    def event(self, name: str, *, auto_reset: Optional[bool] = None, initially_set: bool = False) -> "Event":
        """The named event, made (manual reset unless `auto_reset`) if missing;
        an existing one must have the `auto_reset` asked for, when asked."""
        from .sync.event import Event

        C = self.segment.arena.C
        if auto_reset is not None and not isinstance(auto_reset, bool):
            raise invalid_argument(f"event: auto_reset must be True or False: auto_reset={auto_reset!r}")
        mode = Param(1 if auto_reset else 0, auto_reset is not None, lambda n: "an auto-reset event" if n else "a manual-reset event")
        return self.primitive(name, "event", C["EVENT_SIZE"],
                              lambda place: Event.create(place, auto_reset=bool(auto_reset), initially_set=initially_set),
                              Event.open, param=mode)

    def barrier(self, name: str, parties: int) -> "Barrier":
        """The named barrier of `parties`, made if missing; an existing one must have as many."""
        from .sync.barrier import Barrier

        C = self.segment.arena.C
        if isinstance(parties, bool) or not isinstance(parties, int) or not 1 <= parties <= C["BARRIER_MAX_PARTIES"]:
            raise invalid_argument(f"barrier parties must be from 1 to {C['BARRIER_MAX_PARTIES']}: parties={parties!r}")
        count = Param(parties, True, lambda n: f"a barrier of {n} parties")
        return self.primitive(name, "barrier", C["BARRIER_SIZE"], lambda place: Barrier.create(place, parties), Barrier.open, param=count)

    def rwlock(self, name: str) -> "RwLock":
        """The named read-write lock, made if missing."""
        from .sync.rwlock import RwLock

        return self.primitive(name, "rwlock", self.segment.arena.C["RWLOCK_SIZE"], RwLock.create, RwLock.open)

    # Channels.

    def ring(self, name: str, capacity: int) -> "SpscRing":
        """The named single-producer single-consumer ring of `capacity` data
        bytes (a power of two), made if missing; an existing one must have
        this capacity. Take its `producer()` and `consumer()` roles."""
        from .channel.spsc import SpscRing, ring_bytes

        arena = self.segment.arena
        size = ring_bytes(arena.C, arena.t, capacity)
        return self.primitive(name, "ring", size, lambda place: SpscRing.create(place, capacity), SpscRing.open)

    def queue(self, name: str, slots: int, slot_size: int) -> "MpmcQueue":
        """The named multi-producer multi-consumer queue of `slots` slots (a
        power of two) of `slot_size`-byte messages, made if missing; an
        existing one must have this shape."""
        from .channel.mpmc import MpmcQueue, queue_bytes

        arena = self.segment.arena
        size = queue_bytes(arena.C, arena.t, slots, slot_size)
        return self.primitive(name, "queue", size, lambda place: MpmcQueue.create(place, slots, slot_size),
                              lambda place: MpmcQueue.open(place, slots, slot_size))

    def broadcast(self, name: str, slots: int, slot_size: int, *, max_readers: int = 16, mode: str = "backpressure") -> "Broadcast":
        """The named broadcast channel (one writer, up to `max_readers`
        readers; mode 'backpressure' or 'lossy'), made if missing; an existing
        one must have this shape."""
        from .channel.broadcast import Broadcast, channel_bytes, check_shape

        arena = self.segment.arena
        shape = check_shape(arena.C, slots, slot_size, max_readers, mode)
        return self.primitive(name, "broadcast", channel_bytes(arena.C, arena.t, shape),
                              lambda place: Broadcast.create(place, shape), lambda place: Broadcast.open(place, shape))

    # Lifetime.

    def close(self) -> None:
        """Unmaps the segment; objects opened from it must not be used after."""
        if self.segment.closed:
            return
        try:
            if self._user_slot >= 0:
                self._leave()
        finally:
            self.segment.close()
            self.segment.arena.give_descriptor(self._descriptor)

    def _leave(self) -> None:
        segment = self.segment
        t = segment.arena.t
        leave_users(t, self._descriptor, self._user_slot)
        if not self.remove_when_unused or not removable(segment):
            return
        if any(holds_on(user) for user in read_users(t, self._descriptor)):
            return
        # A word that is not READY (a reaper at it) is left alone by remove_unless_used.
        remove_unless_used(segment, self._descriptor, t.formatInitWord(segment.offset) & 0xFFFFFFFF)

    def users(self) -> list[dict]:
        """The registered users: slot, pid, start, namespace, state ('alive', 'dead', 'recycled', 'unknown', 'joining')."""
        return [{k: v for k, v in user.items() if k != "token"} for user in read_users(self.segment.arena.t, self._descriptor)]

    def remove_segment(self) -> None:
        """Removes the kernel object's name (System V: marks it for removal);
        mappings stay valid until closed."""
        self.segment.remove()

    def __enter__(self) -> "FormattedSegment":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<FormattedSegment {self.description}{', closed' if self.segment.closed else ''}>"


def _article(kind: str) -> str:
    return "raw bytes" if kind == "bytes" else f"a {kind}"


def _check_format_options(arena: Arena, slots: Any, user_slots: Any, remove_when_unused: Any, timeout: Any) -> tuple[int, int, float]:
    most = arena.C["MAX_DIR_CAPACITY"]
    if isinstance(slots, bool) or not isinstance(slots, int) or not 1 <= slots <= most:
        raise invalid_argument(f"directory_slots must be from 1 to {most}: directory_slots={slots!r}")
    most_users = arena.C["MAX_USER_CAPACITY"]
    if isinstance(user_slots, bool) or not isinstance(user_slots, int) or not 1 <= user_slots <= most_users:
        raise invalid_argument(f"user_slots must be from 1 to {most_users}: user_slots={user_slots!r}")
    if not isinstance(remove_when_unused, bool):
        raise invalid_argument(f"remove_when_unused must be True or False: remove_when_unused={remove_when_unused!r}")
    if timeout is None:
        raise invalid_argument("timeout must be seconds ≥ 0 (setup waits are bounded): timeout=None")
    return slots, user_slots, check_timeout(timeout, "formatted segment")  # type: ignore[return-value]


# Segments open_or_create opened by name after seeing them condemned by
# these reapers, found dead: such a segment may be revived (join_format).
_revivable: "weakref.WeakKeyDictionary[Segment, frozenset[int]]" = weakref.WeakKeyDictionary()


_KINDS = ("posix", "sysv", "memfd")


@checked_arguments
def open_or_create(kind: str, *, size: int, name: Optional[str] = None, key: Optional[int] = None,
                   path: Optional[str] = None, project: int = 1, mode: int = 0o600, exclusive: bool = False,
                   allow_foreign_owner: bool = False, directory_slots: int = 64, user_slots: int = USER_SLOTS,
                   remove_when_unused: bool = False, timeout: float = 10.0, arena: Optional[Arena] = None) -> FormattedSegment:
    """A formatted shmkit segment over a new or existing kernel segment, as
    the Node host's openOrCreate makes it:

    - `"posix"`: `name` ("/plant"); `"sysv"`: `key`, or `path` (+ `project`)
      for ftok; `"memfd"`: always new, `name` is its label.
    - An existing object is joined only if this user owns it and its mode
      is within `mode` (else EPERM / EACCES; see `allow_foreign_owner`,
      `exclusive`). If this call fails, it removes the object only if it made
      it and no other process has begun to format it.
    - A segment a reaper is removing is opened again by name until the name
      leads on (to a new object, or the same one given back); one whose
      reaper died meanwhile is revived. `remove_when_unused`: see
      FormattedSegment (not for memfd, which has no name).
    """
    if kind not in _KINDS:
        raise invalid_argument(f"open_or_create: kind must be 'posix', 'sysv' or 'memfd': kind={kind!r}")
    given = {"name": name, "key": key, "path": path}
    allowed = {"posix": {"name"}, "sysv": {"key", "path"}, "memfd": {"name"}}[kind]
    extra = sorted(option for option, value in given.items() if value is not None and option not in allowed)
    if extra:
        raise invalid_argument(f"open_or_create: kind {kind!r} takes {' or '.join(sorted(allowed))}, not {', '.join(extra)}")
    arena = arena or Arena.default()
    _check_format_options(arena, directory_slots, user_slots, remove_when_unused, timeout)
    if remove_when_unused and kind == "memfd":
        raise invalid_argument("open_or_create: remove_when_unused needs a kernel object with a name to remove; a memfd has none "
                               "(it goes with its last handle anyway)")
    shape = {"directory_slots": directory_slots, "user_slots": user_slots, "remove_when_unused": remove_when_unused, "timeout": timeout}
    dead_reapers: set[int] = set()
    backoff = Backoff(timeout, f"{kind} segment being removed by a reaper")
    while True:
        try:
            return _open_formatted(kind, size, name, key, path, project, mode, exclusive, allow_foreign_owner, arena, shape,
                                   frozenset(dead_reapers))
        except ShmError as error:
            reaper = getattr(error, "reaper", None) if error.reason == "being-removed" else None
            if reaper is None:
                raise
            if reaper != os.getpid() and not is_alive(reaper):
                dead_reapers.add(reaper)  # the next open by name may revive what it left
            backoff.pause()  # the reaper removes it or gives it back; then the name leads on


def _open_formatted(kind: str, size: int, name: Optional[str], key: Optional[int], path: Optional[str], project: int,
                    mode: int, exclusive: bool, allow_foreign_owner: bool, arena: Arena, shape: dict,
                    dead_reapers: frozenset[int]) -> FormattedSegment:
    note = _creation_note(kind, name, key, path, project)
    try:
        return _format_backing(kind, size, name, key, path, project, mode, exclusive, allow_foreign_owner, arena, shape,
                               dead_reapers, note)
    finally:
        if note is not None:
            note.done()  # the format is claimed, or what was made is removed: the note has said its piece


def _creation_note(kind: str, name: Optional[str], key: Optional[int], path: Optional[str], project: int) -> Optional[CreationNote]:
    """A note for the kinds the Node gc looks for (_creation_note.py); a memfd leaves nothing behind to find."""
    if kind == "posix" and name is not None:
        return CreationNote(("posix", name))
    if kind == "sysv":
        try:
            target_key = SysV.ftok(path, project) if path is not None else key
        except ShmError:
            return None  # _backing refuses the same arguments, in its own words
        if isinstance(target_key, int) and not isinstance(target_key, bool) and 0 < target_key <= 0xFFFFFFFF:
            return CreationNote(("sysv", target_key))
    return None


def _format_backing(kind: str, size: int, name: Optional[str], key: Optional[int], path: Optional[str], project: int,
                    mode: int, exclusive: bool, allow_foreign_owner: bool, arena: Arena, shape: dict,
                    dead_reapers: frozenset[int], note: Optional[CreationNote]) -> FormattedSegment:
    segment = _backing(kind, size, name, key, path, project, mode, exclusive, allow_foreign_owner, arena, note)
    _revivable[segment] = dead_reapers
    try:
        formatted = FormattedSegment(segment, **shape)
        # Formatting it here (made here, or left blank by a maker that died)
        # settles what the notes of dead makers said about it.
        if note is not None:
            note.done()  # first: a kill while the others are cleared leaves none of ours
            if formatted.initialised:
                clear_dead_notes(note.target)
        return formatted
    except BaseException as error:
        try:
            # A name removed and made anew by others meanwhile leads to an object that is not ours.
            ours = not isinstance(segment, Posix) or segment.names_itself()
            if getattr(segment, "created", False) and ours and _unclaimed(segment, error):
                try:
                    segment.remove()
                except ShmError:
                    pass  # someone removed it first; the error being raised says more
        finally:
            segment.close()
        raise


def _backing(kind: str, size: int, name: Optional[str], key: Optional[int], path: Optional[str], project: int,
             mode: int, exclusive: bool, allow_foreign_owner: bool, arena: Arena, note: Optional[CreationNote]) -> Segment:
    if kind == "posix":
        if name is None:
            raise invalid_argument("open_or_create('posix'): give name='/something'")
        return Posix._create(name, size, mode, exclusive, allow_foreign_owner, arena, note)
    if kind == "sysv":
        if (key is None) == (path is None):
            raise invalid_argument("open_or_create('sysv'): give key= or path= (for ftok), one of them")
        key = SysV.ftok(path, project) if path is not None else key
        return SysV._create(size, key, mode, exclusive, allow_foreign_owner, arena, note)
    return Memfd.create(size, name=name or "shmkit", arena=arena)


def _unclaimed(segment: Segment, error: BaseException) -> bool:
    """Whether a segment this call made, and whose format it could not join,
    is still its to remove: no other process is formatting it. When our wait
    for a live formatter timed out, the object is that formatter's."""
    arena = segment.arena
    if segment.size < arena.C["HEADER_SIZE"]:
        return True  # nobody can format it
    # Claiming a fresh header also keeps anyone from starting to format it
    # between this check and the removal.
    if arena.t.formatClaim(segment.offset, os.getpid()):
        return True
    timed_out = isinstance(error, ShmError) and error.code == "ETIMEDOUT"
    return not timed_out and arena.t.formatInitPid(segment.offset) & 0xFFFFFFFF == os.getpid()
