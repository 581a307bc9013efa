// RwLock (assembly/sync/rwlock.ts, host/sync/rwlock.ts): readers together,
// a writer alone; every write counted.
import { WAIT, words, type ProtocolSuite, type Segment } from '../scenario.js';

const WRITES = 400;
const READS = 800;

// Words 'rw': [readers inside, writers inside, plain counter, most readers together, overlaps seen].
const rwWords = (seg: Segment) => words(seg, 'rw', 5);

function noteMost(w: Int32Array, now: number): void {
  for (let most = Atomics.load(w, 3); now > most; most = Atomics.load(w, 3)) Atomics.compareExchange(w, 3, most, now);
}

export const rwlock: ProtocolSuite = {
  protocol: 'rwlock',
  scenarios: [
    {
      title: `2 writers × ${WRITES} and 2 readers × ${READS}: no writer beside anyone, every write counted`,
      setup(seg) {
        seg.rwlock('rw');
        rwWords(seg);
      },
      roles: {
        write(seg, { rounds }) {
          const lock = seg.rwlock('rw');
          const w = rwWords(seg);
          for (let i = 0; i < rounds; i++) {
            if (lock.writeSync(WAIT) !== 'acquired') throw new Error('writeSync did not acquire');
            if (Atomics.add(w, 1, 1) !== 0 || Atomics.load(w, 0) !== 0) Atomics.add(w, 4, 1);
            w[2] = w[2]! + 1; // plain on purpose: only the lock keeps it exact
            Atomics.sub(w, 1, 1);
            lock.writeUnlock();
          }
          return {};
        },
        read(seg, { rounds }) {
          const lock = seg.rwlock('rw');
          const w = rwWords(seg);
          for (let i = 0; i < rounds; i++) {
            if (!lock.readSync(WAIT)) throw new Error('readSync timed out');
            noteMost(w, Atomics.add(w, 0, 1) + 1);
            if (Atomics.load(w, 1) !== 0) Atomics.add(w, 4, 1);
            Atomics.sub(w, 0, 1);
            lock.readUnlock();
          }
          return {};
        },
      },
      parties: [
        { role: 'write', params: { rounds: WRITES } }, { role: 'write', params: { rounds: WRITES } },
        { role: 'read', params: { rounds: READS } }, { role: 'read', params: { rounds: READS } },
      ],
      outcome(_results, seg) {
        const w = rwWords(seg);
        return `counter=${w[2]} overlaps=${w[4]} mostReadersTogether=${w[3]}`;
      },
      allowed: {
        [`counter=${2 * WRITES} overlaps=0 mostReadersTogether=1`]: 'the readers never happened to overlap',
        [`counter=${2 * WRITES} overlaps=0 mostReadersTogether=2`]: 'the two readers were inside together, as a read lock allows',
      },
    },
  ],
};
