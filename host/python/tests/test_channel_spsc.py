"""The SPSC ring from Python: real processes, Node at either end, checked
byte for byte; the end of the stream, a dead peer, corruption."""
from __future__ import annotations

import multiprocessing
import os
import signal
import json

import pytest

import shmkit
from shmkit import PeerError, ShmError

from conftest import node_process
from messages import crc_of, message

SIZE = 1 << 22


def _produce(name: str, capacity: int, count: int, seed: int, batch: int) -> None:
    with shmkit.open_or_create("posix", name=name, size=SIZE) as seg:
        ring = seg.ring("r", capacity)
        with ring.producer() as tx:
            most = ring.max_message
            if batch:
                for start in range(0, count, batch):
                    chunk = [message(i, seed, most) for i in range(start, min(count, start + batch))]
                    assert tx.send_many(chunk, timeout=60) == len(chunk)
            else:
                for i in range(count):
                    assert tx.send(message(i, seed, most), timeout=60)


def _consume(seg: shmkit.FormattedSegment, capacity: int, batch: int) -> tuple[int, int]:
    count = crc = 0
    with seg.ring("r", capacity).consumer() as rx:
        if batch:
            while True:
                got = rx.receive_many(batch, timeout=60)
                if not got:
                    break
                for one in got:
                    crc = crc_of(one, crc)
                count += len(got)
        else:
            for one in rx:
                crc = crc_of(one, crc)
                count += 1
        assert rx.ended
    return count, crc


def _expected(count: int, seed: int, most: int) -> int:
    crc = 0
    for i in range(count):
        crc = crc_of(message(i, seed, most), crc)
    return crc


@pytest.mark.parametrize("capacity,batch", [(256, 0), (4096, 0), (1 << 16, 64), (1 << 12, 4096)])
def test_python_producer_to_python_consumer(posix_name: str, capacity: int, batch: int) -> None:
    count, seed = 30000, capacity + batch
    with shmkit.open_or_create("posix", name=posix_name, size=SIZE) as seg:
        most = seg.ring("r", capacity).max_message
        producer = multiprocessing.get_context("fork").Process(target=_produce, args=(posix_name, capacity, count, seed, batch))
        producer.start()
        got = _consume(seg, capacity, batch)
        producer.join(60)
        assert producer.exitcode == 0
        assert got == (count, _expected(count, seed, most))


def test_node_producer_to_python_consumer(posix_name: str) -> None:
    count, seed, capacity = 200000, 7, 1 << 12
    with shmkit.open_or_create("posix", name=posix_name, size=SIZE) as seg:
        most = seg.ring("r", capacity).max_message
        node = node_process("spsc-peer.ts", "produce", posix_name, "r", str(capacity), str(count), str(seed))
        got = _consume(seg, capacity, 256)
        assert node.wait(120) == 0
        assert got == (count, _expected(count, seed, most))


def test_python_producer_to_node_consumer(posix_name: str) -> None:
    count, seed, capacity = 200000, 11, 1 << 12
    with shmkit.open_or_create("posix", name=posix_name, size=SIZE) as seg:
        most = seg.ring("r", capacity).max_message
        import subprocess

        node = node_process("spsc-peer.ts", "consume", posix_name, "r", str(capacity), stdout=subprocess.PIPE, text=True)
        _produce(posix_name, capacity, count, seed, 128)
        out, _ = node.communicate(timeout=120)
        assert node.returncode == 0
        assert json.loads(out) == {"count": count, "crc": _expected(count, seed, most)}


def _hold_producer(name: str, ready) -> None:
    with shmkit.open_or_create("posix", name=name, size=SIZE) as seg:
        tx = seg.ring("r", 1024).producer()
        tx.send(b"last words")
        ready.set()
        signal.pause()


def test_a_killed_producer_is_seen_dead_after_its_messages(posix_name: str) -> None:
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    holder = context.Process(target=_hold_producer, args=(posix_name, ready))
    holder.start()
    try:
        assert ready.wait(60)
        with shmkit.open_or_create("posix", name=posix_name, size=SIZE) as seg:
            os.kill(holder.pid, signal.SIGKILL)
            holder.join(60)
            with seg.ring("r", 1024).consumer() as rx:
                assert rx.receive(timeout=30) == b"last words"
                with pytest.raises(PeerError) as caught:
                    rx.receive(timeout=30)
                assert caught.value.reason == "peer-died" and caught.value.code == "EPIPE"
            # The role of the dead producer is taken over by the next one.
            with seg.ring("r", 1024).producer() as tx:
                assert tx.try_send(b"again")
    finally:
        holder.kill()


def test_roles_full_ring_and_sizes(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=SIZE) as seg:
        ring = seg.ring("r", 256)
        with ring.producer() as tx, ring.consumer() as rx:
            with pytest.raises(ShmError) as busy:
                ring.producer()
            assert busy.value.code == "EBUSY"
            sent = 0
            while tx.try_send(b"x" * 40):
                sent += 1
            assert 0 < sent < 256 // 40
            assert not tx.send(b"y", timeout=0.05)  # full: the wait runs out
            with pytest.raises(ShmError) as long:
                tx.try_send(b"z" * (ring.max_message + 1))
            assert long.value.code == "EMSGSIZE"
            assert rx.try_receive_many() == [b"x" * 40] * sent
            assert rx.try_receive() is None and rx.receive(timeout=0.05) is None and not rx.ended
        with pytest.raises(ShmError) as shape:
            seg.ring("r", 512)
        assert shape.value.code == "ELAYOUT"


def test_receive_into_fills_a_buffer(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=SIZE) as seg:
        ring = seg.ring("r", 1 << 12)
        with ring.producer() as tx, ring.consumer() as rx:
            tx.send_many([b"ab", b"", b"cde"])
            out = bytearray(ring.max_message)
            assert rx.try_receive_into(out) == [2, 0, 3] and out[:5] == b"abcde"


def test_corrupt_cursors_are_ecorrupt_not_a_hang(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=SIZE) as seg:
        ring = seg.ring("r", 1024)
        info = seg.info("r")
        with ring.producer() as tx, ring.consumer() as rx:
            tx.send(b"hello")
            tail = seg.segment.arena.C["SPSC_TAIL"]
            # A scribbler moves the producer's cursor far past the ring.
            seg.segment.buf[info.offset + tail : info.offset + tail + 8] = (1 << 40).to_bytes(8, "little")
            assert rx.try_receive() == b"hello"  # what was checked before still comes
            # ... and the next record header (after "hello": 8 + 5 bytes, rounded to 16) holds junk.
            data = info.offset + seg.segment.arena.C["SPSC_HEADER"]
            seg.segment.buf[data + 16 : data + 24] = (0xFFFFFFFF_FFFFFFFF).to_bytes(8, "little")
            with pytest.raises(ShmError) as caught:
                for _ in range(3):
                    rx.receive(timeout=1)
            assert caught.value.code == "ECORRUPT"
            with pytest.raises(ShmError):
                rx.try_receive()  # the handle stays refused


def test_a_handle_belongs_to_its_thread(posix_name: str) -> None:
    import threading

    with shmkit.open_or_create("posix", name=posix_name, size=SIZE) as seg:
        with seg.ring("r", 1024).producer() as tx:
            errors = []
            worker = threading.Thread(target=lambda: errors.append(_catch(lambda: tx.try_send(b"x"))))
            worker.start()
            worker.join()
            assert errors[0] is not None and errors[0].code == "EPERM"


def _catch(call):  # noqa: ANN001, ANN202
    try:
        call()
    except ShmError as error:
        return error
    return None


def test_a_batching_producer_and_a_reading_ahead_consumer(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=SIZE) as seg:
        ring = seg.ring("r", 1 << 12)
        with ring.consumer(read_ahead=8) as rx:
            with ring.producer(batch=4) as tx:
                for i in range(3):
                    assert tx.send(bytes([i]))
                assert rx.try_receive() is None  # collected, not published yet
                assert tx.send(bytes([3]))  # the fourth publishes the batch
                assert [rx.try_receive() for _ in range(2)] == [b"\0", b"\1"]
                assert tx.send(bytearray(b"tail")) and tx.flush()
            assert rx.receive_many() == [b"\2", b"\3"]  # what was read ahead comes first, alone
            assert rx.receive_many() == [b"tail"]
            assert rx.receive(timeout=5) is None and rx.ended
        with pytest.raises(ShmError):
            ring.producer(batch=0)
