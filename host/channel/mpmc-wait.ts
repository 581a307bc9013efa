// How a party of an MPMC queue waits for its turn: spin, then announce a
// sleep and sleep on its side's signal word (the other side changes it, and
// wakes that side's sleepers, only when a sleep was announced since).
// A slot held by a dead party stops every party of the other side, so after
// each quiet liveness slice a sleeper asks who holds the slot it waits for
// and, if that one is dead, gives the slot back (it counts as lost).
// A close bumps both signal words, so every sleeper wakes to its answer.
import { coreConstant, type CoreExports } from '../core/core.js';
import { Deadline, LivenessSlices, spinThenSleep, type Spinner, type Steps, type WaitHost, type WaitOptions } from '../wait/index.js';

export const PUSH = 'push';
export const POP = 'pop';
export type Side = typeof PUSH | typeof POP;

/** The core's code for `side`, as its mpmc calls take it. */
function sideCode(core: CoreExports, side: Side): number {
  return coreConstant(core, side === PUSH ? 'MPMC_PUSH' : 'MPMC_POP');
}

/** The queue's place, as its waits see it. */
export interface QueueAccess {
  core: CoreExports;
  host: WaitHost;
  /** Byte offset of the queue's header. */
  at: number;
  /** The queue's descriptor (assembly/channel/mpmc.ts). */
  d: number;
}

/** Byte offset of the word that `side` sleeps on. */
export function signalWord(queue: QueueAccess, side: Side): number {
  return queue.at + coreConstant(queue.core, side === PUSH ? 'MPMC_PUSH_SIGNAL' : 'MPMC_POP_SIGNAL');
}

/** An attempt's answer when the queue is closed and nothing is left for it: the wait ends with null. */
export const ENDED = Symbol('ended');

/** Wakes every sleeper of `side` (a freed or published slot may be for any of them). */
export function wakeSide(queue: QueueAccess, side: Side): void {
  queue.host.wake(signalWord(queue, side), 0x7fffffff);
}

/**
 * Gives back the slot that keeps `side` from moving if its holder is dead:
 * true when this caller gave one back.
 */
export function reclaimDead(queue: QueueAccess, side: Side): boolean {
  const { core, host, d } = queue;
  const holder = core.mpmcStuck(d, sideCode(core, side)) >>> 0;
  if (holder === 0 || host.isAlive(holder)) return false;
  const woke = core.mpmcReclaim(d, sideCode(core, side), holder, host.id);
  if (woke === 1) wakeSide(queue, side === PUSH ? POP : PUSH);
  return woke !== coreConstant(core, 'MPMC_NOT_HELD');
}

/**
 * Tries `attempt` (spinning first), then sleeps until it succeeds: its
 * value, or null on timeout or when it answers ENDED.
 */
export function* waitTurn<T>(queue: QueueAccess, side: Side, attempt: () => T | null | typeof ENDED, options: WaitOptions, spinner: Spinner): Steps<T | null> {
  const got = yield* spinThenSleep(spinner, options.spin, new Deadline(options.timeoutMs), attempt, (deadline) => sleepForTurn(queue, side, attempt, deadline));
  return got === ENDED ? null : got;
}

function* sleepForTurn<T>(queue: QueueAccess, side: Side, attempt: () => T | null | typeof ENDED, deadline: Deadline): Steps<T | null | typeof ENDED> {
  const { core, d } = queue;
  const word = signalWord(queue, side);
  const slices = new LivenessSlices(core);
  let sliceExpired = false;
  for (;;) {
    // Announced and read before the attempt: a slot published or freed after it changes the signal, so the sleep ends at once.
    const value = core.mpmcSleepValue(d, sideCode(core, side));
    const got = attempt();
    if (got !== null) return got;
    if (sliceExpired && reclaimDead(queue, side)) continue;
    if (deadline.passed) return null;
    sliceExpired = slices.quiet(yield { offset: word, value, timeoutMs: deadline.left(slices.ms) });
  }
}
