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


ROLES = {
    ("mutex", 0, "increment"): mutex_increment,
    ("mutex", 1, "enterOnce"): mutex_enter_once,
}
