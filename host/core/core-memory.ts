// A shared WebAssembly.Memory with the core instantiated on it: the part of
// the arena that needs no operating system. Browsers, WASI hosts and plain
// SharedArrayBuffer users get exactly this; the Node arena builds on it.
import { ShmError, invalidArgument } from '../errors.js';
import { MAX_UNITS, UNIT_SIZE, coreConstant, instantiateCore, type CoreExports } from './core.js';
import { Descriptors } from './descriptors.js';
import type { WasmMemory, WasmModule } from './wasm-types.js';

export { MAX_UNITS };

export interface CoreMemoryOptions {
  /** Most bytes the memory may grow to (core statics included); a multiple of 64 KiB, at most 4 GiB. */
  maxBytes: number;
  /** The compiled core.wasm. */
  module: WasmModule;
  /** An existing memory to join (another thread's), instead of a new one. */
  memory?: WasmMemory;
}

/** A range of whole units claimed from the window table. */
export interface UnitRange {
  readonly offset: number;
  readonly length: number;
}

type TypedArrayConstructor<T> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };

export class CoreMemory {
  readonly memory: WasmMemory;
  readonly core: CoreExports;
  readonly maxBytes: number;
  /** End of the core's statics: nothing of a host's is placed below it. */
  readonly staticsEnd: number;
  #scratch: UnitRange | undefined;
  #descriptors: Descriptors | undefined;
  // Arrays handed out by allocateArray, and their units, returned when the
  // array is freed or collected.
  readonly #arrays = new WeakMap<ArrayBufferView, UnitRange>();
  readonly #collected = new FinalizationRegistry<UnitRange>((range) => this.releaseUnits(range));

  constructor(options: CoreMemoryOptions) {
    if (options.memory) {
      const memory = options.memory;
      if (!(memory instanceof WebAssembly.Memory) || !(memory.buffer instanceof SharedArrayBuffer)) {
        invalidArgument('joining a core memory needs the shared WebAssembly.Memory of an existing one');
      }
      this.memory = memory;
      this.core = instantiateCore(options.module, memory);
      this.maxBytes = this.core.arenaLimitUnits() * UNIT_SIZE;
    } else {
      const maxBytes = options.maxBytes;
      if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0 || maxBytes % UNIT_SIZE !== 0 || maxBytes > MAX_UNITS * UNIT_SIZE) {
        invalidArgument(`maxBytes must be a positive multiple of 65536 up to 4 GiB: maxBytes=${maxBytes}`);
      }
      this.maxBytes = maxBytes;
      this.memory = new WebAssembly.Memory({ initial: 1, maximum: maxBytes / UNIT_SIZE, shared: true });
      this.core = instantiateCore(options.module, this.memory);
      const firstUnit = Math.ceil(this.core.coreStaticsEnd() / UNIT_SIZE);
      const status = this.core.coreInit(firstUnit, maxBytes / UNIT_SIZE);
      if (status !== coreConstant(this.core, 'ARENA_OK')) {
        invalidArgument(`a memory of ${maxBytes} bytes has no room beside the core's statics (status ${status})`);
      }
    }
    if (this.core.arenaJoin() < 0) invalidArgument('the memory to join was never initialised by shmkit');
    this.staticsEnd = this.core.coreStaticsEnd();
  }

  /** This memory's pool of private descriptors, where the core keeps opened objects' checked geometry. */
  get descriptors(): Descriptors {
    return (this.#descriptors ??= new Descriptors(this));
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
   * Claims whole units for `length` bytes, starting at a unit u with
   * u mod `alignUnits` == `phase`; grows the memory to cover them (or to
   * its maximum, once, when asked).
   */
  claimUnits(length: number, alignUnits: number, growToMax = false, phase = 0): UnitRange {
    let units = Math.ceil(length / UNIT_SIZE);
    units = Math.ceil(units / alignUnits) * alignUnits;
    const first = units > 0 && units <= MAX_UNITS ? this.core.windowClaim(units, alignUnits, phase) : coreConstant(this.core, 'ARENA_NO_SPACE');
    if (first < 0) {
      const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
      throw new ShmError({
        code: 'ENOSPC',
        message: `the arena has no free window of ${mib(units * UNIT_SIZE)} MiB ` +
          `(${mib(this.usedBytes)} of ${mib(this.maxBytes)} MiB in use); close segments you no longer need, ` +
          'or give the arena more room (SHMKIT_ARENA_SIZE, or new Arena({ maxBytes }))',
      });
    }
    const range = { offset: first * UNIT_SIZE, length: units * UNIT_SIZE };
    this.growTo(growToMax ? this.maxBytes : range.offset + range.length);
    return range;
  }

  releaseUnits(range: UnitRange): void {
    this.core.windowRelease(range.offset / UNIT_SIZE, range.length / UNIT_SIZE);
  }

  /**
   * Offset of at least `bytes` of this instance's scratch space, where the
   * host stages inputs and outputs of core calls. Grows as needed.
   */
  scratch(bytes: number): number {
    if (!this.#scratch || this.#scratch.length < bytes) {
      if (this.#scratch) this.releaseUnits(this.#scratch);
      this.#scratch = undefined;
      this.#scratch = this.claimUnits(Math.max(bytes, UNIT_SIZE), 1);
    }
    return this.#scratch.offset;
  }

  /**
   * A typed array that lives in this memory, so core calls can read and
   * write it in place (Table.readColumn/writeColumn then copy nothing).
   * Its space returns with freeArray, or when the array is collected.
   */
  allocateArray<T extends ArrayBufferView>(Type: TypedArrayConstructor<T>, length: number): T {
    if (!Number.isSafeInteger(length) || length < 0) invalidArgument(`allocateArray: length must be a whole number: length=${String(length)}`);
    const range = this.claimUnits(Math.max(1, length * Type.BYTES_PER_ELEMENT), 1);
    const array = new Type(this.memory.buffer, range.offset, length);
    this.#arrays.set(array, range);
    this.#collected.register(array, range, array);
    return array;
  }

  freeArray(array: ArrayBufferView): void {
    const range = this.#arrays.get(array);
    if (!range) invalidArgument('freeArray: that array was not made by this memory\'s allocateArray');
    this.#arrays.delete(array);
    this.#collected.unregister(array);
    this.releaseUnits(range);
  }

  /** Whether `array` lives in this memory (made by allocateArray and not freed). */
  owns(array: ArrayBufferView): boolean {
    return this.#arrays.has(array);
  }

  /** A byte view of the memory (a view of its SharedArrayBuffer). */
  bytes(offset: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, offset, length);
  }

  // Threads may grow concurrently; growing a little past the need is harmless
  // (untouched pages cost nothing), going past the maximum is retried.
  protected growTo(end: number): void {
    for (;;) {
      const before = this.memory.buffer.byteLength;
      if (before >= end) return;
      try {
        this.memory.grow((end - before) / UNIT_SIZE);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        if (this.memory.buffer.byteLength === before) {
          throw new ShmError({ code: 'ENOMEM', message: `could not grow the memory to ${end} bytes: ${(error as Error).message}`, cause: error });
        }
      }
    }
  }
}
