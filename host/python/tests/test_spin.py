"""A Python waiter spins by the core's rule, as a Node one does (docs/ABI.md
section 4): a budget learnt from the handle's own waits, never past
SPIN_MAX_NS, halving after waits on a partner that went quiet; and looks
up for a dead holder after slices that double as Node's do."""
from __future__ import annotations

import time

from shmkit._arena import Arena
from shmkit._wait import LivenessSlices, Spinner


def test_a_spin_answers_with_the_attempt_and_gives_up_within_its_budget() -> None:
    arena = Arena.default()
    spinner = Spinner(arena.C)
    assert spinner.budget_ns == arena.C["SPIN_START_NS"]
    calls = []
    got, _ = spinner.spin(arena.t, lambda: calls.append(1) or (len(calls) if len(calls) == 3 else None))
    assert got == 3
    got, started = spinner.spin(arena.t, lambda: None)
    assert got is None and started > 0


def test_waits_on_a_quiet_partner_halve_the_budget_down_to_the_floor() -> None:
    arena = Arena.default()
    C = arena.C
    spinner = Spinner(C)
    spinner.budget_ns = C["SPIN_MAX_NS"]
    long_ago = time.perf_counter_ns() - 10 * C["SPIN_MAX_NS"]
    seen = [spinner.budget_ns]
    while spinner.budget_ns > C["SPIN_MIN_NS"]:
        spinner.slept(arena.t, long_ago)
        seen.append(spinner.budget_ns)
    assert seen[:2] == [C["SPIN_MAX_NS"], C["SPIN_MAX_NS"] >> 1]
    assert spinner.budget_ns == C["SPIN_MIN_NS"]


def test_liveness_slices_start_short_and_double_to_the_longest() -> None:
    arena = Arena.default()
    C = arena.C
    slices = LivenessSlices(C, arena.t)
    assert slices.seconds == C["LIVENESS_SLICE_FIRST_MS"] / 1000
    seen = [slices.seconds]
    while slices.seconds < C["LIVENESS_SLICE_MAX_MS"] / 1000:
        slices.passed()
        seen.append(slices.seconds)
    assert seen[1] == min(2 * seen[0], C["LIVENESS_SLICE_MAX_MS"] / 1000)
    slices.passed()
    assert slices.seconds == C["LIVENESS_SLICE_MAX_MS"] / 1000
