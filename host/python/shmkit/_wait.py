"""Sleeping and waking on a 32-bit word of the memory (docs/ABI.md section
4): futex(2) without the private flag, so sleepers in other processes, Node
ones included, are woken. Every primitive's loop is: try, spin a while
(Spinner), announce the sleep, try once more, sleep; every return leads to a try.
"""
from __future__ import annotations

import math
import threading
import time
from typing import Callable, Optional, TypeVar

from . import _libc
from .errors import ShmError, ShmTimeoutError, invalid_argument

_MOST_NS = 0x7FFFFFFF

WAKE_ALL = 0x7FFFFFFF

T = TypeVar("T")


class Spinner:
    """How long one handle's waits keep trying before they sleep: a time the
    handle learns from its own recent waits, by the core's rule and numbers
    (spinBudgetNext and SPIN_*, docs/ABI.md section 4), so a Python waiter
    spins as a Node one does. A try from Python costs about a microsecond,
    as much as reading the clock many times, so the clock is read after
    every try."""

    __slots__ = ("budget_ns", "_after_wake_ns")

    def __init__(self, C) -> None:  # noqa: ANN001 - the core's constants
        self.budget_ns = C["SPIN_START_NS"]
        self._after_wake_ns = C["SPIN_AFTER_WAKE_NS"]

    def spin(self, t, attempt: Callable[[], T]) -> tuple[Optional[T], int]:  # noqa: ANN001 - this thread's core
        """Tries `attempt` until it answers (not None) or the budget has
        passed: (its answer or None, when the wait started). A wait that
        goes on to sleep reports back with slept()."""
        started = time.perf_counter_ns()
        budget = self.budget_ns
        if _woke.flag:  # the sleeper this thread woke may be queued for this very CPU
            _woke.flag = False
            budget = min(budget, self._after_wake_ns)
        end = started + budget
        while True:
            got = attempt()
            if got is not None:
                self._learn(t, started, 0)
                return got, started
            if time.perf_counter_ns() >= end:
                return None, started

    def slept(self, t, started: int) -> None:  # noqa: ANN001
        """A wait that spun in vain, slept, and is over (answered, timed out or abandoned)."""
        self._learn(t, started, 1)

    def _learn(self, t, started: int, slept: int) -> None:  # noqa: ANN001
        waited = min(time.perf_counter_ns() - started, _MOST_NS)
        self.budget_ns = t.spinBudgetNext(self.budget_ns, waited, slept) & 0xFFFFFFFF


def check_timeout(timeout: Optional[float], where: str) -> Optional[float]:
    """None (wait for ever) or seconds ≥ 0."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or math.isnan(timeout) or timeout < 0:
        raise invalid_argument(f"{where}: timeout must be None or seconds ≥ 0: timeout={timeout!r}")
    return float(timeout)


class Deadline:
    __slots__ = ("end",)

    def __init__(self, timeout: Optional[float]) -> None:
        self.end = None if timeout is None else time.monotonic() + timeout

    def left(self, most: Optional[float] = None) -> Optional[float]:
        """Seconds left (at most `most`), 0 once passed; None for ever."""
        if self.end is None:
            return most
        left = max(0.0, self.end - time.monotonic())
        return left if most is None else min(left, most)

    @property
    def passed(self) -> bool:
        return self.end is not None and time.monotonic() >= self.end


class LivenessSlices:
    """How long one wait for a holder sleeps before it asks whether the holder
    lives: slices that grow while the wait stays quiet, by the core's rule
    (livenessSliceNext, LIVENESS_SLICE_*_MS, docs/ABI.md section 4)."""

    __slots__ = ("_t", "_ms")

    def __init__(self, C, t) -> None:  # noqa: ANN001 - the core's constants, a core
        self._t = t
        self._ms = C["LIVENESS_SLICE_FIRST_MS"]

    @property
    def seconds(self) -> float:
        return self._ms / 1000

    def passed(self) -> None:
        """A whole slice passed without a wake-up: the next one is longer."""
        self._ms = self._t.livenessSliceNext(self._ms) & 0xFFFFFFFF


def sleep_on(address: int, value: int, deadline: Deadline, slices: Optional[LivenessSlices] = None) -> bool:
    """One sleep on the word at process `address` while it holds `value`:
    True when it ended because its time (the slice, or the deadline) ran out."""
    expired = _libc.futex_wait(address, value, deadline.left(None if slices is None else slices.seconds))
    if expired and slices is not None:
        slices.passed()
    return expired


class _Woke(threading.local):
    flag = False


_woke = _Woke()


def wake(address: int, count: int) -> None:
    if _libc.futex_wake(address, count) > 0:
        _woke.flag = True


class Backoff:
    """Waiting for another process with no wake-up channel (segment init,
    the directory lock): growing pauses up to a deadline. Setup only."""

    def __init__(self, timeout: float, what: str) -> None:
        self._deadline = Deadline(timeout)
        self._what = what
        self._pause = 50e-6

    def pause(self) -> None:
        if self._deadline.passed:
            raise ShmTimeoutError(
                f"timed out waiting for {self._what}; the other process may be stuck (it is still alive)",
                code="ETIMEDOUT",
            )
        time.sleep(self._deadline.left(self._pause) or 0)
        self._pause = min(self._pause * 2, 0.01)
