// The portable wait layer: what a host supplies (wait-host.ts), the one
// loop that drives an algorithm with it (run.ts), deadlines, liveness slices, the
// options of every blocking call, the spin phase before a sleep (spin.ts). Beside
// them: the Atomics host for plain shared
// memories (atomics-wait-host.ts), setup waits without a wake-up word
// (backoff.ts), cancellable waits on kernel objects (sliced-wait.ts). The
// futex host is OS glue and lives in host/linux/wait-host.ts.
export { type WaitHost, type WaitResult, type Sleep, type Steps } from './wait-host.js';
export { runSync, runAsync, waitSync } from './run.js';
export { Deadline } from './deadline.js';
export { LivenessSlices } from './liveness-slices.js';
export {
  type WaitOptions, ONE_ATTEMPT, WAIT_OPTION_KEYS, checkWaitOptions, checkSyncWaitOptions, checkSpin,
} from './options.js';
export { Spinner, type SpinOption, notePartnerWoken, spinThenSleep } from './spin.js';
