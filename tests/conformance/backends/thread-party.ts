// A Node worker thread in conformance scenarios (backends/threads.ts
// starts it from an eval'd bootstrap that registers tsx). workerData
// { mode, memory }: 'linux' adopts the parent's arena (futex, thread ids)
// and maps each scenario's POSIX segment into it; 'plain' uses shmkit's
// browser build (dist/browser.mjs: Atomics, no koffi, no OS) and joins the
// plain arena a job shares. Serves one job after another: a job message is
// answered {ready}, 'go' plays the role, then {result} or {error}.
import { parentPort, workerData } from 'node:worker_threads';
import type { Segment } from '../scenario.js';
import { playWhenTold, type PartyMessage } from './backend.js';

const { mode, memory } = workerData as { mode: 'linux' | 'plain'; memory: WebAssembly.Memory };

async function segmentOpener(): Promise<(job: any) => Segment> {
  if (mode === 'linux') {
    const { Arena, openOrCreate } = await import('../../../host/index.js');
    const arena = Arena.adopt(memory);
    Arena.setDefault(arena);
    return (job) => openOrCreate({ kind: 'posix', name: job.segment, size: job.size, arena });
  }
  const shm = await import(new URL('../../../dist/browser.mjs', import.meta.url).href);
  return (job) => shm.joinArena(job.arena).openSegment(job.segment);
}

const open = await segmentOpener();
let go: (() => void) | undefined;
parentPort!.on('message', (message) => {
  if (message === 'go') return go?.();
  const seg = open(message);
  const post = (answer: PartyMessage) => {
    if ('result' in answer || 'error' in answer) seg.close();
    parentPort!.postMessage(answer);
  };
  playWhenTold(seg, message.address, post, (run) => (go = run));
});
parentPort!.postMessage({ joined: true });
