// A counting semaphore. Posts only make a wake-up call when somebody sleeps.
//
//   SEMAPHORE (SEMAPHORE_SIZE = 64 bytes)
//   ┌─────────────────────────────────────────────┐ +0
//   │ value    u32  tokens available (futex word) │
//   │ sleepers u32  waiters about to sleep/asleep │ +4
//   │ reserved                                    │ +8 .. +64
//   └─────────────────────────────────────────────┘

import { CACHE_LINE } from "../format/header";

export const SEMAPHORE_SIZE: u32 = CACHE_LINE;
export const SEMAPHORE_VALUE: usize = 0;
export const SEMAPHORE_SLEEPERS: usize = SEMAPHORE_VALUE + 4;
export const SEMAPHORE_MAX_VALUE: u32 = 0x7fffffff;
/** semInit with a value past SEMAPHORE_MAX_VALUE, or semPost that would pass it. */
export const SEMAPHORE_OVERFLOW: i32 = -1;

export function semInit(s: usize, value: u32): i32 {
  if (value > SEMAPHORE_MAX_VALUE) return SEMAPHORE_OVERFLOW;
  memory.fill(s, 0, SEMAPHORE_SIZE);
  atomic.store<u32>(s + SEMAPHORE_VALUE, value);
  return 0;
}

/** Takes one token if there is one: 1, else 0. Never goes below zero. */
export function semTryWait(s: usize): i32 {
  let seen = atomic.load<u32>(s + SEMAPHORE_VALUE);
  while (seen > 0) {
    const now = atomic.cmpxchg<u32>(s + SEMAPHORE_VALUE, seen, seen - 1);
    if (now == seen) return 1;
    seen = now;
  }
  return 0;
}

/** Adds `count` tokens. Returns how many sleepers to wake (0: none asleep), or SEMAPHORE_OVERFLOW. */
export function semPost(s: usize, count: u32): i32 {
  let seen = atomic.load<u32>(s + SEMAPHORE_VALUE);
  for (;;) {
    if (<u64>seen + count > SEMAPHORE_MAX_VALUE) return SEMAPHORE_OVERFLOW;
    const now = atomic.cmpxchg<u32>(s + SEMAPHORE_VALUE, seen, seen + count);
    if (now == seen) break;
    seen = now;
  }
  return atomic.load<u32>(s + SEMAPHORE_SLEEPERS) > 0 ? <i32>count : 0;
}

/** Brackets a sleep, so posts know to wake. */
export function semSleepBegin(s: usize): void {
  atomic.add<u32>(s + SEMAPHORE_SLEEPERS, 1);
}

export function semSleepEnd(s: usize): void {
  atomic.sub<u32>(s + SEMAPHORE_SLEEPERS, 1);
}

export function semValue(s: usize): u32 {
  return atomic.load<u32>(s + SEMAPHORE_VALUE);
}
