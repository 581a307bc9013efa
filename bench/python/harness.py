"""How every row of the Python benchmark runs: a producer and a consumer in
two processes (fork); each sets itself up, calls go() (which returns when
both are ready and the clock starts), and works; the consumer's return is
the end. Times come from the monotonic clock every process shares."""
from __future__ import annotations

import multiprocessing
import statistics
import time
from typing import Any, Callable

CONTEXT = multiprocessing.get_context("fork")

Side = Callable[[Any, Callable[[], None]], None]


def two_processes(producer: Side, consumer: Side, shared: Any = None) -> float:
    """Seconds from the start until the consumer returned."""
    ready, start, done = CONTEXT.Barrier(3), CONTEXT.Event(), CONTEXT.Queue()

    def go() -> None:
        ready.wait(120)
        start.wait()

    def consume() -> None:
        consumer(shared, go)
        done.put(time.perf_counter())

    processes = [CONTEXT.Process(target=consume), CONTEXT.Process(target=producer, args=(shared, go))]
    try:
        for process in processes:
            process.start()
        ready.wait(120)
        began = time.perf_counter()
        start.set()
        ended = done.get(timeout=300)
        for process in processes:
            process.join(60)
            if process.exitcode != 0:
                raise RuntimeError(f"a benchmark process failed (exit {process.exitcode})")
        return ended - began
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()


def median(samples: list[float]) -> float:
    return statistics.median(samples)

