"""Where a primitive lives: its bytes in the arena's memory, and the
segment that holds them (for its name in messages and its closed state)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._arena import Arena
    from .segments import Segment


@dataclass(frozen=True)
class Place:
    arena: "Arena"
    offset: int
    """The object's first byte, as an offset in the memory (what core calls take)."""
    end: int
    """One past the object's last byte."""
    segment: "Segment"
    name: str
    """The object's name in its segment's directory."""

    @property
    def address(self) -> int:
        """Process address of the object's first byte (what futex(2) takes)."""
        return self.arena.base + self.offset

    @property
    def description(self) -> str:
        return f"{self.segment.description}, object '{self.name}'"
