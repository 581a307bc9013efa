// Receives readings from its ring until the producer closes it, checking
// order and measuring latency from the record's own send time.
import { openOrCreate, structAt } from 'shmkit';
import { RING_BYTES, Reading, SEGMENT_BYTES, STATS_EVERY, Stats, nowMs } from './records.mjs';

const [name, indexText] = process.argv.slice(2);
const index = Number(indexText);
const segment = openOrCreate({ kind: 'posix', name, size: SEGMENT_BYTES });
const consumer = segment.ring(`ring${index}`, RING_BYTES).acquireConsumer();
const stats = segment.find('stats', { table: Stats }).at(index);
// One accessor over one staging buffer, reused for every record.
const staging = new Uint8Array(Reading.size);
const record = structAt(Reading, new DataView(staging.buffer), 0, false);
let received = 0;
let latencySum = 0;
let maxLatency = 0;
let expected = 0;
let outOfOrder = 0;
try {
  for (;;) {
    const bytes = consumer.receiveSync({ timeoutMs: 10_000 });
    if (bytes === null) {
      if (consumer.ended) break;
      throw new Error('no record for 10 s');
    }
    staging.set(bytes);
    const latency = nowMs() - record.sentMs;
    if (record.seq !== expected) outOfOrder++;
    expected = record.seq + 1;
    received++;
    latencySum += latency;
    if (latency > maxLatency) maxLatency = latency;
    if (received % STATS_EVERY === 0) publish(false);
  }
  publish(true);
} finally {
  consumer.close();
  segment.close();
}

function publish(done) {
  stats.received = received;
  stats.latencySumMs = latencySum;
  stats.maxLatencyMs = maxLatency;
  stats.outOfOrder = outOfOrder;
  stats.done = done ? 1 : 0;
}
