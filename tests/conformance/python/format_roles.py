"""Roles of tests/conformance/format/directory.ts."""
from __future__ import annotations

from shmkit.atomics import AtomicInt32

NAMES = 24
STEPS = [1, 5, 7]


def claim(seg, params: dict, say) -> dict:
    party = params["party"]
    for i in range(NAMES):
        name = f"object-{(i * STEPS[party] + party) % NAMES}"
        AtomicInt32(seg.find_or_create_bytes(name, 64, align=8)).add(0, 1)
    return {}


ROLES = {("directory", 0, "claim"): claim}
