// The scoped hold the lock primitives hand out: `using guard = lock.holdSync()`.
import type { LockResult } from './mutex.js';

/** Unlocks when disposed. */
export interface Guard extends Disposable {
  /** The last owner died holding the lock: repair the data, then markConsistent(). */
  readonly ownerDied: boolean;
  release(): void;
}

/**
 * A guard over a hold just taken, or null when none was (a timeout, or a try
 * that found it taken). Releasing twice unlocks once.
 */
export function guardOf(held: boolean, ownerDied: boolean, unlock: () => void): Guard | null {
  if (!held) return null;
  let holding = true;
  const release = () => {
    if (holding) {
      holding = false;
      unlock();
    }
  };
  return { ownerDied, release, [Symbol.dispose]: release };
}

/** A guard over an exclusive lock's answer: null unless it was 'acquired' or 'owner-died'. */
export function guardOfLock(result: LockResult | false, unlock: () => void): Guard | null {
  return guardOf(result === 'acquired' || result === 'owner-died', result === 'owner-died', unlock);
}
