"""shmkit's rows: the SPSC ring and the MPMC queue between two Python
processes (one call per message, and batched), a Node producer into a
Python consumer, round trips blocking and busy-polling."""
from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import shmkit

from harness import CONTEXT

SIZE = 64
ROOT = Path(__file__).resolve().parents[2]


class Segment:
    """A fresh formatted POSIX segment for one run, removed after it."""

    def __init__(self, size: int = 1 << 24) -> None:
        self.name = f"/shmkit-bench-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.size = size
        self.seg = shmkit.open_or_create("posix", name=self.name, size=size)

    def open(self) -> shmkit.FormattedSegment:
        return shmkit.open_or_create("posix", name=self.name, size=self.size)

    def remove(self) -> None:
        self.seg.remove_segment()
        self.seg.close()


class Ring:
    name = "shmkit SPSC ring"

    def stream(self, count: int, batch: int, capacity: int = 1 << 20):  # noqa: ANN201
        segment = Segment()
        segment.seg.ring("r", capacity)
        message = bytes(SIZE)

        def producer(_, go) -> None:
            with segment.open() as seg, seg.ring("r", capacity).producer() as tx:
                go()
                if batch == 1:
                    send = tx.send
                    for _ in range(count):
                        send(message)
                else:
                    block = [message] * batch
                    for _ in range(count // batch):
                        tx.send_many(block)

        def consumer(_, go) -> None:
            with segment.open() as seg, seg.ring("r", capacity).consumer() as rx:
                go()
                got = 0
                if batch == 1:
                    receive = rx.receive
                    while got < count:
                        receive()
                        got += 1
                else:
                    while got < count:
                        got += len(rx.receive_many(4096))

        return producer, consumer, segment.remove

    def from_node(self, count: int, capacity: int = 1 << 20):  # noqa: ANN201
        """A Node producer (bench/python/node-producer.ts, sendPacked) into a Python consumer."""
        segment = Segment()
        segment.seg.ring("r", capacity)

        def producer(_, go) -> None:
            node = subprocess.Popen(["node", "--import", "tsx", str(ROOT / "bench/python/node-producer.ts"), segment.name, str(capacity), str(count)],
                                    cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            assert node.stdout.readline().strip() == "ready"  # it holds the producer role
            go()
            node.stdin.write("go\n")
            node.stdin.flush()
            assert node.wait(300) == 0

        def consumer(_, go) -> None:
            with segment.open() as seg, seg.ring("r", capacity).consumer() as rx:
                go()
                got = 0
                while got < count:
                    got += len(rx.receive_many(4096))

        return producer, consumer, segment.remove

    def ping_pong(self, rounds: int, busy: bool):  # noqa: ANN201
        segment = Segment()
        segment.seg.ring("ping", 1 << 12)
        segment.seg.ring("pong", 1 << 12)
        message = bytes(SIZE)

        def side(first: bool):  # noqa: ANN202
            def run(_, go) -> None:
                with segment.open() as seg:
                    out = seg.ring("ping" if first else "pong", 1 << 12).producer()
                    inbox = seg.ring("pong" if first else "ping", 1 << 12).consumer()
                    go()
                    receive = inbox.try_receive if busy else inbox.receive
                    for _ in range(rounds):
                        if first:
                            out.send(message)
                        while receive() is None:
                            pass
                        if not first:
                            out.send(message)
                    out.close()
                    inbox.close()
            return run

        return side(False), side(True), segment.remove


class Queue:
    name = "shmkit MPMC queue"

    def stream(self, count: int, batch: int):  # noqa: ANN201
        segment = Segment()
        segment.seg.queue("q", 4096, SIZE)
        message = bytes(SIZE)

        def producer(_, go) -> None:
            with segment.open() as seg:
                queue = seg.queue("q", 4096, SIZE)
                go()
                if batch == 1:
                    send = queue.send
                    for _ in range(count):
                        send(message)
                else:
                    block = [message] * batch
                    for _ in range(count // batch):
                        queue.send_many(block)

        def consumer(_, go) -> None:
            with segment.open() as seg:
                queue = seg.queue("q", 4096, SIZE)
                go()
                got = 0
                if batch == 1:
                    receive = queue.receive
                    while got < count:
                        receive()
                        got += 1
                else:
                    while got < count:
                        got += len(queue.receive_many(4096))

        return producer, consumer, segment.remove


class BatchingRing(Ring):
    """The ring with a batching producer and a reading-ahead consumer: still
    one send() and one receive() per message in the program."""

    name = "shmkit SPSC ring, producer(batch=256), consumer(read_ahead=256)"

    def stream(self, count: int, batch: int, capacity: int = 1 << 20):  # noqa: ANN201
        segment = Segment()
        segment.seg.ring("r", capacity)
        message = bytes(SIZE)

        def producer(_, go) -> None:
            with segment.open() as seg, seg.ring("r", capacity).producer(batch=256) as tx:
                go()
                send = tx.send
                for _ in range(count):
                    send(message)

        def consumer(_, go) -> None:
            with segment.open() as seg, seg.ring("r", capacity).consumer(read_ahead=256) as rx:
                go()
                receive = rx.receive
                for _ in range(count):
                    receive()

        return producer, consumer, segment.remove
