"""A role handle's private room in the arena: where fused core calls copy
messages from and to, and where they write lengths. Python copies between
it and its own objects with one memoryview slice per batch."""
from __future__ import annotations

from .._arena import Arena, Window
from ..errors import invalid_argument

MAX_BATCH = 4096
"""Most messages one batch call moves."""

STAGING_MAX = 1 << 20
"""Largest staging area a handle keeps; rings whose largest message exceeds
it move messages in place (claim, copy, commit) instead."""


class Staging:
    def __init__(self, arena: Arena, payload_bytes: int) -> None:
        self.arena = arena
        self.payload = payload_bytes
        self.window: Window = arena.claim(payload_bytes + 4 * MAX_BATCH)
        self.at = self.window.offset
        """Offset of the payload area."""
        self.lengths_at = self.at + payload_bytes
        """Offset of MAX_BATCH u32 lengths."""
        self.view = arena.memory[self.at : self.at + payload_bytes]
        self.lengths = arena.memory[self.lengths_at : self.lengths_at + 4 * MAX_BATCH].cast("I")

    def release(self) -> None:
        self.view.release()
        self.lengths.release()
        self.arena.release(self.window, mapped=False)


def as_bytes(data) -> memoryview:  # noqa: ANN001
    """Any bytes-like (bytearray, memoryview, a NumPy array) as its bytes:
    len() of an array counts elements, not bytes."""
    try:
        return memoryview(data).cast("B")
    except TypeError:
        raise invalid_argument(f"a message is a bytes-like object (bytes, bytearray, memoryview, a contiguous NumPy array): got {type(data).__name__}") from None
