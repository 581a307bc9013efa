"""A read-write lock (docs/ABI.md, "Read-write lock"): many readers or one
writer; writers do not starve; a writer that died inside is reported to
the next (owner-died), readers that died are reaped by a waiting writer."""
from __future__ import annotations

import contextlib
import threading
from typing import Iterator, Optional

from .._liveness import is_alive
from .._place import Place
from .._wait import WAKE_ALL, Deadline, LivenessSlices, check_timeout, sleep_on, wake
from ._primitive import Primitive

_M = 0xFFFFFFFF


class RwLock(Primitive):
    """`with lock.read():` and `with lock.write():` hold it for the block
    (ETIMEDOUT when a timeout given runs out). `acquire_write` raises
    OwnerDiedError, holding it, when a writer died inside: repair, then
    `mark_consistent()`."""

    _kind = "a read-write lock"
    _size_constant = "RWLOCK_SIZE"

    @classmethod
    def create(cls, place: Place) -> "RwLock":
        lock = cls(place)
        lock._t.rwInit(place.offset)
        return lock

    @classmethod
    def open(cls, place: Place) -> "RwLock":
        return cls(place)

    def __init__(self, place: Place) -> None:
        super().__init__(place)
        C = self._C
        self._state_at, self._writer_at = place.offset + C["RWLOCK_STATE"], place.offset + C["RWLOCK_WRITER"]
        self._state, self._writer = place.address + C["RWLOCK_STATE"], place.address + C["RWLOCK_WRITER"]

    # Readers.

    def acquire_read(self, timeout: Optional[float] = None) -> bool:
        if timeout is not None:
            check_timeout(timeout, "RwLock.acquire_read")
        t, at, me = self._t, self._at, threading.get_native_id()
        if t.rwTryRead(at, me):
            return True
        deadline = Deadline(timeout)
        spun, started = self._spinner.spin(t, lambda: True if t.rwTryRead(at, me) else None)
        if spun:
            return True
        try:
            return self._sleep_read(t, me, deadline)
        finally:
            self._spinner.slept(t, started)

    def _sleep_read(self, t, me: int, deadline: Deadline) -> bool:  # noqa: ANN001 - this thread's core
        at = self._at
        slices = LivenessSlices(self._C, t)
        slice_expired = False
        while True:
            if t.rwTryRead(at, me):
                return True
            writer = t.rwWriter(at) & _M
            if slice_expired and writer and not is_alive(writer):  # liveness only after a quiet slice: a system call
                if t.rwTakeOverWriter(at, writer, me):
                    self.release_write()
                continue
            if deadline.passed:
                return False
            value = t.rwReadWaiting(at) & _M
            if value == 0:
                continue  # the writer left meanwhile
            slice_expired = sleep_on(self._state, value, deadline, slices)

    def release_read(self) -> None:
        r = self._t.rwReadUnlock(self._at, threading.get_native_id())
        if r < 0:
            raise self._error("EPERM", "release_read without a read hold")
        if r == 1:
            wake(self._state, WAKE_ALL)

    @contextlib.contextmanager
    def read(self, timeout: Optional[float] = None) -> Iterator["RwLock"]:
        if not self.acquire_read(timeout):
            raise self._error("ETIMEDOUT", f"no read hold within {timeout} s")
        try:
            yield self
        finally:
            self.release_read()

    # Writers.

    def acquire_write(self, timeout: Optional[float] = None) -> bool:
        """The write lock within `timeout` seconds: True, or False when the time ran out."""
        result = self.lock_write(timeout)
        if result == "owner-died":
            raise self._error("EOWNERDEAD", "a writer died inside; this thread holds the write lock now: repair, "
                              "mark_consistent(), then release_write()", reason="owner-died")
        return result == "acquired"

    def _try_writer_word(self, t, me: int, contended: int) -> int:  # noqa: ANN001 - this thread's core
        """One try for the writer word: 0 when this thread got it, else its holder's id."""
        C = self._C
        r = t.rwTryWriterWord(self._at, me, contended)
        if r == C["ACQUIRED"]:
            return 0
        if r == C["WOULD_DEADLOCK"]:
            raise self._error("EDEADLK", "this thread already holds the write lock")
        if r < 0:
            raise self._error("EINVAL", f"rwlock call failed ({r})")
        return r

    def _sleep_writer_word(self, t, me: int, deadline: Deadline) -> bool:  # noqa: ANN001
        """Sleeps for the writer word: True once this thread has it, False on timeout."""
        slices = LivenessSlices(self._C, t)
        slice_expired = False
        contended = 0
        while True:
            r = self._try_writer_word(t, me, contended)
            if r == 0:
                return True
            if slice_expired and not is_alive(r):
                if t.rwTakeOverWriter(self._at, r, me):
                    return True
                continue
            if deadline.passed:
                return False
            value = t.markWaiting(self._writer_at, r) & _M
            if value == 0:
                continue
            slice_expired = sleep_on(self._writer, value, deadline, slices)
            contended = 1

    def lock_write(self, timeout: Optional[float] = None) -> str:
        """acquire_write as a word: 'acquired', 'owner-died' (held) or 'timed-out'."""
        if timeout is not None:
            check_timeout(timeout, "RwLock.acquire_write")
        C, t, at, me = self._C, self._t, self._at, threading.get_native_id()
        deadline = Deadline(timeout)
        spun, started = self._spinner.spin(t, lambda: True if self._try_writer_word(t, me, 0) == 0 else None)
        if not spun:
            try:
                if not self._sleep_writer_word(t, me, deadline):
                    return "timed-out"
            finally:
                self._spinner.slept(t, started)
        result = "owner-died" if t.rwOwnerDied(at) else "acquired"
        acquired = False
        slices = LivenessSlices(C, t)
        quiet_slice = False
        try:
            while True:
                readers = t.rwReadersLeft(at, me) & _M
                if readers == 0:
                    acquired = True
                    return result
                if t.rwWriter(at) & _M != me:  # taken from us: only a scribbler on the lock does that
                    acquired = True  # nothing of ours to release
                    raise self._error("EPERM", "the write lock was taken from this thread while it waited for readers (its memory was overwritten?)")
                if quiet_slice:
                    quiet_slice = False
                    self._reap_dead_readers()
                    continue  # the holds taken back may have been the last
                if deadline.passed:
                    return "timed-out"
                quiet_slice = sleep_on(self._state, readers, deadline, slices)
        finally:
            if not acquired:
                self.release_write()  # gave up: let readers back in

    def release_write(self) -> None:
        r = self._t.rwWriteUnlock(self._at, threading.get_native_id())
        if r < 0:
            raise self._error("EPERM", "this thread does not hold the write lock")
        if r & self._C["RWLOCK_WAKE_READERS"]:
            wake(self._state, WAKE_ALL)
        if r & self._C["RWLOCK_WAKE_WRITER"]:
            wake(self._writer, 1)

    def mark_consistent(self) -> None:
        if self._t.rwMarkConsistent(self._at, threading.get_native_id()) != self._C["ACQUIRED"]:
            raise self._error("EPERM", "this thread does not hold the write lock")

    @contextlib.contextmanager
    def write(self, timeout: Optional[float] = None) -> Iterator["RwLock"]:
        if not self.acquire_write(timeout):
            raise self._error("ETIMEDOUT", f"no write lock within {timeout} s")
        try:
            yield self
        finally:
            self.release_write()

    @property
    def owner_died(self) -> bool:
        return self._t.rwOwnerDied(self._at) != 0

    @property
    def readers(self) -> int:
        return self._t.rwReaders(self._at) & _M

    @property
    def writer(self) -> int:
        return self._t.rwWriter(self._at) & _M

    def _reap_dead_readers(self) -> None:
        t, at = self._t, self._at
        for slot in range(self._C["RWLOCK_READER_SLOTS"]):
            reader = t.rwReaderId(at, slot) & _M
            if reader and not is_alive(reader):
                t.rwReapReader(at, slot, reader)
