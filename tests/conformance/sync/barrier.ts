// Barrier (assembly/sync/barrier.ts, host/sync/barrier.ts): nobody leaves a
// generation before all arrived, and exactly one party is the last of each.
import { WAIT, words, type ProtocolSuite } from '../scenario.js';

const PARTIES = 3;
const GENERATIONS = 200;

export const barrier: ProtocolSuite = {
  protocol: 'barrier',
  scenarios: [
    {
      title: `${PARTIES} parties through ${GENERATIONS} generations: nobody early, one last each time`,
      setup(seg) {
        seg.barrier('barrier', PARTIES);
        words(seg, 'arrived', GENERATIONS);
      },
      roles: {
        arrive(seg, { generations }) {
          const gate = seg.barrier('barrier', PARTIES);
          const arrived = words(seg, 'arrived', GENERATIONS);
          let early = 0;
          let lasts = 0;
          for (let g = 0; g < generations; g++) {
            Atomics.add(arrived, g, 1);
            const result = gate.arriveSync(WAIT);
            if (result === 'timed-out') throw new Error(`generation ${g} timed out`);
            if (result === 'last') lasts++;
            if (Atomics.load(arrived, g) !== PARTIES) early++;
          }
          return { early, lasts };
        },
      },
      parties: Array.from({ length: PARTIES }, () => ({ role: 'arrive', params: { generations: GENERATIONS } })),
      outcome(results, seg) {
        const sum = (key: string) => results.reduce((n, r) => n + r[key], 0);
        return `early=${sum('early')} lasts=${sum('lasts')} broken=${seg.barrier('barrier', PARTIES).broken}`;
      },
      allowed: { [`early=0 lasts=${GENERATIONS} broken=false`]: 'each generation released once everyone arrived, by one last arrival' },
    },
  ],
};
