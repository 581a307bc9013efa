"""Channel corruption seen from Python: an error, never a hang, and a
refused handle still closes (its descriptor goes back, its role is left)."""
from __future__ import annotations

import pytest

import shmkit
from shmkit import ShmError


def test_a_corrupt_broadcast_is_ecorrupt_and_its_handles_still_close(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=1 << 20) as seg:
        channel = seg.broadcast("b", 8, 16)
        info, C = seg.info("b"), seg.segment.arena.C
        with channel.reader() as reader, channel.writer() as writer:
            writer.publish(b"x" * 16)
            at = info.offset + C["BCAST_PUBLISHED"]
            seg.segment.buf[at : at + 8] = (1 << 40).to_bytes(8, "little")  # a scribbler
            with pytest.raises(ShmError) as caught:
                for _ in range(3):
                    reader.receive(timeout=1)
            assert caught.value.code == "ECORRUPT"
        assert reader.closed and writer.closed  # the with block closed both without raising
