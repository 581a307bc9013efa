"""The arena: this process's one shared Wasm memory, with the core on it,
into which segments are mapped (docs/ABI.md section 2). Windows come from
the core's window table; the memory grows over a window before a segment
is mapped there (growing only mprotects new pages, and never moves the
memory), and a released window is covered with fresh private pages first.
"""
from __future__ import annotations

import ctypes
import os
import threading
from dataclasses import dataclass
from typing import Optional

from . import _libc
from ._core import Core
from .errors import ShmError, invalid_argument


@dataclass(frozen=True)
class Window:
    offset: int
    """Byte offset in the memory."""
    length: int
    """Bytes: whole units."""
    address: int
    """Process address of the first byte."""


class _Scratch(threading.local):
    """Each thread stages its calls' inputs and outputs in its own units."""

    def __init__(self) -> None:
        self.window: Optional[Window] = None


class Arena:
    _default: Optional["Arena"] = None
    _default_lock = threading.Lock()

    @classmethod
    def default(cls) -> "Arena":
        """The process-wide arena every segment uses."""
        with cls._default_lock:
            if cls._default is None:
                cls._default = Arena()
            return cls._default

    def __init__(self, max_bytes: Optional[int] = None) -> None:
        probe_unit = 65536  # checked against the core's ARENA_UNIT_SIZE below
        if max_bytes is None:
            max_bytes = _max_bytes_from_environment(probe_unit)
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0 or max_bytes % probe_unit or max_bytes > 65536 * probe_unit:
            raise invalid_argument(f"Arena: max_bytes must be a positive multiple of 64 KiB up to 4 GiB: max_bytes={max_bytes!r}")
        self.core = core = Core(max_bytes // probe_unit)
        C = core.C
        self.C = C
        self.unit = C["ARENA_UNIT_SIZE"]
        if self.unit != probe_unit:
            raise ShmError(f"core.wasm has {self.unit}-byte units, this host expects {probe_unit}", code="ECOREABI")
        self.max_bytes = max_bytes
        self.base = core.base
        t = core.t
        first = -(-t.coreStaticsEnd() // self.unit)
        status = t.coreInit(first, max_bytes // self.unit)
        if status != C["ARENA_OK"]:
            raise invalid_argument(f"an arena of {max_bytes} bytes has no room beside the core's statics (status {status})")
        self._joined = threading.local()
        self._join()
        # All of the reservation, as bytes; only grown, mapped units are touched.
        self.memory = memoryview((ctypes.c_ubyte * max_bytes).from_address(self.base)).cast("B")
        self._grow_lock = threading.Lock()
        self._scratch = _Scratch()
        self._descriptor_lock = threading.Lock()
        self._free_descriptors: list[int] = []

    @property
    def t(self):  # noqa: ANN201 - the thread's core, joined to the arena
        if not getattr(self._joined, "done", False):
            self._join()
        return self.core.t

    def _join(self) -> None:
        if self.core.t.arenaJoin() < 0:
            raise ShmError("the arena's memory was never initialised", code="ECOREABI")
        self._joined.done = True

    # Windows.

    def claim(self, length: int, *, align_units: int = 1, phase: int = 0) -> Window:
        """Claims whole units for `length` bytes and grows the memory over them."""
        units = -(-length // self.unit)
        units = -(-units // align_units) * align_units
        first = self.t.windowClaim(units, align_units, phase) if 0 < units <= self.C["ARENA_MAX_UNITS"] else self.C["ARENA_NO_SPACE"]
        if first < 0:
            used = self.t.arenaUsedUnits() * self.unit
            raise ShmError(
                f"the arena has no free window of {units * self.unit / 2**20:.1f} MiB ({used / 2**20:.1f} of "
                f"{self.max_bytes / 2**20:.1f} MiB in use); close segments you no longer need, or give the arena "
                "more room (SHMKIT_ARENA_SIZE)",
                code="ENOSPC",
            )
        offset = first * self.unit
        self._grow_to(offset + units * self.unit)
        return Window(offset, units * self.unit, self.base + offset)

    def release(self, window: Window, *, mapped: bool = True) -> None:
        if mapped:
            _libc.cover_with_anonymous(window.address, window.length)
        self.t.windowRelease(window.offset // self.unit, window.length // self.unit)

    def _grow_to(self, end: int) -> None:
        memory = self.core.shared.memory
        with self._grow_lock:
            have = memory.data_len()
            if have < end:
                memory.grow((end - have) // self.unit)

    # Host-private space.

    def scratch(self, length: int) -> int:
        """Offset of at least `length` bytes of this thread's scratch space."""
        window = self._scratch.window
        if window is None or window.length < length:
            if window is not None:
                self.release(window, mapped=False)
            self._scratch.window = window = self.claim(max(length, self.unit))
        return window.offset

    def take_descriptor(self) -> int:
        """A DESCRIPTOR_SIZE-byte block of private memory, 8-aligned."""
        with self._descriptor_lock:
            if not self._free_descriptors:
                window = self.claim(self.unit)
                size = self.C["DESCRIPTOR_SIZE"]
                self._free_descriptors = list(range(window.offset + window.length - size, window.offset - 1, -size))
            return self._free_descriptors.pop()

    def give_descriptor(self, descriptor: int) -> None:
        with self._descriptor_lock:
            self._free_descriptors.append(descriptor)

    # Bytes.

    def u32(self, offset: int) -> int:
        return int.from_bytes(self.memory[offset : offset + 4], "little")

    def u64(self, offset: int) -> int:
        return int.from_bytes(self.memory[offset : offset + 8], "little")

    def write(self, offset: int, data: bytes) -> None:
        self.memory[offset : offset + len(data)] = data


def _max_bytes_from_environment(unit: int) -> int:
    text = os.environ.get("SHMKIT_ARENA_SIZE", "")
    if not text:
        return 65536 * unit
    from ._byte_count import parse_byte_count

    value = parse_byte_count(text)
    if value is None:
        raise invalid_argument(f"SHMKIT_ARENA_SIZE must be a number of bytes like 1G, 512M or 65536: got {text!r}")
    return value
