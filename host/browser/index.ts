// shmkit in browsers (and any host with SharedArrayBuffer and workers): one
// shared WebAssembly.Memory as the arena, formatted segments over regions
// of it, structs, every lock and channel. Loads no koffi and no node:*;
// the core ships inside the bundle.
import './core-source.js';
import { PlainArena } from './plain-arena.js';
import type { ArenaMessage } from './arena-message.js';

export { ShmError, type ShmErrorTarget } from '../errors.js';
export { PlainArena, type PlainArenaOptions, type SegmentOptions } from './plain-arena.js';
export { Region, type RegionInfo } from './region.js';
export { isArenaMessage, type ArenaMessage } from './arena-message.js';
export { CoreMemory, type CoreMemoryOptions } from '../core/core-memory.js';
export { ManagedSegment, type ManagedOptions } from '../format/managed.js';
export { type ObjectInfo, type ObjectSpec, type BytesSpec, type TableSpec } from '../format/directory.js';
export type { SegmentLike, Holder } from '../format/segment-like.js';
export { threadCanBlock } from '../wait/can-block.js';
export * from '../struct/index.js';
export * from '../sync/index.js';
export * from '../channel/index.js';

/** In a worker: the arena a page (or another worker) sent with `postMessage(arena.share())`. */
export function joinArena(message: ArenaMessage): PlainArena {
  return PlainArena.join(message);
}
