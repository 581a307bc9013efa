"""The MPMC queue and the broadcast channel from Python, with Node at the
other end, counted and checksummed."""
from __future__ import annotations

import json
import struct
import subprocess
import threading
import zlib

import pytest

import shmkit
from shmkit import ShmError

from conftest import node_process

SIZE = 1 << 22


def message(i: int) -> bytes:
    return struct.pack("<I", i) + bytes((i * 7 + k) & 255 for k in range(4, 64))


def crc_all(count: int) -> int:
    crc = 0
    for i in range(count):
        crc = zlib.crc32(message(i), crc)
    return crc


def test_node_to_python_and_python_to_node_through_a_queue(posix_name: str) -> None:
    count = 100000
    with shmkit.open_or_create("posix", name=posix_name, size=SIZE) as seg:
        queue = seg.queue("q", 1024, 64)
        node = node_process("channel-peer.ts", "queue-produce", posix_name, str(count))
        crc = got = 0
        for one in queue:
            crc = zlib.crc32(one, crc)
            got += 1
        assert node.wait(120) == 0
        assert (got, crc) == (count, crc_all(count)) and queue.ended
        seg.remove("q")
        queue = seg.queue("q", 1024, 64)
        node = node_process("channel-peer.ts", "queue-consume", posix_name, stdout=subprocess.PIPE, text=True)
        batch = [message(i) for i in range(count)]
        assert queue.send_many(batch, timeout=60) == count
        queue.close()
        out, _ = node.communicate(timeout=120)
        assert node.returncode == 0 and json.loads(out) == {"count": count, "crc": crc_all(count)}


def test_queue_shape_sizes_and_the_end(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=SIZE) as seg:
        queue = seg.queue("q", 4, 16)
        assert queue.try_send_many([bytes(16)] * 6) == 4 and not queue.try_send(bytes(16))
        with pytest.raises(ShmError) as size:
            queue.try_send(b"short")
        assert size.value.code == "EMSGSIZE"
        assert len(queue.try_receive_many()) == 4 and queue.try_receive() is None
        queue.send(b"x" * 16)
        queue.close()
        assert queue.receive(timeout=1) == b"x" * 16 and queue.receive(timeout=1) is None and queue.ended
        with pytest.raises(ShmError) as ended:
            queue.try_send(bytes(16))
        assert ended.value.reason == "ended"
        with pytest.raises(ShmError) as shape:
            seg.queue("q", 8, 16)
        assert shape.value.code == "ELAYOUT"


def test_queue_is_shared_by_threads(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=SIZE) as seg:
        queue = seg.queue("q", 64, 8)
        producers = [threading.Thread(target=lambda k=k: [queue.send(struct.pack("<II", k, i), timeout=30) for i in range(2000)]) for k in range(3)]
        for thread in producers:
            thread.start()
        seen = [queue.receive(timeout=30) for _ in range(6000)]
        for thread in producers:
            thread.join()
        assert sorted(seen) == sorted(struct.pack("<II", k, i) for k in range(3) for i in range(2000))


def test_broadcast_node_writer_to_python_reader_and_back(posix_name: str) -> None:
    count = 30000
    with shmkit.open_or_create("posix", name=posix_name, size=SIZE) as seg:
        channel = seg.broadcast("b", 64, 64)
        readers = shmkit.AtomicInt32(seg.find_or_create_bytes("readers", 64))
        with channel.reader() as reader:
            readers.add(0, 1)
            node = node_process("channel-peer.ts", "bcast-produce", posix_name, str(count))
            crc = got = 0
            for one in reader:
                crc = zlib.crc32(one, crc)
                got += 1
            assert node.wait(120) == 0
            assert (got, crc, reader.lost) == (count, crc_all(count), 0) and reader.ended
        # The writer first: a reader that came while the first writer's close still
        # stood would see the channel ended and read nothing.
        with channel.writer() as writer:
            node = node_process("channel-peer.ts", "bcast-consume", posix_name, stdout=subprocess.PIPE, text=True)
            assert node.stdout.readline().strip() == "ready"
            assert writer.publish_many([message(i) for i in range(count)], timeout=60) == count
        out, _ = node.communicate(timeout=120)
        assert node.returncode == 0 and json.loads(out) == {"count": count, "crc": crc_all(count), "lost": 0}


def test_lossy_broadcast_counts_what_a_slow_reader_lost(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=SIZE) as seg:
        channel = seg.broadcast("b", 4, 16, mode="lossy")
        with channel.reader() as reader, channel.writer() as writer:
            for i in range(10):
                assert writer.try_publish(bytes([i]) * 16)
            got = reader.receive_many(10, timeout=1)
            assert len(got) + reader.lost == 10 and reader.lost > 0 and got[-1] == bytes([9]) * 16
            with pytest.raises(ShmError) as busy:
                channel.writer()
            assert busy.value.code == "EBUSY"
            with pytest.raises(ShmError) as long:
                writer.try_publish(bytes(17))
            assert long.value.code == "EMSGSIZE"
