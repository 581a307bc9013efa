// The browser's arena: one shared WebAssembly.Memory with the core on it,
// cut into named regions that formatted segments, structs, locks and
// channels live in. Handed to a worker in one message (share / joinArena).
import { ShmError, invalidArgument } from '../errors.js';
import { CORE_ABI_VERSION, UNIT_SIZE } from '../core/core.js';
import { CoreMemory, MAX_UNITS } from '../core/core-memory.js';
import { coreModule } from '../core/core-module.js';
import { checkOptions, checkSize, describeValue } from '../core/validate.js';
import { ManagedSegment, checkManagedOptions, type ManagedOptions } from '../format/managed.js';
import { ARENA_MESSAGE_TAG, checkArenaMessage, checkRegionName, type ArenaMessage } from './arena-message.js';
import { Region, type RegionInfo } from './region.js';

export interface PlainArenaOptions {
  /** Most bytes the memory may grow to (core statics included): a multiple of 64 KiB up to 4 GiB; default 256 MiB. */
  maxBytes?: number;
}

/** A formatted segment's size and, when this call formats it, its directory. */
export interface SegmentOptions extends ManagedOptions {
  /** Bytes of the whole segment (header and directory included). */
  size: number;
}

const DEFAULT_MAX_BYTES = 256 << 20;

// This thread's arena over each memory it joined, so joining again (a later
// share() with more regions) adds regions instead of a second core instance.
const joined = new WeakMap<WebAssembly.Memory, PlainArena>();

export class PlainArena extends CoreMemory {
  readonly #regions = new Map<string, Region>();

  /**
   * A fresh arena: a new shared memory with the core initialised on it.
   * (Threads that were sent one call joinArena(message) instead.)
   */
  constructor(options: PlainArenaOptions = {}, message?: ArenaMessage) {
    const { maxBytes = DEFAULT_MAX_BYTES } = checkOptions<PlainArenaOptions>(options, ['maxBytes'], 'PlainArena');
    if (typeof maxBytes !== 'number' || !Number.isSafeInteger(maxBytes) || maxBytes <= 0 || maxBytes % UNIT_SIZE !== 0 || maxBytes > MAX_UNITS * UNIT_SIZE) {
      invalidArgument(`PlainArena: maxBytes must be a positive multiple of 65536 up to 4 GiB: maxBytes=${describeValue(maxBytes)}`);
    }
    const memory = message === undefined ? undefined : checkArenaMessage(message).memory;
    assertSharedMemory();
    super({ maxBytes, module: coreModule(), memory });
    for (const info of message?.regions ?? []) this.#learn(info);
  }

  /**
   * The arena another thread shared: the same memory, a core instance of
   * this thread's own, and the regions the message names. Joining the same
   * memory again (a later share()) only learns its new regions.
   */
  static join(message: ArenaMessage): PlainArena {
    const checked = checkArenaMessage(message);
    const known = joined.get(checked.memory);
    if (!known) {
      const arena = new PlainArena({}, checked);
      joined.set(checked.memory, arena);
      return arena;
    }
    for (const info of checked.regions) known.#learn(info);
    return known;
  }

  /** A message for postMessage: a worker passing it to joinArena() shares this memory and every region open here. */
  share(): ArenaMessage {
    const regions = [...this.#regions.values()].map((region) => region.info);
    return { shmkit: ARENA_MESSAGE_TAG, abi: CORE_ABI_VERSION, memory: this.memory, regions };
  }

  /** Claims a new region of `size` bytes (whole 64 KiB units, zeroed); EEXIST if this thread knows the name. */
  region(name: string, size: number): Region {
    checkRegionName(name, 'region');
    checkSize(size, 'region');
    this.#assertNameFree(name);
    const range = this.claimUnits(size, 1);
    this.bytes(range.offset, range.length).fill(0); // units given back earlier keep their old bytes
    return this.#add(new Region(this, { name, offset: range.offset, size }, range, this.#forget));
  }

  /** The region of that name made here or learnt from a shared message, or undefined. */
  findRegion(name: string): Region | undefined {
    checkRegionName(name, 'findRegion');
    return this.#regions.get(name);
  }

  /** Every open region this thread knows. */
  get regions(): RegionInfo[] {
    return [...this.#regions.values()].map((region) => region.info);
  }

  /** A new region, formatted as a shmkit segment (a directory of named objects); closing the segment gives the region back. */
  createSegment(name: string, options: SegmentOptions): ManagedSegment<Region> {
    const { size, ...managed } = checkOptions<SegmentOptions>(options, ['size', 'directorySlots', 'timeoutMs'], 'createSegment');
    checkRegionName(name, 'createSegment');
    checkSize(size, 'createSegment');
    checkManagedOptions(managed); // before the region is claimed
    const region = this.region(name, size);
    try {
      return new ManagedSegment(region, managed);
    } catch (error) {
      region.close();
      throw error;
    }
  }

  /**
   * The formatted segment in a region this thread knows (made by another
   * thread and shared); ENOENT when there is none. Closing it leaves the
   * region to whoever made it.
   */
  openSegment(name: string, options: ManagedOptions = {}): ManagedSegment<Region> {
    checkManagedOptions(checkOptions<ManagedOptions>(options, ['directorySlots', 'timeoutMs'], 'openSegment'));
    const region = this.findRegion(name);
    if (!region) {
      throw new ShmError({ code: 'ENOENT', message: `this thread knows no region '${name}': make it with createSegment, or join a share() message sent after it was made`, objectName: name });
    }
    return new ManagedSegment(new Region(this, region.info, undefined, () => {}), options);
  }

  // A region named by another thread's message replaces what this thread
  // learnt under that name before (it may have been remade), never one it made.
  #learn(info: RegionInfo): void {
    if (info.offset < this.staticsEnd) invalidArgument(`joinArena: region '${info.name}' overlaps the core's statics: offset=${info.offset}`);
    const known = this.#regions.get(info.name);
    if (known?.owned) this.#assertNameFree(info.name);
    if (known && known.offset === info.offset && known.size === info.size) return;
    known?.close();
    this.#add(new Region(this, info, undefined, this.#forget));
  }

  #add(region: Region): Region {
    this.#regions.set(region.name, region);
    return region;
  }

  readonly #forget = (region: Region): void => {
    if (this.#regions.get(region.name) === region) this.#regions.delete(region.name);
  };

  #assertNameFree(name: string): void {
    if (this.#regions.has(name)) throw new ShmError({ code: 'EEXIST', message: `this arena already has a region '${name}'; use findRegion or openSegment, or close it first`, objectName: name });
  }
}

/** In a browser, shared memory needs a cross-origin isolated page: say how to get one instead of failing later. */
function assertSharedMemory(): void {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (typeof SharedArrayBuffer !== 'function' || isolated === false) {
    throw new ShmError({
      code: 'ENOTSUP',
      message: 'shared memory is not available here: serve the page with the headers Cross-Origin-Opener-Policy: same-origin ' +
        'and Cross-Origin-Embedder-Policy: require-corp (crossOriginIsolated must be true), and its scripts from the same origin',
    });
  }
}
