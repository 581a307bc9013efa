// Broadcast (assembly/channel/broadcast.ts, host/channel/broadcast.ts):
// under backpressure every subscribed reader gets every message, whole and
// in order, then the end; lossy mode may drop for a slow reader, but
// received + lost is exactly what was published and nothing is torn.
import { WAIT, words, type ProtocolSuite, type Scenario } from '../scenario.js';
import { numberedMessage, readNumbered } from './messages.js';

const READERS = 2;
const COUNT = 3000;
const SLOT_SIZE = 128; // room for the longest numbered message (72 bytes)

function fanOut(mode: 'backpressure' | 'lossy', allowed: Scenario['allowed'], title: string): Scenario {
  const shape = { slots: 16, slotSize: SLOT_SIZE, mode };
  return {
    title,
    setup(seg) {
      seg.broadcast('bc', shape);
      words(seg, 'subscribed', 1);
    },
    roles: {
      // Waits for every reader: backpressure only holds the writer for readers already subscribed.
      write(seg, { count }) {
        const subscribed = words(seg, 'subscribed', 1);
        for (let now = Atomics.load(subscribed, 0); now < READERS; now = Atomics.load(subscribed, 0)) Atomics.wait(subscribed, 0, now, 50);
        const writer = seg.broadcast('bc', shape).acquireWriter();
        for (let seq = 0; seq < count; seq++) if (!writer.publishSync(numberedMessage(0, seq), WAIT)) throw new Error('publishSync timed out');
        writer.close();
        return {};
      },
      read(seg) {
        const reader = seg.broadcast('bc', shape).subscribe();
        const subscribed = words(seg, 'subscribed', 1);
        Atomics.add(subscribed, 0, 1);
        Atomics.notify(subscribed, 0);
        let received = 0;
        let damaged = 0;
        let backwards = 0;
        let last = -1;
        for (let message = reader.readSync(WAIT); message !== null; message = reader.readSync(WAIT)) {
          const numbered = readNumbered(message.data);
          if (!numbered) damaged++;
          else if (numbered[1] <= last) backwards++;
          else last = numbered[1];
          received++;
        }
        const result = { received, lost: reader.lost, damaged, backwards, ended: reader.ended };
        reader.close();
        return result;
      },
    },
    parties: [{ role: 'write', params: { count: COUNT } }, ...Array.from({ length: READERS }, () => ({ role: 'read' }))],
    outcome: ([, ...readers]) => readers.map((r) => `accounted=${r.received + r.lost === COUNT} damaged=${r.damaged} backwards=${r.backwards} ended=${r.ended}${mode === 'backpressure' ? ` lost=${r.lost}` : ''}`).join('; '),
    allowed,
  };
}

const whole = (extra = '') => Array(READERS).fill(`accounted=true damaged=0 backwards=0 ended=true${extra}`).join('; ');

export const broadcast: ProtocolSuite = {
  protocol: 'broadcast',
  scenarios: [
    fanOut('backpressure', { [whole(' lost=0')]: 'every reader got every message, in order, then the end' }, `backpressure: 1 writer × ${COUNT}, ${READERS} readers each get all`),
    fanOut('lossy', { [whole()]: 'each reader received or was told it lost every message; nothing torn or out of order' }, `lossy: 1 writer × ${COUNT}, ${READERS} readers: received + lost = published`),
  ],
};
