"""The mutex from Python: exact counts with Node and Python processes
contending, and a holder of either language killed is seen dead by the other."""
from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess

import pytest

import shmkit
from shmkit import OwnerDiedError, ShmError

from conftest import node_process

ROUNDS = 2000


def _count(name: str, rounds: int) -> None:
    with shmkit.open_or_create("posix", name=name, size=1 << 20) as seg:
        mutex = seg.mutex("m")
        counter = seg.find_or_create_bytes("counter", 64).cast("i")
        for _ in range(rounds):
            with mutex:
                counter[0] = counter[0] + 1


def test_node_and_python_processes_count_exactly_under_one_mutex(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=1 << 20) as seg:
        seg.mutex("m")
        counter = seg.find_or_create_bytes("counter", 64).cast("i")
        context = multiprocessing.get_context("spawn")
        pythons = [context.Process(target=_count, args=(posix_name, ROUNDS)) for _ in range(3)]
        for process in pythons:
            process.start()
        nodes = [node_process("mutex-peer.ts", "count", posix_name, str(ROUNDS)) for _ in range(3)]
        for process in pythons:
            process.join(120)
            assert process.exitcode == 0
        for process in nodes:
            assert process.wait(120) == 0
        assert counter[0] == 6 * ROUNDS


def _hold(name: str, ready) -> None:
    with shmkit.open_or_create("posix", name=name, size=1 << 20) as seg:
        seg.mutex("m").acquire()
        ready.set()
        signal.pause()


def test_a_killed_python_holder_is_owner_died_for_node(posix_name: str) -> None:
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    holder = context.Process(target=_hold, args=(posix_name, ready))
    holder.start()
    try:
        assert ready.wait(60)
        os.kill(holder.pid, signal.SIGKILL)
        holder.join(60)
        taker = node_process("mutex-peer.ts", "take", posix_name, stdout=subprocess.PIPE, text=True)
        out, _ = taker.communicate(timeout=120)
        assert taker.returncode == 0 and out.strip() == "owner-died"
    finally:
        holder.kill()


def test_a_killed_node_holder_is_owner_died_for_python(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=1 << 20) as seg:
        mutex = seg.mutex("m")
        holder = node_process("mutex-peer.ts", "hold", posix_name, stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "held"
            assert mutex.owner not in (0, os.getpid())
            holder.kill()
            holder.wait(60)
            with pytest.raises(OwnerDiedError) as caught:
                mutex.acquire(timeout=30)
            assert caught.value.reason == "owner-died" and not mutex.consistent
            mutex.mark_consistent()
            mutex.release()
            with mutex:
                assert mutex.consistent
        finally:
            holder.kill()
            holder.wait()


def test_timeouts_recursion_and_misuse(posix_name: str) -> None:
    import threading

    with shmkit.open_or_create("posix", name=posix_name, size=1 << 20) as seg:
        mutex = seg.mutex("m")
        with mutex:
            with pytest.raises(ShmError) as again:
                mutex.acquire()
            assert again.value.code == "EDEADLK"
            seen = []
            other = threading.Thread(target=lambda: seen.append((mutex.acquire(timeout=0.05), mutex.try_acquire())))
            other.start()
            other.join()
            assert seen == [(False, False)]
        with pytest.raises(ShmError) as not_owner:
            mutex.release()
        assert not_owner.value.code == "EPERM"
        deep = seg.mutex("r", recursive=True)
        with deep, deep:
            assert deep.owner == threading.get_native_id()
        assert not deep.locked
        with pytest.raises(ShmError) as kind:
            seg.mutex("r", recursive=False)
        assert kind.value.code == "ELAYOUT"
        with pytest.raises(ShmError):
            mutex.acquire(timeout=-1)


def test_an_unrepaired_release_makes_it_unrecoverable(posix_name: str) -> None:
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    holder = context.Process(target=_hold, args=(posix_name, ready))
    holder.start()
    assert ready.wait(60)
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(60)
    with shmkit.open_or_create("posix", name=posix_name, size=1 << 20) as seg:
        mutex = seg.mutex("m")
        with pytest.raises(OwnerDiedError):
            mutex.acquire(timeout=30)
        mutex.release()  # without mark_consistent
        with pytest.raises(ShmError) as caught:
            mutex.acquire(timeout=1)
        assert caught.value.code == "ENOTRECOVERABLE"
