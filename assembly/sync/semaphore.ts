// A counting semaphore. Posts only make a wake-up call when somebody sleeps.
//
//   SEMAPHORE (SEMAPHORE_SIZE = 64 bytes)
//   ┌─────────────────────────────────────────────┐ +0
//   │ value    u32  tokens available (futex word) │
//   │ sleepers u32  waiters about to sleep/asleep │ +4
//   │ reserved                                    │ +8 .. +64
//   └─────────────────────────────────────────────┘

export const SEMAPHORE_SIZE: u32 = 64;
export const S_VALUE: usize = 0;
const S_SLEEPERS: usize = 4;
const MAX_VALUE: u32 = 0x7fffffff;

export function semInit(s: usize, value: u32): i32 {
  if (value > MAX_VALUE) return -1;
  memory.fill(s, 0, SEMAPHORE_SIZE);
  atomic.store<u32>(s + S_VALUE, value);
  return 0;
}

/** Takes one token if there is one: 1, else 0. Never goes below zero. */
export function semTryWait(s: usize): i32 {
  let seen = atomic.load<u32>(s + S_VALUE);
  while (seen > 0) {
    const now = atomic.cmpxchg<u32>(s + S_VALUE, seen, seen - 1);
    if (now == seen) return 1;
    seen = now;
  }
  return 0;
}

/** Adds `count` tokens. Returns how many sleepers to wake (0: none asleep), or -1 on overflow. */
export function semPost(s: usize, count: u32): i32 {
  let seen = atomic.load<u32>(s + S_VALUE);
  for (;;) {
    if (<u64>seen + count > MAX_VALUE) return -1;
    const now = atomic.cmpxchg<u32>(s + S_VALUE, seen, seen + count);
    if (now == seen) break;
    seen = now;
  }
  return atomic.load<u32>(s + S_SLEEPERS) > 0 ? <i32>count : 0;
}

/** Brackets a sleep, so posts know to wake. */
export function semSleepBegin(s: usize): void {
  atomic.add<u32>(s + S_SLEEPERS, 1);
}

export function semSleepEnd(s: usize): void {
  atomic.sub<u32>(s + S_SLEEPERS, 1);
}

export function semValue(s: usize): u32 {
  return atomic.load<u32>(s + S_VALUE);
}
