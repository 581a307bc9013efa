"""Roles of tests/conformance/channel/*.ts, played through the Python host."""
from __future__ import annotations

import struct

from scenario import WAIT, atomic_words


def numbered_message(sender: int, seq: int, length: int | None = None) -> bytes:
    """tests/conformance/channel/messages.ts's numberedMessage: [sender u32][seq u32] then a pattern of both."""
    if length is None:
        length = 8 + (seq * 7) % 65
    head = struct.pack("<II", sender, seq)
    return head + bytes((seq * 31 + sender * 17 + i) & 255 for i in range(8, length))


def read_numbered(data: bytes, length: int | None = None):  # noqa: ANN201
    if len(data) < 8:
        return None
    sender, seq = struct.unpack_from("<II", data)
    return (sender, seq) if data == numbered_message(sender, seq, length) else None


def _spsc(capacity: int):  # noqa: ANN202
    def produce(seg, params: dict, say) -> dict:
        with seg.ring("ring", capacity).producer() as producer:
            for seq in range(params["count"]):
                if not producer.send(numbered_message(0, seq), timeout=WAIT):
                    raise RuntimeError("send timed out: the consumer stopped taking")
        return {}

    def consume(seg, params: dict, say) -> dict:
        with seg.ring("ring", capacity).consumer() as consumer:
            received = misplaced = 0
            while (message := consumer.receive(timeout=WAIT)) is not None:
                got = read_numbered(message)
                if got is None or got[1] != received:
                    misplaced += 1
                received += 1
            return {"received": received, "misplaced": misplaced, "ended": consumer.ended}

    return produce, consume


SLOT_SIZE = 16
PRODUCERS = 2


def _mpmc(slots: int):  # noqa: ANN202
    def produce(seg, params: dict, say) -> dict:
        queue = seg.queue("queue", slots, SLOT_SIZE)
        for seq in range(params["count"]):
            if not queue.send(numbered_message(params["producer"], seq, SLOT_SIZE), timeout=WAIT):
                raise RuntimeError("send timed out: the consumers stopped taking")
        if atomic_words(seg, "producersDone", 1).add(0, 1) == PRODUCERS - 1:
            queue.close()  # the last producer ends it
        return {}

    def consume(seg, params: dict, say) -> dict:
        queue = seg.queue("queue", slots, SLOT_SIZE)
        taken: list[int] = []
        damaged = out_of_order = 0
        last_seq: dict[int, int] = {}
        while (message := queue.receive(timeout=WAIT)) is not None:
            got = read_numbered(message, SLOT_SIZE)
            if got is None:
                damaged += 1
                continue
            sender, seq = got
            if seq <= last_seq.get(sender, -1):
                out_of_order += 1
            last_seq[sender] = seq
            taken += [sender, seq]
        return {"taken": taken, "damaged": damaged, "outOfOrder": out_of_order, "ended": queue.ended}

    return produce, consume


READERS = 2
BROADCAST_SLOT_SIZE = 128


def _broadcast(mode: str):  # noqa: ANN202
    def write(seg, params: dict, say) -> dict:
        import time

        subscribed = atomic_words(seg, "subscribed", 1)
        while subscribed.load(0) < READERS:  # backpressure only holds the writer for readers already subscribed
            time.sleep(0.005)
        with seg.broadcast("bc", 16, BROADCAST_SLOT_SIZE, mode=mode).writer() as writer:
            for seq in range(params["count"]):
                if not writer.publish(numbered_message(0, seq), timeout=WAIT):
                    raise RuntimeError("publish timed out")
        return {}

    def read(seg, params: dict, say) -> dict:
        reader = seg.broadcast("bc", 16, BROADCAST_SLOT_SIZE, mode=mode).reader()
        atomic_words(seg, "subscribed", 1).add(0, 1)
        received = damaged = backwards = 0
        last = -1
        while (message := reader.receive(timeout=WAIT)) is not None:
            got = read_numbered(message)
            if got is None:
                damaged += 1
            elif got[1] <= last:
                backwards += 1
            else:
                last = got[1]
            received += 1
        result = {"received": received, "lost": reader.lost, "damaged": damaged, "backwards": backwards, "ended": reader.ended}
        reader.close()
        return result

    return write, read


ROLES = {}
for index, mode in enumerate(("backpressure", "lossy")):
    write, read = _broadcast(mode)
    ROLES[("broadcast", index, "write")] = write
    ROLES[("broadcast", index, "read")] = read
for index, capacity in enumerate((1 << 16, 256)):
    produce, consume = _spsc(capacity)
    ROLES[("spsc", index, "produce")] = produce
    ROLES[("spsc", index, "consume")] = consume
for index, slots in enumerate((256, 2)):
    produce, consume = _mpmc(slots)
    ROLES[("mpmc", index, "produce")] = produce
    ROLES[("mpmc", index, "consume")] = consume
