// The broadcast channel, one suite run over the conformance harness's Node
// backends (tests/conformance/backends/): processes sharing a POSIX
// segment, worker threads of one process over the Linux arena (futex,
// kernel thread ids), and worker threads over a plain memory of
// shmkit/browser (Atomics; there a dead thread cannot be told from a
// live one, so timeouts are the guard). Every reader gets every message in
// order under backpressure; under lossy mode received + lost is exactly what
// was published and nothing torn is ever returned; a reader leaving or dying
// stops holding the writer back; a writer dying mid-message exposes nothing
// partial; roles, timeouts and abort. Outcome tests spell out the one
// allowed outcome for the host (whether it can see a party die).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Broadcast, type BroadcastOptions } from '../host/index.js';
import { PlainArena } from '../host/browser/plain-arena.js';
import { fillMessage, isMessage } from './fixtures/channel-roles.js';
import type { NodeBackend, Party, Stage } from './conformance/backends/backend.js';
import { linuxSegment } from './conformance/backends/linux-segment.js';
import { processes } from './conformance/backends/processes.js';
import { linuxThreads, plainThreads } from './conformance/backends/threads.js';
import { thrown } from './helpers/errors.js';
import { cleanup } from './helpers/resources.js';

const BROADCAST_BOOK = new URL('./fixtures/channel-broadcast-book.ts', import.meta.url).href;

interface Scenario {
  channel: Broadcast;
  /** Another party (a process or a worker thread) running `role` of channel-broadcast-roles.ts, ready to go. */
  start(role: string, params?: object): Promise<Party>;
}

/** The channel 'bc' shaped by `options` on a fresh segment of `stage`'s backend, and parties that play on it. */
function onStage(stage: Stage, options: BroadcastOptions): Scenario {
  return { channel: stage.seg.broadcast('bc', options), start: (role, params = {}) => stage.start({ book: BROADCAST_BOOK, role, params: { ...params, shape: options } }) };
}

const message = (index: number, length = 16) => {
  const bytes = new Uint8Array(length);
  fillMessage(bytes, index);
  return bytes;
};

/** Starts the readers, lets them subscribe, then starts the writer; every party's result, the writer's first. */
async function run(s: Scenario, readers: object[], writer: object): Promise<any[]> {
  const parties = await Promise.all(readers.map((params) => s.start('read', params)));
  for (const p of parties) p.go();
  for (const p of parties) assert.is(await p.said(), 'subscribed');
  const w = await s.start('write', writer);
  w.go();
  return Promise.all([w, ...parties].map((p) => p.finish()));
}

function conformance(title: string, makeBackend: () => NodeBackend | Promise<NodeBackend>): void {
  let backend: NodeBackend;
  const stages: Stage[] = [];
  const scenario = (options: BroadcastOptions) => {
    const stage = backend.stage();
    stages.push(stage);
    return onStage(stage, options);
  };
  const test = suite(`broadcast over ${title}`);
  test.before(async () => {
    backend = await makeBackend();
  });
  test.after.each(async () => {
    await Promise.all(stages.splice(0).map((stage) => stage.close()));
    cleanup();
  });
  test.after(async () => {
    await backend.close();
  });

  // ── order, content and loss accounting ────────────────────────────────

  test('backpressure: three readers (blocking into a buffer, async, for await lagging) each get all 100,000 messages in order', async () => {
    const s = scenario({ slots: 64, slotSize: 256, mode: 'backpressure' });
    const count = 100_000;
    const [made, ...read] = await run(s, [{ form: 'sync' }, { form: 'async' }, { form: 'iterate', lagEvery: 5000, total: count }], { count, seed: 1, form: 'async' });
    for (const r of read) assert.equal(r, { count, lost: 0, checksum: made.checksum, bad: 0, ended: true });
    assert.is(s.channel.published, count);
  });

  test('lossy: a lagging and a fast reader; received + lost = published exactly, nothing torn, the lagging one lost some', async () => {
    const s = scenario({ slots: 32, slotSize: 128, mode: 'lossy' });
    const count = 200_000;
    const [made, lagging, fast] = await run(s, [{ form: 'async', lagEvery: 200, total: count }, { form: 'sync' }], { count, seed: 2, form: 'sync' });
    for (const r of [lagging, fast]) {
      assert.equal({ total: r.count + r.lost, bad: r.bad, ended: r.ended }, { total: made.count, bad: 0, ended: true });
    }
    assert.ok(lagging.lost > 0, 'lapped on purpose, it must have lost messages');
  });

  test('a reader that leaves while it holds a backpressure writer back frees it; the other still gets everything', async () => {
    const s = scenario({ slots: 16, slotSize: 64, mode: 'backpressure' });
    const count = 5000;
    const [made, stays, leaves] = await run(s, [{ form: 'sync' }, { form: 'async', lagEvery: 500, leaveAfter: 500, total: count }], { count, seed: 3, form: 'sync' });
    assert.equal(stays, { count, lost: 0, checksum: made.checksum, bad: 0, ended: true });
    assert.equal({ count: leaves.count, lost: leaves.lost, bad: leaves.bad }, { count: 500, lost: 0, bad: 0 });
  });

  test('lossy in one thread: an overrun reader resumes at the oldest safe message and reports the gap', () => {
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

  test('lossy, one interleaving at a time: a message overwritten while being copied is refused and counted', () => {
    const s = scenario({ slots: 4, slotSize: 16, mode: 'lossy' });
    const { core } = s.channel.place.memory;
    const w = s.channel.acquireWriter();
    const r = s.channel.subscribe();
    // The handles' own descriptors, as the core calls below take them.
    const [writer, reader] = [w, r].map((end) => (end as unknown as { d: number }).d) as [number, number];
    w.tryPublish(message(0));
    // reader: begin copying message 0 … writer: laps the ring … reader: re-check
    assert.ok(core.bcastReadBegin(reader) >>> 0 > 1);
    for (let i = 1; i <= 4; i++) w.tryPublish(message(i));
    assert.is(core.bcastReadEnd(reader), 0, 'the copy is refused');
    const next = r.tryRead()!;
    assert.equal([next.lost, isMessage(next.data, 2)], [2, true], 'messages 0 and 1 are lost, 2 is the oldest safe one');
    // the writer stamps a slot odd before touching its bytes: a copy racing that is refused too
    w.tryPublish(message(5));
    w.tryPublish(message(6));
    assert.ok(core.bcastReadBegin(reader) >>> 0 > 1, 'the reader starts copying message 3');
    const payload = core.bcastClaim(writer, 16) >>> 0; // message 7 goes into message 3's slot
    assert.is(core.bcastReadEnd(reader), 0, 'refused while the slot is being filled');
    s.channel.place.memory.bytes(payload, 16).set(message(7));
    core.bcastCommit(writer);
    const after = r.tryRead()!;
    assert.equal([after.lost, isMessage(after.data, 4), r.lost], [1, true, 3]);
    w.close();
    r.close();
  });

  test('backpressure in one thread: the slowest reader holds the writer; closing it frees the writer; into buffers', () => {
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

  // ── roles and faults ──────────────────────────────────────────────────

  test('a second writer is refused (EBUSY), here and in another party; close() frees it; closing twice is harmless', async () => {
    const s = scenario({ slots: 8, slotSize: 64, maxReaders: 2 });
    const w = s.channel.acquireWriter();
    assert.is(thrown(() => s.channel.acquireWriter()).code, 'EBUSY');
    const other = await s.start('acquire');
    other.go();
    assert.is(await other.finish(), 'EBUSY');
    w.close();
    w.close();
    assert.is(thrown(() => w.tryPublish(message(0))).code, 'EBADF');
    const again = await s.start('acquire');
    again.go();
    assert.is(await again.finish(), 'acquired');
    const readers = [s.channel.subscribe(), s.channel.subscribe()];
    assert.is(thrown(() => s.channel.subscribe()).code, 'EBUSY', 'maxReaders live readers');
    readers[0]!.close();
    readers[0]!.close();
    assert.is(thrown(() => readers[0]!.tryRead()).code, 'EBADF');
    s.channel.subscribe().close();
    readers[1]!.close();
  });

  test('a dead holder of the writer role or of a reader entry: taken over where death is seen, else still EBUSY', async () => {
    const s = scenario({ slots: 8, slotSize: 64, maxReaders: 1 });
    const holder = await s.start('holdWriter');
    holder.go();
    assert.is(await holder.said(), 'writer');
    assert.is(thrown(() => s.channel.acquireWriter()).code, 'EBUSY');
    await holder.kill();
    if (backend.detectsDeath) s.channel.acquireWriter().close();
    else assert.is(thrown(() => s.channel.acquireWriter()).code, 'EBUSY');
    const reader = await s.start('hold');
    reader.go();
    assert.is(await reader.said(), 'subscribed');
    assert.is(thrown(() => s.channel.subscribe()).code, 'EBUSY');
    await reader.kill();
    if (backend.detectsDeath) s.channel.subscribe().close();
    else assert.is(thrown(() => s.channel.subscribe()).code, 'EBUSY');
  });

  test('a dead reader holds a backpressure writer back until its liveness check, else until the timeout (sync and async)', async () => {
    const s = scenario({ slots: 8, slotSize: 64 });
    const w = s.channel.acquireWriter();
    const live = s.channel.subscribe();
    // Where death is seen, a wait of 30 s ends long before its timeout; else a short one must time out.
    const timeoutMs = backend.detectsDeath ? 30000 : 100;
    for (const form of ['async', 'sync']) {
      const dead = await s.start('hold');
      dead.go();
      await dead.said();
      let sent = 0;
      while (w.tryPublish(message(sent))) sent++;
      for (let i = 0; i < sent; i++) live.tryRead();
      let published: boolean;
      if (form === 'async') {
        const waiting = w.publishAsync(message(sent), { timeoutMs });
        await dead.kill();
        published = await waiting;
      } else {
        await dead.kill();
        published = w.publishSync(message(sent), { timeoutMs });
      }
      assert.is(published, backend.detectsDeath, form);
      if (!backend.detectsDeath) break; // the dead reader holds this channel for good
      live.tryRead();
    }
    w.close();
    live.close();
  });

  test('a writer dead mid-message: the published messages arrive, the half-written one never does, then EPIPE (or a timeout); a new writer goes on', async () => {
    const s = scenario({ slots: 16, slotSize: 256, mode: 'lossy' });
    const r = s.channel.subscribe();
    const writer = await s.start('dieMidPublish', { committed: 10 });
    writer.go();
    assert.is(await writer.said(), 'mid-message');
    await writer.kill();
    for (let i = 0; i < 10; i++) assert.ok(isMessage(r.readSync({ timeoutMs: 1000 })!.data, i), `message ${i}`);
    if (!backend.detectsDeath) {
      assert.is(r.readSync({ timeoutMs: 100 }), null);
      assert.is(await r.readAsync({ timeoutMs: 100 }), null);
      assert.equal([r.ended, thrown(() => s.channel.acquireWriter()).code], [false, 'EBUSY']);
      r.close();
      return;
    }
    const died = thrown(() => r.readSync({ timeoutMs: 30000 }));
    assert.equal([died.code, died.reason], ['EPIPE', 'peer-died']);
    assert.is((await r.readAsync({ timeoutMs: 30000 }).catch((e) => e)).reason, 'peer-died');
    const w = s.channel.acquireWriter();
    assert.ok(w.tryPublish(message(10, 30)));
    const next = r.tryRead()!;
    assert.equal([next.lost, next.data.length, isMessage(next.data, 10)], [0, 30, true]);
    assert.is(r.tryRead(), null);
    w.close();
    r.close();
  });

  test('a streaming writer killed: a reader party gets only whole messages, in order, then EPIPE (or a silence)', async () => {
    const s = scenario({ slots: 64, slotSize: 256, mode: 'backpressure' });
    const reader = await s.start('read', { form: 'async', idleMs: backend.detectsDeath ? undefined : 200 });
    reader.go();
    assert.is(await reader.said(), 'subscribed');
    const writer = await s.start('stream');
    writer.go();
    assert.is(await writer.said(), 'streaming');
    await writer.kill();
    const read: any = await reader.finish();
    const end = backend.detectsDeath ? { error: 'EPIPE', ended: undefined } : { error: undefined, ended: false };
    assert.equal({ lost: read.lost, bad: read.bad, error: read.error, ended: read.ended }, { lost: 0, bad: 0, ...end });
    // 'streaming' comes after message 1000 was published, which needed all but 64 of them read;
    // a reader that only a silence stops may have stopped at any pause of the writer
    assert.ok(read.count > (backend.detectsDeath ? 1000 : 0), `read ${read.count}`);
  });

  // ── timeouts, abort, async ────────────────────────────────────────────

  test('timeouts: read on nothing new gives null, publish on full gives false, sync and async; then it works on', async () => {
    const s = scenario({ slots: 4, slotSize: 16 });
    const w = s.channel.acquireWriter();
    const r = s.channel.subscribe();
    assert.is(r.readSync({ timeoutMs: 30 }), null);
    assert.is(await r.readAsync({ timeoutMs: 30 }), null);
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

  test('abort: waiting readAsync and publishAsync reject with ABORT_ERR, also when aborted before; nothing is lost', async () => {
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

  test('for await yields every message while the event loop runs (a timer lets the writer go), and ends when the writer closes', async () => {
    const s = scenario({ slots: 16, slotSize: 64 });
    const r = s.channel.subscribe();
    const writer = await s.start('write', { count: 2000, seed: 3, form: 'sync' });
    setTimeout(() => writer.go(), 20); // runs only if the wait below leaves the event loop free
    let count = 0;
    for await (const { data, lost } of r) assert.ok(lost === 0 && isMessage(data, count++));
    assert.is(count, 2000);
    assert.ok(r.ended);
    await writer.finish();
    r.close();
  });

  test.run();
}

conformance('processes (POSIX segment, futex)', processes);
conformance('worker threads (Linux arena, futex)', linuxThreads);
// The coordinator's arena from host/'s source, so its errors are the ShmError thrown() knows.
conformance('worker threads (plain memory of shmkit/browser, Atomics)', () => plainThreads({ PlainArena }));

const named = suite('broadcast in a managed segment: shapes and names');
named.after.each(cleanup);

named('bad shapes, a name of another kind, and a shape that differs are refused', () => {
  const { seg: m } = linuxSegment();
  m.broadcast('bc', { slots: 8, slotSize: 64 });
  const bad: BroadcastOptions[] = [
    { slots: 6, slotSize: 64 }, { slots: 1, slotSize: 64 }, { slots: 8, slotSize: 12 }, { slots: 8, slotSize: 0 },
    { slots: 8, slotSize: 64, maxReaders: 0 }, { slots: 8, slotSize: 64, mode: 'fast' as 'lossy' },
  ];
  for (const options of bad) assert.is(thrown(() => Broadcast.bytesFor(options)).code, 'EINVAL', JSON.stringify(options));
  assert.is(thrown(() => m.broadcast('bc', { slots: 8, slotSize: 64, mode: 'lossy' })).code, 'ELAYOUT');
  assert.is(thrown(() => m.broadcast('bc', { slots: 16, slotSize: 64 })).code, 'ELAYOUT');
  m.mutex('lock');
  assert.is(thrown(() => m.broadcast('lock', { slots: 8, slotSize: 64 })).code, 'ELAYOUT');
  assert.is(m.list().find((o) => o.name === 'bc')!.kind, 'broadcast');
  assert.is(m.broadcast('bc', { slots: 8, slotSize: 64 }).mode, 'backpressure');
});

named.run();

const wakes = suite('broadcast: wake-ups');
let wakeStage: Stage | undefined;
wakes.after.each(async () => {
  await wakeStage?.close();
  cleanup();
});

// The reader, in another process, sleeps through a host that outlasts
// liveness slices: only a wake-up (or the word moving before it slept) can
// end its sleep; a missing wake-up would leave it 'timed-out' after 60 s.
wakes('a reader asleep in another process is woken by a publish, not by a slice running out', async () => {
  const options: BroadcastOptions = { slots: 4, slotSize: 64, mode: 'backpressure' };
  wakeStage = processes().stage();
  const { channel, start } = onStage(wakeStage, options);
  const reader = await start('readWatched');
  reader.go();
  assert.is(await reader.said(), 'subscribed');
  assert.is(await reader.said(), 'asleep');
  const writer = channel.acquireWriter();
  const message = new Uint8Array(64);
  fillMessage(message, 0);
  assert.ok(writer.tryPublish(message));
  const result: any = await reader.finish();
  assert.equal(result.first, true);
  assert.is.not(result.lastSleep, 'timed-out', 'a wake-up (or the word moving first) ended the sleep, not a slice');
  writer.close();
});

wakes.run();
