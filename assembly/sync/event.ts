// An event: manual reset (set releases every waiter until reset) or auto
// reset (set releases exactly one waiter, then the event is unset again).
//
//   EVENT (EVENT_SIZE = 64 bytes)
//   ┌──────────────────────────────────────────────┐ +0
//   │ state    u32  0 unset, 1 set     (futex)     │
//   │ auto     u32  1 for auto reset               │ +4
//   │ sleepers u32                                 │ +8
//   │ reserved                                     │ +12 .. +64
//   └──────────────────────────────────────────────┘

import { CACHE_LINE } from "../format/header";

export const EVENT_SIZE: u32 = CACHE_LINE;
export const EVENT_STATE: usize = 0;
export const EVENT_AUTO_RESET: usize = EVENT_STATE + 4;
export const EVENT_SLEEPERS: usize = EVENT_AUTO_RESET + 4;

export function eventInit(e: usize, autoReset: bool, initiallySet: bool): void {
  memory.fill(e, 0, EVENT_SIZE);
  store<u32>(e + EVENT_AUTO_RESET, autoReset ? 1 : 0);
  atomic.store<u32>(e + EVENT_STATE, initiallySet ? 1 : 0);
}

/** Sets it; returns how many to wake: 0 (nobody sleeps), 1 (auto), or all sleepers (manual). */
export function eventSet(e: usize): u32 {
  atomic.store<u32>(e + EVENT_STATE, 1);
  const sleepers = atomic.load<u32>(e + EVENT_SLEEPERS);
  if (sleepers == 0) return 0;
  return load<u32>(e + EVENT_AUTO_RESET) ? 1 : sleepers;
}

export function eventReset(e: usize): void {
  atomic.store<u32>(e + EVENT_STATE, 0);
}

/** Passes if set (an auto event is consumed): 1, else 0. */
export function eventTryWait(e: usize): i32 {
  if (load<u32>(e + EVENT_AUTO_RESET)) return atomic.cmpxchg<u32>(e + EVENT_STATE, 1, 0) == 1 ? 1 : 0;
  return atomic.load<u32>(e + EVENT_STATE) == 1 ? 1 : 0;
}

export function eventSleepBegin(e: usize): void {
  atomic.add<u32>(e + EVENT_SLEEPERS, 1);
}

export function eventSleepEnd(e: usize): void {
  atomic.sub<u32>(e + EVENT_SLEEPERS, 1);
}
