// shmkit protocol core. Every export is part of the embedding ABI that
// host/core/core.ts documents; the core never allocates and never blocks.
import { arenaInit } from "./arena";
import { checksumInit, checksumTablesEnd } from "./checksum";

export {
  arenaJoin, arenaNextId, arenaInstances, arenaUsedUnits, arenaLimitUnits,
  windowClaim, windowRelease,
} from "./arena";
export { patternFill, patternMatchLength } from "./pattern";
export { crc32 } from "./checksum";
export { fnv1a64 } from "./hash";
export { layoutStruct, MEMBER_SIZE, RESULT_SIZE } from "./struct/layout";
export { gather, scatter } from "./struct/columns";
export {
  formatPeek, formatClaim, formatInitPid, formatTakeOver, formatInit, formatCheck,
  HEADER_SIZE, H_MAGIC, H_VERSION, H_TOTAL_SIZE, H_CREATOR_PID, H_DIR_CAPACITY, H_HEAP_OFFSET, FORMAT_VERSION, MAX_PID,
} from "./format/header";
export {
  dirEntry, dirCapacity, dirGeneration, dirTryLock, dirStealLock, dirUnlock, dirFind, dirCreate, dirRemove,
  ENTRY_SIZE, E_STATE, E_KIND, E_OFFSET, E_SIZE, E_ALIGN, E_NAME_LENGTH, E_LAYOUT_HASH, E_LAYOUT_OFFSET,
  E_LAYOUT_LENGTH, E_ELEMENT_SIZE, E_COUNT, E_NAME, MAX_NAME,
} from "./format/directory";

export * from "./sync/index";
export * from "./channel/spsc";
export * from "./channel/mpmc";
export * from "./channel/broadcast";

/** Layout version of everything the core keeps in memory. */
export const CORE_ABI_VERSION: u32 = 6;

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
