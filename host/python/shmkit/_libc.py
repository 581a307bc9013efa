"""The Linux calls Python's standard library does not make: System V shared
memory, mmap at a fixed address and futex(2), through ctypes. The numbers
here are the kernel's ABI (x86-64 and aarch64 share them), not shmkit's.
"""
from __future__ import annotations

import ctypes
import errno as _errno
import os
import platform

from .errors import ShmError, os_error

if platform.system() != "Linux":
    raise ShmError(f"shmkit's Python host needs Linux (this is {platform.system()})", code="ENOTSUP")

_libc = ctypes.CDLL(None, use_errno=True)

IPC_RMID = 0
IPC_STAT = 2
IPC_CREAT = 0o1000
IPC_EXCL = 0o2000
SHM_RDONLY = 0o10000
SHM_REMAP = 0o40000

PROT_READ = 1
PROT_WRITE = 2
MAP_SHARED = 1
MAP_PRIVATE = 2
MAP_FIXED = 0x10
MAP_ANONYMOUS = 0x20
MAP_NORESERVE = 0x4000
MAP_FAILED = ctypes.c_void_p(-1).value

FUTEX_WAIT = 0  # without FUTEX_PRIVATE_FLAG: sleepers in other processes wake too
FUTEX_WAKE = 1
_SYS_FUTEX = {"x86_64": 202, "aarch64": 98}.get(platform.machine())
if _SYS_FUTEX is None:
    raise ShmError(f"shmkit's Python host knows futex(2) on x86_64 and aarch64, not {platform.machine()}", code="ENOTSUP")


class IpcPerm(ctypes.Structure):
    # x86-64 has `unsigned short mode, __pad1`; aarch64 an `unsigned int
    # mode`: little-endian, both read the same through the low half.
    _fields_ = [
        ("key", ctypes.c_int32), ("uid", ctypes.c_uint32), ("gid", ctypes.c_uint32),
        ("cuid", ctypes.c_uint32), ("cgid", ctypes.c_uint32),
        ("mode", ctypes.c_uint16), ("pad1", ctypes.c_uint16),
        ("seq", ctypes.c_uint16), ("pad2", ctypes.c_uint16),
        ("reserved1", ctypes.c_ulong), ("reserved2", ctypes.c_ulong),
    ]


class ShmidDs(ctypes.Structure):
    _fields_ = [
        ("perm", IpcPerm), ("segsz", ctypes.c_size_t),
        ("atime", ctypes.c_long), ("dtime", ctypes.c_long), ("ctime", ctypes.c_long),
        ("cpid", ctypes.c_int32), ("lpid", ctypes.c_int32), ("nattch", ctypes.c_ulong),
        ("reserved5", ctypes.c_ulong), ("reserved6", ctypes.c_ulong),
    ]


class Timespec(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_long), ("nsec", ctypes.c_long)]


def _fn(name: str, restype: object, *argtypes: object) -> object:
    function = getattr(_libc, name)
    function.restype = restype
    function.argtypes = list(argtypes)
    return function


shmget = _fn("shmget", ctypes.c_int, ctypes.c_int32, ctypes.c_size_t, ctypes.c_int)
shmat = _fn("shmat", ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int)
shmctl = _fn("shmctl", ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.POINTER(ShmidDs))
mmap = _fn("mmap", ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long)
shm_open = _fn("shm_open", ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint32)
shm_unlink = _fn("shm_unlink", ctypes.c_int, ctypes.c_char_p)
fallocate = _fn("fallocate", ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64)
ftok = _fn("ftok", ctypes.c_int32, ctypes.c_char_p, ctypes.c_int)
_syscall = _fn("syscall", ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32, ctypes.POINTER(Timespec), ctypes.c_void_p, ctypes.c_uint32)


def errno() -> int:
    return ctypes.get_errno()


def check(result: int, call: str, what: str, advice: str = "", *, object: str | None = None) -> int:
    """`result` unless it is -1 (or MAP_FAILED), else the errno as a ShmError."""
    if result in (-1, MAP_FAILED, None):  # shmat and mmap give (void *) -1, which ctypes reads as MAP_FAILED
        raise os_error(call, errno(), what, advice, object=object)
    return result


def map_fixed(address: int, length: int, fd: int, read_only: bool, what: str) -> None:
    """mmap(MAP_SHARED | MAP_FIXED) of `fd` over [address, address + length)."""
    prot = PROT_READ if read_only else PROT_READ | PROT_WRITE
    check(mmap(address, length, prot, MAP_SHARED | MAP_FIXED, fd, 0), "mmap", what)


def cover_with_anonymous(address: int, length: int) -> None:
    """Replaces whatever is mapped at the range with fresh private pages:
    unmapping would leave a hole in the Wasm memory, and the next access
    there would kill the process."""
    flags = MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_NORESERVE
    check(mmap(address, length, PROT_READ | PROT_WRITE, flags, -1, 0), "mmap", f"cover {length} bytes at {address:#x}")


_NO_TIMEOUT = ctypes.POINTER(Timespec)()


def futex_wait(address: int, value: int, timeout_s: float | None) -> bool:
    """Sleeps while the u32 at `address` holds `value`, at most `timeout_s`.
    Returns on a wake, a timeout, a changed value or a signal alike (the
    caller always tries again): True only when the time ran out. The GIL is
    released while it sleeps."""
    if timeout_s is None:
        _syscall(_SYS_FUTEX, address, FUTEX_WAIT, value & 0xFFFFFFFF, _NO_TIMEOUT, None, 0)
        return False
    seconds = int(timeout_s)
    spec = Timespec(seconds, int((timeout_s - seconds) * 1e9))
    if _syscall(_SYS_FUTEX, address, FUTEX_WAIT, value & 0xFFFFFFFF, ctypes.byref(spec), None, 0) == -1:
        return ctypes.get_errno() == _errno.ETIMEDOUT
    return False


def futex_wake(address: int, count: int) -> int:
    """Wakes up to `count` sleepers on the word at `address`: how many were woken."""
    return max(0, _syscall(_SYS_FUTEX, address, FUTEX_WAKE, count, _NO_TIMEOUT, None, 0))
