"""What every lock-like primitive shares: its place, the core, its errors."""
from __future__ import annotations

import threading

from .._place import Place
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

    @property
    def _t(self):  # noqa: ANN202 - this thread's core
        return self._arena.t

    def _error(self, code: str, message: str, reason: str | None = None) -> ShmError:
        return shm_error(code, f"{self.place.description}: {message}", object=self.place.name, reason=reason)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.place.description}>"


def thread_id() -> int:
    """This thread's holder id: its kernel thread id, as the Node host uses."""
    return threading.get_native_id()
