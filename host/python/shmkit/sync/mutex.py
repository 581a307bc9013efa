"""A robust, optionally recursive mutex (docs/ABI.md, "Mutex"): the word
holds the owner's thread id, so a locker that finds the owner dead takes the
lock over and is told to repair the data it guards."""
from __future__ import annotations

import threading
from typing import Optional

from .._liveness import is_alive
from .._place import Place
from .._wait import WAKE_ALL, Deadline, LivenessSlices, check_timeout, sleep_on, wake
from ._primitive import Primitive


class Mutex(Primitive):
    """`with mutex:` holds it for the block. `acquire(timeout)` gives False
    when the time runs out. When the previous owner died holding it, the
    lock is taken and `OwnerDiedError` raised (reason 'owner-died'): this
    thread holds the lock then; repair the data, call `mark_consistent()`,
    and release it (releasing without repair makes it unrecoverable)."""

    _kind = "a mutex"
    _size_constant = "MUTEX_SIZE"

    @classmethod
    def create(cls, place: Place, *, recursive: bool = False) -> "Mutex":
        mutex = cls(place, recursive=recursive)  # checks the place before the first store
        mutex._t.mutexInit(place.offset, place.arena.C["MUTEX_RECURSIVE" if recursive else "MUTEX_NORMAL"])
        return mutex

    @classmethod
    def open(cls, place: Place, *, recursive: bool = False) -> "Mutex":
        return cls(place, recursive=recursive)

    def __init__(self, place: Place, *, recursive: bool = False) -> None:
        super().__init__(place)
        self.recursive = recursive
        self._word_at = place.offset + self._C["MUTEX_WORD"]
        self._word = place.address + self._C["MUTEX_WORD"]  # for futex(2)

    def acquire(self, timeout: Optional[float] = None) -> bool:
        """Takes the lock, waiting at most `timeout` seconds (None: for ever):
        True, or False when the time ran out. OwnerDiedError (holding it) when
        its owner had died."""
        result = self.lock(timeout)
        if result == "owner-died":
            raise self._error(
                "EOWNERDEAD",
                "its owner died holding it; this thread holds it now: repair what it guards, call mark_consistent(), "
                "then release()", reason="owner-died",
            )
        return result == "acquired"

    def lock(self, timeout: Optional[float] = None) -> str:
        """acquire() as a word: 'acquired', 'owner-died' (held, repair first) or 'timed-out'."""
        if timeout is not None:
            check_timeout(timeout, "Mutex.acquire")  # before the first store
        C, t, at, me = self._C, self._t, self._at, threading.get_native_id()
        r = t.mutexTryLock(at, me, 0)
        if r == C["ACQUIRED"] or r == C["ACQUIRED_AGAIN"]:
            return "acquired"
        deadline = Deadline(timeout)
        got, started = self._spinner.spin(t, lambda: self._spin_attempt(t, me))
        if got:
            return got
        try:
            return self._sleep(t, me, deadline)
        finally:
            self._spinner.slept(t, started)

    def _spin_attempt(self, t, me: int) -> Optional[str]:  # noqa: ANN001 - this thread's core
        r = t.mutexTryLock(self._at, me, 0)
        if r == self._C["ACQUIRED"] or r == self._C["ACQUIRED_AGAIN"]:
            return "acquired"
        if r <= 0:
            self._misuse(r)
        return None  # held (whether its holder lives is asked after the spin)

    def _sleep(self, t, me: int, deadline: Deadline) -> str:  # noqa: ANN001
        C, at = self._C, self._at
        contended = 0
        slices = LivenessSlices(C, t)
        slice_expired = False
        while True:
            r = t.mutexTryLock(at, me, contended)
            if r == C["ACQUIRED"] or r == C["ACQUIRED_AGAIN"]:
                return "acquired"
            if r <= 0:
                self._misuse(r)
            if slice_expired and not is_alive(r):
                if t.mutexTakeOver(at, r, me):
                    return "owner-died"
                continue
            if deadline.passed:
                return "timed-out"
            value = t.markWaiting(self._word_at, r) & 0xFFFFFFFF
            if value == 0:
                continue  # the holder changed meanwhile
            slice_expired = sleep_on(self._word, value, deadline, slices)
            contended = 1  # others may sleep too: keep the flag so our unlock wakes them

    def try_acquire(self) -> bool:
        """Takes the lock if it is free (or its owner is dead: OwnerDiedError, holding it); never waits."""
        C, t, me = self._C, self._t, threading.get_native_id()
        r = t.mutexTryLock(self._at, me, 0)
        if r == C["ACQUIRED"] or r == C["ACQUIRED_AGAIN"]:
            return True
        if r <= 0:
            self._misuse(r)
        if not is_alive(r) and t.mutexTakeOver(self._at, r, me):
            raise self._error("EOWNERDEAD", "its owner died holding it; this thread holds it now: repair, mark_consistent(), release()", reason="owner-died")
        return False

    def release(self) -> None:
        r = self._t.mutexUnlock(self._at, threading.get_native_id())
        if r == 0:
            return
        if r == self._C["MUTEX_WAKE_ONE"]:
            wake(self._word, 1)
        elif r == self._C["MUTEX_WAKE_ALL"]:
            wake(self._word, WAKE_ALL)  # not recoverable now: everyone must learn it
        else:
            self._misuse(r)

    def mark_consistent(self) -> None:
        """The holder repaired the data after an owner died."""
        r = self._t.mutexMarkConsistent(self._at, threading.get_native_id())
        if r != self._C["ACQUIRED"]:
            self._misuse(r)

    @property
    def consistent(self) -> bool:
        return self._t.mutexState(self._at) == self._C["MUTEX_CONSISTENT"]

    @property
    def owner(self) -> int:
        """The owner's thread id, or 0."""
        return self._t.mutexOwner(self._at) & 0xFFFFFFFF

    @property
    def locked(self) -> bool:
        return self.owner != 0

    def __enter__(self) -> "Mutex":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _misuse(self, code: int) -> None:
        C = self._C
        if code == C["NOT_RECOVERABLE"]:
            raise self._error("ENOTRECOVERABLE", "a holder died and the next one released it without mark_consistent(); what it guards cannot be trusted. Remove and make the mutex anew")
        if code == C["WOULD_DEADLOCK"]:
            raise self._error("EDEADLK", "this thread already holds it (make it recursive=True to lock it again)")
        if code == C["NOT_OWNER"]:
            raise self._error("EPERM", "this thread does not hold it")
        raise self._error("EINVAL", f"mutex call failed ({code}): it is not in the owner-died state, or the id is bad")
