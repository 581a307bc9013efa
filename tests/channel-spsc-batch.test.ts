// The SPSC ring's batch forms (claimMany, sendMany, sendPacked, peekMany), its struct
// records (layout-checked), and its Node stream adapters through pipeline()
// between processes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { array, openOrCreate, ringReadable, ringWritable, SPSC_MAX_BATCH, struct } from '../host/index.js';
import { fillMessage, isMessage } from './fixtures/channel-roles.js';
import { killAll, startProcess } from './fixtures/channel-driver.js';
import { thrown } from './helpers/errors.js';
import { cleanup, freshName, keepOpen, trackPosix } from './helpers/resources.js';

const SIZE = 1 << 20;

function segment() {
  const name = trackPosix(freshName('chanb'));
  return { name, m: keepOpen(openOrCreate({ kind: 'posix', name, size: SIZE })) };
}

function pair(capacity = 1024) {
  const ring = segment().m.ring('ring', capacity);
  return { ring, p: ring.acquireProducer(), c: ring.acquireConsumer() };
}

async function both(a: ReturnType<typeof startProcess>, b: ReturnType<typeof startProcess>) {
  const parties = await Promise.all([a, b]);
  for (const p of parties) p.go();
  const [x, y] = await Promise.all(parties.map((p) => p.finish()));
  if (x!.error || y!.error) throw new Error(JSON.stringify([x!.error, y!.error]));
  return [x!.result, y!.result];
}

const batch = suite('spsc ring: batch forms');
batch.after.each(async () => {
  await killAll();
  cleanup();
});

batch('claimMany fills in place, invisible until one commit; peekMany sees them all, in place, across the wrap', () => {
  const { ring, p, c } = pair();
  // 40-byte messages are 48-byte records: 21 fill 1008 of 1024 bytes, the 22nd wraps behind padding.
  let index = 0;
  for (let round = 0; round < 5; round++) {
    const claimed = p.claimMany(15, 40);
    assert.is(claimed, 15, `round ${round}`);
    for (let i = 0; i < claimed; i++) fillMessage(p.bytes.subarray(p.offsets[i]!, p.offsets[i]! + 40), index + i);
    assert.is(c.peekMany(), 0, 'nothing before commit');
    p.commit();
    assert.is(c.peekMany(), 15);
    for (let i = 0; i < 15; i++) {
      assert.is(c.lengths[i], 40);
      assert.ok(isMessage(c.bytes.subarray(c.offsets[i]!, c.offsets[i]! + 40), index + i), `message ${index + i}`);
    }
    assert.ok(ring.used >= 15 * 48, 'peeked, not yet released');
    c.release();
    assert.is(ring.used, 0);
    index += 15;
  }
  // a full ring takes what fits (21 records, or 20 behind padding), then none
  const fit = p.claimMany(30, 40);
  assert.ok(fit === 20 || fit === 21, String(fit));
  assert.is(p.claimMany(1, 40), 0);
  p.commit();
  assert.is(c.peekMany(5), 5, 'max is respected');
  assert.is(c.peekMany(), fit - 5);
  assert.is(thrown(() => p.claimMany(1, ring.maxMessage + 1)).code, 'EMSGSIZE');
  assert.is(thrown(() => p.claimMany(SPSC_MAX_BATCH + 1, 8)).code, 'EINVAL');
  assert.is(thrown(() => c.peekMany(0)).code, 'EINVAL');
});

batch('sendMany: mixed sizes, one commit; stops when full and returns the count; a too-long message claims nothing', () => {
  const { p, c } = pair();
  const messages = [0, 1, 100, 504, 7, 300].map((length, i) => {
    const view = new Uint8Array(length);
    fillMessage(view, i);
    return view;
  });
  // records: 8+16+112+512+16+312 = 976 ≤ 1024, but 504's record must not wrap: all fit from 0
  assert.is(p.sendMany(messages), 6);
  const n = c.peekMany();
  assert.is(n, 6);
  for (let i = 0; i < n; i++) assert.ok(isMessage(c.bytes.subarray(c.offsets[i]!, c.offsets[i]! + c.lengths[i]!), i) && c.lengths[i] === messages[i]!.length, `message ${i}`);
  assert.is(p.sendMany(messages, 3), 0, 'the 504-byte one does not fit before the unreleased ones');
  c.release();
  assert.is(p.sendMany([]), 0);
  assert.is(thrown(() => p.sendMany([new Uint8Array(8), new Uint8Array(505)])).code, 'EMSGSIZE');
  assert.is(c.peekMany(), 0, 'the refused batch claimed nothing');
  assert.is(p.sendMany(messages, 3), 3, 'the 504-byte one wraps behind padding');
  assert.is(c.peekMany(), 3);
  for (let i = 0; i < 3; i++) assert.ok(isMessage(c.bytes.subarray(c.offsets[i]!, c.offsets[i]! + c.lengths[i]!), 3 + i), `message ${3 + i}`);
});

batch('sendPacked: back-to-back messages copied in by the core, in 64 KiB steps; stops when full', () => {
  const { p, c } = pair(1 << 19);
  const packed = new Uint8Array(1000 * 100); // more than one 64 KiB step
  for (let i = 0; i < 1000; i++) fillMessage(packed.subarray(i * 100, (i + 1) * 100), i);
  assert.is(p.sendPacked(packed, 100), 1000);
  let seen = 0;
  for (let n; (n = c.peekMany()) > 0; c.release()) {
    for (let i = 0; i < n; i++, seen++) assert.ok(c.lengths[i] === 100 && isMessage(c.bytes.subarray(c.offsets[i]!, c.offsets[i]! + 100), seen), `message ${seen}`);
  }
  assert.is(seen, 1000);
  const small = pair(1024);
  assert.is(small.p.sendPacked(packed.subarray(0, 30 * 40), 40), 21, 'as many 48-byte records as fit');
  assert.is(small.c.peekMany(), 21);
  for (const length of [0, 7, 1.5]) assert.is(thrown(() => small.p.sendPacked(packed.subarray(0, 40), length)).code, 'EINVAL', String(length));
  assert.is(thrown(() => small.p.sendPacked(new Uint8Array(505), 505)).code, 'EMSGSIZE');
});

batch('1,000,000 messages of random and wrap-edge sizes: sendMany producer → peekMany consumer, across processes', async () => {
  const { name } = segment();
  const start = (role: string, params: object) => startProcess({ segment: name, size: SIZE, channel: 'spsc', name: 'ring', shape: 1 << 14, role, params });
  const [made, read] = await both(start('produce', { count: 1_000_000, seed: 5, form: 'many', batch: 64 }), start('consume', { form: 'many' }));
  assert.equal(read, { count: 1_000_000, checksum: made.checksum, bad: 0, ended: true });
});

batch.run();

const records = suite('spsc ring: struct records');
records.after.each(cleanup);

const Tick = struct('Tick', { id: 'u32', price: 'f64', side: 'u8' });

records('sendRecord / receiveRecord, and a record filled in place; raw bytes cannot be read as a record', () => {
  const ring = segment().m.ring('ticks', 1024, { record: Tick });
  const p = ring.acquireProducer();
  const c = ring.acquireConsumer();
  assert.ok(p.trySendRecord({ id: 1, price: 2.5, side: 1 }));
  const ref = p.tryClaimRecord()!;
  ref.id = 2;
  ref.price = 3.25;
  ref.side = 0;
  assert.is(c.tryReceiveRecord()!.id, 1, 'the claimed record is not yet visible');
  assert.is(c.tryPeekRecord(), null);
  p.commit();
  assert.equal(c.tryReceiveRecord(), { id: 2, price: 3.25, side: 0 });
  // a bad value throws before claiming: nothing half-written is ever published
  assert.is(thrown(() => p.trySendRecord({ id: 3, price: 1 } as never)).code, 'EINVAL');
  p.commit();
  assert.is(c.tryReceiveRecord(), null);
  const peeked = (p.trySendRecord({ id: 4, price: 0, side: 2 }), c.tryPeekRecord()!);
  assert.is(peeked.id, 4);
  c.release();
  p.trySend(new Uint8Array(3));
  assert.is(thrown(() => c.tryPeekRecord()).code, 'EMSGSIZE');
});

records('layout-checked: another struct is ELAYOUT naming the field; raw rings carry no records', () => {
  const { m } = segment();
  m.ring('ticks', 1024, { record: Tick });
  const Changed = struct('Tick', { id: 'u32', price: 'f32', side: 'u8' });
  const changed = thrown(() => m.ring('ticks', 1024, { record: Changed }));
  assert.is(changed.code, 'ELAYOUT');
  assert.match(changed.message, /field 'price'/);
  assert.is(m.ring('ticks', 1024, { record: Tick }).record, Tick);
  assert.is(m.ring('ticks', 1024).record, undefined, 'opened as raw bytes, it is still a ring');
  m.ring('raw', 1024);
  assert.match(thrown(() => m.ring('raw', 1024, { record: Tick })).message, /raw bytes, not records of Tick/);
  assert.is(thrown(() => m.ring('raw', 1024).acquireProducer().trySendRecord({})).code, 'EINVAL');
  assert.match(thrown(() => m.ring('big', 64, { record: struct('Big', { a: array('u8', 100) }) })).message, /larger than a ring of 64 bytes/);
});

records.run();

const streams = suite('spsc ring: Node streams');
streams.after.each(async () => {
  await killAll();
  cleanup();
});

streams('pipeline() moves a 64 MiB file through the ring between processes: same SHA-256, end-of-stream on close', async () => {
  const { name } = segment();
  const start = (role: string, params: object = {}) => startProcess({ segment: name, size: SIZE, channel: 'spsc', name: 'ring', shape: 1 << 18, role, params });
  const [sent, received] = await both(start('pipeIn', { bytes: 64 << 20, seed: 9 }), start('pipeOut'));
  assert.type(sent, 'string');
  assert.is(received, sent);
});

streams('in one thread: chunks longer than maxMessage are split; back-pressure holds the writer until the reader reads', async () => {
  const { p, c } = pair(1024);
  const writable = ringWritable(p);
  const chunks: Buffer[] = [];
  const readable = ringReadable(c);
  const big = Buffer.alloc(5000, 7);
  const written = new Promise<void>((resolve, reject) => writable.end(big, () => resolve()).on('error', reject));
  readable.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise((resolve) => readable.on('end', resolve));
  await written;
  assert.ok(chunks.every((chunk) => chunk.length <= 504));
  assert.ok(Buffer.concat(chunks).equals(big));
});

streams.run();
