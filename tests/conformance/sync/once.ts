// Once (assembly/sync/once.ts, host/sync/once.ts): of racing parties exactly
// one runs the initialiser, and everyone returns after it finished.
import { WAIT, words, type ProtocolSuite } from '../scenario.js';

const PARTIES = 4;

export const once: ProtocolSuite = {
  protocol: 'once',
  scenarios: [
    {
      title: `${PARTIES} parties race to initialise: one runs it, all see it done`,
      setup(seg) {
        seg.once('once');
        words(seg, 'init', 2); // [times run, finished]
      },
      roles: {
        initialise(seg) {
          const init = words(seg, 'init', 2);
          const result = seg.once('once').runSync(() => {
            Atomics.add(init, 0, 1);
            Atomics.store(init, 1, 1);
          }, WAIT);
          return { result, sawFinished: Atomics.load(init, 1) === 1 };
        },
      },
      parties: Array.from({ length: PARTIES }, () => ({ role: 'initialise' })),
      outcome(results, seg) {
        const ran = results.filter((r) => r.result === 'ran').length;
        const done = results.filter((r) => r.result === 'done').length;
        return `ran=${ran} done=${done} timesRun=${words(seg, 'init', 2)[0]} allSawItFinished=${results.every((r) => r.sawFinished)}`;
      },
      allowed: { [`ran=1 done=${PARTIES - 1} timesRun=1 allSawItFinished=true`]: 'one ran it; the others waited for it or came after' },
    },
  ],
};
