// One process of the bridge bench. Messages are 64 bytes: a sequence number
// and the sender's clock (performance.timeOrigin + now(): one clock for every
// process of the machine), so the receiver measures each one's latency.
//   ring-send   SEGMENT RING COUNT RATE     into a ring (RATE msgs/s, 0: as fast as it can)
//   ring-recv   SEGMENT RING COUNT          out of a ring
//   nats-send   URL SUBJECT COUNT RATE      one nc.publish() per message: what a NATS user writes
//   nats-recv   URL SUBJECT COUNT
//   bridge      JSON                        openBridge on a ring; SIGTERM closes it
// The receivers print {count, seconds, latenciesUs (a sample)} as JSON.
import { connect } from '@nats-io/transport-node';
import { openOrCreate } from '../../host/api/open-or-create.js';
import { openBridge, type BridgeOptions } from '../../host/bridge/index.js';

export const MESSAGE = 64;
export const SEGMENT_SIZE = 8 << 20;
export const RING_CAPACITY = 4 << 20;
const LATENCY_SAMPLES = 20_000;

const now = () => performance.timeOrigin + performance.now();
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const say = (what: object) => process.stdout.write(JSON.stringify({ ...what, cpuMs: cpuMs() }) + '\n');

/** Calls send(i) for i = 0 … count-1, at `rate` per second (0: flat out), yielding to the event loop now and then. */
async function paced(count: number, rate: number, send: (i: number) => Promise<void> | void): Promise<void> {
  const start = now();
  for (let i = 0; i < count;) {
    const due = rate > 0 ? Math.min(count, Math.floor(((now() - start) / 1000) * rate) + 1) : Math.min(count, i + 4096);
    for (; i < due; i++) {
      const pending = send(i);
      if (pending) await pending;
    }
    await new Promise((resolve) => (rate > 0 ? setTimeout(resolve, 1) : setImmediate(resolve)));
  }
}

function stamp(view: DataView, i: number): void {
  view.setUint32(0, i, true);
  view.setFloat64(8, now(), true);
}

class Receiver {
  count = 0;
  first = 0;
  last = 0;
  readonly latencies: number[] = [];
  readonly #every: number;
  constructor(expected: number) {
    this.#every = Math.max(1, Math.floor(expected / LATENCY_SAMPLES));
  }
  got(view: DataView): void {
    const t = now();
    if (this.count === 0) this.first = view.getFloat64(8, true);
    if (this.count % this.#every === 0) this.latencies.push((t - view.getFloat64(8, true)) * 1000);
    this.count++;
    this.last = t;
  }
  report(): void {
    say({ count: this.count, seconds: (this.last - this.first) / 1000, latenciesUs: this.latencies });
  }
}

const segment = (name: string) => openOrCreate({ kind: 'posix', name, size: SEGMENT_SIZE });

async function ringSend(name: string, ring: string, count: number, rate: number): Promise<void> {
  const seg = segment(name);
  const producer = seg.ring(ring, RING_CAPACITY).acquireProducer();
  const message = new Uint8Array(MESSAGE);
  const view = new DataView(message.buffer);
  await paced(count, rate, async (i) => {
    stamp(view, i);
    if (!producer.trySend(message)) while (!(await producer.sendAsync(message)));
  });
  say({ sent: count });
  producer.close();
  seg.close();
}

async function ringRecv(name: string, ring: string, count: number): Promise<void> {
  const seg = segment(name);
  const consumer = seg.ring(ring, RING_CAPACITY).acquireConsumer();
  const r = new Receiver(count);
  say({ ready: true });
  while (r.count < count) {
    const m = consumer.tryReceive() ?? (await consumer.receiveAsync({ timeoutMs: 60_000 }));
    if (m === null) break;
    r.got(new DataView(m.buffer, m.byteOffset, m.byteLength));
  }
  r.report();
  consumer.close();
  seg.close();
}

async function natsSend(url: string, subject: string, count: number, rate: number): Promise<void> {
  const nc = await connect({ servers: url });
  const message = new Uint8Array(MESSAGE);
  const view = new DataView(message.buffer);
  await paced(count, rate, (i) => {
    stamp(view, i);
    nc.publish(subject, message);
  });
  await nc.flush();
  say({ sent: count });
  await nc.drain();
}

// The client's fastest way in: a callback per message, no async iterator.
async function natsRecv(url: string, subject: string, count: number): Promise<void> {
  const nc = await connect({ servers: url });
  const r = new Receiver(count);
  const done = new Promise<void>((resolve) => {
    nc.subscribe(subject, {
      callback: (_error, m) => {
        r.got(new DataView(m.data.buffer, m.data.byteOffset, m.data.byteLength));
        if (r.count === count) resolve();
      },
    });
  });
  await nc.flush();
  say({ ready: true });
  const timer = setTimeout(() => void nc.close(), 120_000);
  await Promise.race([done, nc.closed()]);
  clearTimeout(timer);
  r.report();
  await nc.drain().catch(() => undefined);
}

async function bridge(args: Omit<BridgeOptions, 'channel' | 'checkpoint'> & { segment: string; ring: string }): Promise<void> {
  const { segment: name, ring, ...rest } = args;
  const seg = segment(name);
  const b = await openBridge({ ...rest, channel: seg.ring(ring, RING_CAPACITY), ...(rest.jetstream ? { checkpoint: { segment: seg, name: ring } } : {}) });
  say({ ready: true });
  process.once('SIGTERM', () => {
    void b.close().finally(() => {
      say({ stats: b.stats() });
      seg.close();
      process.exit(0);
    });
  });
}

if (process.argv[1]?.endsWith('party.ts')) {
  const [role, a, b, c, d] = process.argv.slice(2);
  const run = role === 'ring-send' ? ringSend(a!, b!, Number(c), Number(d))
    : role === 'ring-recv' ? ringRecv(a!, b!, Number(c))
      : role === 'nats-send' ? natsSend(a!, b!, Number(c), Number(d))
        : role === 'nats-recv' ? natsRecv(a!, b!, Number(c))
          : bridge(JSON.parse(a!));
  run.catch((error: Error) => {
    say({ error: error.message });
    process.exit(2);
  });
}
