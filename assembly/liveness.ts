// How often a sleeper that waits for a holder looks up to ask whether the
// holder still lives, the same in every host.
//
// A holder that dies without waking anyone (SIGKILL, a crash) is only
// noticed when a sleeper asks, so the sleeper cannot sleep unbounded. But
// every look costs a wake-up, and a wake-up after a long sleep is cold: on
// a 2-core VM a Node waiter spends about 0.3 ms of CPU per look (its code
// and caches went cold) and 0.3 ms more on the liveness question, so a
// fixed 100 ms slice kept an idle waiter at 0.6 % of a core. The slice
// therefore starts short, so a death during a busy exchange is noticed
// at once, and doubles with every quiet slice, so an idle waiter looks up
// about once a second.

/** A wait's first slice, in ms. */
export const LIVENESS_SLICE_FIRST_MS: u32 = 100;
/** The longest slice, in ms: a holder that died is noticed at most this long after its death. */
export const LIVENESS_SLICE_MAX_MS: u32 = 1000;

/** The slice after one that passed without a wake-up (`sliceMs`: that slice). */
export function livenessSliceNext(sliceMs: u32): u32 {
  const doubled = <u64>sliceMs << 1;
  return <u32>min<u64>(max<u64>(doubled, <u64>LIVENESS_SLICE_FIRST_MS), <u64>LIVENESS_SLICE_MAX_MS);
}
