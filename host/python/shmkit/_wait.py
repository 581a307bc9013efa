"""Sleeping and waking on a 32-bit word of the memory (docs/ABI.md section
4): futex(2) without the private flag, so sleepers in other processes, Node
ones included, are woken. Every primitive's loop is: try, spin a little,
announce the sleep, try once more, sleep; every return leads to a try.
"""
from __future__ import annotations

import math
import time
from typing import Optional

from . import _libc
from .errors import ShmError, ShmTimeoutError, invalid_argument

SLICE_S = 0.1
"""A sleeper waiting on a holder checks whether it lives after this long."""

SPIN_S = 50e-6
"""How long a waiter keeps trying before it sleeps. Time, not a count: a
try from Python is a call into wasmtime, whose cost differs by machine."""

WAKE_ALL = 0x7FFFFFFF


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


def sleep_on(address: int, value: int, deadline: Deadline, most: Optional[float] = None) -> bool:
    """One sleep on the word at process `address` while it holds `value`:
    True when it ended because its time (`most`, or the deadline) ran out."""
    return _libc.futex_wait(address, value, deadline.left(most))


def wake(address: int, count: int) -> None:
    _libc.futex_wake(address, count)


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
