// The arena: one shared WebAssembly.Memory per process into which segments
// are mapped, so Wasm code, JS views and other processes share the pages.
import { ShmError, invalidArgument } from '../errors.js';
import { ArenaStatus, UNIT_SIZE, instantiateCore, type CoreExports } from '../core/core.js';
import { coreModule } from '../core/node-module.js';
import { addressOf } from '../linux/libc.js';
import { coverWithAnonymous } from '../linux/mman.js';
import { HUGE_PAGE_SIZE } from '../linux/constants.js';

/** A claimed, page-aligned range of the arena. */
export interface Window {
  /** Byte offset in the arena memory. */
  readonly offset: number;
  /** Bytes reserved: whole 64 KiB units (whole 2 MiB pages for huge pages). */
  readonly length: number;
  /** Process address of the first byte. */
  readonly address: number;
}

export interface ArenaOptions {
  /** Most bytes the arena may grow to (core statics included); a multiple of 64 KiB, at most 4 GiB. */
  maxBytes?: number;
}

const MAX_UNITS = 65536;
const HUGE_UNITS = HUGE_PAGE_SIZE / UNIT_SIZE;

function defaultMaxBytes(): number {
  const fromEnv = process.env.SHMKIT_ARENA_SIZE;
  if (fromEnv === undefined || fromEnv === '') return MAX_UNITS * UNIT_SIZE;
  const bytes = Number(fromEnv);
  if (!Number.isSafeInteger(bytes)) invalidArgument(`SHMKIT_ARENA_SIZE must be a number of bytes: got '${fromEnv}'`);
  return bytes;
}

let processArena: Arena | undefined;

export class Arena {
  readonly memory: WebAssembly.Memory;
  readonly core: CoreExports;
  /** Process address of byte 0 of the memory (stable: shared memories never move). */
  readonly baseAddress: number;
  readonly maxBytes: number;

  /** The process-wide arena every segment uses unless told otherwise. */
  static get default(): Arena {
    return (processArena ??= new Arena());
  }

  /**
   * The arena of another thread of this process, from its `memory` (sent by
   * postMessage). The new core instance joins the live window table.
   */
  static adopt(memory: WebAssembly.Memory): Arena {
    if (!(memory instanceof WebAssembly.Memory) || !(memory.buffer instanceof SharedArrayBuffer)) {
      invalidArgument('Arena.adopt needs the shared WebAssembly.Memory of an existing arena');
    }
    return new Arena(undefined, memory);
  }

  /** Makes this thread's default arena the given one (a worker adopting its parent's). */
  static setDefault(arena: Arena): void {
    if (processArena && processArena !== arena) {
      throw new ShmError({ code: 'EBUSY', message: 'this thread already uses a default arena; call Arena.setDefault before the first segment' });
    }
    processArena = arena;
  }

  constructor(options: ArenaOptions = {}, adopted?: WebAssembly.Memory) {
    if (adopted) {
      this.memory = adopted;
      this.core = this.#instantiate();
      this.maxBytes = this.core.arenaLimitUnits() * UNIT_SIZE;
    } else {
      const maxBytes = options.maxBytes ?? defaultMaxBytes();
      if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0 || maxBytes % UNIT_SIZE !== 0 || maxBytes > MAX_UNITS * UNIT_SIZE) {
        invalidArgument(`arena maxBytes must be a positive multiple of 65536 up to 4 GiB: maxBytes=${maxBytes}`);
      }
      this.maxBytes = maxBytes;
      this.memory = new WebAssembly.Memory({ initial: 1, maximum: maxBytes / UNIT_SIZE, shared: true });
      this.core = this.#instantiate();
      const firstUnit = Math.ceil(this.core.coreStaticsEnd() / UNIT_SIZE);
      const status = this.core.coreInit(firstUnit, maxBytes / UNIT_SIZE);
      if (status !== ArenaStatus.ok) {
        invalidArgument(`arena of ${maxBytes} bytes has no room beside the core's statics (status ${status})`);
      }
    }
    const joined = this.core.arenaJoin();
    if (joined < 0) invalidArgument('the memory given to Arena.adopt was never initialised by an arena');
    this.baseAddress = addressOf(new Uint8Array(this.memory.buffer, 0, 1));
  }

  #instantiate(): CoreExports {
    return instantiateCore(coreModule(), this.memory);
  }

  /** Bytes currently held by windows. */
  get usedBytes(): number {
    return this.core.arenaUsedUnits() * UNIT_SIZE;
  }

  /** Core instances (threads) sharing this memory. */
  get instances(): number {
    return this.core.arenaInstances();
  }

  /**
   * Claims a window for `length` bytes and makes the memory cover it. Pass
   * `readOnly` when the window will hold a read-only mapping (see #growTo).
   */
  claim(length: number, hugePages = false, readOnly = false): Window {
    const align = hugePages ? HUGE_UNITS : 1;
    let units = Math.ceil(length / UNIT_SIZE);
    units = Math.ceil(units / align) * align;
    const first = units > 0 && units <= MAX_UNITS ? this.core.windowClaim(units, align) : ArenaStatus.noSpace;
    if (first < 0) {
      const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
      throw new ShmError({
        code: 'ENOSPC',
        message: `the arena has no free window of ${mib(units * UNIT_SIZE)} MiB ` +
          `(${mib(this.usedBytes)} of ${mib(this.maxBytes)} MiB in use); close segments you no longer need, ` +
          'or give the arena more room (SHMKIT_ARENA_SIZE, or new Arena({ maxBytes }))',
      });
    }
    const offset = first * UNIT_SIZE;
    const windowLength = units * UNIT_SIZE;
    // V8 grows a shared memory with mprotect(READ|WRITE) over the whole range
    // from byte 0: over a read-only mapping that fails with EACCES, a fatal
    // V8 error that kills the process (or, for a writable descriptor, quietly
    // makes the window writable). So before the first read-only window the
    // memory takes its full size, once, and never grows again; pages nobody
    // touches cost nothing (V8 reserves them MAP_NORESERVE).
    this.#growTo(readOnly ? this.maxBytes : offset + windowLength);
    return { offset, length: windowLength, address: this.baseAddress + offset };
  }

  /**
   * Gives a window back. Its pages are first replaced by fresh anonymous
   * memory, which drops the mapping and leaves no hole behind.
   */
  release(window: Window): void {
    coverWithAnonymous(window.address, window.length);
    this.core.windowRelease(window.offset / UNIT_SIZE, window.length / UNIT_SIZE);
  }

  /** A byte view of the arena memory (a view of its SharedArrayBuffer). */
  bytes(offset: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, offset, length);
  }

  // Threads may grow concurrently; growing a little past the need is harmless
  // (untouched pages cost nothing), going past the maximum is retried.
  #growTo(end: number): void {
    for (;;) {
      const before = this.memory.buffer.byteLength;
      if (before >= end) return;
      try {
        this.memory.grow((end - before) / UNIT_SIZE);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        if (this.memory.buffer.byteLength === before) {
          throw new ShmError({ code: 'ENOMEM', message: `could not grow the arena to ${end} bytes: ${error.message}`, cause: error });
        }
      }
    }
  }
}
