// A wait host that sleeps through liveness slices, so only a wake-up (or
// the word moving first) ends a sleep, and that tells when it first sleeps
// and how its last sleep ended: 'timed-out' there means nobody woke it.
// Tests of wake-ups use it; with the real host a missed wake-up would only
// cost a slice and go unnoticed.
import type { WaitHost, WaitResult } from '../../host/sync/index.js';

/** How a watched party's last sleep ended ('none' if it never slept). */
export type LastSleep = WaitResult | 'none';

const WATCHED_SLEEP_MS = 60_000; // outlasts any test

export function watchedHost(host: WaitHost, onFirstSleep: () => void): { host: WaitHost; lastSleep: () => LastSleep } {
  let last: LastSleep = 'none';
  const sleeping = () => {
    if (last === 'none') onFirstSleep();
  };
  const watching: WaitHost = {
    id: host.id,
    isAlive: (id) => host.isAlive(id),
    wait(offset, expected) {
      sleeping();
      return (last = host.wait(offset, expected, WATCHED_SLEEP_MS));
    },
    async waitAsync(offset, expected) {
      sleeping();
      return (last = await host.waitAsync(offset, expected, WATCHED_SLEEP_MS));
    },
    wake: (offset, count) => host.wake(offset, count),
  };
  return { host: watching, lastSleep: () => last };
}
