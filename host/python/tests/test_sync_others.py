"""Semaphore, Event, Barrier and RwLock from Python (the conformance suite
plays their protocols with Node; these check the Python API itself)."""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading

import pytest

import shmkit
from shmkit import OwnerDiedError, PeerError, ShmError


def test_semaphore_counts_and_times_out(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=1 << 16) as seg:
        pool = seg.semaphore("pool", 2)
        assert pool.acquire() and pool.try_acquire() and not pool.try_acquire()
        assert not pool.acquire(timeout=0.05)
        pool.release(2)
        assert pool.value == 2
        with pool:
            assert pool.value == 1
        with pytest.raises(ShmError) as shape:
            seg.semaphore("pool", 3)
        assert shape.value.code == "ELAYOUT"
        with pytest.raises(ShmError):
            pool.release(0)


def _release_later(name: str) -> None:
    with shmkit.open_or_create("posix", name=name, size=1 << 16) as seg:
        seg.semaphore("items").release(3)
        seg.event("go").set()


def test_semaphore_and_event_wake_another_process(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=1 << 16) as seg:
        items, go = seg.semaphore("items", 0), seg.event("go")
        other = multiprocessing.get_context("fork").Process(target=_release_later, args=(posix_name,))
        other.start()
        assert go.wait(timeout=60) and go.is_set()
        assert all(items.acquire(timeout=60) for _ in range(3))
        other.join(60)
        go.clear()
        assert not go.is_set() and not go.wait(timeout=0.01)


def test_auto_reset_event_lets_one_through_per_set(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=1 << 16) as seg:
        auto = seg.event("auto", auto_reset=True)
        auto.set()
        assert auto.wait(timeout=1) and not auto.wait(timeout=0.01)
        with pytest.raises(ShmError):
            seg.event("auto", auto_reset=False)


def test_barrier_releases_a_generation_and_breaks_on_timeout(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=1 << 16) as seg:
        gate = seg.barrier("gate", 3)
        lasts = []
        threads = [threading.Thread(target=lambda: lasts.append(gate.wait(timeout=60))) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(lasts) == [False, False, True]
        lonely = seg.barrier("lonely", 2)
        with pytest.raises(ShmError) as timed_out:
            lonely.wait(timeout=0.05)
        assert timed_out.value.code == "ETIMEDOUT" and lonely.broken
        with pytest.raises(PeerError) as broken:
            lonely.wait(timeout=1)
        assert broken.value.reason == "barrier-broken"


def test_rwlock_readers_together_writer_alone(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=1 << 16) as seg:
        lock = seg.rwlock("rw")
        with lock.read(), lock.read():
            assert lock.readers == 2
            seen = []
            writer = threading.Thread(target=lambda: seen.append(lock.acquire_write(timeout=0.05)))
            writer.start()
            writer.join()
            assert seen == [False]
        with lock.write():
            assert lock.writer == threading.get_native_id()
            got = []
            reader = threading.Thread(target=lambda: got.append(lock.acquire_read(timeout=0.05)))
            reader.start()
            reader.join()
            assert got == [False]
        with pytest.raises(ShmError):
            lock.release_write()


def _write_and_die(name: str, ready) -> None:
    with shmkit.open_or_create("posix", name=name, size=1 << 16) as seg:
        seg.rwlock("rw").acquire_write()
        ready.set()
        signal.pause()


def test_a_writer_killed_inside_is_owner_died(posix_name: str) -> None:
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    writer = context.Process(target=_write_and_die, args=(posix_name, ready))
    writer.start()
    try:
        assert ready.wait(60)
        os.kill(writer.pid, signal.SIGKILL)
        writer.join(60)
        with shmkit.open_or_create("posix", name=posix_name, size=1 << 16) as seg:
            lock = seg.rwlock("rw")
            with pytest.raises(OwnerDiedError):
                lock.acquire_write(timeout=30)
            lock.mark_consistent()
            lock.release_write()
            assert not lock.owner_died
            with lock.read(timeout=5):
                pass
    finally:
        writer.kill()
