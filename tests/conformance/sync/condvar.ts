// Condition (assembly/sync/condvar.ts, host/sync/condvar.ts) with a Mutex:
// a bounded queue guarded by both hands every item over exactly once, each
// producer's items in order, with no wake-up lost.
import { WAIT, words, type ProtocolSuite, type Segment } from '../scenario.js';

const PRODUCERS = 2;
const CONSUMERS = 2;
const PER_PRODUCER = 300;
const SLOTS = 4;
const DONE = -1; // a consumer's stop item, queued once per consumer after the producers finished

// Words 'queue': [head, count, producers finished, ...SLOTS items]; changed under the mutex only.
const HEAD = 0;
const COUNT = 1;
const FINISHED = 2;
const FIRST_SLOT = 3;

function guarded<T>(seg: Segment, body: (queue: Int32Array) => T | undefined, until: (queue: Int32Array) => boolean, waitOn: string): T {
  const mutex = seg.mutex('qm');
  const queue = words(seg, 'queue', FIRST_SLOT + SLOTS);
  if (mutex.lockSync(WAIT) !== 'acquired') throw new Error('lockSync did not acquire the mutex');
  try {
    while (!until(queue)) if (seg.condition(waitOn).waitSync(mutex, WAIT) !== 'signalled') throw new Error(`waiting on ${waitOn} timed out: a wake-up was lost`);
    return body(queue)!;
  } finally {
    mutex.unlock();
  }
}

function put(seg: Segment, item: number): void {
  guarded(seg, (queue) => {
    queue[FIRST_SLOT + ((queue[HEAD]! + queue[COUNT]!) % SLOTS)] = item;
    queue[COUNT]!++;
  }, (queue) => queue[COUNT]! < SLOTS, 'notFull');
  seg.condition('notEmpty').signal();
}

function take(seg: Segment): number {
  const item = guarded(seg, (queue) => {
    const taken = queue[FIRST_SLOT + queue[HEAD]!]!;
    queue[HEAD] = (queue[HEAD]! + 1) % SLOTS;
    queue[COUNT]!--;
    return taken;
  }, (queue) => queue[COUNT]! > 0, 'notEmpty');
  seg.condition('notFull').signal();
  return item;
}

export const condition: ProtocolSuite = {
  protocol: 'condition',
  scenarios: [
    {
      title: `${PRODUCERS} producers × ${PER_PRODUCER} through a ${SLOTS}-slot queue under a Mutex and two Conditions to ${CONSUMERS} consumers`,
      setup(seg) {
        seg.mutex('qm');
        seg.condition('notEmpty');
        seg.condition('notFull');
        words(seg, 'queue', FIRST_SLOT + SLOTS);
      },
      roles: {
        produce(seg, { producer }) {
          for (let i = 0; i < PER_PRODUCER; i++) put(seg, producer * PER_PRODUCER + i);
          const last = guarded(seg, (queue) => ++queue[FINISHED]! === PRODUCERS, () => true, 'notFull');
          if (last) for (let c = 0; c < CONSUMERS; c++) put(seg, DONE);
          return {};
        },
        consume(seg) {
          const items: number[] = [];
          for (let item = take(seg); item !== DONE; item = take(seg)) items.push(item);
          return { items };
        },
      },
      parties: [
        ...Array.from({ length: PRODUCERS }, (_, producer) => ({ role: 'produce', params: { producer } })),
        ...Array.from({ length: CONSUMERS }, () => ({ role: 'consume' })),
      ],
      outcome(results) {
        const consumers: number[][] = results.slice(PRODUCERS).map((r) => r.items);
        const all = consumers.flat().sort((a, b) => a - b);
        const exactlyOnce = all.length === PRODUCERS * PER_PRODUCER && all.every((item, i) => item === i);
        const inOrder = consumers.every((items) => Array.from({ length: PRODUCERS }, (_, p) => items.filter((x) => Math.floor(x / PER_PRODUCER) === p)).every((mine) => mine.every((x, i) => i === 0 || x > mine[i - 1]!)));
        return `exactlyOnce=${exactlyOnce} inProducerOrder=${inOrder}`;
      },
      allowed: { 'exactlyOnce=true inProducerOrder=true': 'every item handed over once, each producer\'s in order (how they split among consumers is free)' },
    },
  ],
};
