"""Shared fixtures: unique names for kernel objects (removed after each
test, even a failing one) and a way to run Node programs of the repo."""
from __future__ import annotations

import ctypes
import os
import subprocess
import uuid
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parents[3]
"""The checkout's root: Node programs run from here."""


@pytest.fixture
def posix_name() -> Iterator[str]:
    """A POSIX shm name nobody else uses; unlinked after the test."""
    name = f"/shmkit-py-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    yield name
    try:
        os.unlink(f"/dev/shm{name}")
    except FileNotFoundError:
        pass


@pytest.fixture
def sysv_key() -> Iterator[int]:
    """A System V key nobody uses; its segment is removed after the test."""
    key = int.from_bytes(os.urandom(4), "little") | 0x10000
    key &= 0x7FFFFFFF
    yield key
    libc = ctypes.CDLL(None, use_errno=True)
    shmid = libc.shmget(ctypes.c_int(key), ctypes.c_size_t(0), ctypes.c_int(0))
    if shmid != -1:
        libc.shmctl(shmid, 0, None)  # IPC_RMID


def run_node(source: str, *args: str, timeout: float = 120.0, check: bool = True) -> subprocess.CompletedProcess:
    """Runs TypeScript `source` (ES module, may import './host/index.ts')
    with Node from the repo's root; its arguments are process.argv.slice(1)."""
    result = subprocess.run(
        ["node", "--import", "tsx", "--input-type=module", "-e", source, "--", *args],
        cwd=REPO, capture_output=True, text=True, timeout=timeout,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"node failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def node_process(script: str, *args: str, **popen: object) -> subprocess.Popen:
    """Starts a Node program (a path under host/python/tests/node/)."""
    path = Path(__file__).parent / "node" / script
    return subprocess.Popen(["node", "--import", "tsx", str(path), *args], cwd=REPO, **popen)  # type: ignore[arg-type]
