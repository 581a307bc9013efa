// The coordinator of conformance scenarios in Chromium (bundled by
// chromium.ts, loaded by chromium-page.html): one plain arena of
// shmkit/browser, each scenario on a fresh segment of it, each party a
// module Web Worker (chromium-party.mjs). Publishes
// window.runScenario(protocol, index) → the outcome line.
// @ts-expect-error: served beside this bundle, see chromium-party.ts
import * as shm from '/shmkit/browser.mjs';
import { SUITES } from '../suites.js';
import type { RoleAddress, Segment } from '../scenario.js';
import { messageParty, runOnStage, trackedStage, type Party, type PartyMessage } from './backend.js';

const SEGMENT_BYTES = 1 << 20;
const arena = new shm.PlainArena({ maxBytes: 64 << 20 });
let serial = 0;

function startWorker(segment: string, address: RoleAddress): Promise<Party> {
  const worker = new Worker(new URL('./chromium-party.mjs', import.meta.url), { type: 'module' });
  const queue: PartyMessage[] = [];
  const waiting: Array<(message: PartyMessage | undefined) => void> = [];
  let failure: string | undefined;
  const deliver = (message: PartyMessage | undefined) => {
    const taker = waiting.shift();
    if (taker) taker(message);
    else if (message) queue.push(message);
  };
  worker.onmessage = ({ data }) => deliver(data);
  worker.onerror = (event) => {
    failure = `worker error: ${event.message ?? 'its script did not load'}`;
    for (const taker of waiting.splice(0)) taker(undefined);
  };
  worker.postMessage({ arena: arena.share(), segment, address });
  const next = () => (queue.length || failure ? Promise.resolve(queue.shift()) : new Promise<PartyMessage | undefined>((resolve) => waiting.push(resolve)));
  return messageParty(next, () => failure ?? 'terminated', () => worker.postMessage('go'), async () => worker.terminate());
}

async function runScenario(protocol: string, index: number): Promise<string> {
  const suite = SUITES.find((s) => s.protocol === protocol);
  if (!suite) throw new Error(`no conformance suite '${protocol}'`);
  const segment = `conformance-${++serial}`;
  const seg = arena.createSegment(segment, { size: SEGMENT_BYTES }) as Segment;
  return runOnStage(trackedStage(seg, (address) => startWorker(segment, address), () => seg.close()), suite, index);
}

Object.assign(globalThis, { runScenario, conformanceReady: true });
