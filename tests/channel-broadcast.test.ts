// The broadcast channel: every reader gets every message in order under
// backpressure; under lossy mode received + lost is exactly what was
// published and nothing torn is ever returned; dead readers stop holding the
// writer back; a writer killed mid-message exposes nothing partial; roles,
// timeouts and abort. Outcome tests spell out the one allowed outcome.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Broadcast, openOrCreate, type BroadcastOptions, type ManagedSegment } from '../host/index.js';
import { fillMessage, isMessage } from './fixtures/channel-roles.js';
import { killAll, startProcess } from './fixtures/channel-driver.js';
import { thrown } from './helpers/errors.js';
import { cleanup, freshName, keepOpen, trackPosix } from './helpers/resources.js';

const SIZE = 1 << 20;

interface Scenario {
  m: ManagedSegment;
  channel: Broadcast;
  start(role: string, params?: object): ReturnType<typeof startProcess>;
}

function scenario(options: BroadcastOptions): Scenario {
  const segment = trackPosix(freshName('bcast'));
  const m = keepOpen(openOrCreate({ kind: 'posix', name: segment, size: SIZE }));
  const channel = m.broadcast('bc', options);
  const start = (role: string, params = {}) => startProcess({ script: 'channel-broadcast-peer.ts', segment, size: SIZE, channel: 'bc', options, role, params });
  return { m, channel, start };
}

const message = (index: number, length = 16) => {
  const bytes = new Uint8Array(length);
  fillMessage(bytes, index);
  return bytes;
};

/** Starts readers, lets them subscribe, then starts the writer; every party's result. */
async function run(s: Scenario, readers: object[], writer: object) {
  const parties = await Promise.all(readers.map((params) => s.start('read', params)));
  for (const p of parties) p.go();
  for (const p of parties) assert.is(await p.said(), 'subscribed');
  const w = await s.start('write', writer);
  w.go();
  const results = await Promise.all([w, ...parties].map((p) => p.finish()));
  for (const r of results) if (r.error) throw new Error(JSON.stringify(r.error));
  return results.map((r) => r.result);
}

const order = suite('broadcast: order, content and loss accounting');
order.after.each(async () => {
  await killAll();
  cleanup();
});

order('backpressure: three reader processes (sync, async, for await) each get all 100,000 messages in order', async () => {
  const s = scenario({ slots: 64, slotSize: 256, mode: 'backpressure' });
  const [made, ...read] = await run(s, [{ form: 'sync' }, { form: 'async' }, { form: 'iterate', slowEvery: 5000, slowMs: 20 }], { count: 100_000, seed: 1, form: 'async' });
  for (const r of read) assert.equal(r, { count: 100_000, lost: 0, checksum: made.checksum, bad: 0, ended: true });
  assert.is(s.channel.published, 100_000);
});

order('lossy: a slow and a fast reader process; received + lost = published exactly, nothing torn', async () => {
  const s = scenario({ slots: 32, slotSize: 128, mode: 'lossy' });
  const [made, slow, fast] = await run(s, [{ form: 'async', slowEvery: 200, slowMs: 2 }, { form: 'sync' }], { count: 200_000, seed: 2, form: 'sync' });
  for (const r of [slow, fast]) {
    assert.equal({ total: r.count + r.lost, bad: r.bad, ended: r.ended }, { total: made.count, bad: 0, ended: true });
  }
  assert.ok(slow.lost > 1000, `the slow reader lost only ${slow.lost}`);
});

order('lossy in one thread: an overrun reader resumes at the oldest safe message and reports the gap', () => {
  const s = scenario({ slots: 8, slotSize: 16, mode: 'lossy' });
  const w = s.channel.acquireWriter();
  const r = s.channel.subscribe();
  for (let i = 0; i < 20; i++) assert.ok(w.tryPublish(message(i)));
  assert.is(r.backlog, 20);
  const first = r.tryRead()!;
  assert.equal([first.lost, isMessage(first.data, 13)], [13, true], 'published − slots + 1 = 13 passed over');
  for (let i = 14; i < 20; i++) assert.equal(r.tryRead()!.lost, 0);
  assert.is(r.tryRead(), null);
  assert.is(r.lost, 13);
  w.close();
  r.close();
});

order('lossy, one interleaving at a time: a message overwritten while being copied is refused and counted', () => {
  const s = scenario({ slots: 4, slotSize: 16, mode: 'lossy' });
  const { core } = s.channel.place.memory;
  const at = s.channel.place.offset;
  const w = s.channel.acquireWriter();
  const r = s.channel.subscribe();
  w.tryPublish(message(0));
  // reader: begin copying message 0 … writer: laps the ring … reader: re-check
  assert.ok(core.bcastReadBegin(at, 0) >>> 0 > 1);
  for (let i = 1; i <= 4; i++) w.tryPublish(message(i));
  assert.is(core.bcastReadEnd(at, 0), 0, 'the copy is refused');
  const next = r.tryRead()!;
  assert.equal([next.lost, isMessage(next.data, 2)], [2, true], 'messages 0 and 1 are lost, 2 is the oldest safe one');
  // the writer stamps a slot odd before touching its bytes: a copy racing that is refused too
  w.tryPublish(message(5));
  w.tryPublish(message(6));
  assert.ok(core.bcastReadBegin(at, 0) >>> 0 > 1, 'the reader starts copying message 3');
  const payload = core.bcastClaim(at, 16) >>> 0; // message 7 goes into message 3's slot
  assert.is(core.bcastReadEnd(at, 0), 0, 'refused while the slot is being filled');
  s.channel.place.memory.bytes(payload, 16).set(message(7));
  core.bcastCommit(at);
  const after = r.tryRead()!;
  assert.equal([after.lost, isMessage(after.data, 4), r.lost], [1, true, 3]);
  w.close();
  r.close();
});

order('backpressure in one thread: the slowest reader holds the writer; closing it frees the writer; into buffers', () => {
  const s = scenario({ slots: 4, slotSize: 16 });
  const w = s.channel.acquireWriter();
  assert.ok(w.tryPublish(message(99)), 'nobody subscribed: nothing holds the writer');
  const fast = s.channel.subscribe();
  const slow = s.channel.subscribe();
  for (let i = 0; i < 4; i++) assert.ok(w.tryPublish(message(i)));
  assert.not.ok(w.tryPublish(message(4)), 'full');
  const into = new Uint8Array(16);
  for (let i = 0; i < 4; i++) assert.ok(isMessage(fast.tryRead(into)!.data, i));
  assert.not.ok(w.tryPublish(message(4)), 'still held by the slow reader');
  assert.ok(isMessage(slow.tryRead()!.data, 0));
  assert.ok(w.tryPublish(message(4)));
  slow.close();
  assert.ok(w.tryPublish(message(5)) && w.tryPublish(message(6)) && w.tryPublish(message(7)), 'the closed reader holds nothing');
  assert.is(thrown(() => w.tryPublish(new Uint8Array(17))).code, 'EMSGSIZE');
  assert.is(thrown(() => fast.tryRead(new Uint8Array(4))).code, 'EMSGSIZE');
  w.close();
  fast.close();
});

order('bad shapes, a name of another kind, and a shape that differs are refused', () => {
  const s = scenario({ slots: 8, slotSize: 64 });
  const bad: BroadcastOptions[] = [
    { slots: 6, slotSize: 64 }, { slots: 1, slotSize: 64 }, { slots: 8, slotSize: 12 }, { slots: 8, slotSize: 0 },
    { slots: 8, slotSize: 64, maxReaders: 0 }, { slots: 8, slotSize: 64, mode: 'fast' as 'lossy' },
  ];
  for (const options of bad) assert.is(thrown(() => Broadcast.bytesFor(options)).code, 'EINVAL', JSON.stringify(options));
  assert.is(thrown(() => s.m.broadcast('bc', { slots: 8, slotSize: 64, mode: 'lossy' })).code, 'ELAYOUT');
  assert.is(thrown(() => s.m.broadcast('bc', { slots: 16, slotSize: 64 })).code, 'ELAYOUT');
  s.m.mutex('lock');
  assert.is(thrown(() => s.m.broadcast('lock', { slots: 8, slotSize: 64 })).code, 'ELAYOUT');
  assert.is(s.m.list().find((o) => o.name === 'bc')!.kind, 'broadcast');
  assert.is(s.m.broadcast('bc', { slots: 8, slotSize: 64 }).mode, 'backpressure');
});

order.run();

const faults = suite('broadcast: roles and faults');
faults.after.each(async () => {
  await killAll();
  cleanup();
});

faults('a second writer is refused (EBUSY), here and in another process; close() frees it; closing twice is harmless', async () => {
  const s = scenario({ slots: 8, slotSize: 64, maxReaders: 2 });
  const w = s.channel.acquireWriter();
  assert.is(thrown(() => s.channel.acquireWriter()).code, 'EBUSY');
  const other = await s.start('acquire');
  other.go();
  assert.is((await other.finish()).result, 'EBUSY');
  w.close();
  w.close();
  assert.is(thrown(() => w.tryPublish(message(0))).code, 'EBADF');
  const again = await s.start('acquire');
  again.go();
  assert.is((await again.finish()).result, 'acquired');
  const readers = [s.channel.subscribe(), s.channel.subscribe()];
  assert.is(thrown(() => s.channel.subscribe()).code, 'EBUSY', 'maxReaders live readers');
  readers[0]!.close();
  readers[0]!.close();
  assert.is(thrown(() => readers[0]!.tryRead()).code, 'EBADF');
  s.channel.subscribe().close();
  readers[1]!.close();
});

faults('the writer role of a holder killed with -9 is taken over; a dead reader\'s entry is reused', async () => {
  const s = scenario({ slots: 8, slotSize: 64, maxReaders: 1 });
  const holder = await s.start('holdWriter');
  holder.go();
  assert.is(await holder.said(), 'writer');
  assert.is(thrown(() => s.channel.acquireWriter()).code, 'EBUSY');
  await holder.kill();
  s.channel.acquireWriter().close();
  const reader = await s.start('hold');
  reader.go();
  assert.is(await reader.said(), 'subscribed');
  assert.is(thrown(() => s.channel.subscribe()).code, 'EBUSY');
  await reader.kill();
  s.channel.subscribe().close();
});

faults('a reader killed with -9 holds a backpressure writer back only until its liveness check (sync and async)', async () => {
  const s = scenario({ slots: 8, slotSize: 64 });
  const w = s.channel.acquireWriter();
  const live = s.channel.subscribe();
  for (const form of ['async', 'sync']) {
    const dead = await s.start('hold');
    dead.go();
    await dead.said();
    let sent = 0;
    while (w.tryPublish(message(sent))) sent++;
    for (let i = 0; i < sent; i++) live.tryRead();
    const t0 = performance.now();
    if (form === 'async') {
      const waiting = w.publishAsync(message(sent), { timeoutMs: 30000 });
      await dead.kill();
      assert.ok(await waiting);
    } else {
      await dead.kill();
      assert.ok(w.publishSync(message(sent), { timeoutMs: 30000 }));
    }
    assert.ok(performance.now() - t0 < 5000, `${form}: took ${performance.now() - t0} ms`);
    live.tryRead();
  }
  w.close();
  live.close();
});

faults('kill -9 of the writer mid-message: the published messages arrive, the half-written one never does, then EPIPE; a new writer goes on', async () => {
  const s = scenario({ slots: 16, slotSize: 256, mode: 'lossy' });
  const r = s.channel.subscribe();
  const writer = await s.start('dieMidPublish', { committed: 10 });
  writer.go();
  assert.is(await writer.said(), 'mid-message');
  await writer.kill();
  for (let i = 0; i < 10; i++) assert.ok(isMessage(r.readSync({ timeoutMs: 1000 })!.data, i), `message ${i}`);
  assert.is(thrown(() => r.readSync({ timeoutMs: 30000 })).code, 'EPIPE');
  assert.is((await r.readAsync({ timeoutMs: 30000 }).catch((e) => e)).code, 'EPIPE');
  const w = s.channel.acquireWriter();
  assert.ok(w.tryPublish(message(10, 30)));
  const next = r.tryRead()!;
  assert.equal([next.lost, next.data.length, isMessage(next.data, 10)], [0, 30, true]);
  assert.is(r.tryRead(), null);
  w.close();
  r.close();
});

faults('kill -9 of a streaming writer: a reader process gets only whole messages, in order, then EPIPE', async () => {
  const s = scenario({ slots: 64, slotSize: 256, mode: 'backpressure' });
  const reader = await s.start('read', { form: 'async' });
  reader.go();
  assert.is(await reader.said(), 'subscribed');
  const writer = await s.start('stream');
  writer.go();
  assert.is(await writer.said(), 'streaming');
  await new Promise((r) => setTimeout(r, 200));
  await writer.kill();
  const read = (await reader.finish()).result;
  assert.equal({ lost: read.lost, bad: read.bad, error: read.error }, { lost: 0, bad: 0, error: 'EPIPE' });
  assert.ok(read.count > 1000, `read ${read.count}`);
});

faults.run();

const waits = suite('broadcast: timeouts, abort, async');
waits.after.each(async () => {
  await killAll();
  cleanup();
});

waits('timeouts: read on nothing new gives null, publish on full gives false, sync and async; then it works on', async () => {
  const s = scenario({ slots: 4, slotSize: 16 });
  const w = s.channel.acquireWriter();
  const r = s.channel.subscribe();
  const t0 = performance.now();
  assert.is(r.readSync({ timeoutMs: 30 }), null);
  assert.is(await r.readAsync({ timeoutMs: 30 }), null);
  assert.ok(performance.now() - t0 >= 55);
  assert.not.ok(r.ended, 'a timeout is not the end');
  while (w.tryPublish(message(0)));
  assert.is(w.publishSync(message(0), { timeoutMs: 30, spin: 0 }), false);
  assert.is(await w.publishAsync(message(0), { timeoutMs: 30 }), false);
  r.tryRead();
  assert.ok(await w.publishAsync(message(0), { timeoutMs: 30 }));
  assert.is(thrown(() => r.readSync({ timeoutMs: -1 })).code, 'EINVAL');
  assert.is(thrown(() => w.publishSync(message(0), { spin: 1.5 })).code, 'EINVAL');
  w.close();
  r.close();
});

waits('abort: waiting readAsync and publishAsync reject with ABORT_ERR, also when aborted before; nothing is lost', async () => {
  const s = scenario({ slots: 4, slotSize: 16 });
  const w = s.channel.acquireWriter();
  const r = s.channel.subscribe();
  const ac = new AbortController();
  const reading = r.readAsync({ signal: ac.signal }).catch((e) => e);
  setTimeout(() => ac.abort(new Error('stop')), 20);
  const error = await reading;
  assert.equal([error.name, error.code, error.cause.message], ['AbortError', 'ABORT_ERR', 'stop']);
  assert.is((await r.readAsync({ signal: ac.signal }).catch((e) => e)).code, 'ABORT_ERR');
  let sent = 0;
  while (w.tryPublish(message(sent))) sent++;
  const ac2 = new AbortController();
  const publishing = w.publishAsync(message(sent), { signal: ac2.signal }).catch((e) => e.code);
  ac2.abort();
  assert.is(await publishing, 'ABORT_ERR');
  for (let i = 0; i < sent; i++) assert.ok(isMessage(r.tryRead()!.data, i));
  assert.is(r.tryRead(), null, 'the aborted publish left nothing');
  w.close();
  r.close();
});

waits('for await yields every message while the event loop runs, and ends when the writer closes', async () => {
  const s = scenario({ slots: 16, slotSize: 64 });
  const r = s.channel.subscribe();
  const writer = await s.start('write', { count: 2000, seed: 3, form: 'sync' });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  setTimeout(() => writer.go(), 100);
  let count = 0;
  for await (const { data, lost } of r) assert.ok(lost === 0 && isMessage(data, count++));
  clearInterval(timer);
  assert.is(count, 2000);
  assert.ok(r.ended);
  assert.ok(ticks >= 10, `timer ran ${ticks} times`);
  await writer.finish();
  r.close();
});

waits.run();
