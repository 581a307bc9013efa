"""The Python host loads the very core the Node host runs, in wasmtime, on
one shared memory; its calls and its constants are the core's."""
from __future__ import annotations

import hashlib
import threading

import pytest

from shmkit import ShmError
from shmkit._arena import Arena
from shmkit._core import ABI_VERSION, core_sha256

from conftest import REPO


def test_the_package_ships_the_node_hosts_core_byte_for_byte() -> None:
    built = REPO / "build" / "core.wasm"
    assert built.exists(), "run npm run build:core first"
    assert core_sha256() == hashlib.sha256(built.read_bytes()).hexdigest()


def test_constants_come_from_the_core() -> None:
    arena = Arena.default()
    assert arena.C["CORE_ABI_VERSION"] == ABI_VERSION
    assert arena.C["ARENA_UNIT_SIZE"] == 65536
    assert arena.C["SEGMENT_MAGIC"] == int.from_bytes(b"SHMK", "little")


def test_every_thread_has_its_own_instance_on_the_one_memory() -> None:
    arena = Arena.default()
    seen = []

    def in_thread() -> None:
        t = arena.t
        seen.append((t.instance, t.arenaInstances()))

    threads = [threading.Thread(target=in_thread) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(instance) for instance, _ in seen}) == 3
    assert all(instances >= 2 for _, instances in seen)


def test_a_core_trap_is_a_shm_error_not_a_crash() -> None:
    arena = Arena.default()
    end = arena.core.shared.memory.data_len()  # pages past it are not grown: the core traps there
    with pytest.raises(ShmError) as caught:
        arena.t.crc32(end - 8, 16, 0)
    assert caught.value.code == "ECOREABORT"
    import zlib

    at = arena.scratch(16)
    arena.write(at, b"after the trap!!")
    assert arena.t.crc32(at, 16, 0) & 0xFFFFFFFF == zlib.crc32(b"after the trap!!")  # the instance still works


def test_crc_matches_zlib() -> None:
    import zlib

    arena = Arena.default()
    at = arena.scratch(1000)
    data = bytes(range(256)) * 3 + b"tail"
    arena.write(at, data)
    assert arena.t.crc32(at, len(data), 0) & 0xFFFFFFFF == zlib.crc32(data)
