// SPSC ring (assembly/channel/spsc.ts, host/channel/spsc-ring.ts): every
// message arrives once, whole and in order, and the end is seen after the
// last one, whether the ring is roomy or tiny enough to wrap and fill often.
import { WAIT, type ProtocolSuite, type Scenario } from '../scenario.js';
import { numberedMessage, readNumbered } from './messages.js';

const COUNT = 4000;

function stream(capacity: number, title: string): Scenario {
  return {
    title,
    setup(seg) {
      seg.ring('ring', capacity);
    },
    roles: {
      produce(seg, { count }) {
        const producer = seg.ring('ring', capacity).acquireProducer();
        for (let seq = 0; seq < count; seq++) if (!producer.sendSync(numberedMessage(0, seq), WAIT)) throw new Error('sendSync timed out: the consumer stopped taking');
        producer.close(); // the end, after the last message
        return {};
      },
      consume(seg) {
        const consumer = seg.ring('ring', capacity).acquireConsumer();
        let received = 0;
        let misplaced = 0;
        for (let message = consumer.receiveSync(WAIT); message !== null; message = consumer.receiveSync(WAIT)) {
          if (readNumbered(message)?.[1] !== received) misplaced++;
          received++;
        }
        const { ended } = consumer;
        consumer.close();
        return { received, misplaced, ended };
      },
    },
    parties: [{ role: 'produce', params: { count: COUNT } }, { role: 'consume' }],
    outcome: ([, taken]) => `received=${taken.received} misplaced=${taken.misplaced} ended=${taken.ended}`,
    allowed: { [`received=${COUNT} misplaced=0 ended=true`]: 'all of them, in order, intact, then the end' },
  };
}

export const spsc: ProtocolSuite = {
  protocol: 'spsc',
  scenarios: [
    stream(1 << 16, `${COUNT} messages of 8 to 72 bytes through a roomy ring`),
    stream(256, `${COUNT} messages through a 256-byte ring: it wraps and fills every few messages`),
  ],
};
