"""shmkit for Python: real shared memory segments with the locks, rings and
queues of shmkit's Wasm core, byte for byte the protocol its Node host
speaks."""
from .errors import (
    CorruptError, LayoutError, OwnerDiedError, PeerError, ShmError, ShmExistsError, ShmNotFoundError,
    ShmPermissionError, ShmTimeoutError,
)
from ._directory import ObjectInfo
from .atomics import AtomicInt32, AtomicInt64
from .formatted import FormattedSegment, open_or_create
from .segments import FdStat, Memfd, Posix, Segment, SysV, SysVStat

__all__ = [
    "AtomicInt32", "AtomicInt64", "CorruptError", "FdStat", "FormattedSegment", "LayoutError", "Memfd", "ObjectInfo", "OwnerDiedError", "PeerError", "Posix", "Segment", "ShmError",
    "ShmExistsError", "ShmNotFoundError", "ShmPermissionError", "ShmTimeoutError", "SysV", "SysVStat", "open_or_create",
]
