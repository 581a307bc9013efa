// The SPSC byte ring: order, content and framing kept across processes and
// threads (self-describing messages, checksums, every wrap-around edge
// size), roles refused and taken over, a producer killed mid-stream, and
// the timeout, abort and async paths. Outcome tests: the allowed outcome is
// spelled out, anything else fails.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Arena, openOrCreate, SpscRing, type ManagedSegment } from '../host/index.js';
import { CoreMemory } from '../host/core/core-memory.js';
import { coreModule } from '../host/core/node-module.js';
import { coreConstant } from '../host/core/core.js';
import { atomicsWaitHost } from '../host/sync/index.js';
import { fillMessage, isMessage } from './fixtures/channel-roles.js';
import { killAll, runWorker, startProcess } from './fixtures/channel-driver.js';
import { thrown } from './helpers/errors.js';
import { cleanup, freshName, keepOpen, trackPosix } from './helpers/resources.js';

const SIZE = 1 << 20;
const CAPACITY = 1 << 14;

interface Scenario {
  m: ManagedSegment;
  ring: SpscRing;
  start(role: string, params?: object): ReturnType<typeof startProcess>;
}

function scenario(capacity = CAPACITY): Scenario {
  const segment = trackPosix(freshName('chan'));
  const m = keepOpen(openOrCreate({ kind: 'posix', name: segment, size: SIZE }));
  const ring = m.ring('ring', capacity);
  return { m, ring, start: (role, params = {}) => startProcess({ segment, size: SIZE, channel: 'spsc', name: 'ring', shape: capacity, role, params }) };
}

/** Runs a producer and a consumer together. */
async function both(producer: ReturnType<typeof startProcess>, consumer: ReturnType<typeof startProcess>) {
  const parties = await Promise.all([producer, consumer]);
  parties[0]!.go();
  parties[1]!.go();
  const [made, read] = await Promise.all(parties.map((p) => p.finish()));
  if (made!.error || read!.error) throw new Error(JSON.stringify([made, read]));
  return [made!.result, read!.result];
}

const message = (index: number, length: number) => {
  const bytes = new Uint8Array(length);
  fillMessage(bytes, index);
  return bytes;
};

const transfer = suite('spsc ring: order and content');
transfer.after.each(async () => {
  await killAll();
  cleanup();
});

transfer('1,000,000 messages of random and wrap-edge sizes, batched producer → async consumer, across processes', async () => {
  const s = scenario();
  const [made, read] = await both(s.start('produce', { count: 1_000_000, seed: 1, form: 'batch', batch: 32 }), s.start('consume', { form: 'async' }));
  assert.equal(read, { count: 1_000_000, checksum: made.checksum, bad: 0, ended: true });
  // the draw really hit every edge: exact fill to the end, one byte over (padding), the maximum
  assert.ok(made.edges.fill > 1000 && made.edges.over > 1000 && made.edges.max > 1000, JSON.stringify(made.edges));
  assert.is(s.ring.used, 0);
});

transfer('200,000 messages, async producer → batched peek/release consumer; sync producer → iterating consumer', async () => {
  const s = scenario(4096);
  const [made, read] = await both(s.start('produce', { count: 200_000, seed: 2, form: 'async' }), s.start('consume', { form: 'batch' }));
  assert.equal(read, { count: 200_000, checksum: made.checksum, bad: 0, ended: true });
  // A fresh ring: on this one both roles now read CLOSED, and like a pipe
  // whose other end was closed, a new party would rightly see EPIPE or the
  // end until its peer has taken the role again.
  const s2 = scenario(4096);
  const [made2, read2] = await both(s2.start('produce', { count: 100_000, seed: 3, form: 'sync' }), s2.start('consume', { form: 'iterate' }));
  assert.equal(read2, { count: 100_000, checksum: made2.checksum, bad: 0, ended: true });
});

transfer('across worker threads: Linux arena (futex) and a plain memory (Atomics)', async () => {
  const s = scenario();
  const at = s.m.segment.offset + s.m.list().find((o) => o.name === 'ring')!.offset;
  const memory = Arena.default.memory;
  const [made, read] = await Promise.all([
    runWorker({ channel: 'spsc', mode: 'linux', memory, offset: at, role: 'produce', params: { count: 200_000, seed: 4, form: 'batch' } }),
    runWorker({ channel: 'spsc', mode: 'linux', memory, offset: at, role: 'consume', params: { form: 'sync' } }),
  ]);
  assert.equal(read, { count: 200_000, checksum: made.checksum, bad: 0, ended: true });

  const plain = new CoreMemory({ maxBytes: 8 * 65536, module: coreModule() });
  const range = plain.claimUnits(SpscRing.bytesFor(CAPACITY), 1);
  SpscRing.create({ memory: plain, offset: range.offset, host: atomicsWaitHost(plain) }, CAPACITY);
  const [made2, read2] = await Promise.all([
    runWorker({ channel: 'spsc', mode: 'plain', memory: plain.memory, offset: range.offset, role: 'produce', params: { count: 200_000, seed: 5, form: 'sync' } }),
    runWorker({ channel: 'spsc', mode: 'plain', memory: plain.memory, offset: range.offset, role: 'consume', params: { form: 'batch' } }),
  ]);
  assert.equal(read2, { count: 200_000, checksum: made2.checksum, bad: 0, ended: true });
  plain.releaseUnits(range);
});

transfer('in one thread: claim×N is invisible until one commit; peek×N frees nothing until one release', () => {
  const s = scenario(1024);
  const p = s.ring.acquireProducer();
  const c = s.ring.acquireConsumer();
  for (let i = 0; i < 5; i++) fillMessage(p.tryClaim(40)!, i);
  assert.is(c.tryPeek(), null, 'nothing before commit');
  p.commit();
  const views = [0, 1, 2, 3, 4].map(() => c.tryPeek()!);
  assert.ok(views.every((v, i) => isMessage(v, i) && v.length === 40));
  assert.is(c.tryPeek(), null);
  assert.is(s.ring.used, 5 * 48, 'peeked but not released');
  c.release();
  assert.is(s.ring.used, 0);
  p.close();
  c.close();
});

transfer('wrap-around in one thread: exact fill, one byte over (padding), the maximum, zero-length', () => {
  const s = scenario(1024);
  const p = s.ring.acquireProducer();
  const c = s.ring.acquireConsumer();
  assert.is(s.ring.maxMessage, 504);
  // From offset 0: 600 bytes of records, then 424 left: exact fill is 416, one over is 417.
  const lengths = [592, 416, 592, 417, 504, 0, 504, 504, 0];
  lengths.forEach((length, i) => {
    if (length > s.ring.maxMessage) return;
    assert.ok(p.trySend(message(i, length)), `send ${i}`);
    const got = c.tryReceive()!;
    assert.ok(got.length === length && isMessage(got, i), `message ${i}`);
  });
  assert.ok(p.trySend(message(0, 504)));
  assert.not.ok(p.trySend(message(1, 504)) && p.trySend(message(2, 504)), 'a third half-ring message cannot fit');
  assert.is(thrown(() => p.tryClaim(505)).code, 'EMSGSIZE');
  assert.is(thrown(() => p.tryClaim(-1)).code, 'EINVAL');
  p.close();
  c.close();
});

transfer('bulk copies are whole at every distance between source and destination modulo 4 KiB (the core copies backwards where a forward copy would alias)', () => {
  const s = scenario(1 << 16);
  const producer = s.ring.acquireProducer();
  const consumer = s.ring.acquireConsumer();
  const area = s.m.findOrCreate('area', { bytes: 2 * 4096 + 2 * s.ring.maxMessage });
  const lengths = [16, 255, 256, 257, 300, 1000, 4096 + 13, 9000];
  for (let shift = 0, i = 0; shift < 4096 + 96; shift += shift < 96 ? 1 : 509) {
    for (const length of lengths) {
      const source = area.subarray(shift, shift + length);
      fillMessage(source, i);
      assert.ok(producer.trySend(source), `sent ${length} from +${shift}`);
      const sinkAt = area.length - s.ring.maxMessage - 64 - (shift & 63); // the destination moves too
      const guard = area.subarray(sinkAt + length, sinkAt + length + 64).fill(0xee);
      const sink = area.subarray(sinkAt, sinkAt + s.ring.maxMessage);
      assert.is(consumer.tryReceiveInto(sink), length);
      assert.ok(isMessage(sink.subarray(0, length), i), `message ${i}: ${length} bytes from +${shift}`);
      assert.ok(guard.every((b) => b === 0xee), `nothing written past ${length} bytes`);
      i++;
    }
  }
});

transfer('bad capacities and a name of another kind are refused', () => {
  const s = scenario();
  for (const capacity of [0, 100, 32, 2 ** 31, 1.5]) assert.is(thrown(() => SpscRing.bytesFor(capacity)).code, 'EINVAL', String(capacity));
  assert.is(thrown(() => s.m.ring('ring', CAPACITY * 2)).code, 'ELAYOUT');
  s.m.mutex('lock');
  assert.is(thrown(() => s.m.ring('lock', 64)).code, 'ELAYOUT');
  assert.is(s.m.list().find((o) => o.name === 'ring')!.kind, 'ring');
});

transfer('messages that lie in the memory go by the core\'s bulk copy, both ways; plain buffers by JS copies; same bytes either way', () => {
  const s = scenario(4096);
  const producer = s.ring.acquireProducer();
  const consumer = s.ring.acquireConsumer();
  const source = s.m.findOrCreate('source', { bytes: s.ring.maxMessage });
  const sink = s.m.findOrCreate('sink', { bytes: s.ring.maxMessage });
  const plainSink = new Uint8Array(s.ring.maxMessage);
  // every length from 0 to maxMessage in steps that cross the ring's end many times
  for (let length = 0, i = 0; length <= s.ring.maxMessage; length += 37, i++) {
    const view = source.subarray(0, length);
    fillMessage(view, i);
    const inMemory = i % 2 === 0;
    assert.ok(producer.trySend(inMemory ? view : view.slice()), `sent ${length}`);
    const into = i % 3 === 0 ? plainSink : sink;
    assert.is(consumer.tryReceiveInto(into), length);
    assert.ok(isMessage(into.subarray(0, length), i), `message ${i} of ${length} bytes (${inMemory ? 'from the memory' : 'from a plain buffer'})`);
  }
  assert.is(consumer.tryReceiveInto(sink), null);
  assert.is(s.ring.used, 0);
  // a full ring: false, and what went in comes out whole
  let sent = 0;
  while (producer.trySend(source.subarray(0, 100))) sent++;
  assert.ok(sent > 0 && sent < 4096 / 100);
  for (let i = 0; i < sent; i++) assert.is(consumer.tryReceiveInto(sink), 100);
  // refused before any store: too long from the memory, too small a destination
  const before = s.ring.used;
  assert.is(thrown(() => producer.trySend(s.m.findOrCreate('big', { bytes: s.ring.maxMessage + 1 }))).code, 'EMSGSIZE');
  assert.is(thrown(() => consumer.tryReceiveInto(new Uint8Array(s.ring.maxMessage - 1))).code, 'EINVAL');
  assert.is(thrown(() => consumer.tryReceiveInto('x' as unknown as Uint8Array)).code, 'EINVAL');
  assert.is(s.ring.used, before);
});

transfer.run();

const roles = suite('spsc ring: roles and faults');
roles.after.each(async () => {
  await killAll();
  cleanup();
});

roles('a second producer or consumer is refused (EBUSY), here and in another process; close() frees it; closing twice is harmless', async () => {
  const s = scenario();
  const p = s.ring.acquireProducer();
  const c = s.ring.acquireConsumer();
  assert.is(thrown(() => s.ring.acquireProducer()).code, 'EBUSY');
  assert.is(thrown(() => s.ring.acquireConsumer()).code, 'EBUSY');
  for (const role of ['producer', 'consumer']) {
    const other = await s.start('acquire', { role });
    other.go();
    assert.equal((await other.finish()).result, 'EBUSY', role);
  }
  p.close();
  p.close();
  c.close();
  assert.is(thrown(() => p.trySend(new Uint8Array(1))).code, 'EBADF');
  assert.is(thrown(() => c.tryPeek()).code, 'EBADF');
  for (const role of ['producer', 'consumer']) {
    const other = await s.start('acquire', { role });
    other.go();
    assert.equal((await other.finish()).result, 'acquired', role);
  }
});

roles('the role of a holder killed with -9 is taken over', async () => {
  const s = scenario();
  for (const role of ['producer', 'consumer']) {
    const holder = await s.start('hold', { role });
    holder.go();
    assert.equal(await holder.said(), { held: role, closed: false });
    assert.is(thrown(() => (role === 'producer' ? s.ring.acquireProducer() : s.ring.acquireConsumer())).code, 'EBUSY');
    await holder.kill();
    (role === 'producer' ? s.ring.acquireProducer() : s.ring.acquireConsumer()).close();
  }
});

roles('kill -9 of the producer mid-stream: the consumer reads only whole messages, in order, then EPIPE', async () => {
  const s = scenario(4096);
  const producer = await s.start('stream', { batch: 8 });
  const consumer = await s.start('consume', { form: 'async' });
  consumer.go();
  producer.go();
  assert.is(await producer.said(), 'streaming');
  await new Promise((r) => setTimeout(r, 200));
  await producer.kill();
  const read = (await consumer.finish()).result;
  assert.equal({ bad: read.bad, error: read.error }, { bad: 0, error: 'EPIPE' });
  assert.ok(read.count > 1000, `read ${read.count}`);
});

roles('kill -9 mid-message: the committed messages arrive, the half-written claim never does, then EPIPE (sync and async)', async () => {
  const s = scenario(4096);
  const producer = await s.start('dieMidMessage', { committed: 10 });
  producer.go();
  assert.is(await producer.said(), 'mid-message');
  await producer.kill();
  const c = s.ring.acquireConsumer();
  for (let i = 0; i < 10; i++) assert.ok(isMessage(c.receiveSync({ timeoutMs: 1000 })!, i), `message ${i}`);
  const died = thrown(() => c.receiveSync({ timeoutMs: 30000 }));
  assert.equal([died.code, died.reason], ['EPIPE', 'peer-died']);
  assert.is((await c.receiveAsync({ timeoutMs: 30000 }).catch((e) => e)).reason, 'peer-died');
  // a new producer takes over; its first message is what the consumer sees next
  const p = s.ring.acquireProducer();
  assert.ok(p.trySend(message(10, 30)));
  assert.ok(isMessage(c.tryReceive()!, 10));
  assert.is(c.tryPeek(), null);
});

roles('five producers in turn, each killed -9 mid-stream: every message read is whole, each producer\'s arrive in order, and the next goes on after what was published', async () => {
  const s = scenario(4096);
  const c = s.ring.acquireConsumer();
  let expected = 0;
  let read = 0;
  let streams = 0;
  let stop = false;
  const reading = (async () => {
    while (!stop) {
      const m = await c.receiveAsync({ timeoutMs: 50 }).catch((e) => (e.code === 'EPIPE' ? null : Promise.reject(e)));
      if (m === null) continue;
      if (!isMessage(m, expected)) {
        // Only a new producer's first message may break the sequence.
        if (!isMessage(m, 0)) throw new Error(`message ${read} (${m.length} bytes) is neither message ${expected} nor a new stream's first`);
        expected = 0;
        streams++;
      }
      expected++;
      read++;
    }
  })();
  for (let round = 0; round < 5; round++) {
    const producer = await s.start('stream', { batch: 1 + round * 4 });
    producer.go();
    assert.is(await producer.said(), 'streaming');
    await new Promise((r) => setTimeout(r, Math.random() * 100));
    await producer.kill();
  }
  stop = true;
  await reading;
  assert.ok(read > 5000 && streams >= 4, `read ${read} messages of ${streams + 1} streams`);
});

roles('a producer killed between publishing a batch and recording its tail: the next one goes on after the batch, overwriting nothing', async () => {
  const s = scenario(4096);
  const producer = await s.start('dieMidMessage', { committed: 10 });
  producer.go();
  assert.is(await producer.said(), 'mid-message');
  await producer.kill();
  // Put the tail back to where it stood after 5 of the 10 (112-byte records): the
  // state a producer leaves when it dies between the publishing store and the tail's.
  const tail = s.ring.place.offset + coreConstant(s.ring.place.memory.core, 'SPSC_TAIL');
  new DataView(s.ring.place.memory.memory.buffer).setBigUint64(tail, 5n * 112n, true);
  const p = s.ring.acquireProducer();
  assert.ok(p.trySend(message(10, 30)));
  const c = s.ring.acquireConsumer();
  for (let i = 0; i <= 10; i++) assert.ok(isMessage(c.tryReceive()!, i), `message ${i}`);
  assert.is(c.tryPeek(), null);
});

roles('kill -9 of the consumer: a producer waiting on a full ring gets EPIPE; a closed consumer too', async () => {
  const s = scenario(1024);
  const holder = await s.start('hold', { role: 'consumer' });
  holder.go();
  await holder.said();
  const p = s.ring.acquireProducer();
  while (p.trySend(message(0, 100)));
  const waiting = p.sendAsync(message(0, 100), { timeoutMs: 30000 }).catch((e) => [e.code, e.reason]);
  await holder.kill();
  assert.equal(await waiting, ['EPIPE', 'peer-died']);
  const c = s.ring.acquireConsumer();
  c.close();
  const closed = thrown(() => p.sendSync(message(0, 100), { timeoutMs: 30000 }));
  assert.equal([closed.code, closed.reason], ['EPIPE', 'peer-closed']);
});

roles.run();

const waits = suite('spsc ring: timeouts, abort, async');
waits.after.each(async () => {
  await killAll();
  cleanup();
});

waits('timeouts: receive on empty gives null, send on full gives false, sync and async; the ring works on', async () => {
  const s = scenario(1024);
  const p = s.ring.acquireProducer();
  const c = s.ring.acquireConsumer();
  const t0 = performance.now();
  assert.is(c.receiveSync({ timeoutMs: 30 }), null);
  assert.is(await c.receiveAsync({ timeoutMs: 30 }), null);
  assert.ok(performance.now() - t0 >= 55);
  assert.not.ok(c.ended, 'a timeout is not the end');
  while (p.trySend(message(0, 200)));
  assert.is(p.sendSync(message(0, 200), { timeoutMs: 30, spin: 0 }), false);
  assert.is(await p.sendAsync(message(0, 200), { timeoutMs: 30 }), false);
  // Two out: the next record pads to the end and needs room for itself and a terminator after it.
  assert.ok(isMessage(c.tryReceive()!, 0));
  assert.ok(isMessage(c.tryReceive()!, 0));
  assert.ok(await p.sendAsync(message(0, 200), { timeoutMs: 30 }));
  assert.is(thrown(() => c.receiveSync({ timeoutMs: -1 })).code, 'EINVAL');
});

waits('abort: waiting receiveAsync and sendAsync reject with ABORT_ERR, also when aborted before; nothing is lost', async () => {
  const s = scenario(1024);
  const p = s.ring.acquireProducer();
  const c = s.ring.acquireConsumer();
  const ac = new AbortController();
  const receiving = c.receiveAsync({ signal: ac.signal }).catch((e) => e);
  setTimeout(() => ac.abort(new Error('stop')), 20);
  const error = await receiving;
  assert.equal([error.name, error.code, error.cause.message], ['AbortError', 'ABORT_ERR', 'stop']);
  assert.is((await c.receiveAsync({ signal: ac.signal }).catch((e) => e)).code, 'ABORT_ERR');
  let sent = 0;
  while (p.trySend(message(sent, 100))) sent++;
  const ac2 = new AbortController();
  const sending = p.sendAsync(message(sent, 100), { signal: ac2.signal }).catch((e) => e.code);
  ac2.abort();
  assert.is(await sending, 'ABORT_ERR');
  for (let i = 0; i < sent; i++) assert.ok(isMessage(c.tryReceive()!, i));
  assert.is(c.tryReceive(), null, 'the aborted send left nothing');
});

waits('the event loop keeps running during receiveAsync; a message from another process ends the wait', async () => {
  const s = scenario();
  const c = s.ring.acquireConsumer();
  const sender = await s.start('sendLater');
  // The sender is started from a timer: the wait can only end if the event loop runs while it lasts.
  let ticks = 0;
  const timer = setInterval(() => ++ticks === 5 && sender.go(), 10);
  const got = await c.receiveAsync({ timeoutMs: 30000 });
  clearInterval(timer);
  assert.ok(got && isMessage(got, 0));
  assert.equal((await sender.finish()).result, 'sent');
});

waits('for await yields every message and ends when the producer closes; signal stops messages()', async () => {
  const s = scenario();
  const c = s.ring.acquireConsumer();
  const producer = await s.start('produce', { count: 5000, seed: 9, form: 'async' });
  producer.go();
  let count = 0;
  for await (const m of c) assert.ok(isMessage(m, count++));
  assert.is(count, 5000);
  assert.ok(c.ended);
  await producer.finish();
  const p = s.ring.acquireProducer();
  p.trySend(message(0, 1));
  const ac = new AbortController();
  const seen: number[] = [];
  const run = (async () => {
    for await (const m of c.messages({ signal: ac.signal })) seen.push(m.length);
  })().catch((e) => e.code);
  setTimeout(() => ac.abort(), 30);
  assert.is(await run, 'ABORT_ERR');
  assert.equal(seen, [1]);
});

waits.run();
