"""shmkit for Python: real shared memory segments with the locks, rings and
queues of shmkit's Wasm core, byte for byte the protocol its Node host
speaks."""
from .errors import (
    CorruptError, LayoutError, OwnerDiedError, PeerError, ShmError, ShmExistsError, ShmNotFoundError,
    ShmPermissionError, ShmTimeoutError,
)
from .segments import FdStat, Memfd, Posix, Segment, SysV, SysVStat

__all__ = [
    "CorruptError", "FdStat", "LayoutError", "Memfd", "OwnerDiedError", "PeerError", "Posix", "Segment", "ShmError",
    "ShmExistsError", "ShmNotFoundError", "ShmPermissionError", "ShmTimeoutError", "SysV", "SysVStat",
]
