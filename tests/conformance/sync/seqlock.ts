// SeqLock (assembly/sync/seqlock.ts, host/sync/seqlock.ts): readers on
// other threads never return a torn record, nor one older than they saw.
import { WAIT, words, type ProtocolSuite } from '../scenario.js';

const CAPACITY = 64;
const WRITES = 5000;

/** Record `n`: every 32-bit word of it holds n. */
function record(n: number): Uint8Array {
  return new Uint8Array(new Uint32Array(CAPACITY / 4).fill(n).buffer);
}

export const seqlock: ProtocolSuite = {
  protocol: 'seqlock',
  scenarios: [
    {
      title: `1 writer × ${WRITES} records, 2 readers: nothing torn, nothing older than before`,
      setup(seg) {
        seg.seqlock('seq', CAPACITY);
        words(seg, 'writerDone', 1);
      },
      roles: {
        write(seg, { writes }) {
          const seq = seg.seqlock('seq', CAPACITY);
          for (let n = 1; n <= writes; n++) seq.write(record(n));
          Atomics.store(words(seg, 'writerDone', 1), 0, 1);
          return {};
        },
        read(seg) {
          const seq = seg.seqlock('seq', CAPACITY);
          const done = words(seg, 'writerDone', 1);
          let torn = 0;
          let backwards = 0;
          let last = 0;
          for (let finished = false; !finished;) {
            finished = Atomics.load(done, 0) === 1; // one more read after the writer finished sees the last record
            const bytes = seq.readSync(CAPACITY, WAIT);
            if (bytes === null) throw new Error('readSync timed out');
            const values = new Uint32Array(bytes.slice().buffer);
            if (values.some((v) => v !== values[0])) torn++;
            if (values[0]! < last) backwards++;
            last = values[0]!;
          }
          return { torn, backwards, last };
        },
      },
      parties: [{ role: 'write', params: { writes: WRITES } }, { role: 'read' }, { role: 'read' }],
      outcome: ([, ...readers]) => readers.map((r) => `torn=${r.torn} backwards=${r.backwards} last=${r.last}`).join('; '),
      allowed: { [Array(2).fill(`torn=0 backwards=0 last=${WRITES}`).join('; ')]: 'every read whole, never going back, ending on the last record' },
    },
  ],
};
