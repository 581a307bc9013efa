// The protocol core's embedding ABI, the same in every host: instantiate
// build/core.wasm with `env.memory` (a shared WebAssembly.Memory of at most
// 65536 pages) and nothing else. The core never allocates, never blocks and
// has no data segments, so any number of instances may share one memory.

/** Raw exports of core.wasm. Addresses and lengths are byte offsets in the memory. */
export interface CoreExports {
  coreInit(firstUnit: number, limitUnits: number): number;
  coreStaticsEnd(): number;
  arenaJoin(): number;
  arenaInstances(): number;
  arenaUsedUnits(): number;
  arenaLimitUnits(): number;
  windowClaim(count: number, align: number, phase: number): number;
  windowRelease(first: number, count: number): number;
  patternFill(address: number, length: number, offset: number): void;
  patternMatchLength(address: number, length: number, offset: number): number;
  crc32(address: number, length: number, crc: number): number;
  fnv1a64(address: number, length: number, out: number): void;
  layoutStruct(members: number, count: number, packed: number, explicitAlign: number, result: number): number;
  gather(src: number, stride: number, size: number, count: number, dst: number): void;
  scatter(dst: number, stride: number, size: number, count: number, src: number): void;
  formatPeek(seg: number): number;
  formatClaim(seg: number, pid: number): number;
  formatInitPid(seg: number): number;
  formatTakeOver(seg: number, deadPid: number, pid: number): number;
  formatInit(seg: number, size: bigint, pid: number, dirCapacity: number, entrySize: number): number;
  formatCheck(seg: number, mappedSize: bigint): number;
  dirEntry(seg: number, slot: number): number;
  dirCapacity(seg: number): number;
  dirGeneration(seg: number): number;
  dirTryLock(seg: number, pid: number): number;
  dirStealLock(seg: number, deadPid: number, pid: number): number;
  dirUnlock(seg: number, pid: number): number;
  dirFind(seg: number, name: number, nameLength: number): number;
  dirCreate(
    seg: number, pid: number, name: number, nameLength: number, kind: number, size: bigint, align: number,
    layoutHash: bigint, layout: number, layoutLength: number, elementSize: number, count: number,
  ): number;
  dirRemove(seg: number, pid: number, slot: number): number;
  CORE_ABI_VERSION: WebAssembly.Global;
}

/** Layout constants the core exports, so hosts never restate them. */
export type CoreConstant =
  | 'HEADER_SIZE' | 'H_MAGIC' | 'H_VERSION' | 'H_TOTAL_SIZE' | 'H_CREATOR_PID' | 'H_DIR_CAPACITY' | 'H_HEAP_OFFSET'
  | 'FORMAT_VERSION' | 'MAX_PID'
  | 'ENTRY_SIZE' | 'E_STATE' | 'E_KIND' | 'E_OFFSET' | 'E_SIZE' | 'E_ALIGN' | 'E_NAME_LENGTH' | 'E_LAYOUT_HASH'
  | 'E_LAYOUT_OFFSET' | 'E_LAYOUT_LENGTH' | 'E_ELEMENT_SIZE' | 'E_COUNT' | 'E_NAME' | 'MAX_NAME'
  | 'MEMBER_SIZE' | 'RESULT_SIZE';

export function coreConstant(core: CoreExports, name: CoreConstant): number {
  return (core as unknown as Record<CoreConstant, WebAssembly.Global>)[name].value as number;
}

/** Status codes returned by the arena exports (assembly/arena.ts). */
export const ArenaStatus = {
  ok: 0,
  noSpace: -1,
  badArgument: -2,
  notInitialised: -3,
  stateOverflow: -4,
} as const;

/** Size of one arena unit: a Wasm page. */
export const UNIT_SIZE = 65536;
export const CORE_ABI_VERSION = 2;

/** Instantiates the core on `memory`. Synchronous: the module is small. */
export function instantiateCore(module: WebAssembly.Module, memory: WebAssembly.Memory): CoreExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const core = instance.exports as unknown as CoreExports;
  const version = core.CORE_ABI_VERSION.value as number;
  if (version !== CORE_ABI_VERSION) {
    throw new Error(`core.wasm has ABI version ${version}, this host expects ${CORE_ABI_VERSION}; rebuild with \`npm run build\``);
  }
  return core;
}
