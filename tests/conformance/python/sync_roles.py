"""Roles of tests/conformance/sync/*.ts, played through the Python host."""
from __future__ import annotations

from scenario import WAIT, atomic_words, enter, leave, words


def _locked(seg, body) -> None:  # noqa: ANN001
    mutex = seg.mutex("m")
    if not mutex.acquire(WAIT):
        raise RuntimeError("acquire did not get the mutex")
    try:
        body()
    finally:
        mutex.release()


def mutex_increment(seg, params: dict, say) -> dict:
    counter = words(seg, "counter", 1)
    inside = atomic_words(seg, "inside", 1)
    overlaps = 0
    for _ in range(params["rounds"]):
        def body() -> None:
            nonlocal overlaps
            overlaps += enter(inside)
            counter[0] = counter[0] + 1  # not atomic on purpose: only the lock keeps it exact
            leave(inside)

        _locked(seg, body)
    return {"overlaps": overlaps}


def mutex_enter_once(seg, params: dict, say) -> dict:
    order = words(seg, "order", 3)  # [entries so far, first mark, second mark]
    inside = atomic_words(seg, "inside", 1)
    overlaps = 0

    def body() -> None:
        nonlocal overlaps
        overlaps = enter(inside)
        order[1 + order[0]] = params["mark"]
        order[0] = order[0] + 1
        leave(inside)

    _locked(seg, body)
    return {"overlaps": overlaps}


PERMITS = 2


def _note_most(words_, index: int, now: int) -> None:  # noqa: ANN001
    most = words_.load(index)
    while now > most:
        words_.compare_exchange(index, most, now)
        most = words_.load(index)


def semaphore_borrow(seg, params: dict, say) -> dict:
    pool = seg.semaphore("pool")
    inside = atomic_words(seg, "inside", 2)
    overlaps = 0
    for _ in range(params["rounds"]):
        if not pool.acquire(WAIT):
            raise RuntimeError("acquire timed out with permits to come")
        overlaps += enter(inside, PERMITS)
        _note_most(inside, 1, inside.load(0))
        leave(inside)
        pool.release()
    return {"overlaps": overlaps}


def semaphore_post(seg, params: dict, say) -> dict:
    items = seg.semaphore("items")
    for _ in range(params["posts"]):
        items.release()
    return {}


def semaphore_take(seg, params: dict, say) -> dict:
    items = seg.semaphore("items")
    taken = atomic_words(seg, "taken", 1)
    for _ in range(params["takes"]):
        if not items.acquire(WAIT):
            raise RuntimeError("acquire timed out: a post was lost")
        taken.add(0, 1)
    return {}


def rwlock_write(seg, params: dict, say) -> dict:
    lock = seg.rwlock("rw")
    w = atomic_words(seg, "rw", 5)  # [readers inside, writers inside, plain counter, most readers together, overlaps]
    plain = words(seg, "rw", 5)
    for _ in range(params["rounds"]):
        if lock.lock_write(WAIT) != "acquired":
            raise RuntimeError("lock_write did not acquire")
        if w.add(1, 1) != 0 or w.load(0) != 0:
            w.add(4, 1)
        plain[2] = plain[2] + 1  # plain on purpose: only the lock keeps it exact
        w.add(1, -1)
        lock.release_write()
    return {}


def rwlock_read(seg, params: dict, say) -> dict:
    lock = seg.rwlock("rw")
    w = atomic_words(seg, "rw", 5)
    for _ in range(params["rounds"]):
        if not lock.acquire_read(WAIT):
            raise RuntimeError("acquire_read timed out")
        _note_most(w, 3, w.add(0, 1) + 1)
        if w.load(1) != 0:
            w.add(4, 1)
        w.add(0, -1)
        lock.release_read()
    return {}


def barrier_arrive(seg, params: dict, say) -> dict:
    gate = seg.barrier("barrier", 3)
    generations = params["generations"]
    arrived = atomic_words(seg, "arrived", 200)
    early = lasts = 0
    for g in range(generations):
        arrived.add(g, 1)
        if gate.wait(WAIT):
            lasts += 1
        if arrived.load(g) != 3:
            early += 1
    return {"early": early, "lasts": lasts}


def event_manual_wait(seg, params: dict, say) -> dict:
    return {"passed": seg.event("manual").wait(WAIT)}


def event_manual_set(seg, params: dict, say) -> dict:
    seg.event("manual").set()
    return {}


def event_auto_wait(seg, params: dict, say) -> dict:
    passed = seg.event("auto").wait(WAIT)
    atomic_words(seg, "passed", 1).add(0, 1)
    return {"passed": passed}


def event_auto_set(seg, params: dict, say) -> dict:
    import time

    auto = seg.event("auto")
    passed = atomic_words(seg, "passed", 1)
    for count in range(1, params["times"] + 1):
        auto.set()
        while passed.load(0) < count:  # an auto event holds one pass at most: set again once it was taken
            time.sleep(0.001)
    return {}


ROLES = {
    ("mutex", 0, "increment"): mutex_increment,
    ("mutex", 1, "enterOnce"): mutex_enter_once,
    ("semaphore", 0, "borrow"): semaphore_borrow,
    ("semaphore", 1, "post"): semaphore_post,
    ("semaphore", 1, "take"): semaphore_take,
    ("rwlock", 0, "write"): rwlock_write,
    ("rwlock", 0, "read"): rwlock_read,
    ("barrier", 0, "arrive"): barrier_arrive,
    ("event", 0, "wait"): event_manual_wait,
    ("event", 0, "set"): event_manual_set,
    ("event", 1, "wait"): event_auto_wait,
    ("event", 1, "set"): event_auto_set,
}
