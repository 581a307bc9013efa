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
from .layout import Layout, aligned, array, enum, string, struct
from .table import Record, Table
from .segments import FdStat, Memfd, Posix, Segment, SysV, SysVStat

__all__ = [
    "AtomicInt32", "AtomicInt64", "CorruptError", "FdStat", "FormattedSegment", "LayoutError", "Layout", "Memfd", "ObjectInfo", "OwnerDiedError", "PeerError", "Posix", "Record", "Segment", "ShmError",
    "ShmExistsError", "ShmNotFoundError", "ShmPermissionError", "ShmTimeoutError", "SysV", "SysVStat", "Table", "aligned", "array", "enum", "open_or_create", "string", "struct",
]
