"""Atomic words in shared memory, for Python, which has no atomics of its
own: each operation is the core's (the same sequentially consistent
instructions JavaScript's `Atomics` run), so a counter bumped by Python and
by Node processes at once stays exact.

    counters = AtomicInt32(seg.find_or_create_bytes("counters", 64))
    counters.add(0, 1)          # the value before
    counters.load(0)

A view of a read-only attachment can still be read word by word with
`view.cast("i")[k]`: an aligned 4-byte load is one instruction.
"""
from __future__ import annotations

import ctypes

from ._arena import Arena
from .errors import invalid_argument, shm_error


class _AtomicWords:
    _width = 4

    def __init__(self, view: memoryview, *, arena: Arena | None = None) -> None:
        if not isinstance(view, memoryview):
            raise invalid_argument(f"{type(self).__name__}: give a memoryview of a segment or of an object in one: {view!r}")
        if view.readonly:
            raise shm_error("EACCES", f"{type(self).__name__}: the view is read-only; atomic operations need a writable attachment")
        arena = arena or Arena.default()
        address = ctypes.addressof(ctypes.c_char.from_buffer(view)) if view.nbytes else 0
        offset = address - arena.base
        if not view.nbytes or offset < 0 or offset + view.nbytes > arena.max_bytes:
            raise invalid_argument(f"{type(self).__name__}: the view must be non-empty bytes of a shmkit segment (a segment's buf, or an object's view)")
        if offset % self._width:
            raise invalid_argument(f"{type(self).__name__}: the view must start at a multiple of {self._width} bytes")
        self._offset = offset
        self._length = view.nbytes // self._width
        self._view = view  # keeps the mapping's export alive
        self._arena = arena

    def __len__(self) -> int:
        return self._length

    def _at(self, index: int) -> int:
        if not 0 <= index < self._length:
            raise IndexError(f"{type(self).__name__}: index {index} out of range (0 … {self._length - 1})")
        return self._offset + index * self._width


class AtomicInt32(_AtomicWords):
    """The view's bytes as atomic little-endian i32 words, by index."""

    def add(self, index: int, delta: int) -> int:
        """Adds `delta` (wrapping at 32 bits); the value before."""
        return self._arena.t.atomicAdd32(self._at(index), delta)

    def load(self, index: int) -> int:
        return self._arena.t.atomicLoad32(self._at(index))

    def store(self, index: int, value: int) -> None:
        self._arena.t.atomicStore32(self._at(index), value)

    def compare_exchange(self, index: int, expected: int, replacement: int) -> int:
        """Stores `replacement` if the word holds `expected`; the value found."""
        return self._arena.t.atomicCompareExchange32(self._at(index), expected, replacement)


class AtomicInt64(_AtomicWords):
    """The view's bytes as atomic little-endian i64 words, by index."""

    _width = 8

    def add(self, index: int, delta: int) -> int:
        return self._arena.t.atomicAdd64(self._at(index), delta)

    def load(self, index: int) -> int:
        return self._arena.t.atomicLoad64(self._at(index))
