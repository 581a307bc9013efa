"""The init protocol of a formatted segment (docs/ABI.md 5.1): exactly one of
any number of racing openers formats it, the others wait until it is
ready, and an initialiser that died half-way is replaced."""
from __future__ import annotations

import os
import time

from ._liveness import is_alive, own_identity
from ._users import condemned, signed
from ._wait import Backoff
from .errors import ShmError, shm_error
from .segments import Segment

_FORMAT_ERRORS = {
    "FORMAT_BAD_MAGIC": "its header has no shmkit magic",
    "FORMAT_BAD_VERSION": "it was made by a different shmkit format version",
    "FORMAT_SIZE_MISMATCH": "it was formatted larger than it is mapped here",
    "FORMAT_TOO_SMALL": "it is too small for the header and directory",
    "FORMAT_NOT_OWNER": "another process took over its initialisation",
    "FORMAT_CORRUPT": "its header is corrupt",
    "FORMAT_BAD_ARGUMENT": "the directory size is out of range",
}


def format_error(C: dict, status: int) -> str:
    """Why a format call answered `status`, in words."""
    for name, why in _FORMAT_ERRORS.items():
        if C[name] == status:
            return why
    return f"the format call failed ({status})"


def unusable(segment: Segment, code: str, why: str) -> ShmError:
    return shm_error(code, f"{segment.description} cannot be used as a shmkit segment: {why}", object=segment.description)


USER_SLOTS = 128
"""User slots of a segment Python formats, unless told (the Node host's default)."""


def check_header_fits(segment: Segment) -> None:
    if segment.size < segment.arena.C["HEADER_SIZE"]:
        raise unusable(segment, "EINVAL", _FORMAT_ERRORS["FORMAT_TOO_SMALL"])


def join_format(segment: Segment, slots: int, user_slots: int, flags: int, timeout: float,
                dead_reapers: frozenset[int] = frozenset()) -> bool:
    """Formats `segment` with `slots` directory slots, `user_slots` user
    slots and header `flags`, or waits (up to `timeout` seconds) until
    whoever formats it is done. Whether this call formatted it; the caller
    opens and checks the header afterwards. A segment condemned by one of
    `dead_reapers` (seen dead before this open by name, so the name still
    leads to it) is revived; any other condemned segment is ESTALE."""
    arena = segment.arena
    t, C = arena.t, arena.C
    base = segment.offset
    pid = os.getpid()

    def format_it() -> bool:
        _, start, namespace = own_identity()
        status = t.formatInit(base, segment.size, pid, slots, user_slots, flags, t.userTokenOf(pid, start), signed(namespace, 32),
                              int(time.time() * 1000))
        if status != C["FORMAT_OK"]:
            raise unusable(segment, "EINVAL", format_error(C, status))
        return True

    backoff = Backoff(timeout, f"{segment.description} to be initialised")
    while True:
        # Nothing here writes before the segment is known writable: a store
        # into a read-only attachment, even from Wasm, kills the process.
        peek = t.formatPeek(base)
        if peek == C["PEEK_FRESH"]:
            if segment.read_only:
                raise unusable(segment, "EACCES", "it is not formatted yet, and a read-only attachment cannot format it")
            if t.formatClaim(base, pid):
                return format_it()
            continue  # another opener claimed it first
        if peek == C["PEEK_READY"]:
            return False
        if peek == C["PEEK_FOREIGN"]:
            raise unusable(segment, "ELAYOUT", "it holds data that is not a shmkit header; open it as a raw segment, or clear it")
        if peek == C["PEEK_GONE"]:
            reaper = (t.formatInitWord(base) & 0xFFFFFFFF) >> C["INIT_PID_SHIFT"]
            if reaper not in dead_reapers or segment.read_only or is_alive(reaper):
                raise condemned(segment, reaper)
            revived = t.formatRevive(base, segment.size, reaper, pid)
            if revived == C["PEEK_READY"]:
                return False
            if revived == C["PEEK_FRESH"]:
                return format_it()  # condemned before its header was whole: start over
            continue
        initialiser = t.formatInitPid(base) & 0xFFFFFFFF
        if initialiser and not is_alive(initialiser) and not segment.read_only and t.formatTakeOver(base, initialiser, pid):
            return format_it()  # the initialiser died half-way: start over
        backoff.pause()
