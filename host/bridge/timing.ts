// Small waits of the bridge loops.
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

/** Waits `ms` (0: one turn of the event loop, so sockets get written). */
export function pause(ms: number): Promise<void> {
  return ms > 0 ? sleep(ms) : nextTurn();
}

/** A channel wait that a closing bridge aborts: its result, or false once `signal` aborted. */
export async function untilAborted(wait: Promise<boolean>, signal: AbortSignal): Promise<boolean> {
  try {
    return await wait;
  } catch (error) {
    if (signal.aborted && (error as { code?: string }).code === 'ABORT_ERR') return false;
    throw error;
  }
}
