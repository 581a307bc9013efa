// Event (assembly/sync/event.ts, host/sync/event.ts): a manual-reset event
// set once releases every waiter; an auto-reset one lets one through per set.
import { WAIT, words, type ProtocolSuite } from '../scenario.js';

const WAITERS = 3;

export const event: ProtocolSuite = {
  protocol: 'event',
  scenarios: [
    {
      title: `a manual event set once releases all ${WAITERS} waiters, whether they came before or after`,
      setup(seg) {
        seg.event('manual');
      },
      roles: {
        wait: (seg) => ({ passed: seg.event('manual').waitSync(WAIT) }),
        set(seg) {
          seg.event('manual').set();
          return {};
        },
      },
      parties: [...Array.from({ length: WAITERS }, () => ({ role: 'wait' })), { role: 'set' }],
      outcome: (results, seg) => `passed=${results.filter((r) => r.passed).length} stillSet=${seg.event('manual').tryWait()}`,
      allowed: { [`passed=${WAITERS} stillSet=true`]: 'every waiter through, and a manual event stays set' },
    },
    {
      title: `an auto-reset event set ${WAITERS} times lets each of ${WAITERS} waiters through once`,
      setup(seg) {
        seg.event('auto', { autoReset: true });
        words(seg, 'passed', 1);
      },
      roles: {
        wait(seg) {
          const passed = seg.event('auto').waitSync(WAIT);
          Atomics.add(words(seg, 'passed', 1), 0, 1);
          return { passed };
        },
        // Sets again only once the last set let someone through: an auto event holds one pass at most.
        set(seg, { times }) {
          const auto = seg.event('auto');
          const passed = words(seg, 'passed', 1);
          for (let set = 1; set <= times; set++) {
            auto.set();
            while (Atomics.load(passed, 0) < set) Atomics.wait(passed, 0, set - 1, 5);
          }
          return {};
        },
      },
      parties: [...Array.from({ length: WAITERS }, () => ({ role: 'wait' })), { role: 'set', params: { times: WAITERS } }],
      outcome: (results, seg) => `passed=${results.filter((r) => r.passed).length} leftSet=${seg.event('auto', { autoReset: true }).tryWait()}`,
      allowed: { [`passed=${WAITERS} leftSet=false`]: 'one waiter per set, none left over' },
    },
  ],
};
