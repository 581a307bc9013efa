// Sends `count` readings round-robin into the consumers' rings, each record
// built in a reused staging buffer through the struct accessors.
import { openOrCreate, structAt } from 'shmkit';
import { RING_BYTES, Reading, SEGMENT_BYTES, nowMs } from './records.mjs';

const [name, countText, consumersText] = process.argv.slice(2);
const count = Number(countText);
const consumers = Number(consumersText);
const segment = openOrCreate({ kind: 'posix', name, size: SEGMENT_BYTES });
const producers = Array.from({ length: consumers }, (_, i) => segment.ring(`ring${i}`, RING_BYTES).acquireProducer());
const staging = new Uint8Array(Reading.size);
const record = structAt(Reading, new DataView(staging.buffer), 0, true);
record.label = 'boiler room, north wall';
try {
  for (let seq = 0; seq < count; seq++) {
    record.sensor = seq % consumers;
    record.seq = Math.floor(seq / consumers);
    record.value = Math.sin(seq / 1000) * 40 + 20;
    record.sentMs = nowMs();
    if (!producers[seq % consumers].sendSync(staging, { timeoutMs: 10_000 })) throw new Error('a consumer stopped taking records');
  }
} finally {
  for (const producer of producers) producer.close(); // consumers see the end of the stream
  segment.close();
}
