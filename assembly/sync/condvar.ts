// A condition variable used with a shmkit mutex: a sequence number that
// signals bump, and a sleeper count so that signals without sleepers cost
// no system call.
//
//   CONDVAR (CONDVAR_SIZE = 64 bytes)
//   ┌───────────────────────────────────────────────┐ +0
//   │ sequence u32  bumped by every signal (futex)  │
//   │ sleepers u32                                  │ +4
//   │ reserved                                      │ +8 .. +64
//   └───────────────────────────────────────────────┘

import { CACHE_LINE } from "../format/header";

export const CONDVAR_SIZE: u32 = CACHE_LINE;
export const CONDVAR_SEQUENCE: usize = 0;
export const CONDVAR_SLEEPERS: usize = CONDVAR_SEQUENCE + 4;

export function condInit(c: usize): void {
  memory.fill(c, 0, CONDVAR_SIZE);
}

/** Before unlocking the mutex to wait: counts the sleeper, returns the sequence to sleep on. */
export function condWaitBegin(c: usize): u32 {
  atomic.add<u32>(c + CONDVAR_SLEEPERS, 1);
  return atomic.load<u32>(c + CONDVAR_SEQUENCE);
}

export function condWaitEnd(c: usize): void {
  atomic.sub<u32>(c + CONDVAR_SLEEPERS, 1);
}

/** Wakes happen only if someone sleeps: returns the number of sleepers (0: no call needed). */
export function condSignal(c: usize): u32 {
  atomic.add<u32>(c + CONDVAR_SEQUENCE, 1);
  return atomic.load<u32>(c + CONDVAR_SLEEPERS);
}
