// A reusable barrier for N parties. Generation and arrivals share one word,
// so an arrival can never be counted into the wrong generation; a timed-out
// party breaks the barrier for everyone instead of leaving it miscounted.
//
//   BARRIER (BARRIER_SIZE = 64 bytes)
//   ┌─────────────────────────────────────────────────────────────┐ +0
//   │ word    u32  generation << 16 | arrived          (futex)    │
//   │ parties u32  1 .. 65535                                     │ +4
//   │ broken  u32  1 once a party gave up                         │ +8
//   │ reserved                                                    │ +12 .. +64
//   └─────────────────────────────────────────────────────────────┘

import { CACHE_LINE } from "../format/header";

export const BARRIER_SIZE: u32 = CACHE_LINE;
export const BARRIER_WORD: usize = 0;
export const BARRIER_PARTIES: usize = BARRIER_WORD + 4;
export const BARRIER_BROKEN_FLAG: usize = BARRIER_PARTIES + 4;

// The word: arrivals in the low bits, the generation above them.
export const BARRIER_GENERATION_SHIFT: u32 = 16;
const ARRIVED_MASK: u32 = (1 << BARRIER_GENERATION_SHIFT) - 1;
const GENERATION_MASK: u32 = 0xffffffff >>> BARRIER_GENERATION_SHIFT;
export const BARRIER_MAX_PARTIES: u32 = ARRIVED_MASK;

export const BARRIER_LAST: i32 = -1;   // the caller completed the generation: wake everyone
export const BARRIER_BROKEN: i32 = -2;
export const BARRIER_BAD_PARTIES: i32 = -3;

export function barrierInit(b: usize, parties: u32): i32 {
  if (parties == 0 || parties > BARRIER_MAX_PARTIES) return BARRIER_BAD_PARTIES;
  memory.fill(b, 0, BARRIER_SIZE);
  store<u32>(b + BARRIER_PARTIES, parties);
  return 0;
}

/** Arrives: BARRIER_LAST, BARRIER_BROKEN, or the generation to wait out. */
export function barrierArrive(b: usize): i32 {
  if (atomic.load<u32>(b + BARRIER_BROKEN_FLAG)) return BARRIER_BROKEN;
  const parties = load<u32>(b + BARRIER_PARTIES);
  const seen = atomic.add<u32>(b + BARRIER_WORD, 1);
  const generation = seen >>> BARRIER_GENERATION_SHIFT;
  if ((seen & ARRIVED_MASK) + 1 == parties) {
    atomic.store<u32>(b + BARRIER_WORD, ((generation + 1) & GENERATION_MASK) << BARRIER_GENERATION_SHIFT);
    return BARRIER_LAST;
  }
  return <i32>generation;
}

/** Whether `generation` has been released (or the barrier broke). */
export function barrierPassed(b: usize, generation: u32): bool {
  return (atomic.load<u32>(b + BARRIER_WORD) >>> BARRIER_GENERATION_SHIFT) != generation || atomic.load<u32>(b + BARRIER_BROKEN_FLAG) != 0;
}

export function barrierBreak(b: usize): void {
  atomic.store<u32>(b + BARRIER_BROKEN_FLAG, 1);
  atomic.add<u32>(b + BARRIER_WORD, 1 << BARRIER_GENERATION_SHIFT); // moves the futex word so sleepers wake and look
}

export function barrierBroken(b: usize): bool {
  return atomic.load<u32>(b + BARRIER_BROKEN_FLAG) != 0;
}
