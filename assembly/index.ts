// shmkit protocol core. Every export is part of the embedding ABI that
// host/core/core.ts documents; the core never allocates and never blocks.
import { arenaInit } from "./arena";
import { checksumInit, checksumTablesEnd } from "./checksum";

export {
  arenaJoin, arenaInstances, arenaUsedUnits, arenaLimitUnits,
  windowClaim, windowRelease,
} from "./arena";
export { patternFill, patternMatchLength } from "./pattern";
export { crc32 } from "./checksum";

/** Layout version of everything the core keeps in memory. */
export const CORE_ABI_VERSION: u32 = 1;

/** End of the core's statics; windows must start above it. */
export function coreStaticsEnd(): usize {
  return checksumTablesEnd();
}

/**
 * Prepares a fresh memory: the window table and the checksum tables.
 * Called once per memory, by the instance that created it.
 */
export function coreInit(firstUnit: u32, limitUnits: u32): i32 {
  checksumInit();
  return arenaInit(firstUnit, limitUnits);
}
