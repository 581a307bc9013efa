"""A counting semaphore (docs/ABI.md, "Semaphore")."""
from __future__ import annotations

from typing import Optional

from .._place import Place
from .._wait import Deadline, check_timeout, wake
from ..errors import invalid_argument
from ._primitive import Primitive, sleep_counted


class Semaphore(Primitive):
    """`acquire(timeout)` takes a token (False when the time ran out),
    `release(n)` adds n; `with semaphore:` holds one token for the block."""

    _kind = "a semaphore"
    _size_constant = "SEMAPHORE_SIZE"

    @classmethod
    def create(cls, place: Place, value: int = 0) -> "Semaphore":
        most = place.arena.C["SEMAPHORE_MAX_VALUE"]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most:
            raise invalid_argument(f"semaphore value must be from 0 to {most}: value={value!r}")
        semaphore = cls(place)
        semaphore._t.semInit(place.offset, value)
        return semaphore

    @classmethod
    def open(cls, place: Place) -> "Semaphore":
        return cls(place)

    def __init__(self, place: Place) -> None:
        super().__init__(place)
        self._word = place.address + self._C["SEMAPHORE_VALUE"]

    def try_acquire(self) -> bool:
        return self._t.semTryWait(self._at) == 1

    def acquire(self, timeout: Optional[float] = None) -> bool:
        """Takes a token, waiting at most `timeout` seconds (None: for ever): whether it got one."""
        if timeout is not None:
            check_timeout(timeout, "Semaphore.acquire")
        t, at = self._t, self._at
        if t.semTryWait(at) == 1:
            return True
        deadline = Deadline(timeout)
        # A token posted for us while we gave up goes to another sleeper.
        return sleep_counted(self._spinner, t, lambda: t.semTryWait(at) == 1, lambda: t.semSleepBegin(at), lambda: t.semSleepEnd(at), self._word,
                             deadline, lambda: wake(self._word, 1) if t.semValue(at) > 0 else None)

    def release(self, count: int = 1) -> None:
        most = self._C["SEMAPHORE_MAX_VALUE"]
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= most:
            raise invalid_argument(f"release count must be from 1 to {most}: count={count!r}")
        woken = self._t.semPost(self._at, count)
        if woken == self._C["SEMAPHORE_OVERFLOW"]:
            raise self._error("EOVERFLOW", f"it would pass {most} tokens; wait for some to be taken first")
        if woken > 0:
            wake(self._word, woken)

    @property
    def value(self) -> int:
        """Tokens available now."""
        return self._t.semValue(self._at) & 0xFFFFFFFF

    def __enter__(self) -> "Semaphore":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
