"""The single-producer single-consumer ring (docs/ABI.md, "SPSC ring"):
variable-length messages, one producer and one consumer at a time, each
role held by a kernel thread id so a dead holder is seen by anyone, Node
included. Every send and receive is one call into the core (spscSend,
spscReceive), a batch too: the core copies between the ring and this
handle's staging area, Python between the staging area and its bytes.
"""
from __future__ import annotations

import array
import bisect
import collections
import itertools
import threading
from typing import Iterator, Optional, Sequence

from .._corruption import corruption
from .._liveness import is_alive
from .._place import Place
from .._wait import Deadline, LivenessSlices, Spinner, check_timeout, sleep_on, wake
from ..errors import ShmError, invalid_argument, shm_error
from ._descriptor import open_descriptor
from ._staging import MAX_BATCH, STAGING_MAX, Staging, as_bytes

_M = 0xFFFFFFFF


def ring_bytes(C: dict, t, capacity: int) -> int:
    """Bytes a ring of `capacity` data bytes occupies; EINVAL when out of range."""
    size = t.spscSize(capacity) & _M if isinstance(capacity, int) and not isinstance(capacity, bool) and 0 <= capacity <= _M else 0
    if not size:
        raise invalid_argument(
            f"ring capacity must be a power of two from {C['SPSC_MIN_CAPACITY']} to {C['SPSC_MAX_CAPACITY']}: capacity={capacity!r}"
        )
    return size


class SpscRing:
    """A ring at a place; its role handles send and receive."""

    @classmethod
    def create(cls, place: Place, capacity: int) -> "SpscRing":
        """Formats a ring at `place` (nobody may be using it yet)."""
        arena = place.arena
        size = ring_bytes(arena.C, arena.t, capacity)
        if place.end - place.offset < size:
            raise invalid_argument(f"{place.description}: {place.end - place.offset} bytes hold no ring of {size}")
        if arena.t.spscInit(place.offset, place.end, capacity) != 0:
            raise invalid_argument(f"{place.description}: the core refused a ring of capacity {capacity} there")
        return cls(place)

    @classmethod
    def open(cls, place: Place) -> "SpscRing":
        return cls(place)

    def __init__(self, place: Place) -> None:
        self.place = place
        arena = place.arena
        self._descriptor = _open(place)
        t = arena.t
        self.capacity: int = t.spscCapacity(self._descriptor) & _M
        """Data bytes (a power of two)."""
        self.max_message: int = t.spscMaxMessage(self._descriptor) & _M
        """The largest message: half the ring less a record header."""

    @property
    def used(self) -> int:
        """Published bytes not yet released (records, headers and padding)."""
        return self.place.arena.t.spscUsed(self._descriptor) & _M

    def producer(self, *, batch: int = 1) -> "Producer":
        """The producer role, held by this thread until closed; EBUSY while
        another live thread holds it (a dead holder's is taken over).

        With `batch` > 1, send() collects messages and publishes them `batch`
        at a time with one core call (and at flush() and close()): a loop
        of single sends then costs what send_many does, and the consumer
        sees messages only when their batch is published."""
        batch = _check_batch(batch, "producer")
        return Producer(self, _acquire(self.place, self.place.arena.C["SPSC_PRODUCER"], "producer"), batch)

    def consumer(self, *, read_ahead: int = 1) -> "Consumer":
        """The consumer role; messages a dead consumer peeked but never released come again.

        With `read_ahead` > 1, a receive() that finds the handle's own
        buffer empty takes up to that many messages with one core call and
        hands them out one by one: released from the ring at once, so a
        consumer that dies loses what it read ahead."""
        read_ahead = _check_batch(read_ahead, "consumer", "read_ahead")
        return Consumer(self, _acquire(self.place, self.place.arena.C["SPSC_CONSUMER"], "consumer"), read_ahead)

    def close(self) -> None:
        if self._descriptor is not None:
            self.place.arena.give_descriptor(self._descriptor)
            self._descriptor = None

    def __repr__(self) -> str:
        return f"<SpscRing {self.place.description}, {self.capacity} bytes>"


def _check_batch(value: int, where: str, name: str = "batch") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_BATCH:
        raise invalid_argument(f"{where}: {name} must be from 1 to {MAX_BATCH}: {name}={value!r}")
    return value


def _open(place: Place) -> int:
    return open_descriptor(place, "spscOpen", "SPSC ring")


def _acquire(place: Place, role: int, what: str) -> int:
    """A descriptor of the ring with `role` taken for this thread."""
    arena = place.arena
    d = _open(place)
    me = threading.get_native_id()
    try:
        while True:
            holder = arena.t.spscAcquire(d, role, me) & _M
            if holder == 0:
                return d
            if holder != me and not is_alive(holder):
                if arena.t.spscTakeOver(d, role, holder, me):
                    return d
                continue  # another took it over first: ask again
            who = "this thread already holds it (close that handle first)" if holder == me else f"thread {holder} holds it"
            raise shm_error("EBUSY", f"the {what} role of {place.description} is taken: {who}", object=place.name)
    except BaseException:
        arena.give_descriptor(d)
        raise


class _Role:
    _role_name = ""

    def __init__(self, ring: SpscRing, d: int) -> None:
        place = ring.place
        arena = place.arena
        C = arena.C
        self.ring = ring
        self._arena = arena
        self._d = d
        self._thread = threading.get_ident()
        self._tid = threading.get_native_id()
        self._t = t = arena.t
        self._spinner = Spinner(arena.C)
        producer = self._role_name == "producer"
        self._role = C["SPSC_PRODUCER"] if producer else C["SPSC_CONSUMER"]
        self._peer_role = C["SPSC_CONSUMER"] if producer else C["SPSC_PRODUCER"]
        tail, head = place.address + C["SPSC_TAIL"], place.address + C["SPSC_HEAD"]
        self._publish_word, self._sleep_word = (tail, head) if producer else (head, tail)
        self._closed_word = C["SPSC_CLOSED"]
        self._wake_flag = C["SPSC_WAKE_PEER"]
        self.max_message = ring.max_message
        self._in_place = ring.max_message > STAGING_MAX
        self._staging = Staging(arena, max(65536, min(ring.max_message, STAGING_MAX)))
        self._refusal: Optional[ShmError] = None
        self._holder = t.spscHolder

    # Lifetime.

    @property
    def closed(self) -> bool:
        return self._refusal is not None and self._refusal.code == "EBADF"

    def close(self) -> None:
        """Gives the role up: the other side then sees it closed. Harmless twice.
        A batching producer publishes what it collected first."""
        if self.closed:
            return
        self._check_thread()
        if getattr(self, "_pending", None):
            self.flush()
        self._refusal = shm_error("EBADF", f"this SPSC {self._role_name} handle is closed; take the role again")
        self._t.spscLeave(self._d, self._role, self._tid)
        wake(self._publish_word, 1)  # a sleeping peer learns it now, not a slice later
        self._staging.release()
        self._arena.give_descriptor(self._d)

    def __enter__(self):  # noqa: ANN204
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Checks kept off the hot path's common case.

    def _check_thread(self) -> None:
        if threading.get_ident() != self._thread:
            raise shm_error(
                "EPERM",
                f"this SPSC {self._role_name} handle belongs to the thread that took the role (its id is the role's "
                "holder); take the role in this thread instead",
            )

    def _refuse(self) -> None:
        if self._refusal is not None:
            raise self._refusal
        self._check_thread()

    def _corrupt(self) -> None:
        self._refusal = corruption(self._arena, self._d, f"the SPSC ring {self.ring.place.description}", object=self.ring.place.name)
        raise self._refusal

    def _peer_left(self) -> bool:
        return self._holder(self._d, self._peer_role) & _M == self._closed_word

    def _wait(self, attempt, timeout: Optional[float], what: str):
        """Tries `attempt` (spinning first), then sleeps on the peer's cursor
        until it gives something: that, or None on timeout or when the peer
        left (see _peer_closed). A peer that died is asked about after each
        quiet liveness slice, and ends the wait (EPIPE, reason 'peer-died')."""
        deadline = Deadline(check_timeout(timeout, what))
        got, started = self._spinner.spin(self._t, attempt)
        if got is not None:
            return got
        try:
            return self._sleep(attempt, deadline)
        finally:
            self._spinner.slept(self._t, started)

    def _sleep(self, attempt, deadline: Deadline):  # noqa: ANN001, ANN202
        t, d, role = self._t, self._d, self._role
        t.spscSleepBegin(d, role)
        try:
            slices = LivenessSlices(self._arena.C, t)
            slice_expired = False
            while True:
                # The peer and the word to sleep on are read before the attempt:
                # whatever the peer published before leaving or dying is then seen.
                peer = self._holder(d, self._peer_role) & _M
                value = t.spscSleepValue(d, role) & _M
                got = attempt()
                if got is not None:
                    return got
                if peer == self._closed_word:
                    return self._peer_closed()
                if slice_expired and peer and not is_alive(peer):
                    got = attempt()
                    if got is not None:
                        return got
                    other = "consumer" if self._role_name == "producer" else "producer"
                    raise shm_error(
                        "EPIPE",
                        f"the SPSC ring's {other} (thread {peer}) died; nobody will "
                        f"{'make room' if other == 'consumer' else 'send'} until another takes the role",
                        object=self.ring.place.name, reason="peer-died",
                    )
                if deadline.passed:
                    return None
                slice_expired = sleep_on(self._sleep_word, value, deadline, slices)
        finally:
            t.spscSleepEnd(d, role)

    def _peer_closed(self):  # noqa: ANN202
        raise NotImplementedError


class Producer(_Role):
    """The producer of an SPSC ring. `try_send` never waits; `send` waits
    while the ring is full. Messages are bytes-like (bytes, bytearray,
    memoryview, NumPy arrays of bytes)."""

    _role_name = "producer"

    def __init__(self, ring: SpscRing, d: int, batch: int = 1) -> None:
        super().__init__(ring, d)
        self._send = self._t.spscSend
        self._send_many = self._t.spscSendMany
        self._batch = batch
        self._pending: list = []

    def try_send(self, data) -> bool:  # noqa: ANN001 - any bytes-like object
        """Sends `data` as one message: True, or False when the ring is full
        (batching: when the batch could not be published and is full)."""
        if self._batch > 1:
            return self._collect(data, None)
        if self._refusal is not None or threading.get_ident() != self._thread:
            self._refuse()
        if type(data) is not bytes:
            data = as_bytes(data)
        length = len(data)
        staging = self._staging
        if length > staging.payload or self._in_place:
            return self._send_in_place(data)
        staging.view[:length] = data
        sent = self._send(self._d, staging.at, length, 1)
        if sent & self._wake_flag:
            wake(self._publish_word, 1)
            return True
        if sent == 1:
            return True
        if sent == 0:
            if length > self.max_message:
                self._too_long(length)
            return False
        self._corrupt()
        return False

    def send(self, data, *, timeout: Optional[float] = None) -> bool:  # noqa: ANN001
        """try_send, sleeping while the ring is full: True, or False on timeout.
        EPIPE when the consumer died (reason 'peer-died') or left (reason
        'peer-closed') while the ring is full."""
        if timeout is not None:
            check_timeout(timeout, "send")
        if self._batch > 1:
            return self._collect(data, timeout)
        if self.try_send(data):
            return True
        return self._wait(lambda: True if self.try_send(data) else None, timeout, "send") is not None

    def flush(self, *, timeout: Optional[float] = None) -> bool:
        """Publishes what batching collected, waiting for room: whether all went."""
        pending = self._pending
        if pending:
            sent = self.send_many(pending, timeout=timeout)
            del pending[:sent]
        return not pending

    def _collect(self, data, timeout: Optional[float]) -> bool:  # noqa: ANN001
        pending = self._pending
        if len(pending) >= self._batch and not self.flush(timeout=timeout):
            return False  # the ring stayed full: this message is not taken
        if type(data) is not bytes:
            data = bytes(as_bytes(data))  # a copy: the caller may reuse its buffer
        if len(data) > self.max_message:
            self._too_long(len(data))
        pending.append(data)
        if len(pending) >= self._batch:
            sent = self.try_send_many(pending)
            del pending[:sent]
        return True

    def try_send_many(self, messages: Sequence) -> int:
        """Sends as many of `messages` (bytes-likes, in order) as fit, with one
        core call per staging area's worth: how many went. Never waits."""
        if self._refusal is not None or threading.get_ident() != self._thread:
            self._refuse()
        if isinstance(messages, (bytes, bytearray, memoryview, str)):
            raise invalid_argument("send_many takes a sequence of messages; for one message use send")
        if set(map(type, messages)) != {bytes}:  # len() of an array counts elements: take its bytes
            messages = [m if type(m) is bytes else as_bytes(m) for m in messages]
        sizes = list(map(len, messages))
        total = len(messages)
        if total and max(sizes) > self.max_message:  # before anything is sent
            self._too_long(max(sizes))
        staging = self._staging
        capacity = staging.payload
        sent = 0
        while sent < total:
            # As many whole messages as the staging area holds, copied in with
            # one join and one slice (C speed), their lengths with another.
            chunk = sizes[sent : sent + MAX_BATCH]
            count, used = len(chunk), sum(chunk)
            if used > capacity:
                ends = list(itertools.accumulate(chunk))
                count = bisect.bisect_right(ends, capacity)
                used = ends[count - 1] if count else 0
            if count == 0:  # one message larger than the staging area: in place
                if not self._send_in_place(messages[sent]):
                    return sent
                sent += 1
                continue
            staging.view[:used] = b"".join(messages[sent : sent + count])
            staging.lengths[:count] = array.array("I", sizes[sent : sent + count])
            result = self._send_many(self._d, staging.at, staging.lengths_at, count)
            if result < 0:
                self._corrupt()
            if result & self._wake_flag:
                wake(self._publish_word, 1)
                result &= ~self._wake_flag
            sent += result
            if result < count:
                return sent
        return sent

    def send_many(self, messages: Sequence, *, timeout: Optional[float] = None) -> int:
        """Sends every message, sleeping while the ring is full: how many went
        (all of them, unless the timeout ran out first)."""
        deadline = Deadline(check_timeout(timeout, "send_many"))
        sent = self.try_send_many(messages)
        while sent < len(messages):
            rest = messages[sent:]
            got = self._wait(lambda: self.try_send_many(rest) or None, deadline.left(), "send_many")
            if got is None:
                return sent
            sent += got
        return sent

    def _send_in_place(self, data) -> bool:  # noqa: ANN001
        if type(data) is not bytes:
            data = as_bytes(data)
        length = len(data)
        if length > self.max_message:
            self._too_long(length)
        at = self._t.spscClaim(self._d, length) & _M
        if at <= self._arena.C["SPSC_CORRUPT"]:
            if at == self._arena.C["SPSC_NONE"]:
                return False
            self._corrupt()
        self._arena.memory[at : at + length] = data
        if self._t.spscCommit(self._d):
            wake(self._publish_word, 1)
        return True

    def _too_long(self, length: int) -> None:
        raise shm_error("EMSGSIZE", f"a message of {length} bytes is longer than this ring carries ({self.max_message} bytes: half the ring less a record header)")

    def _peer_closed(self):  # noqa: ANN202
        raise shm_error("EPIPE", "the SPSC ring's consumer left and the ring is full: nobody will make room", object=self.ring.place.name, reason="peer-closed")


class Consumer(_Role):
    """The consumer of an SPSC ring. `try_receive` never waits; `receive`
    waits while the ring is empty and gives None at the end of the stream
    (the producer left and everything was read: `ended`). Iterating gives
    every message until the end."""

    _role_name = "consumer"

    def __init__(self, ring: SpscRing, d: int, read_ahead: int = 1) -> None:
        super().__init__(ring, d)
        self._receive = self._t.spscReceive
        self._read_ahead = read_ahead
        self._ahead: collections.deque = collections.deque()

    def try_receive(self) -> Optional[bytes]:
        """The next message (a copy, already released), or None when there is none."""
        ahead = self._ahead
        if ahead:
            return ahead.popleft()
        if self._read_ahead > 1:
            taken = self.try_receive_many(self._read_ahead)
            if not taken:
                return None
            ahead.extend(taken)
            return ahead.popleft()
        if self._refusal is not None or threading.get_ident() != self._thread:
            self._refuse()
        if self._in_place:
            return self._receive_in_place()
        staging = self._staging
        got = self._receive(self._d, staging.at, staging.payload, 1, staging.lengths_at)
        if got & self._wake_flag:
            wake(self._publish_word, 1)
            got &= ~self._wake_flag
        if got == 1:
            return bytes(staging.view[: staging.lengths[0]])
        if got == 0:
            return None
        self._corrupt()
        return None

    def receive(self, *, timeout: Optional[float] = None) -> Optional[bytes]:
        """try_receive, sleeping while the ring is empty: the message, or None
        on timeout or at the end (then `ended` is True). EPIPE (reason
        'peer-died') when the producer died and all it sent was read."""
        if timeout is not None:
            check_timeout(timeout, "receive")
        got = self.try_receive()
        return got if got is not None else self._wait(self.try_receive, timeout, "receive")

    def try_receive_many(self, max: int = MAX_BATCH) -> list[bytes]:
        """Up to `max` messages (copies, released) with one core call; [] when there is none."""
        if self._refusal is not None or threading.get_ident() != self._thread:
            self._refuse()
        if not isinstance(max, int) or not 1 <= max <= MAX_BATCH:
            raise invalid_argument(f"max must be from 1 to {MAX_BATCH}: max={max!r}")
        if self._ahead:  # what was read ahead comes first
            return [self._ahead.popleft() for _ in range(min(max, len(self._ahead)))]
        if self._in_place:
            one = self._receive_in_place()
            return [] if one is None else [one]
        staging = self._staging
        got = self._receive(self._d, staging.at, staging.payload, max, staging.lengths_at)
        if got < 0:
            self._corrupt()
        if got & self._wake_flag:
            wake(self._publish_word, 1)
            got &= ~self._wake_flag
        if got == 0:
            return []
        ends = list(itertools.accumulate(staging.lengths[:got]))
        block = bytes(staging.view[: ends[-1]])
        return [block[start:end] for start, end in zip(itertools.chain((0,), ends), ends)]

    def receive_many(self, max: int = MAX_BATCH, *, timeout: Optional[float] = None) -> list[bytes]:
        """try_receive_many, sleeping until at least one message came: [] on
        timeout or at the end."""
        if timeout is not None:
            check_timeout(timeout, "receive_many")
        got = self.try_receive_many(max)
        if got:
            return got
        return self._wait(lambda: self.try_receive_many(max) or None, timeout, "receive_many") or []

    def try_receive_into(self, buffer, max: int = MAX_BATCH) -> list[int]:  # noqa: ANN001
        """The fastest way in: copies up to `max` messages back to back into
        `buffer` (writable bytes-like, e.g. a NumPy uint8 array; at least
        `max_message` bytes long) and returns their lengths; [] when there is none."""
        if self._refusal is not None or threading.get_ident() != self._thread:
            self._refuse()
        target = memoryview(buffer).cast("B")
        if target.readonly or len(target) < self.max_message:
            raise invalid_argument(f"receive_into: give a writable buffer of at least {self.max_message} bytes (max_message)")
        staging = self._staging
        room = min(len(target), staging.payload)
        got = self._receive(self._d, staging.at, room, min(max, MAX_BATCH), staging.lengths_at)
        if got < 0:
            self._corrupt()
        if got & self._wake_flag:
            wake(self._publish_word, 1)
            got &= ~self._wake_flag
        lengths = staging.lengths[:got].tolist()
        total = sum(lengths)
        target[:total] = staging.view[:total]
        return lengths

    @property
    def ended(self) -> bool:
        """The producer left and nothing is left to read."""
        # In this order: a message published before the leaving is then seen.
        return not self._ahead and self._peer_left() and self._t.spscUsed(self._d) == self._t.spscUnreleased(self._d)

    def __iter__(self) -> Iterator[bytes]:
        while True:
            message = self.receive()
            if message is None:
                return
            yield message

    def _receive_in_place(self) -> Optional[bytes]:
        at = self._t.spscPeek(self._d) & _M
        if at <= self._arena.C["SPSC_CORRUPT"]:
            if at == self._arena.C["SPSC_NONE"]:
                return None
            self._corrupt()
        message = bytes(self._arena.memory[at : at + (self._t.spscLength(self._d) & _M)])
        if self._t.spscRelease(self._d):
            wake(self._publish_word, 1)
        return message

    def _peer_closed(self):  # noqa: ANN202
        return None  # the end of the stream: everything sent was read

