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
  windowClaim(count: number, align: number): number;
  windowRelease(first: number, count: number): number;
  patternFill(address: number, length: number, offset: number): void;
  patternMatchLength(address: number, length: number, offset: number): number;
  crc32(address: number, length: number, crc: number): number;
  CORE_ABI_VERSION: WebAssembly.Global;
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
