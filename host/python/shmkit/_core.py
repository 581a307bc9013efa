"""The shmkit core (core.wasm, the very bytes the Node host runs) loaded into
wasmtime on one shared memory, with a fast way to call it.

wasmtime-py's `Func.__call__` converts and checks every argument and costs
about 25 µs a call on a small cloud VM; the core's calls are a few hundred
instructions. So each export is bound once to `wasmtime_func_call_unchecked`
through ctypes with a preallocated argument array: about 0.6 µs a call.

Every thread gets its own instance on the one memory (a wasmtime Store may
not be entered by two threads at once, and ctypes drops the GIL during the
call); `ThreadCore` is a `threading.local`, so `core.fn(...)` is always this
thread's.
"""
from __future__ import annotations

import ctypes
import hashlib
import threading
from importlib import resources
from typing import Any, Callable

import wasmtime
from wasmtime import _ffi as ffi

from .errors import ShmError

ABI_VERSION = 14
"""The CORE_ABI_VERSION this host is written against (docs/ABI.md)."""


class _ImportableSharedMemory(wasmtime.SharedMemory):
    # wasmtime-py 50 builds the import union from a pointer to the pointer
    # ("incompatible types, LP_LP_wasmtime_sharedmemory", wasmtime-py issue
    # 318); the union wants the pointer itself.
    def _as_extern(self) -> Any:
        union = ffi.wasmtime_extern_union(sharedmemory=self.ptr())
        return ffi.wasmtime_extern_t(ffi.WASMTIME_EXTERN_SHAREDMEMORY, union)


def core_bytes() -> bytes:
    """The core.wasm shipped in this package (copied from the Node build)."""
    return resources.files(__package__).joinpath("core.wasm").read_bytes()


def core_sha256() -> str:
    return hashlib.sha256(core_bytes()).hexdigest()


_call_unchecked = ffi.dll.wasmtime_func_call_unchecked
_call_unchecked.restype = ctypes.c_void_p
_call_unchecked.argtypes = None  # arguments are passed as ready-made ctypes objects


class _Engine:
    """Process-wide: the engine, the compiled module and the shared memory."""

    def __init__(self, max_pages: int) -> None:
        config = wasmtime.Config()
        config.wasm_threads = True
        config.wasm_simd = True
        config.shared_memory = True
        self.engine = wasmtime.Engine(config)
        self.module = wasmtime.Module(self.engine, core_bytes())
        self.memory = _ImportableSharedMemory(
            self.engine, wasmtime.MemoryType(wasmtime.Limits(1, max_pages), shared=True)
        )
        self.max_pages = max_pages
        # A shared memory is one reservation that never moves.
        self.base = ctypes.addressof(self.memory.data_ptr().contents)


def _bind(store: wasmtime.Store, func: wasmtime.Func, name: str) -> Callable[..., Any]:
    ty = func.type(store)
    params = [str(p) for p in ty.params]
    results = [str(r) for r in ty.results]
    slots = max(len(params), len(results), 1)
    raw = (ffi.wasmtime_val_raw_t * slots)()
    address = ctypes.addressof(raw)
    # memoryviews of the one buffer: their item stores cost a third of a
    # ctypes array's.
    raw_bytes = memoryview(raw).cast("B")
    i32, i64, f64 = raw_bytes.cast("i"), raw_bytes.cast("q"), raw_bytes.cast("d")
    trap = ctypes.c_void_p()
    args = (
        ctypes.c_void_p(ctypes.cast(store._context(), ctypes.c_void_p).value),
        ctypes.c_void_p(ctypes.addressof(func._func)),
        ctypes.c_void_p(address),
        ctypes.c_size_t(slots),
        ctypes.c_void_p(ctypes.addressof(trap)),
    )
    keep = (raw, raw_bytes, i32, i64, f64, trap, func)

    def failed() -> None:
        error = ShmError(
            f"the shmkit core trapped in {name}: a core bug or a memory the host let it overrun; "
            "report it with the segment that caused it",
            code="ECOREABORT",
        )
        trap.value = None
        raise error

    # Arguments go in the slot of their index; a slot is 16 bytes, so an i32
    # argument k is at i32[4k] and an i64 at i64[2k].
    setters = []
    for k, kind in enumerate(params):
        if kind == "i32":
            setters.append((i32, 4 * k))
        elif kind == "i64":
            setters.append((i64, 2 * k))
        elif kind == "f64":
            setters.append((f64, 2 * k))
        else:
            raise ShmError(f"core export {name} takes a {kind}, which this host does not pass", code="ECOREABI")
    out = {"i32": i32, "i64": i64, "f64": f64}.get(results[0]) if results else None
    # The caller is generated for the export's arity, so the hot path is a
    # few stores, one foreign call and one load: no loop, no *args.
    names = [f"p{k}" for k in range(len(setters))]
    # An i64 takes u64 values too (hashes, sizes): their two's complement.
    stores = "".join(
        f"    w{k}[{index}] = p{k} if p{k} < 0x8000000000000000 else p{k} - 0x10000000000000000\n" if params[k] == "i64"
        else f"    w{k}[{index}] = p{k}\n"
        for k, (_, index) in enumerate(setters)
    )
    source = (
        f"def {name}({', '.join(names)}):\n{stores}"
        "    if call(a0, a1, a2, a3, a4) or trap.value:\n        failed()\n"
        f"    return {'out[0]' if out is not None else 'None'}\n"
    )
    scope = {f"w{k}": array for k, (array, _) in enumerate(setters)}
    scope.update(call=_call_unchecked, a0=args[0], a1=args[1], a2=args[2], a3=args[3], a4=args[4], trap=trap, failed=failed, out=out)
    exec(source, scope)  # noqa: S102 - source made above from the export's own signature
    fn = scope[name]
    fn.keep = keep  # type: ignore[attr-defined]
    return fn


class ThreadCore(threading.local):
    """This thread's instance of the core; its attributes are the core's
    functions, bound for fast calls, and `globals`, its exported globals."""

    def __init__(self, shared: _Engine) -> None:
        self.store = wasmtime.Store(shared.engine)
        self.instance = wasmtime.Instance(self.store, shared.module, [shared.memory])
        exports = self.instance.exports(self.store)
        self.globals: dict[str, int] = {}
        for export in shared.module.exports:
            item = exports[export.name]
            if isinstance(item, wasmtime.Func):
                setattr(self, export.name, _bind(self.store, item, export.name))
            elif isinstance(item, wasmtime.Global):
                self.globals[export.name] = item.value(self.store)
        self._initialize()


class Core:
    """The core on one shared memory: `core.t` is this thread's instance,
    `core.C` the constants (the same in every instance)."""

    def __init__(self, max_pages: int) -> None:
        self.shared = _Engine(max_pages)
        self.t = ThreadCore(self.shared)
        self.C: dict[str, int] = dict(self.t.globals)
        if self.C.get("CORE_ABI_VERSION") != ABI_VERSION:
            raise ShmError(
                f"core.wasm has CORE_ABI_VERSION {self.C.get('CORE_ABI_VERSION')}, this host speaks "
                f"{ABI_VERSION}: reinstall shmkit so the host and its core.wasm match",
                code="ECOREABI",
            )

    @property
    def base(self) -> int:
        """Process address of byte 0 of the memory."""
        return self.shared.base
