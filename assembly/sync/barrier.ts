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

export const BARRIER_SIZE: u32 = 64;
export const B_WORD: usize = 0;
const B_PARTIES: usize = 4;
const B_BROKEN: usize = 8;

export const BARRIER_LAST: i32 = -1;   // the caller completed the generation: wake everyone
export const BARRIER_BROKEN: i32 = -2;

export function barrierInit(b: usize, parties: u32): i32 {
  if (parties == 0 || parties > 0xffff) return -3;
  memory.fill(b, 0, BARRIER_SIZE);
  store<u32>(b + B_PARTIES, parties);
  return 0;
}

/** Arrives: BARRIER_LAST, BARRIER_BROKEN, or the generation to wait out. */
export function barrierArrive(b: usize): i32 {
  if (atomic.load<u32>(b + B_BROKEN)) return BARRIER_BROKEN;
  const parties = load<u32>(b + B_PARTIES);
  const seen = atomic.add<u32>(b + B_WORD, 1);
  const generation = seen >>> 16;
  if ((seen & 0xffff) + 1 == parties) {
    atomic.store<u32>(b + B_WORD, ((generation + 1) & 0xffff) << 16);
    return BARRIER_LAST;
  }
  return <i32>generation;
}

/** Whether `generation` has been released (or the barrier broke). */
export function barrierPassed(b: usize, generation: u32): bool {
  return (atomic.load<u32>(b + B_WORD) >>> 16) != generation || atomic.load<u32>(b + B_BROKEN) != 0;
}

export function barrierBreak(b: usize): void {
  atomic.store<u32>(b + B_BROKEN, 1);
  atomic.add<u32>(b + B_WORD, 1 << 16); // moves the futex word so sleepers wake and look
}

export function barrierBroken(b: usize): bool {
  return atomic.load<u32>(b + B_BROKEN) != 0;
}
