"""What the host says when the core finds an object's shared bytes broken:
an ECORRUPT error naming the object and the field the core blamed. The
handle that saw it stays refused (the core keeps the fault in its
descriptor); nothing is repaired silently."""
from __future__ import annotations

from typing import Optional

from ._arena import Arena
from .errors import ShmError, shm_error

_FIELDS = {
    "FAULT_WINDOW": "its extent (it does not fit in the bytes it was given)",
    "FAULT_HEADER": "the segment header's directory capacity, directory offset or heap offset",
    "FAULT_DIR_ENTRY": "a directory entry's offset, size, alignment, name length or layout range",
    "FAULT_SPSC_CAPACITY": "the ring's capacity word",
    "FAULT_SPSC_RECORD": "a record header's type or length",
    "FAULT_SPSC_HEAD": "the consumer's head cursor",
    "FAULT_SPSC_TAIL": "the producer's tail cursor",
    "FAULT_MPMC_GEOMETRY": "the queue's slots, slotSize or stride",
    "FAULT_MPMC_CURSOR": "the queue's positions or slot sequences (they never settle)",
    "FAULT_BCAST_GEOMETRY": "the channel's slots, slotSize, maxReaders or mode",
    "FAULT_BCAST_SLOT": "a slot's stamp (a message overwritten that no writer may overwrite)",
    "FAULT_BCAST_CURSOR": "the published count or a reader's cursor",
}


def fault_field(arena: Arena, fault: int) -> str:
    for name, field in _FIELDS.items():
        if arena.C[name] == fault:
            return field
    return f"a field the core reports as fault {fault}"


def corruption(arena: Arena, descriptor: int, what: str, *, object: Optional[str] = None) -> ShmError:
    """The error for corruption found through `descriptor` of `what`."""
    fault = arena.t.descFault(descriptor) & 0xFFFFFFFF
    return corruption_of(arena, fault, what, object=object)


def corruption_of(arena: Arena, fault: int, what: str, *, object: Optional[str] = None) -> ShmError:
    return shm_error(
        "ECORRUPT",
        f"{what} is corrupt: {fault_field(arena, fault)} holds what no shmkit process writes (a process with write "
        "access scribbled on it, or it was never this kind of object); this handle refuses further use: remove the "
        "object and make it anew",
        object=object,
    )
