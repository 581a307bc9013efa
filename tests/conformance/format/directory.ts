// A formatted segment's directory (assembly/format/directory.ts,
// host/format/managed.ts): parties racing to find-or-create the same names
// end with one object per name, each the same bytes for everyone.
import type { ProtocolSuite } from '../scenario.js';

const PARTIES = 3;
const NAMES = 24;
// Steps coprime to NAMES: each party visits every name, in an order of its own.
const STEPS = [1, 5, 7];

export const directory: ProtocolSuite = {
  protocol: 'directory',
  scenarios: [
    {
      title: `${PARTIES} parties find-or-create the same ${NAMES} names, each in its own order`,
      setup() {},
      roles: {
        claim(seg, { party }) {
          for (let i = 0; i < NAMES; i++) {
            const name = `object-${(i * STEPS[party]! + party) % NAMES}`;
            const bytes = seg.findOrCreate(name, { bytes: 64, align: 8 });
            Atomics.add(new Int32Array(bytes.buffer, bytes.byteOffset, 1), 0, 1);
          }
          return {};
        },
      },
      parties: Array.from({ length: PARTIES }, (_, party) => ({ role: 'claim', params: { party } })),
      outcome(_results, seg) {
        const objects = seg.list().filter((o) => o.name.startsWith('object-'));
        const offsets = new Set(objects.map((o) => o.offset));
        const marks = objects.map((o) => {
          const bytes = seg.find(o.name)!;
          return new Int32Array(bytes.buffer, bytes.byteOffset, 1)[0];
        });
        return `objects=${objects.length} distinctOffsets=${offsets.size} everyoneTouchedEach=${marks.every((m) => m === PARTIES)}`;
      },
      allowed: { [`objects=${NAMES} distinctOffsets=${NAMES} everyoneTouchedEach=true`]: 'one object per name, and every party reached the same one' },
    },
  ],
};
