"""The live-user table of a formatted segment (assembly/format/users.ts):
every process with the segment open holds a slot, named by its pid, its
start time and its pid namespace. Python registers and leaves exactly as
the Node host does (host/format/users.ts); slots come from the core, bounded
by the capacity it checked at open, and tokens are only ever identities to
ask the kernel about."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ._liveness import judge_user, own_identity
from .errors import ShmError, shm_error

if TYPE_CHECKING:
    from .segments import Segment

_U64 = (1 << 64) - 1


def signed(value: int, bits: int) -> int:
    """`value` as the signed Wasm integer of `bits` bits the core takes (a u32 namespace, a u64 token)."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def own_token(t) -> int:
    pid, start, _ = own_identity()
    return t.userTokenOf(pid, start) & _U64


def holds_on(user: dict) -> bool:
    """A user that keeps the segment in use: anything not known to be dead."""
    return user["state"] not in ("dead", "recycled")


def read_users(t, descriptor: int) -> list[dict]:
    """Every registered user: slot, pid, start, namespace and state."""
    users = []
    judged: dict[tuple[int, int], str] = {}  # a process with several slots is judged once
    for slot in range(t.usersCapacity(descriptor) & 0xFFFFFFFF):
        token = t.userAt(descriptor, slot) & _U64
        if token == 0:
            continue
        pid = t.userTokenPid(signed(token, 64)) & 0xFFFFFFFF
        start = t.userTokenStart(signed(token, 64)) & _U64
        namespace = t.userNamespaceAt(descriptor, slot, signed(token, 64))
        if namespace < 0:
            state = "joining"
        else:
            state = judged.get((token, namespace)) or judged.setdefault((token, namespace), judge_user(pid, start, namespace))
        users.append({"slot": slot, "pid": pid, "start": start, "namespace": max(namespace, 0), "state": state, "token": token})
    return users


def condemned(segment: "Segment", reaper: int) -> ShmError:
    """ESTALE for an opener that found the segment condemned by `reaper`
    (kept as the error's `reaper`, so open_or_create can tell a dead one)."""
    error = shm_error("ESTALE", f"{segment.description} is being removed by process {reaper} (shmkit gc, or its last user leaving); "
                      "open it again by name", reason="being-removed")
    error.reaper = reaper  # type: ignore[attr-defined]
    return error


def join_users(segment: "Segment", descriptor: int) -> int:
    """Registers this process; its slot. Dead users' slots are freed first."""
    arena = segment.arena
    t, C = arena.t, arena.C
    for user in read_users(t, descriptor):
        if not holds_on(user):
            t.userRelease(descriptor, user["slot"], signed(user["token"], 64))
    slot = t.userJoin(descriptor, signed(own_token(t), 64), signed(own_identity()[2], 32), int(time.time() * 1000))
    if slot >= 0:
        return slot
    if slot == C["USERS_GONE"]:
        raise condemned(segment, (t.formatInitWord(segment.offset) & 0xFFFFFFFF) >> C["INIT_PID_SHIFT"])
    if slot == C["USERS_FULL"]:
        raise shm_error("EUSERS", f"{segment.description} has as many live users as its user table holds; close some, or format it with more user slots")
    raise shm_error("EINVAL", f"{segment.description}: this process cannot be registered as a user ({slot})")


def leave_users(t, descriptor: int, slot: int) -> None:
    t.userRelease(descriptor, slot, signed(own_token(t), 64))
