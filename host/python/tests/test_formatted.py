"""Formatted segments: one initialiser among racing openers, the directory,
and the same objects seen by the Node host."""
from __future__ import annotations

import multiprocessing
import os

import pytest

import shmkit
from shmkit import FormattedSegment, LayoutError, Posix, ShmError, ShmExistsError

from conftest import run_node


def _race(name: str, start, results) -> None:
    start.wait()
    with shmkit.open_or_create("posix", name=name, size=1 << 20) as seg:
        seg.find_or_create_bytes("shared", 64)
        results.put((seg.initialised, seg.creator_pid))


def test_exactly_one_of_racing_openers_formats(posix_name: str) -> None:
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    racers = [context.Process(target=_race, args=(posix_name, start, results)) for _ in range(6)]
    for racer in racers:
        racer.start()
    start.set()
    seen = [results.get(timeout=60) for _ in racers]
    for racer in racers:
        racer.join(60)
    assert sum(initialised for initialised, _ in seen) == 1
    assert len({creator for _, creator in seen}) == 1


def test_an_initialiser_that_died_half_way_is_replaced(posix_name: str) -> None:
    dead = multiprocessing.get_context("fork").Process(target=lambda: None)
    dead.start()
    dead.join()
    with Posix.create(posix_name, 1 << 16) as raw:
        assert raw.arena.t.formatClaim(raw.offset, dead.pid)  # as if it claimed the header, then died
        with FormattedSegment(Posix.open(posix_name), timeout=5) as seg:
            assert seg.initialised and seg.creator_pid == os.getpid()


def test_directory_create_find_list_remove(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=1 << 20) as seg:
        data = seg.create_bytes("data", 1000)
        data[:4] = b"1234"
        assert bytes(seg.find_bytes("data")[:4]) == b"1234"
        assert "data" in seg and "other" not in seg
        assert [(o.name, o.kind, o.size) for o in seg.list()] == [("data", "bytes", 1000)]
        with pytest.raises(ShmExistsError):
            seg.create_bytes("data", 10)
        with pytest.raises(LayoutError):
            seg.find_bytes("data", size=10)
        assert seg.remove("data") and not seg.remove("data")
        assert seg.find_bytes("data") is None


def test_a_full_directory_says_what_to_do(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=1 << 16, directory_slots=2) as seg:
        seg.create_bytes("a", 8)
        seg.create_bytes("b", 8)
        with pytest.raises(ShmError) as caught:
            seg.create_bytes("c", 8)
        assert caught.value.code == "ENOSPC" and "directory_slots" in str(caught.value)


def test_foreign_bytes_are_not_taken_for_a_segment(posix_name: str) -> None:
    with Posix.create(posix_name, 1 << 16) as raw:
        raw.buf[:8] = b"not shmk"
        with pytest.raises(LayoutError):
            FormattedSegment(Posix.open(posix_name))


def test_a_corrupt_header_is_ecorrupt(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=1 << 16) as seg:
        capacity_at = seg.segment.arena.C["H_DIR_CAPACITY"]
        seg.segment.buf[capacity_at : capacity_at + 4] = (0xFFFFFFF).to_bytes(4, "little")
        with pytest.raises(ShmError) as caught:
            FormattedSegment(Posix.open(posix_name))
        assert caught.value.code == "ECORRUPT"


def test_a_failed_open_removes_only_what_it_made(posix_name: str) -> None:
    with pytest.raises(ShmError):
        shmkit.open_or_create("posix", name=posix_name, size=64)  # too small for the header
    assert not os.path.exists(f"/dev/shm{posix_name}")


def test_node_and_python_share_one_directory(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=1 << 20) as seg:
        seg.create_bytes("from-python", 16)[:6] = b"python"
        out = run_node(
            """
            import { openOrCreate } from './host/index.ts';
            const seg = openOrCreate({ kind: 'posix', name: process.argv[1], size: 1 << 20 });
            const mine = seg.find('from-python');
            seg.create('from-node', { bytes: 16 }).set(new TextEncoder().encode('node!!'));
            console.log(JSON.stringify({ initialised: seg.initialised, text: new TextDecoder().decode(mine.subarray(0, 6)) }));
            seg.close();
            """,
            posix_name,
        )
        assert out.stdout.strip() == '{"initialised":false,"text":"python"}'
        assert bytes(seg.find_bytes("from-node")[:6]) == b"node!!"


def test_open_or_create_checks_its_options() -> None:
    for call in (
        lambda: shmkit.open_or_create("tmpfs", size=4096),
        lambda: shmkit.open_or_create("posix", name="/x", key=5, size=4096),
        lambda: shmkit.open_or_create("posix", name="/x", size=4096, directory_slots=0),
        lambda: shmkit.open_or_create("posix", name="/x", size=4096, timeout=-1),
        lambda: shmkit.open_or_create("posix", name="/x", size=4096, slots=3),
    ):
        with pytest.raises(ShmError) as caught:
            call()
        assert caught.value.code == "EINVAL"
