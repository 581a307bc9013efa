// What the demo's page and workers agree on: the 64-byte record, the shared
// statistics struct, and the latency histogram. Takes the shmkit/browser
// module it runs with, so page and workers load it the same way.

export const RECORD_BYTES = 64;
/** Latency buckets of half an octave each, from 1 µs: bucket b holds [2^(b/2), 2^((b+1)/2)) µs. */
export const BUCKETS = 48;
/** Consumers add their counts into the shared statistics this often (messages), under the stats lock. */
export const FLUSH_EVERY = 2048;

// Record: [producer u32][seq u32][sentAt f64: ms since the epoch][value u32][filler to 64 bytes].
const PRODUCER = 0;
const SEQ = 4;
const SENT_AT = 8;
const VALUE = 16;

/** The struct types of the shared segment. */
export function types(shm) {
  const Stats = shm.struct('DemoStats', {
    sent: 'f64', sentSum: 'f64', received: 'f64', receivedSum: 'f64',
    buckets: shm.array('u32', BUCKETS),
  });
  return { Stats };
}

/** The value carried by record `seq` of `producer`: checksums add these up on both sides. */
export function recordValue(producer, seq) {
  return Math.imul(seq + 1, 0x9e3779b1) ^ Math.imul(producer + 1, 0x85ebca6b) >>> 0;
}

/** Milliseconds since the epoch, comparable between workers (each has its own timeOrigin). */
export const now = () => performance.timeOrigin + performance.now();

export function writeRecord(view, producer, seq) {
  view.setUint32(PRODUCER, producer, true);
  view.setUint32(SEQ, seq, true);
  view.setFloat64(SENT_AT, now(), true);
  view.setUint32(VALUE, recordValue(producer, seq) >>> 0, true);
}

/** What a consumer keeps between flushes. */
export class Tally {
  received = 0;
  receivedSum = 0;
  buckets = new Uint32Array(BUCKETS);

  /** Counts the record in `view`; returns false when its value is not what its producer and seq say. */
  add(view) {
    const value = view.getUint32(VALUE, true);
    const latencyUs = (now() - view.getFloat64(SENT_AT, true)) * 1000;
    this.received++;
    this.receivedSum += value;
    this.buckets[bucketOf(latencyUs)]++;
    return value === recordValue(view.getUint32(PRODUCER, true), view.getUint32(SEQ, true)) >>> 0;
  }

  /** Adds this tally into `stats` (a DemoStats accessor, under its lock) and starts over. */
  flushInto(stats) {
    stats.received += this.received;
    stats.receivedSum += this.receivedSum;
    const buckets = stats.buckets;
    for (let b = 0; b < BUCKETS; b++) if (this.buckets[b]) buckets.set(b, buckets.get(b) + this.buckets[b]);
    this.clear();
  }

  /** A plain copy for postMessage, and start over. */
  take() {
    const copy = { received: this.received, receivedSum: this.receivedSum, buckets: [...this.buckets] };
    this.clear();
    return copy;
  }

  clear() {
    this.received = 0;
    this.receivedSum = 0;
    this.buckets.fill(0);
  }
}

function bucketOf(us) {
  return us < 1 ? 0 : Math.min(BUCKETS - 1, Math.floor(2 * Math.log2(us)));
}

/** The latency (µs) below which fraction `q` of the counted records fall: the upper edge of its bucket. */
export function percentile(buckets, q) {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  let seen = 0;
  for (let b = 0; b < buckets.length; b++) {
    seen += buckets[b];
    if (seen >= q * total) return 2 ** ((b + 1) / 2);
  }
  return 2 ** (buckets.length / 2);
}
