// What PlainArena.share() hands to another thread (by postMessage): the
// memory, and the regions made so far. Structured-cloneable; checked field
// by field on arrival, since anyone in the page can post anything.
import { ShmError, invalidArgument } from '../errors.js';
import { CORE_ABI_VERSION, UNIT_SIZE } from '../core/core.js';
import { checkOptions, describeValue } from '../core/validate.js';
import type { RegionInfo } from './region.js';

/** Tag of an arena message, so a worker can tell it from its other messages. */
export const ARENA_MESSAGE_TAG = 'shmkit-plain-arena';

export interface ArenaMessage {
  readonly shmkit: typeof ARENA_MESSAGE_TAG;
  /** The core ABI the sender runs: both threads must run the same core. */
  readonly abi: number;
  readonly memory: WebAssembly.Memory;
  readonly regions: readonly RegionInfo[];
}

const KEYS = ['shmkit', 'abi', 'memory', 'regions'];
const REGION_KEYS = ['name', 'offset', 'size'];

/** Whether `value` looks like an arena message (for telling it apart in onmessage). */
export function isArenaMessage(value: unknown): value is ArenaMessage {
  return value !== null && typeof value === 'object' && (value as { shmkit?: unknown }).shmkit === ARENA_MESSAGE_TAG;
}

/** Checks every field of a received message; EINVAL naming the bad one. */
export function checkArenaMessage(message: unknown): ArenaMessage {
  const where = 'joinArena';
  if (!isArenaMessage(message)) invalidArgument(`${where}: give the message arena.share() returned (its shmkit field is '${ARENA_MESSAGE_TAG}')`);
  const { abi, memory, regions } = checkOptions<ArenaMessage>(message, KEYS, where);
  if (abi !== CORE_ABI_VERSION) {
    throw new ShmError({ code: 'ELAYOUT', message: `${where}: the sender runs core ABI ${describeValue(abi)}, this thread ${CORE_ABI_VERSION}; load the same shmkit/browser build in every thread` });
  }
  const buffer: unknown = memory instanceof WebAssembly.Memory ? memory.buffer : undefined;
  if (!(buffer instanceof SharedArrayBuffer)) invalidArgument(`${where}: memory must be the arena's shared WebAssembly.Memory`);
  if (!Array.isArray(regions)) invalidArgument(`${where}: regions must be an array of { name, offset, size }`);
  for (const region of regions as unknown[]) checkRegionInfo(region, buffer.byteLength, where);
  return message;
}

/** A region's name: 1 to 200 characters. */
export function checkRegionName(name: unknown, where: string): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) invalidArgument(`${where}: a region name is a string of 1 to 200 characters: name=${describeValue(name)}`);
  return name;
}

function checkRegionInfo(region: unknown, memoryBytes: number, where: string): void {
  const { name, offset, size } = checkOptions<RegionInfo>(region, REGION_KEYS, `${where} (a region)`);
  checkRegionName(name, where);
  const whole = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
  if (!whole(offset) || offset % UNIT_SIZE !== 0 || !whole(size) || offset + size > memoryBytes) {
    invalidArgument(`${where}: region '${name}' must lie on whole units inside the memory's ${memoryBytes} bytes: offset=${describeValue(offset)} size=${describeValue(size)}`);
  }
}
