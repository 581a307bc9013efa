"""A Python process in a conformance scenario (backends/python.ts starts it
with the venv's python). argv[1] is JSON {segment, size, address}: it opens
the POSIX segment through the Python host, prints {"ready": true}, plays
its role when a line comes on stdin, prints {"result": ...} or
{"error": ...} and exits. Roles mirror the TypeScript suites' roles of the
same protocol, scenario and name, so both hosts play one scenario."""
from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import shmkit  # noqa: E402
from roles import ROLES  # noqa: E402


def post(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> None:
    if sys.argv[1] == "--list":
        print(json.dumps(sorted(ROLES)))
        return
    job = json.loads(sys.argv[1])
    address = job["address"]
    role = ROLES.get((address["protocol"], address["scenario"], address["role"]))
    with shmkit.open_or_create("posix", name=job["segment"], size=job["size"]) as seg:
        post({"ready": True})
        sys.stdin.readline()
        if role is None:
            post({"error": f"no Python role for {address}"})
            return
        try:
            result = role(seg, address.get("params", {}), lambda news: post({"say": news}))
        except BaseException:  # the coordinator shows it as the party's failure
            post({"error": traceback.format_exc()})
            return
        post({"result": result if result is not None else None})


main()
