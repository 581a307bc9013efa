// Semaphore (assembly/sync/semaphore.ts, host/sync/semaphore.ts): a pool
// of permits never lets more in than it holds, and no post is ever lost.
import { WAIT, words, type ProtocolSuite } from '../scenario.js';
import { enter, leave } from './witness.js';

const PERMITS = 2;
const ROUNDS = 700;
const POSTS = 600;
const TAKES = 500;

export const semaphore: ProtocolSuite = {
  protocol: 'semaphore',
  scenarios: [
    {
      title: `a pool of ${PERMITS} permits, 3 parties × ${ROUNDS} waits and posts: never more than ${PERMITS} inside`,
      setup(seg) {
        seg.semaphore('pool', PERMITS);
        words(seg, 'inside', 2); // [inside now, most ever inside]
      },
      roles: {
        borrow(seg, { rounds }) {
          const pool = seg.semaphore('pool');
          const inside = words(seg, 'inside', 2);
          let overlaps = 0;
          for (let i = 0; i < rounds; i++) {
            if (!pool.waitSync(WAIT)) throw new Error('waitSync timed out with permits to come');
            overlaps += enter(inside, PERMITS);
            const now = Atomics.load(inside, 0);
            for (let most = Atomics.load(inside, 1); now > most; most = Atomics.load(inside, 1)) Atomics.compareExchange(inside, 1, most, now);
            leave(inside);
            pool.post();
          }
          return { overlaps };
        },
      },
      parties: Array.from({ length: 3 }, () => ({ role: 'borrow', params: { rounds: ROUNDS } })),
      outcome(results, seg) {
        const overlaps = results.reduce((n, r) => n + r.overlaps, 0);
        return `mostInside=${words(seg, 'inside', 2)[1]} overTheLimit=${overlaps} value=${seg.semaphore('pool').value}`;
      },
      allowed: {
        [`mostInside=1 overTheLimit=0 value=${PERMITS}`]: 'the parties never happened to overlap (a loaded machine may serialise them)',
        [`mostInside=2 overTheLimit=0 value=${PERMITS}`]: 'two inside together, as two permits allow',
      },
    },
    {
      title: `2 parties post ${POSTS} each while 2 take ${TAKES} each: every post counted`,
      setup(seg) {
        seg.semaphore('items', 0);
        words(seg, 'taken', 1);
      },
      roles: {
        post(seg, { posts }) {
          const items = seg.semaphore('items');
          for (let i = 0; i < posts; i++) items.post();
          return {};
        },
        take(seg, { takes }) {
          const items = seg.semaphore('items');
          const taken = words(seg, 'taken', 1);
          for (let i = 0; i < takes; i++) {
            if (!items.waitSync(WAIT)) throw new Error('waitSync timed out: a post was lost');
            Atomics.add(taken, 0, 1);
          }
          return {};
        },
      },
      parties: [
        { role: 'post', params: { posts: POSTS } }, { role: 'post', params: { posts: POSTS } },
        { role: 'take', params: { takes: TAKES } }, { role: 'take', params: { takes: TAKES } },
      ],
      outcome: (_results, seg) => `taken=${words(seg, 'taken', 1)[0]} value=${seg.semaphore('items').value}`,
      allowed: { [`taken=${2 * TAKES} value=${2 * (POSTS - TAKES)}`]: 'every take got a post, and what is left is exactly the surplus' },
    },
  ],
};
