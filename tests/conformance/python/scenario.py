"""The Python side of tests/conformance/scenario.ts and sync/witness.ts:
shared words beside the object under test, and the critical-section witness."""
from __future__ import annotations

from shmkit.atomics import AtomicInt32

WAIT = 30.0
"""Seconds: long enough that only a lost wake-up reaches it."""


def words(seg, name: str, count: int) -> memoryview:
    """The same i32 words the TypeScript `words()` finds (a bytes object named words.NAME)."""
    return seg.find_or_create_bytes(f"words.{name}", count * 4).cast("i")


def atomic_words(seg, name: str, count: int) -> AtomicInt32:
    return AtomicInt32(seg.find_or_create_bytes(f"words.{name}", count * 4))


def enter(inside: AtomicInt32, limit: int = 1) -> int:
    """Enters; 1 when someone else was already inside, else 0."""
    return 1 if inside.add(0, 1) >= limit else 0


def leave(inside: AtomicInt32) -> None:
    inside.add(0, -1)
