// Window bookkeeping for the process arena: which 64 KiB units of the shared
// Wasm memory hold a mapped segment. It lives in the memory itself so every
// thread that shares the memory allocates from the same table.
//
// The state sits just above the module's static data (never inside a data
// segment, so a later instantiation cannot re-initialise it):
//
//   ARENA_STATE = align64(__heap_base)
//   ┌────────────────────────────────────────────┐ +0
//   │ magic      u32  'SHMA' once initialised    │
//   │ version    u32  ARENA_VERSION              │ +4
//   │ firstUnit  u32  first unit windows may use │ +8
//   │ limitUnits u32  units the memory may reach │ +12
//   │ instances  u32  core instances on memory   │ +16   (atomic)
//   │ usedUnits  u32  units held by windows      │ +20   (atomic)
//   │ lastId     u32  ids handed to threads      │ +24   (atomic; hosts without thread ids)
//   │ reserved                                   │ +28 .. +64
//   ├────────────────────────────────────────────┤ +64   own cache line
//   │ bitmap: ARENA_MAX_UNITS bits, 1 = in use   │       (u32 words, atomic)
//   └────────────────────────────────────────────┘ +64 + ARENA_MAX_UNITS/8

export const UNIT_SHIFT: u32 = 16;
/** Bytes of one unit: a Wasm page, so windows line up with memory.grow. */
export const ARENA_UNIT_SIZE: u32 = 1 << UNIT_SHIFT;
/** Units a memory may have: 4 GiB of wasm32 memory. */
export const ARENA_MAX_UNITS: u32 = 65536;

const ARENA_MAGIC: u32 = 0x414d4853; // 'SHMA' little-endian
const ARENA_VERSION: u32 = 1;

const OFF_MAGIC: usize = 0;
const OFF_VERSION: usize = OFF_MAGIC + 4;
const OFF_FIRST_UNIT: usize = OFF_VERSION + 4;
const OFF_LIMIT_UNITS: usize = OFF_FIRST_UNIT + 4;
const OFF_INSTANCES: usize = OFF_LIMIT_UNITS + 4;
const OFF_USED_UNITS: usize = OFF_INSTANCES + 4;
const OFF_LAST_ID: usize = OFF_USED_UNITS + 4;
const HEADER_SIZE: usize = 64;
const OFF_BITMAP: usize = HEADER_SIZE;
const BITMAP_WORDS: u32 = ARENA_MAX_UNITS / 32;
const STATE_SIZE: usize = OFF_BITMAP + (<usize>BITMAP_WORDS << 2);

// Status codes of coreInit, windowClaim and windowRelease.
export const ARENA_OK: i32 = 0;
export const ARENA_NO_SPACE: i32 = -1;
export const ARENA_BAD_ARGUMENT: i32 = -2;
export const ARENA_NOT_INITIALISED: i32 = -3;
export const ARENA_STATE_OVERFLOW: i32 = -4;

// @ts-ignore: decorator
@inline function state(): usize {
  return (__heap_base + 63) & ~<usize>63;
}

// @ts-ignore: decorator
@inline function bitmapWord(index: u32): usize {
  return state() + OFF_BITMAP + (<usize>index << 2);
}

/** Address just past the arena state: the host keeps windows above it. */
export function arenaStateEnd(): usize {
  return state() + STATE_SIZE;
}

/**
 * Initialises the table on a fresh memory. Units below `firstUnit` belong to
 * the core; `limitUnits` is the memory's maximum size in units.
 */
export function arenaInit(firstUnit: u32, limitUnits: u32): i32 {
  if (limitUnits > ARENA_MAX_UNITS || firstUnit >= limitUnits) return ARENA_BAD_ARGUMENT;
  if ((<usize>firstUnit << UNIT_SHIFT) < arenaStateEnd()) return ARENA_STATE_OVERFLOW;
  const base = state();
  store<u32>(base + OFF_FIRST_UNIT, firstUnit);
  store<u32>(base + OFF_LIMIT_UNITS, limitUnits);
  store<u32>(base + OFF_VERSION, ARENA_VERSION);
  atomic.store<u32>(base + OFF_MAGIC, ARENA_MAGIC); // publish last
  return ARENA_OK;
}

/** Registers one more core instance on this memory; returns how many there are. */
export function arenaJoin(): i32 {
  const base = state();
  if (atomic.load<u32>(base + OFF_MAGIC) != ARENA_MAGIC) return ARENA_NOT_INITIALISED;
  return <i32>atomic.add<u32>(base + OFF_INSTANCES, 1) + 1;
}

/**
 * A fresh holder id for a thread, for hosts that have no kernel thread ids
 * (browsers, WASI). Unique among the threads sharing this memory.
 */
export function arenaNextId(): u32 {
  return (atomic.add<u32>(state() + OFF_LAST_ID, 1) + 1) & 0x3fffffff;
}

export function arenaInstances(): u32 {
  return atomic.load<u32>(state() + OFF_INSTANCES);
}

export function arenaUsedUnits(): u32 {
  return atomic.load<u32>(state() + OFF_USED_UNITS);
}

export function arenaLimitUnits(): u32 {
  return load<u32>(state() + OFF_LIMIT_UNITS);
}

// Mask of bits [from, from + count) within one 32-bit word.
// @ts-ignore: decorator
@inline function wordMask(from: u32, count: u32): u32 {
  return count >= 32 ? 0xffffffff : ((<u32>1 << count) - 1) << from;
}

// Sets every bit of [first, first + count) that is currently clear, word by
// word with compare-exchange. On a conflict it rolls back what it set and
// returns false, so concurrent claimers never both own a unit.
function tryClaimRun(first: u32, count: u32): bool {
  let unit = first;
  const end = first + count;
  while (unit < end) {
    const bit = unit & 31;
    const n = min<u32>(32 - bit, end - unit);
    const mask = wordMask(bit, n);
    const addr = bitmapWord(unit >> 5);
    let old = atomic.load<u32>(addr);
    let claimed = false;
    while ((old & mask) == 0) {
      const seen = atomic.cmpxchg<u32>(addr, old, old | mask);
      if (seen == old) { claimed = true; break; }
      old = seen;
    }
    if (!claimed) {
      releaseRun(first, unit - first);
      return false;
    }
    unit += n;
  }
  return true;
}

function releaseRun(first: u32, count: u32): void {
  let unit = first;
  const end = first + count;
  while (unit < end) {
    const bit = unit & 31;
    const n = min<u32>(32 - bit, end - unit);
    atomic.and<u32>(bitmapWord(unit >> 5), ~wordMask(bit, n));
    unit += n;
  }
}

function unitInUse(unit: u32): bool {
  return (atomic.load<u32>(bitmapWord(unit >> 5)) & (<u32>1 << (unit & 31))) != 0;
}

// The lowest unit >= `unit` that is `phase` more than a multiple of `align`.
// @ts-ignore: decorator
@inline function alignUnit(unit: u32, align: u32, phase: u32): u32 {
  return unit <= phase ? phase : ((unit - phase + align - 1) & ~(align - 1)) + phase;
}

/**
 * Claims `count` consecutive free units starting at a unit u with
 * u mod `align` == `phase` (first fit). The phase lets the host align the
 * absolute address when the memory's base is not itself aligned (huge
 * pages need 2 MiB). Returns the first unit, or ARENA_NO_SPACE.
 */
export function windowClaim(count: u32, align: u32, phase: u32): i32 {
  const base = state();
  if (atomic.load<u32>(base + OFF_MAGIC) != ARENA_MAGIC) return ARENA_NOT_INITIALISED;
  if (count == 0 || align == 0 || (align & (align - 1)) != 0 || phase >= align) return ARENA_BAD_ARGUMENT;
  const firstUnit = load<u32>(base + OFF_FIRST_UNIT);
  const limit = load<u32>(base + OFF_LIMIT_UNITS);
  let start = alignUnit(firstUnit, align, phase);
  while (<u64>start + count <= <u64>limit) {
    // Skip past the last busy unit of the candidate run before trying it.
    let busy: i64 = -1;
    for (let u = start + count; u > start; u--) {
      if (unitInUse(u - 1)) { busy = u - 1; break; }
    }
    if (busy < 0) {
      if (tryClaimRun(start, count)) {
        atomic.add<u32>(base + OFF_USED_UNITS, count);
        return <i32>start;
      }
      continue; // lost a race: rescan the same candidate
    }
    start = alignUnit(<u32>busy + 1, align, phase);
  }
  return ARENA_NO_SPACE;
}

/** Returns units to the table. The host has already re-covered their pages. */
export function windowRelease(first: u32, count: u32): i32 {
  const base = state();
  const limit = load<u32>(base + OFF_LIMIT_UNITS);
  if (count == 0 || <u64>first + count > <u64>limit || first < load<u32>(base + OFF_FIRST_UNIT)) {
    return ARENA_BAD_ARGUMENT;
  }
  releaseRun(first, count);
  atomic.sub<u32>(base + OFF_USED_UNITS, count);
  return ARENA_OK;
}
