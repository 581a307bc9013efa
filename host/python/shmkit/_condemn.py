"""Removing a formatted segment that no user holds on to, as the Node host
does (host/format/condemn.ts): condemn it (its init word becomes GONE,
which joiners check after registering), read the user table, then remove
the name or give the segment back. Used by the last user of a segment made
with remove_when_unused, and by an opener that finds all its users dead."""
from __future__ import annotations

import os

from ._users import holds_on, read_users, signed
from .errors import ShmError
from .segments import Posix, Segment, SysV


def removable(segment: Segment) -> bool:
    """Whether the segment has a kernel name to remove (memfd has none)."""
    return isinstance(segment, (Posix, SysV))


def is_ready(C: dict, word: int) -> bool:
    return word & ((1 << C["INIT_PID_SHIFT"]) - 1) == C["INIT_READY"]


def remove_unless_used(segment: Segment, descriptor: int, expected: int) -> str:
    """Condemns `segment` (whose init word was the READY word `expected`),
    then removes its name unless a user holds on: 'removed', 'in-use',
    'raced' (another process changed the word first), 'renamed' (the name
    now leads to a newer object) or 'failed' (the kernel refused). A word
    that is not READY is never condemned: the GONE word of a remover at
    work, read by a caller that came after it, is its and could not be
    given back."""
    arena = segment.arena
    t = arena.t
    me = os.getpid()
    word = signed(expected, 32)
    if not is_ready(arena.C, expected) or not t.formatCondemn(segment.offset, word, me):
        return "raced"
    if any(holds_on(user) for user in read_users(t, descriptor)):
        t.formatRestore(segment.offset, me, word)
        return "in-use"
    if isinstance(segment, Posix) and not segment.names_itself():
        t.formatRestore(segment.offset, me, word)
        return "renamed"
    try:
        segment.remove()
    except ShmError:
        t.formatRestore(segment.offset, me, word)  # not ours to remove after all: let openers back in
        return "failed"
    return "removed"
