#!/usr/bin/env python3
"""Runs a WASI preview1 command under wasmtime (PyPI `wasmtime`, pinned in
requirements.txt beside this file): its stdout and stderr are this
process's, and this process exits with its exit status.

    python run_command.py build/conformance.wasm [args...]
"""
import sys

import wasmtime


def run(path: str, args: list[str]) -> int:
    config = wasmtime.Config()
    # The core's code uses atomics and SIMD.
    config.wasm_threads = True
    config.wasm_simd = True
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.argv = [path, *args]
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    instance = linker.instantiate(store, wasmtime.Module.from_file(engine, path))
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as exit_:
        return exit_.code
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: run_command.py program.wasm [args...]")
    sys.exit(run(sys.argv[1], sys.argv[2:]))
