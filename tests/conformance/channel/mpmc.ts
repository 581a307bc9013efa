// MPMC queue (assembly/channel/mpmc.ts, host/channel/mpmc-queue.ts): with
// several producers and consumers every message is taken exactly once,
// each consumer sees each producer's messages in the order they were
// pushed, and every consumer sees the end once the last producer is done.
import { WAIT, words, type ProtocolSuite, type Scenario } from '../scenario.js';
import { numberedMessage, readNumbered } from './messages.js';

const SLOT_SIZE = 16;
const PRODUCERS = 2;
const CONSUMERS = 2;
const PER_PRODUCER = 2000;

function exchange(slots: number, title: string): Scenario {
  const shape = { slots, slotSize: SLOT_SIZE };
  return {
    title,
    setup(seg) {
      seg.queue('queue', shape);
      words(seg, 'producersDone', 1);
    },
    roles: {
      produce(seg, { producer, count }) {
        const queue = seg.queue('queue', shape);
        for (let seq = 0; seq < count; seq++) if (!queue.pushSync(numberedMessage(producer, seq, SLOT_SIZE), WAIT)) throw new Error('pushSync timed out: the consumers stopped taking');
        if (Atomics.add(words(seg, 'producersDone', 1), 0, 1) === PRODUCERS - 1) queue.end(); // the last producer ends it
        return {};
      },
      consume(seg) {
        const queue = seg.queue('queue', shape);
        const taken: number[] = []; // sender, seq, sender, seq, …
        let damaged = 0;
        let outOfOrder = 0;
        const lastSeq = new Map<number, number>();
        for (let message = queue.popSync(WAIT); message !== null; message = queue.popSync(WAIT)) {
          const numbered = readNumbered(message, SLOT_SIZE);
          if (!numbered) {
            damaged++;
            continue;
          }
          const [sender, seq] = numbered;
          if (seq <= (lastSeq.get(sender) ?? -1)) outOfOrder++;
          lastSeq.set(sender, seq);
          taken.push(sender, seq);
        }
        return { taken, damaged, outOfOrder, ended: queue.ended };
      },
    },
    parties: [
      ...Array.from({ length: PRODUCERS }, (_, producer) => ({ role: 'produce', params: { producer, count: PER_PRODUCER } })),
      ...Array.from({ length: CONSUMERS }, () => ({ role: 'consume' })),
    ],
    outcome(results) {
      const consumers = results.slice(PRODUCERS);
      const times = Array.from({ length: PRODUCERS }, () => new Uint8Array(PER_PRODUCER));
      let strays = 0;
      for (const { taken } of consumers) {
        for (let i = 0; i < taken.length; i += 2) {
          const counts = times[taken[i]];
          if (counts && taken[i + 1] < PER_PRODUCER) counts[taken[i + 1]]++;
          else strays++;
        }
      }
      const notOnce = times.reduce((n, counts) => n + counts.filter((c) => c !== 1).length, 0);
      const sum = (key: string) => consumers.reduce((n, r) => n + r[key], 0);
      return `notTakenOnce=${notOnce} strays=${strays} damaged=${sum('damaged')} outOfOrder=${sum('outOfOrder')} allEnded=${consumers.every((r) => r.ended)}`;
    },
    allowed: { 'notTakenOnce=0 strays=0 damaged=0 outOfOrder=0 allEnded=true': 'each message taken once, whole, in its producer\'s order, and the end seen by all (how they split among consumers is free)' },
  };
}

export const mpmc: ProtocolSuite = {
  protocol: 'mpmc',
  scenarios: [
    exchange(256, `${PRODUCERS} producers × ${PER_PRODUCER} messages, ${CONSUMERS} consumers, 256 slots`),
    exchange(2, `the same through 2 slots: full and empty all the time`),
  ],
};
