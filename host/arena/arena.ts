// The arena: one shared WebAssembly.Memory per process into which segments
// are mapped, so Wasm code, JS views and other processes share the pages.
import { BYTE_COUNT_FORMS, parseByteCount } from '../byte-count.js';
import { ShmError, invalidArgument } from '../errors.js';
import { UNIT_SIZE } from '../core/core.js';
import { CoreMemory, MAX_UNITS } from '../core/core-memory.js';
import { coreModule } from '../core/node-module.js';
import { addressOf } from '../linux/libc.js';
import { coverWithAnonymous } from '../linux/mman.js';
import { HUGE_PAGE_SIZE } from '../linux/constants.js';
import type { WasmMemory } from '../core/wasm-types.js';

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

const HUGE_UNITS = HUGE_PAGE_SIZE / UNIT_SIZE;

/** What one arena can hold: 65536 Wasm pages, all a 32-bit memory index reaches. */
const ARENA_CEILING = MAX_UNITS * UNIT_SIZE;
const CEILING_REASON = 'every segment a process maps shares its one WebAssembly.Memory, ' +
  'and the core is a 32-bit Wasm module, whose memory has 32-bit addresses';

/** An arena size from the user, checked with the source of the value (`what`) in every message. */
function checkArenaSize(bytes: number, what: string): number {
  if (bytes > ARENA_CEILING) {
    invalidArgument(`${what} is more than one arena can hold: at most ${ARENA_CEILING / 2 ** 30} GiB (${ARENA_CEILING} bytes), because ${CEILING_REASON}`);
  }
  if (bytes <= 0 || bytes % UNIT_SIZE !== 0) {
    const roundedUp = Math.max(1, Math.ceil(bytes / UNIT_SIZE)) * (UNIT_SIZE / 1024);
    invalidArgument(`${what} must be a whole number of ${UNIT_SIZE / 1024} KiB units (${UNIT_SIZE} bytes), like ${roundedUp}K`);
  }
  return bytes;
}

function defaultMaxBytes(): number {
  const fromEnv = process.env.SHMKIT_ARENA_SIZE;
  if (fromEnv === undefined || fromEnv === '') return ARENA_CEILING;
  const bytes = parseByteCount(fromEnv);
  if (Number.isNaN(bytes)) invalidArgument(`SHMKIT_ARENA_SIZE must be a number of bytes ${BYTE_COUNT_FORMS}: got '${fromEnv}'`);
  return checkArenaSize(bytes, `SHMKIT_ARENA_SIZE=${fromEnv}`);
}

function maxBytesOf(options: unknown): number {
  if (options === null || typeof options !== 'object') invalidArgument('new Arena(options): options must be an object like { maxBytes: 1 << 30 }');
  const unknown = Object.keys(options).filter((key) => key !== 'maxBytes');
  if (unknown.length) invalidArgument(`new Arena: unknown option ${unknown.map((key) => `'${key}'`).join(', ')} (options: maxBytes)`);
  const { maxBytes } = options as ArenaOptions;
  if (maxBytes === undefined) return defaultMaxBytes();
  if (!Number.isSafeInteger(maxBytes)) invalidArgument(`new Arena: maxBytes must be a whole number of bytes: maxBytes=${String(maxBytes)}`);
  return checkArenaSize(maxBytes, `new Arena: maxBytes=${maxBytes}`);
}

let processArena: Arena | undefined;

export class Arena extends CoreMemory {
  /** Process address of byte 0 of the memory (stable: shared memories never move). */
  readonly baseAddress: number;

  /** The process-wide arena every segment uses unless told otherwise. */
  static get default(): Arena {
    return (processArena ??= new Arena());
  }

  /**
   * The arena of another thread of this process, from its `memory` (sent by
   * postMessage). The new core instance joins the live window table.
   */
  static adopt(memory: WasmMemory): Arena {
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

  constructor(options: ArenaOptions = {}, adopted?: WasmMemory) {
    super({ maxBytes: adopted ? 0 : maxBytesOf(options), module: coreModule(), memory: adopted });
    this.baseAddress = addressOf(new Uint8Array(this.memory.buffer, 0, 1));
  }

  /**
   * Claims a window for `length` bytes and makes the memory cover it. Pass
   * `readOnly` when the window will hold a read-only mapping.
   */
  claim(length: number, hugePages = false, readOnly = false): Window {
    // Huge pages need a 2 MiB aligned address, and the memory's base is
    // only 64 KiB aligned: ask for the unit phase that lands on one.
    const phase = hugePages ? ((HUGE_PAGE_SIZE - (this.baseAddress % HUGE_PAGE_SIZE)) % HUGE_PAGE_SIZE) / UNIT_SIZE : 0;
    // V8 grows a shared memory with mprotect(READ|WRITE) over the whole range
    // from byte 0: over a read-only mapping that fails with EACCES, a fatal
    // V8 error that kills the process (or, for a writable descriptor, quietly
    // makes the window writable). So before the first read-only window the
    // memory takes its full size, once, and never grows again; pages nobody
    // touches cost nothing (V8 reserves them MAP_NORESERVE).
    const range = this.claimUnits(length, hugePages ? HUGE_UNITS : 1, readOnly, phase);
    return { ...range, address: this.baseAddress + range.offset };
  }

  /**
   * Gives a window back. Its pages are first replaced by fresh anonymous
   * memory, which drops the mapping and leaves no hole behind.
   */
  release(window: Window): void {
    coverWithAnonymous(window.address, window.length);
    this.releaseUnits(window);
  }
}
