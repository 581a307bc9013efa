"""Atomic words: exact counts with Python and Node processes adding at once."""
from __future__ import annotations

import multiprocessing

import pytest

import shmkit
from shmkit import ShmError
from shmkit.atomics import AtomicInt32, AtomicInt64

from conftest import node_process

ADDS = 20000


def _adder(name: str) -> None:
    with shmkit.open_or_create("posix", name=name, size=1 << 16) as seg:
        counters = AtomicInt32(seg.find_or_create_bytes("counters", 64))
        wide = AtomicInt64(seg.find_or_create_bytes("wide", 64))
        for _ in range(ADDS):
            counters.add(0, 1)
            wide.add(0, 1 << 33)


def test_python_and_node_processes_add_without_losing_one(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=1 << 16) as seg:
        counters = AtomicInt32(seg.find_or_create_bytes("counters", 64))
        wide = AtomicInt64(seg.find_or_create_bytes("wide", 64))
        context = multiprocessing.get_context("spawn")
        pythons = [context.Process(target=_adder, args=(posix_name,)) for _ in range(2)]
        for process in pythons:
            process.start()
        nodes = [node_process("atomic-adder.ts", posix_name, str(ADDS)) for _ in range(2)]
        for process in pythons:
            process.join(120)
            assert process.exitcode == 0
        for process in nodes:
            assert process.wait(120) == 0
        assert counters.load(0) == 4 * ADDS
        assert wide.load(0) == 2 * ADDS * (1 << 33)  # only the Python adders touch it


def test_compare_exchange_and_wrapping(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=1 << 16) as seg:
        words = AtomicInt32(seg.create_bytes("w", 8))
        assert words.compare_exchange(1, 0, 5) == 0 and words.load(1) == 5
        assert words.compare_exchange(1, 0, 7) == 5 and words.load(1) == 5
        words.store(0, 2**31 - 1)
        assert words.add(0, 1) == 2**31 - 1 and words.load(0) == -(2**31)
        with pytest.raises(IndexError):
            words.load(2)


def test_views_that_are_not_shared_words_are_refused(posix_name: str) -> None:
    with pytest.raises(ShmError):
        AtomicInt32(memoryview(bytearray(8)))  # private bytes, not in a segment
    with shmkit.Posix.create(posix_name, 4096) as raw:
        with pytest.raises(ShmError):
            AtomicInt32(raw.buf[2:10])  # misaligned
        with shmkit.Posix.open(posix_name, read_only=True) as reader:
            with pytest.raises(ShmError) as caught:
                AtomicInt32(reader.buf)
            assert caught.value.code == "EACCES"
