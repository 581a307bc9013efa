"""Raw segments of the three kernel kinds, mapped into the arena."""
from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys

import pytest

from shmkit import Memfd, Posix, ShmError, ShmExistsError, ShmNotFoundError, ShmPermissionError, SysV


def test_posix_create_open_and_remove(posix_name: str) -> None:
    with Posix.create(posix_name, 10000) as made:
        assert made.created and made.size == 10000
        made.buf[:3] = b"abc"
        with Posix.open(posix_name) as joined:
            assert bytes(joined.buf[:3]) == b"abc"
            assert joined.stat().size == 10000 and joined.stat().mode == 0o600
        made.remove()
    with pytest.raises(ShmNotFoundError) as caught:
        Posix.open(posix_name)
    assert "create it first" in str(caught.value)


def test_posix_exclusive_and_ownership_rules(posix_name: str) -> None:
    with Posix.create(posix_name, 4096, mode=0o644):
        with pytest.raises(ShmExistsError):
            Posix.create(posix_name, 4096)
        with pytest.raises(ShmPermissionError) as wider:
            Posix.create(posix_name, 4096, exclusive=False)  # it is 0o644, wider than the 0o600 asked
        assert wider.value.code == "EACCES" and "mode=0o644" in str(wider.value)
        with Posix.create(posix_name, 4096, exclusive=False, mode=0o644) as joined:
            assert not joined.created


def test_an_empty_object_another_process_made_is_checked_and_kept_not_taken_for_ours(posix_name: str) -> None:
    # Another program's create caught before it sized the object: empty, and open to all.
    fd = os.open(f"/dev/shm{posix_name}", os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o666)
        with pytest.raises(ShmPermissionError):
            Posix.create(posix_name, 4096, exclusive=False)
        assert os.path.exists(f"/dev/shm{posix_name}"), "a refused join removed the other's object"
        os.fchmod(fd, 0o600)
        with Posix.create(posix_name, 4096, exclusive=False) as joined:
            assert not joined.created and os.fstat(fd).st_size == 4096
    finally:
        os.close(fd)


def test_a_created_object_has_the_mode_asked_whatever_the_umask(posix_name: str) -> None:
    before = os.umask(0o077)
    try:
        with Posix.create(posix_name, 4096, mode=0o640) as made:
            assert made.stat().mode == 0o640
    finally:
        os.umask(before)


SPARSE_ON_A_FULL_DEV_SHM = """
import json, os
from shmkit import Posix, ShmError

def outcome(fn):
    try:
        fn().close()
        return None
    except ShmError as error:
        return [error.code, str(error)]

with open("/dev/shm/sparse", "wb") as made:  # another program's object: sized, no pages
    made.truncate(8 << 20)
result = {
    "writable": outcome(lambda: Posix.open("/sparse")),
    "read_only": outcome(lambda: Posix.open("/sparse", read_only=True)),
    "allocated": os.stat("/dev/shm/sparse").st_blocks,
    "create": outcome(lambda: Posix.create("/too-big", 2 << 20)),
    "too_big_left": os.path.exists("/dev/shm/too-big"),
}
with Posix.create("/joined", 64 << 10) as joined:
    joined.buf[100] = 7
    result["join_bigger"] = outcome(lambda: Posix.create("/joined", 2 << 20, exclusive=False))
    result["joined"] = [os.stat("/dev/shm/joined").st_size, joined.buf[100]]
print(json.dumps(result))
"""


def test_on_a_full_dev_shm_python_gets_enospc_not_sigbus() -> None:
    # A 1 MiB tmpfs over /dev/shm in a mount namespace of its own: nothing outside sees it.
    command = f'mount -t tmpfs -o size=1m tmpfs /dev/shm || exit 77; exec "{sys.executable}" -c "$0"'
    run = subprocess.run(["unshare", "-m", "/bin/sh", "-c", command, SPARSE_ON_A_FULL_DEV_SHM],
                         capture_output=True, text=True, timeout=60)
    if run.returncode == 77 or "Operation not permitted" in run.stderr:
        pytest.skip("no mount namespace with a tmpfs here")
    assert run.returncode == 0, f"died with {run.returncode}: {run.stderr}"
    result = json.loads(run.stdout)
    assert result["writable"][0] == "ENOSPC" and "read_only=True" in result["writable"][1]
    assert result["read_only"] is None and result["allocated"] == 0
    assert result["create"][0] == "ENOSPC" and not result["too_big_left"]
    assert result["join_bigger"][0] == "ENOSPC" and result["joined"] == [64 << 10, 7]


def test_read_only_attachment_refuses_writes(posix_name: str) -> None:
    with Posix.create(posix_name, 4096) as made, Posix.open(posix_name, read_only=True) as reader:
        made.buf[0] = 7
        assert reader.buf[0] == 7
        with pytest.raises(TypeError):
            reader.buf[0] = 1


def test_sysv_create_open_stat_and_remove(sysv_key: int) -> None:
    with SysV.create(8192, key=sysv_key) as made:
        made.buf[100] = 9
        info = made.stat()
        assert info.key == sysv_key and info.size == 8192 and info.attachments == 1 and info.creator_pid == os.getpid()
        with SysV.open(key=sysv_key) as joined:
            assert joined.buf[100] == 9 and joined.stat().attachments == 2
        with pytest.raises(ShmExistsError):
            SysV.create(8192, key=sysv_key)
        made.remove()
        assert made.stat().removed


def test_sysv_join_is_checked_and_a_refused_one_leaves_the_segment(sysv_key: int) -> None:
    with SysV.create(8192, key=sysv_key, mode=0o644) as made:
        made.buf[0] = 5
        with pytest.raises(ShmPermissionError):
            SysV.create(8192, key=sysv_key, exclusive=False)  # 0o644 grants more than the 0o600 asked
        assert not made.stat().removed, "a refused join removed the segment"
        with SysV.create(8192, key=sysv_key, exclusive=False, mode=0o644) as joined:
            assert not joined.created and joined.id == made.id and joined.buf[0] == 5
        made.remove()


def test_sysv_private_segment(tmp_path) -> None:
    with SysV.create(4096) as private:
        try:
            with SysV.open(id=private.id) as again:
                private.buf[0] = 1
                assert again.buf[0] == 1
        finally:
            private.remove()


def _memfd_child(path: str, queue: multiprocessing.Queue) -> None:
    with Memfd.open(path) as seen:
        queue.put(bytes(seen.buf[:5]))
        seen.buf[5:10] = b"world"


def test_memfd_is_reachable_from_another_process_by_its_proc_path() -> None:
    with Memfd.create(65536, name="py-test") as made:
        made.buf[:5] = b"hello"
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        child = context.Process(target=_memfd_child, args=(made.path, queue))
        child.start()
        assert queue.get(timeout=60) == b"hello"
        child.join(60)
        assert child.exitcode == 0 and bytes(made.buf[5:10]) == b"world"


def test_numpy_view_is_zero_copy(posix_name: str) -> None:
    numpy = pytest.importorskip("numpy")
    with Posix.create(posix_name, 4096) as made:
        view = made.numpy("<u4")
        view[3] = 0xDEADBEEF
        assert bytes(made.buf[12:16]) == (0xDEADBEEF).to_bytes(4, "little")
        assert numpy.shares_memory(view, numpy.frombuffer(made.buf, "u1"))


def test_a_closed_segment_leaves_private_zeros_not_a_hole(posix_name: str) -> None:
    made = Posix.create(posix_name, 4096)
    made.buf[0] = 5
    kept = made.buf
    made.close()
    assert kept[0] == 0  # fresh private pages now: reading a stale view cannot crash the process


@pytest.mark.parametrize(
    "call",
    [
        lambda: Posix.create("no-slash", 4096),
        lambda: Posix.create("/x", 0),
        lambda: Posix.create("/x", 4096, mode=0o1777),
        lambda: Posix.create("/x", 4096, colour="red"),
        lambda: SysV.create(4096, key=-1),
        lambda: SysV.open(),
        lambda: Memfd.create(-5),
    ],
)
def test_bad_arguments_are_einval_before_any_system_call(call) -> None:
    with pytest.raises(ShmError) as caught:
        call()
    assert caught.value.code == "EINVAL"
