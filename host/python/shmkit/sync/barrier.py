"""A barrier (docs/ABI.md, "Barrier"): nobody leaves a generation before
all parties arrived; a party that gives up breaks it for everyone."""
from __future__ import annotations

from typing import Optional

from .._place import Place
from .._wait import WAKE_ALL, Deadline, check_timeout, sleep_on, wake
from ..errors import invalid_argument
from ._primitive import Primitive


class Barrier(Primitive):
    """`wait(timeout)` returns True for the one arrival that completed the
    generation, False for the others; on timeout it breaks the barrier and
    raises ETIMEDOUT; a broken barrier raises EPIPE, reason 'barrier-broken'."""

    _kind = "a barrier"
    _size_constant = "BARRIER_SIZE"

    @classmethod
    def create(cls, place: Place, parties: int) -> "Barrier":
        most = place.arena.C["BARRIER_MAX_PARTIES"]
        if isinstance(parties, bool) or not isinstance(parties, int) or not 1 <= parties <= most:
            raise invalid_argument(f"barrier parties must be from 1 to {most}: parties={parties!r}")
        barrier = cls(place)
        barrier._t.barrierInit(place.offset, parties)
        return barrier

    @classmethod
    def open(cls, place: Place) -> "Barrier":
        return cls(place)

    def __init__(self, place: Place) -> None:
        super().__init__(place)
        self._word_at = place.offset + self._C["BARRIER_WORD"]
        self._word = place.address + self._C["BARRIER_WORD"]

    def wait(self, timeout: Optional[float] = None) -> bool:
        if timeout is not None:
            check_timeout(timeout, "Barrier.wait")
        C, t, at = self._C, self._t, self._at
        deadline = Deadline(timeout)
        generation = t.barrierArrive(at)
        if generation == C["BARRIER_LAST"]:
            wake(self._word, WAKE_ALL)
            return True
        if generation == C["BARRIER_BROKEN"]:
            raise self._broken()
        done = False
        spun, started = self._spinner.spin(t, lambda: True if t.barrierPassed(at, generation) else None)
        try:
            while True:
                if t.barrierPassed(at, generation):
                    if self.broken:
                        raise self._broken()
                    done = True
                    return False
                if deadline.passed:
                    raise self._error("ETIMEDOUT", "timed out waiting for the other parties; the barrier is broken now for everyone")
                word = t.atomicLoad32(self._word_at) & 0xFFFFFFFF
                if word >> C["BARRIER_GENERATION_SHIFT"] != generation:
                    continue
                sleep_on(self._word, word, deadline)
        finally:
            if not done and not t.barrierPassed(at, generation):  # gave up
                t.barrierBreak(at)
                wake(self._word, WAKE_ALL)
            if not spun:
                self._spinner.slept(t, started)

    @property
    def broken(self) -> bool:
        return self._t.barrierBroken(self._at) != 0

    def _broken(self):  # noqa: ANN202
        return self._error("EPIPE", "the barrier is broken: a party gave up waiting (timeout); make it anew", reason="barrier-broken")
