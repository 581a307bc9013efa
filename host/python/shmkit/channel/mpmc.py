"""The multi-producer multi-consumer queue (docs/ABI.md, "MPMC queue"):
fixed-size messages, any number of producers and consumers in any
processes, a slot held by a dead party given back (its message counted
lost). One core call moves a message or a batch (mpmcSend, mpmcReceive)."""
from __future__ import annotations

import threading
from typing import Iterator, Optional, Sequence

from .._corruption import corruption
from .._liveness import is_alive
from .._place import Place
from .._wait import WAKE_ALL, Deadline, LivenessSlices, Spinner, check_timeout, sleep_on, wake
from ..errors import ShmError, invalid_argument, shm_error
from ._descriptor import open_descriptor
from ._staging import MAX_BATCH, STAGING_MAX, Staging, as_bytes

_M = 0xFFFFFFFF


def queue_bytes(C: dict, t, slots: int, slot_size: int) -> int:
    """Bytes a queue of this shape occupies; EINVAL when out of range."""
    fewest, most, largest = C["MPMC_MIN_SLOTS"], C["MPMC_MAX_SLOTS"], C["MPMC_MAX_SLOT_SIZE"]
    if isinstance(slots, bool) or not isinstance(slots, int) or not fewest <= slots <= most or slots & (slots - 1):
        raise invalid_argument(f"queue slots must be a power of two from {fewest} to {most}: slots={slots!r}")
    if isinstance(slot_size, bool) or not isinstance(slot_size, int) or not 1 <= slot_size <= largest:
        raise invalid_argument(f"queue slot_size must be a whole number from 1 to {largest}: slot_size={slot_size!r}")
    size = t.mpmcSize(slots, slot_size) & _M
    if not size:
        raise invalid_argument(f"a queue of slots={slots} slot_size={slot_size} is larger than 4 GiB")
    return size


class _ThreadState:
    """Each thread calls its own core instance and stages in its own bytes."""

    def __init__(self, queue: "MpmcQueue") -> None:
        arena = queue.place.arena
        self.tid = threading.get_native_id()
        t = arena.t
        self.send, self.receive, self.sleep_value = t.mpmcSend, t.mpmcReceive, t.mpmcSleepValue
        self.staging = Staging(arena, max(queue.slot_size, min(STAGING_MAX, queue.slot_size * MAX_BATCH)))
        queue._stagings.append(self.staging)


class MpmcQueue:
    """Messages are exactly `slot_size` bytes. `send`/`receive` wait (a
    timeout gives False / None); `try_*` never wait; the `*_many` forms move
    a batch with one core call. `close()` ends the stream for everyone:
    receivers drain what was sent, then get None."""

    @classmethod
    def create(cls, place: Place, slots: int, slot_size: int) -> "MpmcQueue":
        arena = place.arena
        size = queue_bytes(arena.C, arena.t, slots, slot_size)
        if place.end - place.offset < size or arena.t.mpmcInit(place.offset, place.end, slots, slot_size) != 0:
            raise invalid_argument(f"{place.description}: the core refused a queue of slots={slots} slot_size={slot_size} there")
        return cls(place)

    @classmethod
    def open(cls, place: Place, slots: Optional[int] = None, slot_size: Optional[int] = None) -> "MpmcQueue":
        """The queue at `place`; ELAYOUT unless it has the shape given."""
        queue = cls(place)
        if slots is not None and (queue.slots, queue.slot_size) != (slots, slot_size):
            raise shm_error("ELAYOUT", f"{place.description} has slots={queue.slots}, slot_size={queue.slot_size}, not slots={slots}, slot_size={slot_size}", object=place.name)
        return queue

    def __init__(self, place: Place) -> None:
        self.place = place
        arena = place.arena
        C = self._C = arena.C
        self._arena = arena
        self._d = d = open_descriptor(place, "mpmcOpen", "MPMC queue")
        self.slots: int = arena.t.mpmcSlots(d) & _M
        self.slot_size: int = arena.t.mpmcSlotSize(d) & _M
        self._push_signal = place.address + C["MPMC_PUSH_SIGNAL"]
        self._pop_signal = place.address + C["MPMC_POP_SIGNAL"]
        self._wake_flag, self._ended_flag, self._count_mask = C["MPMC_WAKE_PEER"], C["MPMC_ENDED"], C["MPMC_ENDED"] - 1
        self._stagings: list[Staging] = []
        self._local = _LocalFor(self)
        self._spinners = (Spinner(C), Spinner(C))  # pops wait for messages, pushes for room: each learns its own
        self._refusal: Optional[ShmError] = None

    # One message.

    def try_send(self, data) -> bool:  # noqa: ANN001 - bytes-like of slot_size bytes
        """Sends `data` (exactly slot_size bytes): True, or False when full.
        EPIPE (reason 'ended') once the queue was closed."""
        return self._send_batch((data,)) == 1

    def send(self, data, *, timeout: Optional[float] = None) -> bool:  # noqa: ANN001
        if timeout is not None:
            check_timeout(timeout, "send")
        if self.try_send(data):
            return True
        return self._wait(self._C["MPMC_PUSH"], self._push_signal, lambda: self.try_send(data) or None, timeout) is not None

    def try_receive(self) -> Optional[bytes]:
        """The next message, or None when there is none (or the stream ended: see `ended`)."""
        got = self._receive_batch(1)
        return got[0] if got else None

    def receive(self, *, timeout: Optional[float] = None) -> Optional[bytes]:
        """try_receive, waiting: None on timeout or once the stream ended."""
        if timeout is not None:
            check_timeout(timeout, "receive")
        got = self.try_receive()
        if got is not None or self.ended:
            return got
        return self._wait(self._C["MPMC_POP"], self._pop_signal, lambda: self.try_receive() if not self.ended else _END, timeout)

    # Batches.

    def try_send_many(self, messages: Sequence) -> int:
        """Sends as many of `messages` as fit, in order: how many."""
        if isinstance(messages, (bytes, bytearray, memoryview, str)):
            raise invalid_argument("send_many takes a sequence of messages; for one message use send")
        return self._send_batch(messages)

    def send_many(self, messages: Sequence, *, timeout: Optional[float] = None) -> int:
        """Sends every message, waiting for room: how many went (all, unless the time ran out)."""
        deadline = Deadline(check_timeout(timeout, "send_many"))
        sent = self.try_send_many(messages)
        while sent < len(messages):
            rest = messages[sent:]
            got = self._wait(self._C["MPMC_PUSH"], self._push_signal, lambda: self._send_batch(rest) or None, deadline.left())
            if got is None:
                return sent
            sent += got
        return sent

    def try_receive_many(self, max: int = MAX_BATCH) -> list[bytes]:
        if not isinstance(max, int) or isinstance(max, bool) or not 1 <= max <= MAX_BATCH:
            raise invalid_argument(f"max must be from 1 to {MAX_BATCH}: max={max!r}")
        return self._receive_batch(max)

    def receive_many(self, max: int = MAX_BATCH, *, timeout: Optional[float] = None) -> list[bytes]:
        """Up to `max` messages, waiting for the first: [] on timeout or at the end."""
        if timeout is not None:
            check_timeout(timeout, "receive_many")
        got = self.try_receive_many(max)
        if got or self.ended:
            return got
        got = self._wait(self._C["MPMC_POP"], self._pop_signal, lambda: self._receive_batch(max) or (_END if self.ended else None), timeout)
        return got or []

    def __iter__(self) -> Iterator[bytes]:
        """Every message until the stream ends."""
        while True:
            batch = self.receive_many(256)
            if not batch:
                return
            yield from batch

    # The stream.

    def close(self) -> None:
        """Ends the stream for everyone (an ended queue stays ended)."""
        if self._arena.t.mpmcClose(self._d):
            wake(self._push_signal, WAKE_ALL)
            wake(self._pop_signal, WAKE_ALL)

    @property
    def closed(self) -> bool:
        return self._arena.t.mpmcClosed(self._d) != 0

    @property
    def ended(self) -> bool:
        """Closed, and every message sent before the close was taken."""
        return self._arena.t.mpmcEnded(self._d) != 0

    @property
    def length(self) -> int:
        return self._arena.t.mpmcLength(self._d) & _M

    @property
    def lost(self) -> int:
        """Messages given back after their holder died."""
        return int(self._arena.t.mpmcLost(self._d))

    def release(self) -> None:
        """Gives back this handle's descriptor and staging bytes (the queue stays)."""
        for staging in self._stagings:
            staging.release()
        self._stagings.clear()
        self._arena.give_descriptor(self._d)

    # The core calls.

    def _send_batch(self, messages: Sequence) -> int:
        if self._refusal is not None:
            raise self._refusal
        local = self._local.get()
        staging, size = local.staging, self.slot_size
        view, most = staging.view, staging.payload // size
        sent = 0
        while sent < len(messages):
            count = min(most, len(messages) - sent)
            for k in range(count):
                message = messages[sent + k]
                if type(message) is not bytes:
                    message = as_bytes(message)
                if len(message) != size:
                    raise shm_error("EMSGSIZE", f"a message of {len(message)} bytes does not match the queue's slot_size of {size}: every message is exactly slot_size bytes")
                view[k * size : (k + 1) * size] = message
            got = local.send(self._d, local.tid, staging.at, count)
            if got < 0:
                self._failed(got)
            if got & self._wake_flag:
                wake(self._pop_signal, WAKE_ALL)
            done = got & self._count_mask
            sent += done
            if got & self._ended_flag:
                raise shm_error("EPIPE", f"the MPMC queue {self.place.description} has ended: nothing more can be sent (remove it and make a new one to start over)", object=self.place.name, reason="ended")
            if done < count:
                break
        return sent

    def _receive_batch(self, max: int) -> list[bytes]:
        if self._refusal is not None:
            raise self._refusal
        local = self._local.get()
        staging, size = local.staging, self.slot_size
        got = local.receive(self._d, local.tid, staging.at, staging.payload, max)
        if got < 0:
            self._failed(got)
        if got & self._wake_flag:
            wake(self._push_signal, WAKE_ALL)
        count = got & self._count_mask
        if count == 0:
            return []
        block = bytes(staging.view[: count * size])
        return [block[k * size : (k + 1) * size] for k in range(count)] if count > 1 else [block]

    def _failed(self, code: int) -> None:
        if code == self._C["MPMC_CORRUPT_COUNT"]:
            self._refusal = corruption(self._arena, self._d, f"the MPMC queue {self.place.description}", object=self.place.name)
            raise self._refusal
        raise shm_error("EPERM", f"the MPMC queue {self.place.description}: a slot of this thread was given back meanwhile (it was taken for dead)")

    def _reclaim_dead(self, side: int) -> bool:
        """Gives back a slot a dead party holds on `side`; whether it did."""
        t = self._arena.t
        holder = t.mpmcStuck(self._d, side) & _M
        if holder == 0 or is_alive(holder):
            return False
        woke = t.mpmcReclaim(self._d, side, holder, threading.get_native_id())
        if woke == 1:
            wake(self._pop_signal if side == self._C["MPMC_PUSH"] else self._push_signal, WAKE_ALL)
        return woke != self._C["MPMC_NOT_HELD"]

    def _wait(self, side: int, signal: int, attempt, timeout: Optional[float]):  # noqa: ANN001, ANN202
        deadline = Deadline(timeout)
        t = self._arena.t
        spinner = self._spinners[side == self._C["MPMC_PUSH"]]
        got, started = spinner.spin(t, attempt)
        if got is None:
            try:
                got = self._sleep(side, signal, attempt, deadline)
            finally:
                spinner.slept(t, started)
        return None if got is _END else got

    def _sleep(self, side: int, signal: int, attempt, deadline: Deadline):  # noqa: ANN001, ANN202
        local = self._local.get()
        slices = LivenessSlices(self._arena.C, self._arena.t)
        slice_expired = False
        while True:
            value = local.sleep_value(self._d, side) & _M
            got = attempt()
            if got is not None:
                return got
            if slice_expired and self._reclaim_dead(side):
                continue
            if deadline.passed:
                return None
            slice_expired = sleep_on(signal, value, deadline, slices)

    def __repr__(self) -> str:
        return f"<MpmcQueue {self.place.description}, {self.slots} × {self.slot_size} bytes>"


_END = object()
"""What a wait's attempt gives at the end of the stream."""


class _LocalFor(threading.local):
    def __init__(self, queue: MpmcQueue) -> None:
        self._queue = queue
        self._state: Optional[_ThreadState] = None

    def get(self) -> _ThreadState:
        state = self._state
        if state is None:
            state = self._state = _ThreadState(self._queue)
        return state
