"""Shared memory segments of the three kernel kinds, mapped into the arena:
System V (shmget/shmat), POSIX (shm_open) and memfd (memfd_create). Each is
a context manager; `buf` is a memoryview of its bytes and `numpy()` a
zero-copy array over them. After `close()` the window holds fresh private
pages, so a view kept too long reads zeros instead of crashing the process.
"""
from __future__ import annotations

import ctypes
import errno
import os
import stat as _stat
from dataclasses import dataclass
from typing import Any, Optional

from . import _libc
from ._arena import Arena, Window
from ._creation_note import CreationNote
from ._ownership import check_joinable
from .errors import ShmError, checked_arguments, invalid_argument, os_error, shm_error


def _check_size(size: Any, where: str) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise invalid_argument(f"{where}: size must be a whole number of bytes ≥ 1: size={size!r}")
    return size


def _check_flag(value: Any, name: str, where: str) -> None:
    if not isinstance(value, bool):
        raise invalid_argument(f"{where}: {name} must be True or False: {name}={value!r}")


def _check_mode(mode: Any, where: str) -> int:
    if isinstance(mode, bool) or not isinstance(mode, int) or not 0 <= mode <= 0o777:
        raise invalid_argument(f"{where}: mode must be permission bits like 0o600: mode={mode!r}")
    return mode


class Segment:
    """A segment mapped into the arena. `buf` is its bytes."""

    description: str

    def __init__(self, arena: Arena, window: Window, size: int, read_only: bool, description: str) -> None:
        self.arena = arena
        self.window = window
        self.size = size
        self.read_only = read_only
        self.description = description
        self._closed = False
        view = arena.memory[window.offset : window.offset + size]
        self.buf: memoryview = view.toreadonly() if read_only else view

    @property
    def offset(self) -> int:
        """Where the segment starts in the arena's memory."""
        return self.window.offset

    @property
    def address(self) -> int:
        """Process address of the segment's first byte."""
        return self.window.address

    @property
    def closed(self) -> bool:
        return self._closed

    def numpy(self, dtype: Any = "u1", offset: int = 0, count: int = -1) -> Any:
        """A NumPy array over the segment's bytes (no copy)."""
        import numpy

        return numpy.frombuffer(self.buf, dtype=dtype, count=count, offset=offset)

    def close(self) -> None:
        """Unmaps the segment (the kernel object stays; see remove)."""
        if self._closed:
            return
        self._closed = True
        self.arena.release(self.window)
        self._after_close()

    def _after_close(self) -> None:
        pass

    def __enter__(self) -> "Segment":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{self.size} bytes"
        return f"<{self.description}, {state}>"


def _ensure_size(fd: int, size: int, what: str, object: Optional[str] = None) -> None:
    """Grows the object to at least `size` bytes with its pages reserved, so a
    full /dev/shm is ENOSPC here rather than SIGBUS at the first write.
    posix_fallocate never shrinks, so a creator racing one that asked for
    more cannot cut the other's segment, and a failure leaves the size as it
    was (nothing is undone by hand)."""
    try:
        os.posix_fallocate(fd, 0, size)
    except OSError as error:
        number = error.errno or errno.EIO
        advice = "free space in the file system (df -h) or ask for less" if number == errno.ENOSPC else ""
        raise os_error("posix_fallocate", number, what, advice, object=object) from None


def _reserve_pages(fd: int, size: int, what: str, object: Optional[str] = None) -> None:
    """At a writable open: pages another program left sparse (ftruncate
    alone) get storage now, ENOSPC here instead of SIGBUS at a later write.
    Plain fallocate, never posix_fallocate's fallback of writing zeros, which
    could overwrite what a peer writes meanwhile: where the file system cannot
    reserve, nothing is."""
    while _libc.fallocate(fd, 0, 0, size) == -1:
        number = _libc.errno()
        if number == errno.EINTR:
            continue  # tmpfs gives up a long reservation for any signal
        if number == errno.EOPNOTSUPP:
            return
        advice = ("it is sparse and the file system has no room for its pages; a write there would kill this process with SIGBUS. "
                  "Free space (df -h) or open it with read_only=True") if number in (errno.ENOSPC, errno.EDQUOT) else ""
        raise os_error("fallocate", number, what, advice, object=object)


def _map_fd(arena: Arena, fd: int, size: int, read_only: bool, what: str) -> Window:
    window = arena.claim(size)
    try:
        _libc.map_fixed(window.address, size, fd, read_only, what)
    except BaseException:
        arena.release(window)
        raise
    return window


# System V


@dataclass(frozen=True)
class SysVStat:
    id: int
    key: int
    size: int
    mode: int
    uid: int
    gid: int
    cuid: int
    cgid: int
    creator_pid: int
    last_pid: int
    attachments: int
    attach_time: int
    detach_time: int
    change_time: int
    removed: bool
    """Marked for removal (IPC_RMID); it goes when the last user detaches."""


_SHM_DEST = 0o1000  # in shm_perm.mode: marked for removal


def _sysv_stat(shmid: int) -> SysVStat:
    ds = _libc.ShmidDs()
    _libc.check(_libc.shmctl(shmid, _libc.IPC_STAT, ctypes.byref(ds)), "shmctl", f"id {shmid}, IPC_STAT")
    perm = ds.perm
    return SysVStat(
        id=shmid, key=perm.key & 0xFFFFFFFF, size=ds.segsz, mode=perm.mode & 0o777, uid=perm.uid, gid=perm.gid,
        cuid=perm.cuid, cgid=perm.cgid, creator_pid=ds.cpid, last_pid=ds.lpid, attachments=ds.nattch,
        attach_time=ds.atime, detach_time=ds.dtime, change_time=ds.ctime, removed=bool(perm.mode & _SHM_DEST),
    )


def _make_or_find(raw_key: int, size: int, mode: int, exclusive: bool, note: Optional[CreationNote]) -> tuple[int, bool]:
    """The segment's id, and whether this call made it. A segment under the
    key is opened (and then checked); else one is made with IPC_EXCL, never
    taking another's for one this call made, and only then is `note` written."""
    while True:
        if not exclusive and raw_key != 0:
            shmid = _libc.shmget(raw_key, 0, 0)
            if shmid != -1:
                return shmid, False
            number = _libc.errno()
            if number != errno.ENOENT:
                break
        if note is not None:
            note.making()
        shmid = _libc.shmget(raw_key, size, _libc.IPC_CREAT | _libc.IPC_EXCL | mode)
        if shmid != -1:
            if note is not None:
                note.made(shmid)
            return shmid, True
        number = _libc.errno()
        if exclusive or number != errno.EEXIST:  # EEXIST: made by another between the two calls; open it
            break
    key = raw_key & 0xFFFFFFFF
    raise os_error("shmget", number, f"key {key:#x}, {size} bytes",
                   "pick another key, or open the existing one with SysV.open" if number == errno.EEXIST else
                   "see `ipcs -l` for the limits, and `ipcs -m` for who holds what", object=f"key {key:#x}")


def _sysv_exists(shmid: int) -> bool:
    """Whether segment `shmid` is still there (IPC_STAT fails once it is destroyed)."""
    return _libc.shmctl(shmid, _libc.IPC_STAT, ctypes.byref(_libc.ShmidDs())) != -1


def _check_key(key: Any, where: str) -> int:
    if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key <= 0xFFFFFFFF:
        raise invalid_argument(f"{where}: key must be a 32-bit number (0 for IPC_PRIVATE): key={key!r}")
    return key - (1 << 32) if key >= 1 << 31 else key


class SysV(Segment):
    """A System V shared memory segment."""

    def __init__(self, arena: Arena, window: Window, shmid: int, size: int, read_only: bool, created: bool) -> None:
        super().__init__(arena, window, size, read_only, f"System V segment {shmid}")
        self.id = shmid
        self.created = created

    @staticmethod
    def ftok(path: str, project: int = 1) -> int:
        """The key ftok(3) makes of an existing file's inode and `project`."""
        if isinstance(project, bool) or not isinstance(project, int) or not 1 <= project <= 255:
            raise invalid_argument(f"SysV.ftok: project must be 1 … 255: project={project!r}")
        key = _libc.ftok(os.fsencode(path), project)
        if key == -1:
            raise os_error("ftok", _libc.errno(), repr(path), "the file must exist: ftok names its inode")
        return key & 0xFFFFFFFF

    @classmethod
    @checked_arguments
    def create(
        cls, size: int, *, key: int = 0, mode: int = 0o600, exclusive: bool = True, allow_foreign_owner: bool = False,
        arena: Optional[Arena] = None,
    ) -> "SysV":
        """A new segment of `size` bytes: private (key 0, IPC_PRIVATE) or under `key`.
        With exclusive=False an existing segment under `key` is joined, if this
        user made it and its mode is within `mode` (see check_joinable)."""
        return cls._create(size, key, mode, exclusive, allow_foreign_owner, arena, None)

    @classmethod
    def _create(cls, size: int, key: int, mode: int, exclusive: bool, allow_foreign_owner: bool, arena: Optional[Arena],
                note: Optional[CreationNote]) -> "SysV":
        """create(), telling `note` (open_or_create's creation note) of the call that may make the segment."""
        _check_size(size, "SysV.create")
        raw_key = _check_key(key, "SysV.create")
        _check_mode(mode, "SysV.create")
        _check_flag(exclusive, "exclusive", "SysV.create")
        _check_flag(allow_foreign_owner, "allow_foreign_owner", "SysV.create")
        while True:
            shmid, created = _make_or_find(raw_key, size, mode, exclusive, note)
            try:
                if not created:
                    found = _sysv_stat(shmid)
                    check_joinable(f"System V segment {shmid} (key {key:#x})", uid=found.uid, mode=found.mode, creator_uid=found.cuid,
                                   wanted_mode=mode, allow_foreign_owner=allow_foreign_owner, removal=f"ipcrm -m {shmid}")
                return cls._attach(shmid, False, created, arena or Arena.default())
            except BaseException as error:
                # Removed between shmget and shmat (by gc, or by its last user:
                # a joiner may attach and format it before its creator does,
                # and leave): this call never used it; the key leads on.
                if isinstance(error, ShmError) and not _sysv_exists(shmid):
                    continue
                if created:
                    _libc.shmctl(shmid, _libc.IPC_RMID, None)  # nothing half-made stays behind
                raise

    @classmethod
    @checked_arguments
    def open(cls, *, id: Optional[int] = None, key: Optional[int] = None, read_only: bool = False, arena: Optional[Arena] = None) -> "SysV":
        """An existing segment, by `id` or by `key`."""
        if (id is None) == (key is None):
            raise invalid_argument("SysV.open: give id= or key=, one of them")
        if key is not None:
            shmid = _libc.shmget(_check_key(key, "SysV.open"), 0, 0)
            if shmid == -1:
                raise os_error("shmget", _libc.errno(), f"key {key:#x}", "create it first, or check the key (`ipcs -m`)", object=f"key {key:#x}")
        else:
            if isinstance(id, bool) or not isinstance(id, int) or id < 0:
                raise invalid_argument(f"SysV.open: id must be a segment id ≥ 0: id={id!r}")
            shmid = id
        return cls._attach(shmid, read_only, False, arena or Arena.default())

    @classmethod
    def _attach(cls, shmid: int, read_only: bool, created: bool, arena: Arena) -> "SysV":
        size = _sysv_stat(shmid).size
        window = arena.claim(size)
        flags = _libc.SHM_REMAP | (_libc.SHM_RDONLY if read_only else 0)
        at = _libc.shmat(shmid, window.address, flags)
        if at in (None, _libc.MAP_FAILED):
            number = _libc.errno()
            arena.release(window, mapped=False)
            raise os_error("shmat", number, f"id {shmid}", "check its mode (`ipcs -m`); attach read_only=True to read only" if number == errno.EACCES else "")
        return cls(arena, window, shmid, size, read_only, created)

    def stat(self) -> SysVStat:
        return _sysv_stat(self.id)

    def remove(self) -> None:
        """Marks the segment for removal: it goes when the last process detaches."""
        SysV.remove_id(self.id)

    @staticmethod
    def remove_id(shmid: int) -> None:
        _libc.check(_libc.shmctl(shmid, _libc.IPC_RMID, None), "shmctl", f"id {shmid}, IPC_RMID")

    @property
    def key(self) -> int:
        return self.stat().key


# POSIX and memfd: file descriptors


@dataclass(frozen=True)
class FdStat:
    size: int
    mode: int
    uid: int
    gid: int
    inode: int
    change_time: float


def _fd_stat(fd: int) -> FdStat:
    st = os.fstat(fd)
    return FdStat(size=st.st_size, mode=_stat.S_IMODE(st.st_mode), uid=st.st_uid, gid=st.st_gid, inode=st.st_ino, change_time=st.st_ctime)


class FdSegment(Segment):
    """A segment backed by a file descriptor, which it keeps open."""

    def __init__(self, arena: Arena, window: Window, fd: int, size: int, read_only: bool, description: str) -> None:
        super().__init__(arena, window, size, read_only, description)
        self.fd = fd

    def stat(self) -> FdStat:
        return _fd_stat(self.fd)

    def _after_close(self) -> None:
        os.close(self.fd)


def _check_posix_name(name: Any, where: str) -> bytes:
    if not isinstance(name, str) or not name.startswith("/") or "/" in name[1:] or len(name) < 2 or len(name.encode()) > 255:
        raise invalid_argument(f"{where}: a POSIX name is '/' and up to 254 more bytes without '/', like '/plant': name={name!r}")
    return name.encode()


class Posix(FdSegment):
    """A POSIX shared memory object (/dev/shm/NAME)."""

    def __init__(self, arena: Arena, window: Window, fd: int, size: int, read_only: bool, name: str, created: bool) -> None:
        super().__init__(arena, window, fd, size, read_only, f"POSIX segment {name}")
        self.name = name
        self.created = created

    @classmethod
    @checked_arguments
    def create(
        cls, name: str, size: int, *, mode: int = 0o600, exclusive: bool = True, allow_foreign_owner: bool = False,
        arena: Optional[Arena] = None,
    ) -> "Posix":
        """A new object of `size` bytes; with exclusive=False an existing one is
        joined (and grown to `size`), if this user owns it and its mode is
        within `mode` (see check_joinable)."""
        return cls._create(name, size, mode, exclusive, allow_foreign_owner, arena, None)

    @classmethod
    def _create(cls, name: str, size: int, mode: int, exclusive: bool, allow_foreign_owner: bool, arena: Optional[Arena],
                note: Optional[CreationNote]) -> "Posix":
        """create(), telling `note` (open_or_create's creation note) of the call that may make the object."""
        encoded = _check_posix_name(name, "Posix.create")
        _check_size(size, "Posix.create")
        _check_mode(mode, "Posix.create")
        _check_flag(exclusive, "exclusive", "Posix.create")
        _check_flag(allow_foreign_owner, "allow_foreign_owner", "Posix.create")
        fd, created = _open_or_make(encoded, name, mode, exclusive, note)
        try:
            if created:
                os.fchmod(fd, mode)  # shm_open applies the umask; the mode asked for is the mode given (as in the Node host)
            else:
                # Before anything is changed: a refused object is left as it was found.
                found = os.fstat(fd)
                check_joinable(f"POSIX segment {name}", uid=found.st_uid, mode=_stat.S_IMODE(found.st_mode), creator_uid=None,
                               wanted_mode=mode, allow_foreign_owner=allow_foreign_owner, removal=f"rm /dev/shm{name}")
            _ensure_size(fd, size, repr(name), object=name)
            return cls(arena or Arena.default(), _map_fd(arena or Arena.default(), fd, size, False, repr(name)), fd, size, False, name, created)
        except BaseException:
            os.close(fd)
            if created:
                _libc.shm_unlink(encoded)
            raise

    @classmethod
    @checked_arguments
    def open(cls, name: str, *, read_only: bool = False, arena: Optional[Arena] = None) -> "Posix":
        encoded = _check_posix_name(name, "Posix.open")
        fd = _libc.shm_open(encoded, os.O_RDONLY if read_only else os.O_RDWR, 0)
        if fd == -1:
            raise os_error("shm_open", _libc.errno(), repr(name), "create it first, or check the name (ls /dev/shm)", object=name)
        try:
            size = os.fstat(fd).st_size
            if size == 0:
                raise shm_error("EINVAL", f"POSIX segment {name} is empty (0 bytes): its creator has not sized it yet", object=name)
            if not read_only:
                _reserve_pages(fd, size, repr(name), object=name)
            arena = arena or Arena.default()
            return cls(arena, _map_fd(arena, fd, size, read_only, repr(name)), fd, size, read_only, name, False)
        except BaseException:
            os.close(fd)
            raise

    def remove(self) -> None:
        Posix.unlink(self.name)

    def names_itself(self) -> bool:
        """Whether the name still leads to this object (not to one made after it was removed)."""
        try:
            named, held = os.stat(f"/dev/shm{self.name}"), os.fstat(self.fd)
        except OSError:
            return False
        return (named.st_ino, named.st_dev) == (held.st_ino, held.st_dev)

    @staticmethod
    def unlink(name: str) -> None:
        """Removes the name; mappings stay valid until closed."""
        encoded = _check_posix_name(name, "Posix.unlink")
        if _libc.shm_unlink(encoded) == -1:
            raise os_error("shm_unlink", _libc.errno(), repr(name), object=name)


def _open_or_make(encoded: bytes, name: str, mode: int, exclusive: bool, note: Optional[CreationNote]) -> tuple[int, bool]:
    """The object's descriptor, and whether this call made it. An existing
    object is opened; else it is made with O_EXCL, so that one found empty
    (its maker has not sized it yet) is joined, not taken for one's own and
    removed on a failure, and only then is `note` written."""
    while True:
        if not exclusive:
            fd = _libc.shm_open(encoded, os.O_RDWR, 0)
            if fd != -1:
                return fd, False
            number = _libc.errno()
            if number != errno.ENOENT:
                raise os_error("shm_open", number, repr(name), object=name)
        if note is not None:
            note.making()
        fd = _libc.shm_open(encoded, os.O_RDWR | os.O_CREAT | os.O_EXCL, mode)
        if fd != -1:
            if note is not None:
                note.made(os.fstat(fd).st_ino)
            return fd, True
        number = _libc.errno()
        if exclusive or number != errno.EEXIST:  # EEXIST: made by another between the two calls; open it
            advice = "pick another name, or open it with Posix.open" if number == errno.EEXIST else ""
            raise os_error("shm_open", number, repr(name), advice, object=name)


class Memfd(FdSegment):
    """Anonymous shared memory (memfd_create): reachable only through its
    descriptor, by a child that inherits it or by /proc/PID/fd/N."""

    @classmethod
    @checked_arguments
    def create(cls, size: int, *, name: str = "shmkit", arena: Optional[Arena] = None) -> "Memfd":
        _check_size(size, "Memfd.create")
        if not isinstance(name, str) or not 0 < len(name.encode()) <= 249:
            raise invalid_argument(f"Memfd.create: name must be 1 … 249 bytes: name={name!r}")
        fd = os.memfd_create(name, os.MFD_CLOEXEC)
        try:
            _ensure_size(fd, size, f"memfd {name!r}")
            arena = arena or Arena.default()
            return cls(arena, _map_fd(arena, fd, size, False, f"memfd {name}"), fd, size, False, f"memfd {name!r} (fd {fd})")
        except BaseException:
            os.close(fd)
            raise

    @classmethod
    @checked_arguments
    def open(cls, path: str, *, read_only: bool = False, arena: Optional[Arena] = None) -> "Memfd":
        """Another process's memfd, by its /proc/PID/fd/N path (or one inherited: /proc/self/fd/N)."""
        try:
            fd = os.open(path, os.O_RDONLY if read_only else os.O_RDWR)
        except OSError as error:
            raise os_error("open", error.errno or 0, repr(path), "the owner must be alive and let you ptrace-read it (same user)") from None
        try:
            size = os.fstat(fd).st_size
            if size == 0:
                raise invalid_argument(f"{path} is empty: not a sized memfd")
            if not read_only:
                _reserve_pages(fd, size, repr(path))
            arena = arena or Arena.default()
            return cls(arena, _map_fd(arena, fd, size, read_only, path), fd, size, read_only, f"memfd {path}")
        except BaseException:
            os.close(fd)
            raise

    @property
    def path(self) -> str:
        """Where another process of this user opens it."""
        return f"/proc/{os.getpid()}/fd/{self.fd}"
