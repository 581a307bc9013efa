// How long a wait spins before it sleeps, the same in every host.
//
// Spinning wins when the answer comes sooner than a sleep and a wake-up
// would cost, and that cost differs several-fold between machines (a futex
// round trip takes 6 µs on one cloud VM, 53 µs on another of the same
// kind). A fixed number of attempts fits one machine and misses on the
// next, and a miss feeds itself: the side that slept answers a wake-up
// late, so its partner's spin runs out too, and both sleep on every turn.
// So a wait spins for a time, and each waiting handle learns that time from
// how its own recent waits went, as adaptive mutexes do:
//
// - answered while spinning: the budget keeps four times that wait's
//   length, and otherwise shrinks by a sixteenth, so it follows what the
//   answers need: a spin longer than that only burns a core when the
//   partner is preempted (two spinners on two cores lose to any third
//   thread);
// - slept, but the whole wait was short (≤ SPIN_MAX_NS): spinning longer
//   would have saved the sleep and the wake-up, so the budget grows to that
//   wait and a quarter (the wait includes this side's own wake-up, so the
//   answer came sooner than that);
// - slept long, or gave up: the partner is quiet, spinning for it only
//   burns a core, so the budget halves.
//
// The host keeps the budget (privately, per handle) and reads the clock;
// the core owns the numbers and the rule.

/** The budget a handle starts with, in ns. */
export const SPIN_START_NS: u32 = 20_000;
/** The least a spinning wait tries for, in ns. */
export const SPIN_MIN_NS: u32 = 20_000;
/** The most one wait spins, in ns: the CPU a waiter whose partner went quiet burns before sleeping. */
export const SPIN_MAX_NS: u32 = 100_000;
/** The most an Async form spins, in ns: it spins on the event loop, which must keep turning. */
export const SPIN_ASYNC_MAX_NS: u32 = 20_000;
/** The most a wait spins right after its thread woke a sleeper, in ns: the wakee may be queued for this very CPU. Above a slow machine's wake-up (about 25 µs), so a side that slept is still waited for. */
export const SPIN_AFTER_WAKE_NS: u32 = 40_000;
/** Attempts between two clock reads while spinning (a clock read costs about as much as an attempt). */
export const SPIN_CLOCK_EVERY: u32 = 16;

/**
 * A handle's next budget after one of its waits. `budgetNs`: its budget;
 * `waitedNs`: how long the wait took, from its first spinning attempt to
 * its answer (or to giving up); `slept`: whether it went to sleep.
 */
export function spinBudgetNext(budgetNs: u32, waitedNs: u32, slept: bool): u32 {
  const budget = <u64>clampBudget(budgetNs);
  const waited = <u64>waitedNs;
  if (!slept) return clampBudget(max<u64>(budget - (budget >> 4), waited * 4));
  if (waited <= <u64>SPIN_MAX_NS) return clampBudget(max<u64>(budget, waited + (waited >> 2)));
  return clampBudget(budget >> 1);
}

function clampBudget(ns: u64): u32 {
  return <u32>min<u64>(max<u64>(ns, <u64>SPIN_MIN_NS), <u64>SPIN_MAX_NS);
}
