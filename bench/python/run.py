"""npm run bench:python: 64-byte messages between Python processes (and from
Node), round trips, and 8 MiB array handoffs, through shmkit and what a
Python user would otherwise pick, in one run. Medians of repeated runs;
ratios against multiprocessing.Pipe. Writes bench/results/python.{json,md}."""
from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import baselines  # noqa: E402
import handoff  # noqa: E402
import shmkit_rows  # noqa: E402
from harness import median, two_processes  # noqa: E402

RUNS = int(os.environ.get("SHMKIT_BENCH_RUNS", "5"))
RESULTS = Path(__file__).resolve().parents[1] / "results"
rows: list[dict] = []


def measure(group: str, name: str, unit: str, make, per: int) -> dict:  # noqa: ANN001
    """Runs make() → (producer, consumer[, cleanup]) RUNS times; `per` events per run."""
    samples = []
    for _ in range(RUNS):
        made = make()
        producer, consumer = made[0], made[1]
        try:
            samples.append(two_processes(producer, consumer))
        finally:
            if len(made) > 2:
                made[2]()
    if unit == "msgs/s":
        values = [per / s for s in samples]
    else:  # µs per event
        values = [s / per * 1e6 for s in samples]
    row = {"group": group, "name": name, "unit": unit, "median": median(values), "runs": values}
    rows.append(row)
    print(f"  {group:<34} {name:<44} {_fmt(row)}", flush=True)
    return row


def _fmt(row: dict) -> str:
    value = row["median"]
    return f"{value / 1e6:8.3f} M msgs/s" if row["unit"] == "msgs/s" else f"{value:10.2f} µs"


def crossing_costs() -> dict:
    """What one call into the core costs from Python, against wasmtime-py's own call."""
    import wasmtime

    from shmkit._arena import Arena

    arena = Arena.default()
    fast = arena.t.arenaUsedUnits
    export = arena.t.instance.exports(arena.t.store)["arenaUsedUnits"]
    store = arena.t.store

    def per_call(call, n: int) -> float:  # noqa: ANN001
        best = float("inf")
        for _ in range(5):
            began = time.perf_counter()
            for _ in range(n):
                call()
            best = min(best, (time.perf_counter() - began) / n)
        return best * 1e9

    return {"shmkit_call_ns": per_call(fast, 100000), "wasmtime_func_call_ns": per_call(lambda: export(store), 5000),
            "wasmtime": wasmtime.__version__ if hasattr(wasmtime, "__version__") else "50.0.1"}


def main() -> None:
    count, batched, queue_count = 200_000, 256 * 7813, 50_000  # batched: whole batches
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {RUNS} runs per row (medians)\n")
    pipe, sock, mpq, iox = baselines.Pipe(), baselines.UnixSocket(), baselines.Queue(), baselines.Iceoryx2()
    ring, queue = shmkit_rows.Ring(), shmkit_rows.Queue()

    group = "one call per message, Py → Py"
    measure(group, pipe.name, "msgs/s", lambda: pipe.stream(count, 1), count)
    measure(group, mpq.name, "msgs/s", lambda: mpq.stream(queue_count, 1), queue_count)
    measure(group, sock.name, "msgs/s", lambda: sock.stream(count, 1), count)
    measure(group, iox.name, "msgs/s", lambda: iox.stream(count, 1), count)
    measure(group, f"{ring.name} send/receive", "msgs/s", lambda: ring.stream(count, 1), count)
    measure(group, f"{queue.name} send/receive", "msgs/s", lambda: queue.stream(count, 1), count)
    batching = shmkit_rows.BatchingRing()
    measure(group, batching.name, "msgs/s", lambda: batching.stream(batched, 1), batched)

    group = "batched (256 per call), Py → Py"
    measure(group, f"{pipe.name}, 256 per send_bytes", "msgs/s", lambda: pipe.stream(batched, 256), batched)
    measure(group, f"{sock.name}, 256 per sendall", "msgs/s", lambda: sock.stream(batched, 256), batched)
    measure(group, f"{ring.name} send_many/receive_many", "msgs/s", lambda: ring.stream(batched, 256), batched)
    measure(group, f"{queue.name} send_many/receive_many", "msgs/s", lambda: queue.stream(batched, 256), batched)

    group = "Node → Python"
    measure(group, f"{ring.name}, Node sendPacked → receive_many", "msgs/s", lambda: ring.from_node(batched), batched)

    rounds = 20_000
    group = "round trip, 64 bytes each way"
    measure(group, pipe.name, "µs", lambda: pipe.ping_pong(rounds), rounds)
    measure(group, sock.name, "µs", lambda: sock.ping_pong(rounds), rounds)
    measure(group, f"{iox.name}, busy-poll", "µs", lambda: iox.ping_pong(rounds), rounds)
    measure(group, f"{ring.name}, blocking receive", "µs", lambda: ring.ping_pong(rounds, busy=False), rounds)
    measure(group, f"{ring.name}, busy-poll try_receive", "µs", lambda: ring.ping_pong(rounds, busy=True), rounds)

    arrays = 20
    group = "8 MiB NumPy array handoff"
    measure(group, "multiprocessing.Pipe send_bytes/recv_bytes_into", "µs", lambda: handoff.pipe(arrays), arrays)
    measure(group, "multiprocessing.shared_memory + Pipe signal", "µs", lambda: handoff.python_shared_memory(arrays), arrays)
    measure(group, "shmkit segment + two Semaphores", "µs", lambda: handoff.shmkit_segment(arrays), arrays)
    measure(group, "shmkit SPSC ring (copied in and out)", "µs", lambda: handoff.shmkit_ring(arrays), arrays)

    costs = crossing_costs()
    print(f"\n  one call into the core: {costs['shmkit_call_ns']:.0f} ns (wasmtime-py's Func call: {costs['wasmtime_func_call_ns'] / 1000:.1f} µs)")
    report(costs)


def find(group: str, start: str) -> dict:
    return next(r for r in rows if r["group"].startswith(group) and r["name"].startswith(start))


def report(costs: dict) -> None:
    pipe_one = find("one call", "multiprocessing.Pipe")["median"]
    pipe_rtt = find("round trip", "multiprocessing.Pipe")["median"]
    for row in rows:
        base = pipe_rtt if row["group"].startswith("round trip") else pipe_one if row["unit"] == "msgs/s" else find("8 MiB", "multiprocessing.Pipe")["median"]
        row["vs_pipe"] = row["median"] / base if row["unit"] == "msgs/s" else base / row["median"]
    single = find("one call", "shmkit SPSC ring send")["median"]
    single_batching = find("one call", "shmkit SPSC ring, producer(batch")["median"]
    batch = find("batched", "shmkit SPSC")["median"]
    iox_single = find("one call", "iceoryx2")["median"]
    blocking = find("round trip", "shmkit SPSC ring, blocking")["median"]
    goals = [
        ("≥ 10× multiprocessing.Pipe msgs/s, one call per message", single / pipe_one, 10, single / pipe_one >= 10),
        ("the same with a batching producer and a reading-ahead consumer", single_batching / pipe_one, 10, single_batching / pipe_one >= 10),
        ("≥ 50× multiprocessing.Pipe msgs/s, batched", batch / pipe_one, 50, batch / pipe_one >= 50),
        ("blocking round trip ≤ 1/5 of multiprocessing.Pipe's", pipe_rtt / blocking, 5, pipe_rtt / blocking >= 5),
        ("ahead of iceoryx2's Python binding, batched msgs/s", batch / iox_single, 1, batch / iox_single > 1),
    ]
    print("\nGoals (issue 12):")
    for what, ratio, target, met in goals:
        print(f"  {'met    ' if met else 'NOT met'}  {what}: {ratio:.2f}× (goal {target}×)")
    RESULTS.mkdir(exist_ok=True)
    meta = {"python": platform.python_version(), "cpus": os.cpu_count(), "runs": RUNS, "date": time.strftime("%Y-%m-%d"), **costs}
    (RESULTS / "python.json").write_text(json.dumps({"meta": meta, "rows": rows, "goals": [
        {"goal": what, "ratio": ratio, "target": target, "met": met} for what, ratio, target, met in goals]}, indent=1) + "\n")
    lines = [f"# Python benchmark ({meta['date']}, Python {meta['python']}, {meta['cpus']} CPUs, medians of {RUNS} runs)", "",
             "| group | case | median | vs multiprocessing.Pipe |", "| --- | --- | ---: | ---: |"]
    lines += [f"| {r['group']} | {r['name']} | {_fmt(r).strip()} | {r['vs_pipe']:.2f}× |" for r in rows]
    lines += ["", f"One call into the core from Python: {costs['shmkit_call_ns']:.0f} ns; wasmtime-py's `Func.__call__`: "
              f"{costs['wasmtime_func_call_ns'] / 1000:.1f} µs.", "", "| goal | ratio | met |", "| --- | ---: | --- |"]
    lines += [f"| {what} | {ratio:.2f}× (goal {target}×) | {'yes' if met else 'no'} |" for what, ratio, target, met in goals]
    (RESULTS / "python.md").write_text("\n".join(lines) + "\n")
    print(f"\nWrote {RESULTS / 'python.json'} and {RESULTS / 'python.md'}")


if __name__ == "__main__":
    main()
