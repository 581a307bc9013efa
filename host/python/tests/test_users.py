"""The live-user table from Python, with real processes: registration and
leaving, users killed with SIGKILL, remove_when_unused, a reaper that died
half-way, and Node users in the same table."""
from __future__ import annotations

import ctypes
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from typing import Iterator

import pytest

import shmkit
from shmkit import Posix, ShmError

from conftest import REPO

# A Python user: opens the segment, prints its pid, holds it until stdin ends.
_HOLDER = """
import sys, shmkit
seg = shmkit.open_or_create('posix', name=sys.argv[1], size=65536, remove_when_unused=sys.argv[2] == '1')
print(seg.initialised, flush=True)
sys.stdin.read()
seg.close()
"""


class User:
    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(command, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise AssertionError(f"the user exited before it opened: {self.process.stderr.read()}")  # type: ignore[union-attr]
        self.pid = self.process.pid

    def leave(self) -> None:
        self.process.communicate(timeout=60)
        assert self.process.returncode == 0

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.communicate(timeout=60)


@pytest.fixture
def users() -> Iterator[list[User]]:
    started: list[User] = []
    yield started
    for user in started:
        user.kill()


def python_user(started: list[User], name: str, remove_when_unused: bool = False) -> User:
    user = User([sys.executable, "-c", _HOLDER, name, "1" if remove_when_unused else "0"])
    started.append(user)
    return user


def node_user(started: list[User], name: str, remove_when_unused: bool = False) -> User:
    # The Node host's own lifetime fixture: the same table seen from both hosts.
    fixture = str(REPO / "tests" / "fixtures" / "lifetime-user.ts")
    user = User(["node", "--import", "tsx", fixture, "posix", name, *(["remove-when-unused"] if remove_when_unused else [])])
    started.append(user)
    return user


def pids(seg: shmkit.FormattedSegment) -> list[int]:
    return sorted(user["pid"] for user in seg.users())


def named(name: str) -> bool:
    return os.path.exists(f"/dev/shm{name}")


def test_openers_register_and_leave_across_hosts(posix_name: str, users: list[User]) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=65536) as seg:
        assert [(u["pid"], u["state"]) for u in seg.users()] == [(os.getpid(), "alive")]
        py = python_user(users, posix_name)
        js = node_user(users, posix_name)
        assert pids(seg) == sorted([os.getpid(), py.pid, js.pid])
        assert all(u["state"] == "alive" for u in seg.users())
        py.leave()
        js.leave()
        assert pids(seg) == [os.getpid()]


def test_the_slots_of_killed_users_are_freed_by_the_next_opener(posix_name: str, users: list[User]) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=65536) as seg:
        dead = [python_user(users, posix_name), node_user(users, posix_name)]
        for user in dead:
            user.kill()
        assert sorted((u["pid"], u["state"]) for u in seg.users()) == sorted([(os.getpid(), "alive")] + [(u.pid, "dead") for u in dead])
        with shmkit.open_or_create("posix", name=posix_name, size=65536) as again:
            assert pids(again) == [os.getpid(), os.getpid()]  # the dead are gone; this process holds two slots
    assert named(posix_name), "without remove_when_unused the segment stays"


def test_remove_when_unused_the_last_user_to_leave_removes_it(posix_name: str, users: list[User]) -> None:
    seg = shmkit.open_or_create("posix", name=posix_name, size=65536, remove_when_unused=True)
    js = node_user(users, posix_name)
    assert seg.remove_when_unused
    seg.close()
    assert named(posix_name), "a user is still there"
    js.leave()
    assert not named(posix_name), "the last user (Node) removed it"

    first = python_user(users, posix_name, remove_when_unused=True)
    with shmkit.open_or_create("posix", name=posix_name, size=65536) as joined:
        assert not joined.initialised and joined.remove_when_unused, "the flag is the segment's, whoever asked"
        first.leave()
        assert named(posix_name)
    assert not named(posix_name), "the last user (Python) removed it"


def test_remove_when_unused_users_all_killed_the_next_opener_makes_it_anew(posix_name: str, users: list[User]) -> None:
    python_user(users, posix_name, remove_when_unused=True)
    node_user(users, posix_name)
    with shmkit.open_or_create("posix", name=posix_name, size=65536) as seg:
        seg.create_bytes("old", 8)
    for user in users:
        user.kill()
    with shmkit.open_or_create("posix", name=posix_name, size=65536) as seg:
        assert seg.initialised, "a new segment, not the dead users' one"
        assert seg.find_bytes("old") is None
        assert pids(seg) == [os.getpid()]
    assert named(posix_name), "the new one was made without remove_when_unused"


def test_a_name_that_leads_to_a_newer_object_is_not_removed(posix_name: str) -> None:
    seg = shmkit.open_or_create("posix", name=posix_name, size=65536, remove_when_unused=True)
    try:
        Posix.unlink(posix_name)
        Posix.create(posix_name, 4096).close()  # someone else's object under the same name
    finally:
        seg.close()
    assert named(posix_name), "the last user of the old object left the new one alone"


def test_a_segment_whose_reaper_died_half_way_is_revived(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=65536) as seg:
        seg.create_bytes("kept", 8)[:4] = b"kept"
    # A reaper that condemns the segment and dies before it decides.
    reaper = subprocess.run([sys.executable, "-c", """
import os, sys, shmkit
seg = shmkit.Posix.open(sys.argv[1])
t = seg.arena.t
assert t.formatCondemn(seg.offset, t.formatInitWord(seg.offset), os.getpid())
os.kill(os.getpid(), 9)
""", posix_name], capture_output=True, text=True, timeout=60)
    assert reaper.returncode == -signal.SIGKILL, reaper.stderr
    raw = Posix.open(posix_name)
    try:
        with pytest.raises(ShmError) as condemned:
            shmkit.FormattedSegment(raw, timeout=1)
    finally:
        raw.close()
    assert condemned.value.code == "ESTALE" and condemned.value.reason == "being-removed"
    with shmkit.open_or_create("posix", name=posix_name, size=65536, timeout=10) as seg:
        assert not seg.initialised, "revived, not made anew"
        assert bytes(seg.find_bytes("kept")[:4]) == b"kept"
        assert pids(seg) == [os.getpid()]


def test_user_options_are_checked_before_anything_is_made(posix_name: str) -> None:
    for options, word in [({"user_slots": 0}, "user_slots"), ({"user_slots": 5000}, "user_slots"), ({"user_slots": True}, "user_slots"),
                          ({"remove_when_unused": 1}, "remove_when_unused")]:
        with pytest.raises(ShmError, match=word):
            shmkit.open_or_create("posix", name=posix_name, size=65536, **options)
        assert not named(posix_name)
    with pytest.raises(ShmError, match="remove_when_unused"):
        shmkit.open_or_create("memfd", size=65536, remove_when_unused=True)
    memfd = shmkit.Memfd.create(65536)
    try:
        with pytest.raises(ShmError, match="remove_when_unused"):
            shmkit.FormattedSegment(memfd, remove_when_unused=True)
    finally:
        memfd.close()


def test_user_slots_bound_the_table(posix_name: str, users: list[User]) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=65536, user_slots=2) as seg:
        python_user(users, posix_name)
        with pytest.raises(ShmError) as full:
            shmkit.open_or_create("posix", name=posix_name, size=65536)
        assert full.value.code == "EUSERS"
        assert len(seg.users()) == 2


# A Python churner: opens and leaves until it is killed. It prints "opened"
# once, then a line at once for every segment found removed while it held
# it (a process about to be killed cannot report at its end).
_CHURNER = """
import ctypes, sys, shmkit
target, remove = sys.argv[1], sys.argv[2] == '1'
libc = ctypes.CDLL(None)
def held(seg):
    if target.startswith('/'):
        return seg.segment.names_itself()
    return libc.shmget(ctypes.c_int32(int(target) - (1 << 32) if int(target) >= 1 << 31 else int(target)), ctypes.c_size_t(0), 0) == seg.segment.id
where = {'name': target} if target.startswith('/') else {'key': int(target)}
i = 0
while True:
    seg = shmkit.open_or_create('posix' if target.startswith('/') else 'sysv', size=65536, remove_when_unused=remove, timeout=30.0, **where)
    if not held(seg):
        print(f'removed-in-use at open {i}', flush=True)
    seg.close()
    if i == 0:
        print('opened', flush=True)
    i += 1
"""


class Churner:
    """A Python or Node process churning on the segment, or the Node reaper."""

    def __init__(self, role: str, name: str, remove_when_unused: bool, removed_in_use: list[str]) -> None:
        racer = str(REPO / "tests" / "fixtures" / "lifetime-racer.ts")
        command = {
            "python": [sys.executable, "-c", _CHURNER, name, "1" if remove_when_unused else "0"],
            "node": ["node", "--import", "tsx", racer, "churn", name, *(["remove-when-unused"] if remove_when_unused else [])],
            "reaper": ["node", "--import", "tsx", racer, "reap", name, str(os.getpid())],
        }[role]
        self.role = role
        self.process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.started = threading.Event()
        self.lines = threading.Thread(target=self._read, args=(removed_in_use,), daemon=True)
        self.lines.start()
        if role == "reaper":
            self.started.set()
        self.started.wait(60)

    def _read(self, removed_in_use: list[str]) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            if line.strip() == "opened":
                self.started.set()
            elif line.startswith("removed-in-use"):
                removed_in_use.append(f"{self.role}: {line.strip()}")
        self.started.set()

    def kill(self) -> str | None:
        """SIGKILLs it; what went wrong if it had ended otherwise."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        _, stderr = self.process.communicate(timeout=60)
        self.lines.join(60)
        return None if self.process.returncode == -signal.SIGKILL else f"{self.role} ended ({self.process.returncode}): {stderr}"


def _sysv_left(key: int) -> bool:
    libc = ctypes.CDLL(None)
    return libc.shmget(ctypes.c_int32(key - (1 << 32) if key >= 1 << 31 else key), ctypes.c_size_t(0), 0) != -1


@pytest.mark.parametrize("kind,remove_when_unused", [("posix", False), ("posix", True), ("sysv", False)],
                         ids=["posix-gc", "posix-remove_when_unused", "sysv-gc"])
def test_python_and_node_users_killed_at_random_nothing_removed_in_use_nothing_left(
        posix_name: str, sysv_key: int, kind: str, remove_when_unused: bool) -> None:
    target = posix_name if kind == "posix" else str(sysv_key)
    rng = random.Random()
    removed_in_use: list[str] = []
    failures: list[str] = []
    roles = ["python", "python", "node"] + ([] if remove_when_unused else ["reaper"])
    running = [Churner(role, target, remove_when_unused, removed_in_use) for role in roles]
    try:
        for _ in range(30):
            time.sleep(rng.uniform(0.005, 0.065))
            victim = running.pop(rng.randrange(len(running)))
            if victim.process.poll() is not None:
                failures.append(victim.kill() or f"{victim.role} ended early")
            else:
                failures.extend(filter(None, [victim.kill()]))
            running.append(Churner(victim.role, target, remove_when_unused, removed_in_use))
            assert failures == [], "no opener or reaper may fail or hang"
    finally:
        for churner in running:
            failure = churner.kill()
            if failure:
                failures.append(failure)
    assert failures == []
    assert removed_in_use == [], "a segment was removed while a user held it"
    if remove_when_unused:
        # No reaper: one more user comes and goes, and takes the name with it.
        shmkit.open_or_create("posix", name=posix_name, size=65536, remove_when_unused=True, timeout=30.0).close()
    else:
        only = ["--prefix", posix_name] if kind == "posix" else ["--key", target]
        gc = subprocess.run(["node", "--import", "tsx", "host/cli/main.ts", "gc", *only, "--json"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
        assert gc.returncode == 0, gc.stderr
    left = named(posix_name) if kind == "posix" else _sysv_left(sysv_key)
    assert not left, "left behind after everyone was killed"


# A Python maker stopped where a kill between making the object and
# claiming its header would stop it: the note written, the object made.
_HALF_MADE = """
import os, signal, sys
from shmkit.segments import Posix
from shmkit._creation_note import CreationNote
note = CreationNote(("posix", sys.argv[1]))
note.making()
Posix._create(sys.argv[1], 65536, 0o600, True, False, None, note)
os.kill(os.getpid(), signal.SIGKILL)
"""


def notes_naming(name: str) -> list[str]:
    found = []
    for entry in os.listdir("/dev/shm"):
        if entry.startswith(".shmkit-making-"):
            try:
                with open(f"/dev/shm/{entry}", "rb") as note:
                    if note.read(512).startswith(f"posix {name}\n".encode()):
                        found.append(entry)
            except OSError:
                pass
    return found


def test_a_python_maker_killed_before_it_claimed_the_header_leaves_nothing_for_good(posix_name: str) -> None:
    try:
        half = subprocess.run([sys.executable, "-c", _HALF_MADE, posix_name], cwd=REPO, capture_output=True, text=True, timeout=60)
        assert half.returncode == -signal.SIGKILL, half.stderr
        assert named(posix_name) and len(notes_naming(posix_name)) == 1
        # The Node gc tells the blank object it left from anyone else's, and removes both.
        gc = subprocess.run(["node", "--import", "tsx", "host/cli/main.ts", "gc", "--prefix", posix_name, "--json"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
        assert gc.returncode == 0, gc.stderr
        assert [entry["action"] for entry in json.loads(gc.stdout)] == ["removed", "removed"], gc.stdout
        assert not named(posix_name) and notes_naming(posix_name) == []
        # Without gc: the next opener formats what was left blank, and takes the note away.
        subprocess.run([sys.executable, "-c", _HALF_MADE, posix_name], cwd=REPO, capture_output=True, timeout=60)
        seg = shmkit.open_or_create("posix", name=posix_name, size=65536)
        try:
            assert seg.initialised and notes_naming(posix_name) == []
        finally:
            seg.close()
    finally:
        for entry in notes_naming(posix_name):
            os.unlink(f"/dev/shm/{entry}")
