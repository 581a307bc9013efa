"""shmkit's errors: every failure is a `ShmError`, an `OSError` carrying a
real `errno`, the `code` the Node host would give (`'EEXIST'`,
`'ECORRUPT'`, …), the object it concerns and a message that says what to
do. Subclasses let a caller catch the usual Python families:
`FileExistsError`, `FileNotFoundError`, `PermissionError`, `TimeoutError`.
"""
from __future__ import annotations

import errno as _errno
import functools
import inspect
import os
from typing import Any, Callable, Optional, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

# shmkit's own codes, as errnos a Python program can branch on.
_OWN_CODES = {
    "ECORRUPT": _errno.EBADMSG,  # shared bytes that break the format's rules
    "ELAYOUT": _errno.EPROTO,  # another layout, version or kind than asked for
    "ECOREABI": _errno.ENOTSUP,  # core.wasm and this host disagree
    "ECOREABORT": _errno.EFAULT,  # the core trapped
}


class ShmError(OSError):
    """Any shmkit failure. `code` is the Node host's code for the same
    failure; `object` names the segment or object; `reason` says why a
    wait ended early (`'owner-died'`, `'peer-died'`, `'peer-closed'`,
    `'ended'`, `'barrier-broken'`), or is None."""

    code: str
    object: Optional[str]
    reason: Optional[str]

    def __init__(self, message: str, *, code: str = "EIO", object: Optional[str] = None, reason: Optional[str] = None) -> None:
        number = _OWN_CODES.get(code, getattr(_errno, code, _errno.EIO))
        super().__init__(number, message)
        self.code = code
        self.object = object
        self.reason = reason

    def __str__(self) -> str:
        return f"[{self.code}] {self.strerror}"


class ShmExistsError(ShmError, FileExistsError):
    """The segment or object exists already."""


class ShmNotFoundError(ShmError, FileNotFoundError):
    """No such segment or object."""


class ShmPermissionError(ShmError, PermissionError):
    """The kernel, or a read-only attachment, refused."""


class ShmTimeoutError(ShmError, TimeoutError):
    """A setup wait (another process formatting, a directory lock) ran out."""


class CorruptError(ShmError):
    """Shared bytes break the format's rules: another process wrote them."""


class LayoutError(ShmError):
    """The object has another kind, shape, layout or format version."""


class OwnerDiedError(ShmError):
    """A lock's holder died holding it (see the lock's `consistent`)."""


class PeerError(ShmError):
    """The other side died, left or gave up: a channel's peer (reasons
    'peer-died', 'peer-closed') or a barrier's party ('barrier-broken')."""


_BY_CODE = {
    "EEXIST": ShmExistsError,
    "ENOENT": ShmNotFoundError,
    "EACCES": ShmPermissionError,
    "EPERM": ShmPermissionError,
    "ETIMEDOUT": ShmTimeoutError,
    "ECORRUPT": CorruptError,
    "ELAYOUT": LayoutError,
}
_BY_REASON = {"owner-died": OwnerDiedError, "peer-died": PeerError, "peer-closed": PeerError, "barrier-broken": PeerError}


def shm_error(code: str, message: str, *, object: Optional[str] = None, reason: Optional[str] = None) -> ShmError:
    """The ShmError subclass for `code` (or `reason`)."""
    kind = _BY_REASON.get(reason or "") or _BY_CODE.get(code, ShmError)
    return kind(message, code=code, object=object, reason=reason)


def os_error(call: str, number: int, what: str, advice: str = "", *, object: Optional[str] = None) -> ShmError:
    """A failed system call, in words: `shmget(key 0x1234): Permission denied (EACCES); ...`."""
    code = _errno.errorcode.get(number, "EIO")
    text = f"{call}({what}): {os.strerror(number)} ({code})"
    return shm_error(code, f"{text}; {advice}" if advice else text, object=object)


def invalid_argument(message: str) -> ShmError:
    return ShmError(message, code="EINVAL")


def checked_arguments(function: F) -> F:
    """Makes a call with an unknown keyword, or too many or too few
    arguments, a ShmError (EINVAL) naming the parameters there are, instead
    of Python's TypeError. For setup entries only: binding costs a few
    microseconds a call."""
    signature = inspect.signature(function)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            signature.bind(*args, **kwargs)
        except TypeError as error:
            names = ", ".join(name for name in signature.parameters if name not in ("self", "cls"))
            raise invalid_argument(f"{function.__qualname__}: {error} (parameters: {names})") from None
        return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
