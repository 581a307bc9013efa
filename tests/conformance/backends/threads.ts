// Backends: Node worker threads of this process, on the Linux arena (a
// POSIX segment, futex(2)) or on a plain shared memory (shmkit/browser's
// PlainArena, Atomics.wait). Threads are reused from one scenario to the
// next: each pays for loading tsx once.
import { on } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { ArenaMessage } from '../../../dist/browser.js';
import { Arena } from '../../../host/index.js';
import { messageParty, runOnStage, trackedStage, type NodeBackend, type Party, type PartyMessage } from './backend.js';
import { linuxSegment, SEGMENT_BYTES } from './linux-segment.js';
import type { RoleAddress, Segment } from '../scenario.js';

const PARTY = new URL('./thread-party.ts', import.meta.url).href;
const BOOTSTRAP = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(PARTY)}); });`;

interface Thread {
  worker: Worker;
  next(): Promise<PartyMessage | undefined>;
  exitCode?: number;
}

function threadPool(mode: 'linux' | 'plain', memory: WebAssembly.Memory) {
  const idle: Thread[] = [];
  const all = new Set<Thread>();
  const spawnThread = async (): Promise<Thread> => {
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { mode, memory } });
    const messages = on(worker, 'message', { close: ['exit'] }); // an 'error' event rejects it
    const thread: Thread = {
      worker,
      next: async () => {
        const event = await messages.next();
        return event.done ? undefined : event.value[0];
      },
    };
    worker.once('exit', (code) => {
      thread.exitCode = code;
      all.delete(thread);
    });
    all.add(thread);
    const first = (await thread.next()) as unknown as { joined?: boolean } | undefined;
    if (!first?.joined) throw new Error(`a conformance thread did not join: ${JSON.stringify(first)} (exit code ${thread.exitCode})`);
    return thread;
  };
  return {
    /** A thread playing `address` on the segment `job` names; it returns to the pool once it answered. */
    async start(job: object, address: RoleAddress): Promise<Party> {
      const thread = idle.pop() ?? (await spawnThread());
      thread.worker.postMessage({ ...job, address });
      let answered = false;
      const party = await messageParty(thread.next, () => `worker exited (code ${thread.exitCode})`, () => thread.worker.postMessage('go'), async () => {
        if (!answered) await thread.worker.terminate(); // still playing: it cannot be reused
      });
      const finish = party.finish;
      party.finish = async () => {
        const result = await finish();
        answered = true;
        idle.push(thread);
        return result;
      };
      return party;
    },
    async close() {
      idle.length = 0;
      await Promise.all([...all].map((thread) => thread.worker.terminate()));
    },
  };
}

/** A NodeBackend whose parties are threads of `pool`, on the stages `open` lays out. */
function threadBackend(name: string, detectsDeath: boolean, pool: ReturnType<typeof threadPool>, open: () => { seg: Segment; job: () => object }): NodeBackend {
  const backend: NodeBackend = {
    name,
    detectsDeath,
    stage() {
      const { seg, job } = open();
      return trackedStage(seg, (address) => pool.start(job(), address), () => seg.close());
    },
    run: (suite, index) => runOnStage(backend.stage(), suite, index),
    close: () => pool.close(),
  };
  return backend;
}

export function linuxThreads(): NodeBackend {
  return threadBackend('Node worker threads, Linux arena (futex)', true, threadPool('linux', Arena.default.memory), () => {
    const { name, seg } = linuxSegment();
    return { seg, job: () => ({ segment: name, size: SEGMENT_BYTES }) };
  });
}

/** What plainThreads needs of a PlainArena class: shmkit/browser's, or host/browser's source when a test compares errors by class. */
interface PlainArenaClass {
  new (options: { maxBytes: number }): { memory: WebAssembly.Memory; createSegment(name: string, options: { size: number }): { close(): void }; share(): ArenaMessage };
}

/** Parties join the arena with shmkit/browser (dist/browser.mjs) whichever class made it: the message is plain data. */
export function plainThreads(shm: { PlainArena: PlainArenaClass }): NodeBackend {
  const arena = new shm.PlainArena({ maxBytes: 64 << 20 });
  let serial = 0;
  return threadBackend('Node worker threads, plain memory (shmkit/browser, Atomics)', false, threadPool('plain', arena.memory), () => {
    const segment = `conformance-${++serial}`;
    // The browser build's classes are host/'s compiled, declared apart: the same shape, not the same type to tsc.
    const seg = arena.createSegment(segment, { size: SEGMENT_BYTES }) as unknown as Segment;
    return { seg, job: (): { segment: string; arena: ArenaMessage } => ({ segment, arena: arena.share() }) };
  });
}
