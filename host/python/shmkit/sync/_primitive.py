"""What every lock-like primitive shares: its place, the core, its errors."""
from __future__ import annotations

from typing import Callable

from .._place import Place
from .._wait import Deadline, Spinner, sleep_on
from ..errors import ShmError, invalid_argument, shm_error


class Primitive:
    _kind = ""
    _size_constant = ""

    def __init__(self, place: Place) -> None:
        arena = place.arena
        size = arena.C[self._size_constant]
        if place.end - place.offset < size or place.offset % arena.C["CACHE_LINE"]:
            raise invalid_argument(f"{place.description}: {self._kind} needs {size} cache-line aligned bytes")
        self.place = place
        self._arena = arena
        self._C = arena.C
        self._at = place.offset
        self._spinner = Spinner(arena.C)

    @property
    def _t(self):  # noqa: ANN202 - this thread's core
        return self._arena.t

    def _error(self, code: str, message: str, reason: str | None = None) -> ShmError:
        return shm_error(code, f"{self.place.description}: {message}", object=self.place.name, reason=reason)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.place.description}>"


def sleep_counted(spinner: Spinner, t, attempt: Callable[[], bool], begin: Callable[[], None], end: Callable[[], None],  # noqa: ANN001
                  word: int, deadline: Deadline, gave_up: Callable[[], None]) -> bool:
    """The wait of the primitives that count their sleepers (semaphore,
    event): a spin, then counted in, one more try, and sleep while the
    word is 0; `gave_up` runs when it ended without passing (to hand on a
    wake-up that was meant for it)."""
    passed, started = spinner.spin(t, lambda: True if attempt() else None)
    if passed:
        return True
    begin()
    try:
        while True:
            passed = attempt()
            if passed:
                return True
            if deadline.passed:
                return False
            sleep_on(word, 0, deadline)
    finally:
        end()
        if not passed:
            gave_up()
        spinner.slept(t, started)
