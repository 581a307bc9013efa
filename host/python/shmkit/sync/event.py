"""An event (docs/ABI.md, "Event"): manual reset (stays set, wakes everyone)
or auto reset (each set lets one waiter through)."""
from __future__ import annotations

from typing import Optional

from .._place import Place
from .._wait import Deadline, check_timeout, wake
from ..errors import invalid_argument
from ._primitive import Primitive, sleep_counted


class Event(Primitive):
    """Like threading.Event, across processes: `set()`, `clear()`,
    `is_set()`, `wait(timeout) -> bool`."""

    _kind = "an event"
    _size_constant = "EVENT_SIZE"

    @classmethod
    def create(cls, place: Place, *, auto_reset: bool = False, initially_set: bool = False) -> "Event":
        for name, value in (("auto_reset", auto_reset), ("initially_set", initially_set)):
            if not isinstance(value, bool):
                raise invalid_argument(f"event: {name} must be True or False: {name}={value!r}")
        event = cls(place)
        event._t.eventInit(place.offset, int(auto_reset), int(initially_set))
        return event

    @classmethod
    def open(cls, place: Place) -> "Event":
        return cls(place)

    def __init__(self, place: Place) -> None:
        super().__init__(place)
        self._word = place.address + self._C["EVENT_STATE"]

    def set(self) -> None:
        woken = self._t.eventSet(self._at) & 0xFFFFFFFF
        if woken:
            wake(self._word, woken)

    def clear(self) -> None:
        self._t.eventReset(self._at)

    def is_set(self) -> bool:
        """Whether it is set now (reading it consumes nothing)."""
        return self._t.atomicLoad32(self._at + self._C["EVENT_STATE"]) != 0

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Passes once it is set (an auto-reset event is consumed): True, or False on timeout."""
        if timeout is not None:
            check_timeout(timeout, "Event.wait")
        t, at = self._t, self._at
        if t.eventTryWait(at) == 1:
            return True
        deadline = Deadline(timeout)
        # A set meant for us while we gave up is handed on.
        return sleep_counted(self._spinner, t, lambda: t.eventTryWait(at) == 1, lambda: t.eventSleepBegin(at), lambda: t.eventSleepEnd(at), self._word,
                             deadline, lambda: self.set() if t.eventTryWait(at) == 1 else None)
