"""The broadcast channel (docs/ABI.md, "Broadcast channel"): one writer,
many readers, each with its own cursor; in backpressure mode the writer
waits for the slowest reader, in lossy mode readers that fall behind skip
what was overwritten (counted in `lost`)."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterator, Optional, Sequence

from .._corruption import corruption
from .._liveness import is_alive
from .._place import Place
from .._wait import WAKE_ALL, Deadline, LivenessSlices, Spinner, check_timeout, sleep_on, wake
from ..errors import ShmError, invalid_argument, shm_error
from ._descriptor import open_descriptor
from ._staging import as_bytes

_M = 0xFFFFFFFF
MODES = ("backpressure", "lossy")


@dataclass(frozen=True)
class Shape:
    slots: int
    slot_size: int
    max_readers: int = 16
    mode: str = "backpressure"


def check_shape(C: dict, slots: int, slot_size: int, max_readers: int, mode: str) -> Shape:
    fewest, most, step, largest, readers = (C[n] for n in ("BCAST_MIN_SLOTS", "BCAST_MAX_SLOTS", "BCAST_SLOT_ALIGN", "BCAST_MAX_SLOT_SIZE", "BCAST_MAX_READERS"))
    whole = lambda v: isinstance(v, int) and not isinstance(v, bool)  # noqa: E731
    if not whole(slots) or not fewest <= slots <= most or slots & (slots - 1):
        raise invalid_argument(f"broadcast slots must be a power of two from {fewest} to {most}: slots={slots!r}")
    if not whole(slot_size) or not step <= slot_size <= largest or slot_size % step:
        raise invalid_argument(f"broadcast slot_size must be a multiple of {step} from {step} to {largest}: slot_size={slot_size!r}")
    if not whole(max_readers) or not 1 <= max_readers <= readers:
        raise invalid_argument(f"broadcast max_readers must be from 1 to {readers}: max_readers={max_readers!r}")
    if mode not in MODES:
        raise invalid_argument(f"broadcast mode must be 'backpressure' or 'lossy': mode={mode!r}")
    return Shape(slots, slot_size, max_readers, mode)


def channel_bytes(C: dict, t, shape: Shape) -> int:
    size = t.bcastSize(shape.slots, shape.slot_size, shape.max_readers) & _M
    if not size:
        raise invalid_argument(f"a broadcast channel of {shape} is larger than 4 GiB")
    return size


class Broadcast:
    """A channel at a place: `writer()` takes the one writer role,
    `reader()` subscribes a reader at the current end."""

    @classmethod
    def create(cls, place: Place, shape: Shape) -> "Broadcast":
        arena = place.arena
        size = channel_bytes(arena.C, arena.t, shape)
        mode = arena.C["BCAST_LOSSY" if shape.mode == "lossy" else "BCAST_BACKPRESSURE"]
        if place.end - place.offset < size or arena.t.bcastInit(place.offset, place.end, shape.slots, shape.slot_size, shape.max_readers, mode) != 0:
            raise invalid_argument(f"{place.description}: the core refused a broadcast channel of {shape} there")
        return cls(place)

    @classmethod
    def open(cls, place: Place, shape: Optional[Shape] = None) -> "Broadcast":
        channel = cls(place)
        if shape is not None and shape != channel.shape:
            raise shm_error("ELAYOUT", f"{place.description} is a broadcast channel of {channel.shape}, not {shape}", object=place.name)
        return channel

    def __init__(self, place: Place) -> None:
        self.place = place
        arena = place.arena
        self._arena = arena
        self._d = _open(place)
        t, d = arena.t, self._d
        mode = t.bcastMode(d)
        self.shape = Shape(t.bcastSlots(d) & _M, t.bcastSlotSize(d) & _M, t.bcastMaxReaders(d) & _M,
                           "lossy" if mode == arena.C["BCAST_LOSSY"] else "backpressure")
        self._progress = place.address + arena.C["BCAST_PROGRESS"]

    @property
    def published(self) -> int:
        return int(self._arena.t.bcastPublished(self._d))

    def writer(self) -> "Writer":
        """The writer role; EBUSY while another live thread holds it (a dead one's is taken over)."""
        arena, C = self._arena, self._arena.C
        d = _open(self.place)
        me = threading.get_native_id()
        try:
            while True:
                holder = arena.t.bcastAcquireWriter(d, me) & _M
                if holder == 0:
                    return Writer(self, d)
                if holder != me and not is_alive(holder):
                    if arena.t.bcastTakeOverWriter(d, holder, me):
                        return Writer(self, d)
                    continue
                who = "this thread already holds it (close that handle first)" if holder == me else f"thread {holder} holds it"
                raise shm_error("EBUSY", f"the writer role of {self.place.description} is taken: {who}", object=self.place.name)
        except BaseException:
            arena.give_descriptor(d)
            raise

    def reader(self) -> "Reader":
        """A new reader from the current end; EBUSY when every entry is held by a live reader."""
        arena = self._arena
        t = arena.t
        d = _open(self.place)
        me = threading.get_native_id()
        index = t.bcastSubscribe(d, me)
        if index < 0 and self._drop_dead_readers():
            index = t.bcastSubscribe(d, me)
        if index < 0:
            arena.give_descriptor(d)
            raise shm_error("EBUSY", f"all {self.shape.max_readers} reader entries of {self.place.description} are taken by live readers; close one, or make the channel with a larger max_readers", object=self.place.name)
        wake(self._progress, 1)  # a sleeping writer may have counted this entry's old cursor
        return Reader(self, d, index)

    def _drop_dead_readers(self) -> bool:
        t, dropped = self._arena.t, False
        for i in range(self.shape.max_readers):
            holder = t.bcastReaderHolder(self._d, i) & _M
            if holder and not is_alive(holder):
                if t.bcastUnsubscribe(self._d, i, holder) & self._arena.C["BCAST_WAKE_WRITER"]:
                    wake(self._progress, 1)
                dropped = True
        return dropped


def _open(place: Place) -> int:
    return open_descriptor(place, "bcastOpen", "broadcast channel")


class _End:
    _writer = False

    def __init__(self, channel: Broadcast, d: int) -> None:
        self.channel = channel
        arena = channel._arena
        self._arena, self._C, self._d = arena, arena.C, d
        self._t = arena.t
        self._spinner = Spinner(self._C)
        self._thread = threading.get_ident()
        self._tid = threading.get_native_id()
        self._read_signal = channel.place.address + self._C["BCAST_READ_SIGNAL"]
        self._progress = channel.place.address + self._C["BCAST_PROGRESS"]
        self._refusal: Optional[ShmError] = None
        self.slot_size = channel.shape.slot_size

    def _check(self) -> None:
        if self._refusal is not None:
            raise self._refusal
        if threading.get_ident() != self._thread:
            raise shm_error("EPERM", "this broadcast handle belongs to the thread that made it; make one in this thread")

    def _corrupt(self) -> None:
        self._refusal = corruption(self._arena, self._d, f"the broadcast channel {self.channel.place.description}", object=self.channel.place.name)
        raise self._refusal

    @property
    def closed(self) -> bool:
        return self._refusal is not None and self._refusal.code == "EBADF"

    def close(self) -> None:
        if self.closed:
            return
        if threading.get_ident() != self._thread:  # a refused (corrupt) handle must still close
            self._check()
        self._refusal = shm_error("EBADF", "this broadcast handle is closed; make another")
        self._leave()
        self._arena.give_descriptor(self._d)

    def __enter__(self):  # noqa: ANN204
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait(self, attempt, timeout: Optional[float], who: int, word: int):  # noqa: ANN001, ANN202
        deadline = Deadline(timeout)
        got, started = self._spinner.spin(self._t, attempt)
        if got is not None:
            return got
        try:
            return self._sleep(attempt, deadline, who, word)
        finally:
            self._spinner.slept(self._t, started)

    def _sleep(self, attempt, deadline: Deadline, who: int, word: int):  # noqa: ANN001, ANN202
        slices = LivenessSlices(self._C, self._t)
        slice_expired = False
        while True:
            value = self._t.bcastSleepValue(self._d, who) & _M
            stop = self._stalled(slice_expired)
            got = attempt()
            if got is not None:
                return got
            if stop is not None:
                return stop()
            if deadline.passed:
                return None
            slice_expired = sleep_on(word, value, deadline, slices)

    def _leave(self) -> None:
        raise NotImplementedError

    def _stalled(self, slice_expired: bool):  # noqa: ANN202
        raise NotImplementedError


class Writer(_End):
    """Publishes messages of at most slot_size bytes to every reader."""

    def try_publish(self, data) -> bool:  # noqa: ANN001
        """True, or False when a backpressure channel is full (its slowest reader is a lap behind)."""
        self._check()
        C, t, d = self._C, self._t, self._d
        if type(data) is not bytes:
            data = as_bytes(data)
        length = len(data)
        at = t.bcastClaim(d, length) & _M
        if at <= C["BCAST_CORRUPT"]:
            if at == C["BCAST_NONE"]:
                return False
            if at != C["BCAST_TOO_LONG"]:
                self._corrupt()
            raise shm_error("EMSGSIZE", f"a message of {length} bytes is larger than this channel's slot_size of {self.slot_size}; make it with larger slots")
        self._arena.memory[at : at + length] = data
        if t.bcastCommit(d):
            wake(self._read_signal, WAKE_ALL)
        return True

    def publish(self, data, *, timeout: Optional[float] = None) -> bool:  # noqa: ANN001
        """try_publish, waiting for room: False when the time ran out."""
        if timeout is not None:
            check_timeout(timeout, "publish")
        if self.try_publish(data):
            return True
        return self._wait(lambda: True if self.try_publish(data) else None, timeout, self._C["BCAST_WRITER"], self._progress) is not None

    def publish_many(self, messages: Sequence, *, timeout: Optional[float] = None) -> int:
        """Publishes every message in order, waiting for room: how many (all, unless the time ran out)."""
        deadline = Deadline(check_timeout(timeout, "publish_many"))
        for sent, message in enumerate(messages):
            if not self.try_publish(message) and not self.publish(message, timeout=deadline.left()):
                return sent
        return len(messages)

    def _stalled(self, slice_expired: bool):  # noqa: ANN202
        if slice_expired:  # readers that died hold nobody back any more
            t = self._t
            for i in range(self.channel.shape.max_readers):
                holder = t.bcastReaderHolder(self._d, i) & _M
                if holder and not is_alive(holder):
                    t.bcastUnsubscribe(self._d, i, holder)
        return None

    def _leave(self) -> None:
        self._t.bcastLeaveWriter(self._d, self._tid)
        wake(self._read_signal, WAKE_ALL)  # sleeping readers learn it now


class Reader(_End):
    """Reads every message published since it subscribed (lossy channels:
    those not overwritten first; `lost` counts the rest)."""

    def __init__(self, channel: Broadcast, d: int, index: int) -> None:
        super().__init__(channel, d)
        self._index = index
        self.lost = 0
        """Messages skipped so far (lossy mode: overwritten before this reader got to them)."""

    def try_receive(self) -> Optional[bytes]:
        self._check()
        C, t, d = self._C, self._t, self._d
        while True:
            at = t.bcastReadBegin(d) & _M
            if at <= C["BCAST_CORRUPT"]:
                if at == C["BCAST_NONE"]:
                    return None
                self._corrupt()
            data = bytes(self._arena.memory[at : at + (t.bcastLength(d) & _M)])
            flags = t.bcastReadEnd(d)
            if flags & C["BCAST_READ_CORRUPT"]:
                self._corrupt()
            if not flags & C["BCAST_READ_OK"]:
                continue  # overwritten while copied: skipped and counted
            if flags & C["BCAST_WAKE_WRITER"]:
                wake(self._progress, 1)
            if flags & C["BCAST_LOST"]:
                self.lost += int(t.bcastTakeSkipped(d))
            return data

    def receive(self, *, timeout: Optional[float] = None) -> Optional[bytes]:
        """The next message, waiting: None on timeout or once the writer left and all was read.
        EPIPE (reason 'peer-died') when the writer died."""
        if timeout is not None:
            check_timeout(timeout, "receive")
        got = self.try_receive()
        return got if got is not None else self._wait(self.try_receive, timeout, self._index, self._read_signal)

    def receive_many(self, max: int = 256, *, timeout: Optional[float] = None) -> list[bytes]:
        """Up to `max` messages, waiting for the first: [] on timeout or at the end."""
        if not isinstance(max, int) or isinstance(max, bool) or max < 1:
            raise invalid_argument(f"max must be a whole number ≥ 1: max={max!r}")
        first = self.receive(timeout=timeout)
        if first is None:
            return []
        out = [first]
        while len(out) < max and (more := self.try_receive()) is not None:
            out.append(more)
        return out

    @property
    def backlog(self) -> int:
        return int(self._t.bcastBacklog(self._d))

    @property
    def ended(self) -> bool:
        return self._t.bcastWriter(self._d) & _M == self._C["BCAST_CLOSED"] and self.backlog == 0

    def __iter__(self) -> Iterator[bytes]:
        while (message := self.receive()) is not None:
            yield message

    def _stalled(self, slice_expired: bool):  # noqa: ANN202
        writer = self._t.bcastWriter(self._d) & _M
        if writer == self._C["BCAST_CLOSED"]:
            return lambda: None
        if slice_expired and writer and not is_alive(writer):
            def died():  # noqa: ANN202
                raise shm_error("EPIPE", f"the broadcast writer (thread {writer}) died; nothing more comes until another takes the writer role",
                                object=self.channel.place.name, reason="peer-died")
            return died
        return None

    def _leave(self) -> None:
        if self._t.bcastUnsubscribe(self._d, self._index, self._tid) & self._C["BCAST_WAKE_WRITER"]:
            wake(self._progress, 1)
