// shmkit protocol core. Every export is part of the embedding ABI, written
// down in docs/ABI.md and declared for TypeScript hosts in host/core/core.ts
// (tests/abi.test.ts holds all three in step). Every number a host or a
// foreign reader of a segment needs is exported here, so none is restated.
// The core never allocates and never blocks.
import { arenaInit } from "./arena";
import { checksumInit, checksumTablesEnd } from "./checksum";

export {
  arenaJoin, arenaNextId, arenaInstances, arenaUsedUnits, arenaLimitUnits,
  windowClaim, windowRelease,
  ARENA_UNIT_SIZE, ARENA_MAX_UNITS, ARENA_OK, ARENA_NO_SPACE, ARENA_BAD_ARGUMENT, ARENA_NOT_INITIALISED, ARENA_STATE_OVERFLOW,
} from "./arena";
export { patternFill, patternMatchLength } from "./pattern";
export { crc32 } from "./checksum";
export { spinBudgetNext, SPIN_START_NS, SPIN_MIN_NS, SPIN_MAX_NS, SPIN_ASYNC_MAX_NS, SPIN_AFTER_WAKE_NS, SPIN_CLOCK_EVERY } from "./spin";
export { livenessSliceNext, LIVENESS_SLICE_FIRST_MS, LIVENESS_SLICE_MAX_MS } from "./liveness";
export { fnv1a64 } from "./hash";
export { atomicAdd32, atomicLoad32, atomicStore32, atomicCompareExchange32, atomicAdd64, atomicLoad64 } from "./atomics";
export {
  layoutStruct, MEMBER_ELEMENT_SIZE, MEMBER_ALIGN, MEMBER_COUNT, MEMBER_OFFSET, MEMBER_SIZE,
  RESULT_STRUCT_SIZE, RESULT_STRUCT_ALIGN, RESULT_SIZE,
  LAYOUT_OK, LAYOUT_BAD_ALIGN, LAYOUT_TOO_LARGE, LAYOUT_EMPTY, LAYOUT_MAX_SIZE,
} from "./struct/layout";
export { gather, scatter } from "./struct/columns";
export {
  DESCRIPTOR_SIZE, descFault,
  FAULT_NONE, FAULT_WINDOW, FAULT_HEADER, FAULT_DIR_ENTRY, FAULT_SPSC_CAPACITY, FAULT_SPSC_RECORD, FAULT_SPSC_HEAD,
  FAULT_SPSC_TAIL, FAULT_MPMC_GEOMETRY, FAULT_MPMC_CURSOR, FAULT_BCAST_GEOMETRY, FAULT_BCAST_SLOT, FAULT_BCAST_CURSOR,
} from "./descriptor";
export {
  formatPeek, formatClaim, formatInitPid, formatTakeOver, formatInit, formatOpen,
  formatInitWord, formatReadyWord, formatCondemn, formatRestore, formatRevive, formatFlags, formatSetFlags, formatLastJoinMs,
  SEGMENT_MAGIC, FORMAT_VERSION, CACHE_LINE, HEADER_SIZE, H_MAGIC, H_VERSION, H_TOTAL_SIZE, H_CREATOR_PID, H_DIR_CAPACITY,
  H_DIR_OFFSET, H_HEAP_OFFSET, H_USER_CAPACITY, H_USER_OFFSET, H_FLAGS, H_CREATOR_NAMESPACE, H_LAST_JOIN_MS,
  H_INIT_WORD, H_DIR_LOCK, H_DIR_GENERATION, MAX_PID, MAX_DIR_CAPACITY,
  INIT_FRESH, INIT_BUSY, INIT_READY, INIT_GONE, INIT_PID_SHIFT, FLAG_REMOVE_WITH_LAST_USER, FLAG_MIXED_NAMESPACES,
  FORMAT_OK, FORMAT_BAD_MAGIC, FORMAT_BAD_VERSION, FORMAT_SIZE_MISMATCH, FORMAT_TOO_SMALL,
  FORMAT_NOT_OWNER, FORMAT_CORRUPT, FORMAT_BAD_ARGUMENT, PEEK_FRESH, PEEK_READY, PEEK_WAIT, PEEK_FOREIGN, PEEK_GONE,
} from "./format/header";
export {
  userTokenOf, userTokenPid, userTokenStart, usersCapacity, userAt, userNamespaceAt, userJoin, userRelease,
  USER_SLOT_SIZE, U_TOKEN, U_NAMESPACE, MAX_USER_CAPACITY, USER_PID_BITS,
  USERS_FULL, USERS_GONE, USERS_BAD_ARGUMENT,
} from "./format/users";
export {
  dirRead, dirCapacity, dirGeneration, dirTryLock, dirStealLock, dirUnlock, dirFind, dirCreate, dirRemove,
  ENTRY_SIZE, E_STATE, E_KIND, E_OFFSET, E_SIZE, E_ALIGN, E_NAME_LENGTH, E_LAYOUT_HASH, E_LAYOUT_OFFSET,
  E_LAYOUT_LENGTH, E_ELEMENT_SIZE, E_COUNT, E_NAME, MAX_NAME, ENTRY_FREE, ENTRY_WRITING, ENTRY_LIVE,
  DIR_EXISTS, DIR_FULL, DIR_NO_SPACE, DIR_NOT_LOCKED, DIR_BAD_ARGUMENT, DIR_CORRUPT,
  DIR_READ_FREE, DIR_READ_LIVE, DIR_READ_MOVED,
} from "./format/directory";
export * from "./format/kinds";

export * from "./sync/index";
export * from "./channel/spsc";
export * from "./channel/mpmc";
export * from "./channel/broadcast";

/** Layout version of everything the core keeps in memory. */
export const CORE_ABI_VERSION: u32 = 14;

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
