"""A channel's private descriptor (docs/ABI.md section 3): the core reads
the channel's geometry once, checks it against the window, and keeps it;
a channel whose shared bytes fail the check is ECORRUPT before any use."""
from __future__ import annotations

from .._corruption import corruption_of
from .._place import Place


def open_descriptor(place: Place, opener: str, what: str) -> int:
    """A descriptor of the channel at `place`, opened by the core export `opener` (spscOpen, mpmcOpen, bcastOpen)."""
    arena = place.arena
    d = arena.take_descriptor()
    fault = getattr(arena.t, opener)(d, place.offset, place.end) & 0xFFFFFFFF
    if fault != arena.C["FAULT_NONE"]:
        arena.give_descriptor(d)
        raise corruption_of(arena, fault, f"the {what} {place.description}", object=place.name)
    return d
