"""Handing an 8 MiB NumPy array to another process: by Pipe (pickled
bytes, copied twice), by multiprocessing.shared_memory with a Pipe to
signal (copied in once, read in place), and by a shmkit segment with two
semaphores (the same, with shmkit's own wake-ups), and through a shmkit
ring (copied in and out)."""
from __future__ import annotations

from multiprocessing import shared_memory

import numpy

import shmkit

from harness import CONTEXT
from shmkit_rows import Segment

BYTES = 8 << 20


def array() -> numpy.ndarray:
    return numpy.arange(BYTES // 8, dtype=numpy.float64)


def pipe(count: int):  # noqa: ANN201
    receiver, sender = CONTEXT.Pipe(duplex=False)

    def producer(_, go) -> None:
        data = array()
        go()
        for _ in range(count):
            sender.send_bytes(data)

    def consumer(_, go) -> None:
        buffer = bytearray(BYTES)
        go()
        for _ in range(count):
            receiver.recv_bytes_into(buffer)
            numpy.frombuffer(buffer, numpy.float64)[-1]  # noqa: B018 - read it

    return producer, consumer, lambda: None


def python_shared_memory(count: int):  # noqa: ANN201
    block = shared_memory.SharedMemory(create=True, size=BYTES)
    ready_r, ready_w = CONTEXT.Pipe(duplex=False)
    free_r, free_w = CONTEXT.Pipe(duplex=False)

    def producer(_, go) -> None:
        data, target = array(), numpy.ndarray(BYTES // 8, numpy.float64, block.buf)
        go()
        for i in range(count):
            if i:
                free_r.recv_bytes()
            numpy.copyto(target, data)
            ready_w.send_bytes(b"!")

    def consumer(_, go) -> None:
        view = numpy.ndarray(BYTES // 8, numpy.float64, block.buf)
        go()
        for _ in range(count):
            ready_r.recv_bytes()
            view[-1]  # noqa: B018 - read it in place
            free_w.send_bytes(b"!")

    def remove() -> None:
        block.close()
        block.unlink()

    return producer, consumer, remove


def shmkit_segment(count: int):  # noqa: ANN201
    segment = Segment(BYTES + (1 << 20))
    segment.seg.create_bytes("array", BYTES)
    segment.seg.semaphore("full", 0)
    segment.seg.semaphore("free", 1)

    def producer(_, go) -> None:
        with segment.open() as seg:
            target = numpy.frombuffer(seg.find_bytes("array"), numpy.float64)
            full, free, data = seg.semaphore("full"), seg.semaphore("free"), array()
            go()
            for _ in range(count):
                free.acquire()
                numpy.copyto(target, data)
                full.release()

    def consumer(_, go) -> None:
        with segment.open() as seg:
            view = numpy.frombuffer(seg.find_bytes("array"), numpy.float64)
            full, free = seg.semaphore("full"), seg.semaphore("free")
            go()
            for _ in range(count):
                full.acquire()
                view[-1]  # noqa: B018 - read it in place
                free.release()

    return producer, consumer, segment.remove


def shmkit_ring(count: int):  # noqa: ANN201
    capacity = 4 * BYTES  # the largest message is half the ring less a header
    segment = Segment(capacity + (1 << 20))
    segment.seg.ring("r", capacity)

    def producer(_, go) -> None:
        with segment.open() as seg, seg.ring("r", capacity).producer() as tx:
            data = array()
            go()
            for _ in range(count):
                tx.send(data)

    def consumer(_, go) -> None:
        with segment.open() as seg, seg.ring("r", capacity).consumer() as rx:
            go()
            for _ in range(count):
                numpy.frombuffer(rx.receive(), numpy.float64)[-1]  # noqa: B018

    return producer, consumer, segment.remove
