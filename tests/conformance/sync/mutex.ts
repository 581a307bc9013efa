// Mutex (assembly/sync/mutex.ts, host/sync/mutex.ts): mutual exclusion
// under contention, and any order of entry but never two inside at once.
import { WAIT, words, type ProtocolSuite, type Segment } from '../scenario.js';
import { enter, leave } from './witness.js';

const ROUNDS = 1000;
const PARTIES = 4;

function locked(seg: Segment, body: () => void): void {
  const mutex = seg.mutex('m');
  if (mutex.lockSync(WAIT) !== 'acquired') throw new Error('lockSync did not acquire the mutex');
  try {
    body();
  } finally {
    mutex.unlock();
  }
}

export const mutex: ProtocolSuite = {
  protocol: 'mutex',
  scenarios: [
    {
      title: `${PARTIES} parties × ${ROUNDS} increments of a plain counter under one Mutex`,
      setup(seg) {
        seg.mutex('m');
        words(seg, 'counter', 1);
        words(seg, 'inside', 1);
      },
      roles: {
        increment(seg, { rounds }) {
          const counter = words(seg, 'counter', 1);
          const inside = words(seg, 'inside', 1);
          let overlaps = 0;
          for (let i = 0; i < rounds; i++) {
            locked(seg, () => {
              overlaps += enter(inside);
              counter[0] = counter[0]! + 1; // not atomic on purpose: only the lock keeps it exact
              leave(inside);
            });
          }
          return { overlaps };
        },
      },
      parties: Array.from({ length: PARTIES }, () => ({ role: 'increment', params: { rounds: ROUNDS } })),
      outcome(results, seg) {
        const overlaps = results.reduce((n, r) => n + r.overlaps, 0);
        return `counter=${words(seg, 'counter', 1)[0]} overlaps=${overlaps} owner=${seg.mutex('m').owner}`;
      },
      allowed: { [`counter=${PARTIES * ROUNDS} overlaps=0 owner=0`]: 'every increment counted, nobody inside beside another, the lock free at the end' },
    },
    {
      title: 'two parties take the Mutex once each: either goes first, never both inside',
      setup(seg) {
        seg.mutex('m');
        words(seg, 'order', 3);
        words(seg, 'inside', 1);
      },
      roles: {
        enterOnce(seg, { mark }) {
          const order = words(seg, 'order', 3); // [entries so far, first mark, second mark]
          const inside = words(seg, 'inside', 1);
          let overlaps = 0;
          locked(seg, () => {
            overlaps = enter(inside);
            order[1 + order[0]!] = mark;
            order[0] = order[0]! + 1;
            leave(inside);
          });
          return { overlaps };
        },
      },
      parties: [{ role: 'enterOnce', params: { mark: 10 } }, { role: 'enterOnce', params: { mark: 20 } }],
      outcome(results, seg) {
        const order = words(seg, 'order', 3);
        return `entries=${order[0]} first=${order[1]} second=${order[2]} overlaps=${results[0].overlaps + results[1].overlaps}`;
      },
      allowed: {
        'entries=2 first=10 second=20 overlaps=0': 'the first party got in first',
        'entries=2 first=20 second=10 overlaps=0': 'the second party got in first',
      },
    },
  ],
};
