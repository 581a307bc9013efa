// The MPMC queue: every message exactly once with several producers and
// consumers across processes and worker threads, the full and empty edges,
// sizes refused, timeouts and abort, close (pushes refused, everything
// before it drained, then the end, sleepers woken), and kill -9 of a
// producer mid-publish or of a consumer mid-take (no torn message; the
// slot is given back and counted lost). Outcome tests spell out the
// allowed outcome. Consumers read until the queue ends: the test closes it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Arena, MpmcQueue, openOrCreate, type ManagedSegment, type QueueShape } from '../host/index.js';
import { CoreMemory } from '../host/core/core-memory.js';
import { coreModule } from '../host/core/node-module.js';
import { atomicsWaitHost } from '../host/sync/index.js';
import { message, readMessage, sequences, type Received } from './fixtures/channel-mpmc-roles.js';
import { killAll, runWorker, startProcess, type Party } from './fixtures/channel-driver.js';
import { thrown } from './helpers/errors.js';
import { cleanup, freshName, keepOpen, trackPosix } from './helpers/resources.js';

const SIZE = 1 << 20;
const SHAPE: QueueShape = { slots: 64, slotSize: 64 };

interface Scenario {
  m: ManagedSegment;
  queue: MpmcQueue;
  start(role: string, params?: object): ReturnType<typeof startProcess>;
}

function scenario(shape = SHAPE): Scenario {
  const segment = trackPosix(freshName('mpmc'));
  const m = keepOpen(openOrCreate({ kind: 'posix', name: segment, size: SIZE }));
  const queue = m.queue('queue', shape);
  return { m, queue, start: (role, params = {}) => startProcess({ segment, size: SIZE, channel: 'mpmc', name: 'queue', shape, role, params }) };
}

/** Checks that producer p's messages 0..counts[p]-1 each arrived exactly once, each consumer seeing them in order. */
function assertExactlyOnce(received: Received[], counts: Record<number, number>): void {
  assert.equal(received.map((r) => [r.bad, r.duplicates, r.outOfOrder]), received.map(() => [0, 0, 0]), 'torn, duplicate, out of order');
  for (const [producer, count] of Object.entries(counts)) {
    const all = received.flatMap((r) => sequences(r.seen[Number(producer)]));
    assert.is(all.length, count, `producer ${producer}: received ${all.length} of ${count}`);
    assert.is(new Set(all).size, count, `producer ${producer}: the same message at two consumers`);
    assert.ok(all.every((s) => s < count), `producer ${producer}: unknown sequence`);
  }
}

/** What the parties report; fails on any error. */
async function results(parties: Party[]): Promise<any[]> {
  const reports = await Promise.all(parties.map((p) => p.finish()));
  assert.equal(reports.filter((r) => r.error), [], JSON.stringify(reports.map((r) => r.error)));
  return reports.map((r) => r.result);
}

const once = suite('mpmc queue: every message exactly once');
once.after.each(async () => {
  await killAll();
  cleanup();
});

once('3 producer and 3 consumer processes, every push and pop form, 90,000 messages through 64 slots; after the close every consumer ends', async () => {
  const s = scenario();
  const forms = ['sync', 'async', 'zero'] as const;
  const producers = await Promise.all(forms.map((form, i) => s.start('produce', { producer: i, count: 30_000, form })));
  const consumers = await Promise.all(['sync', 'zero', 'iterate'].map((form) => s.start('consume', { form })));
  for (const p of [...producers, ...consumers]) p.go();
  assert.equal(await results(producers), [30_000, 30_000, 30_000]);
  s.queue.end();
  assertExactlyOnce(await results(consumers), { 0: 30_000, 1: 30_000, 2: 30_000 });
  assert.equal([s.queue.length, s.queue.lost, s.queue.ended], [0, 0, true]);
});

once('worker threads: 2 producers and 2 consumers on a Linux arena (futex), then on a plain memory (Atomics); the close ends the consumers on both', async () => {
  const s = scenario({ slots: 16, slotSize: 24 });
  const offset = s.m.segment.offset + s.m.list().find((o) => o.name === 'queue')!.offset;
  // Room for the queue and each worker thread's unit of descriptors.
  const plain = new CoreMemory({ maxBytes: 32 * 65536, module: coreModule() });
  const range = plain.claimUnits(MpmcQueue.bytesFor(16, 24), 1);
  const local = MpmcQueue.create({ memory: plain, offset: range.offset, host: atomicsWaitHost(plain) }, 16, 24);
  for (const [mode, memory, at, queue] of [['linux', Arena.default.memory, offset, s.queue], ['plain', plain.memory, range.offset, local]] as const) {
    const run = (role: string, params: object) => runWorker({ channel: 'mpmc', mode, memory, offset: at, role, params });
    const consumers = [run('consume', { form: 'async' }), run('consume', { form: 'sync' })];
    const made = await Promise.all([run('produce', { producer: 0, count: 20_000, form: 'try' }), run('produce', { producer: 1, count: 20_000, form: 'zero' })]);
    assert.equal(made, [20_000, 20_000], mode);
    queue.end();
    assertExactlyOnce(await Promise.all(consumers), { 0: 20_000, 1: 20_000 });
  }
  plain.releaseUnits(range);
});

once.run();

const edges = suite('mpmc queue: edges, sizes, zero-copy');
edges.after.each(async () => {
  await killAll();
  cleanup();
});

edges('full and empty: exactly `slots` fit, FIFO in one thread over many laps, length counts', () => {
  const { queue } = scenario({ slots: 4, slotSize: 8 });
  assert.is(queue.tryPop(), null);
  for (let lap = 0; lap < 100; lap++) {
    for (let i = 0; i < 4; i++) assert.ok(queue.tryPush(message(queue, lap, i)), `push ${lap}.${i}`);
    assert.not.ok(queue.tryPush(message(queue, lap, 4)), 'full');
    assert.is(queue.length, 4);
    for (let i = 0; i < 4; i++) assert.equal(readMessage(queue.tryPop()!), [lap, i]);
    assert.is(queue.tryPop(), null, 'empty');
  }
  assert.is(queue.length, 0);
});

edges('zero-copy: a claimed slot is unseen until published, and holds later messages back; a taken one is not freed until released', () => {
  const { queue } = scenario({ slots: 2, slotSize: 16 });
  const claimed = queue.tryClaimSlot()!;
  assert.ok(queue.tryPush(message(queue, 0, 1)));
  assert.is(queue.tryPop(), null, 'the claim ahead is not published yet');
  message(queue, 0, 0).forEach((b, i) => (claimed[i] = b));
  queue.publish(claimed);
  assert.is(thrown(() => queue.publish(claimed)).code, 'EPERM', 'published twice');
  const taken = queue.tryTakeSlot()!;
  assert.equal(readMessage(taken), [0, 0]);
  assert.equal(readMessage(queue.tryPop()!), [0, 1]);
  assert.not.ok(queue.tryPush(message(queue, 0, 2)), 'the next lap of the taken slot is not free yet');
  queue.release(taken);
  assert.is(thrown(() => queue.release(taken)).code, 'EPERM', 'released twice');
  assert.ok(queue.tryPush(message(queue, 0, 2)) && queue.tryPush(message(queue, 0, 3)));
  assert.is(thrown(() => queue.publish(new Uint8Array(16))).code, 'EINVAL');
});

edges('wrong sizes are refused: messages, into, shapes; another shape or kind under the name is ELAYOUT', () => {
  const s = scenario({ slots: 8, slotSize: 12 });
  assert.is(thrown(() => s.queue.tryPush(new Uint8Array(11))).code, 'EMSGSIZE');
  assert.is(thrown(() => s.queue.pushSync(new Uint8Array(13))).code, 'EMSGSIZE');
  assert.is(thrown(() => s.queue.tryPop(new Uint8Array(8))).code, 'EMSGSIZE');
  assert.ok(s.queue.tryPush(message(s.queue, 3, 4)));
  const into = new Uint8Array(12);
  assert.is(s.queue.tryPop(into), into);
  assert.equal(readMessage(into), [3, 4]);
  for (const [slots, slotSize] of [[0, 8], [3, 8], [1, 8], [2 ** 25, 8], [8, 0], [8, 2 ** 20 + 1], [8, 1.5]]) {
    assert.is(thrown(() => MpmcQueue.bytesFor(slots!, slotSize!)).code, 'EINVAL', `${slots} × ${slotSize}`);
  }
  assert.is(thrown(() => s.m.queue('queue', { slots: 16, slotSize: 12 })).code, 'ELAYOUT');
  // the same bytes, another geometry: 4 × (16 + 16) = 2 × (16 + 48)
  s.m.queue('same-bytes', { slots: 4, slotSize: 16 });
  assert.is(thrown(() => s.m.queue('same-bytes', { slots: 2, slotSize: 48 })).code, 'ELAYOUT');
  s.m.mutex('lock');
  assert.is(thrown(() => s.m.queue('lock', { slots: 2, slotSize: 8 })).code, 'ELAYOUT');
  assert.is(s.m.list().find((o) => o.name === 'queue')!.kind, 'queue');
});

edges.run();

const waits = suite('mpmc queue: timeouts, abort, async');
waits.after.each(async () => {
  await killAll();
  cleanup();
});

waits('timeouts: pop on empty gives null, push on full gives false, sync and async; the queue works on', async () => {
  const { queue } = scenario({ slots: 2, slotSize: 8 });
  const t0 = performance.now();
  assert.is(queue.popSync({ timeoutMs: 30 }), null);
  assert.is(await queue.popAsync({ timeoutMs: 30, spin: 0 }), null);
  assert.ok(performance.now() - t0 >= 55);
  assert.ok(queue.tryPush(message(queue, 0, 0)) && queue.tryPush(message(queue, 0, 1)));
  assert.is(queue.pushSync(message(queue, 0, 2), { timeoutMs: 30, spin: 0 }), false);
  assert.is(await queue.pushAsync(message(queue, 0, 2), { timeoutMs: 30 }), false);
  assert.equal(readMessage(queue.popSync()!), [0, 0]);
  assert.ok(await queue.pushAsync(message(queue, 0, 2), { timeoutMs: 30 }));
  assert.is(thrown(() => queue.popSync({ timeoutMs: -1 })).code, 'EINVAL');
  assert.is(thrown(() => queue.pushSync(message(queue, 0, 0), { spin: -1 })).code, 'EINVAL');
});

waits('abort: waiting popAsync and pushAsync reject with ABORT_ERR, also when aborted before; nothing is lost', async () => {
  const { queue } = scenario({ slots: 2, slotSize: 8 });
  const ac = new AbortController();
  const popping = queue.popAsync({ signal: ac.signal }).catch((e) => e);
  setTimeout(() => ac.abort(new Error('stop')), 20);
  const error = await popping;
  assert.equal([error.name, error.code, error.cause.message], ['AbortError', 'ABORT_ERR', 'stop']);
  assert.is((await queue.popAsync({ signal: ac.signal }).catch((e) => e)).code, 'ABORT_ERR');
  queue.tryPush(message(queue, 0, 0));
  queue.tryPush(message(queue, 0, 1));
  const ac2 = new AbortController();
  const pushing = queue.pushAsync(message(queue, 0, 2), { signal: ac2.signal }).catch((e) => e.code);
  ac2.abort();
  assert.is(await pushing, 'ABORT_ERR');
  assert.equal([readMessage(queue.tryPop()!), readMessage(queue.tryPop()!), queue.tryPop()], [[0, 0], [0, 1], null]);
});

waits('the event loop runs during popAsync; a push from another process ends the wait without a slice; for await yields', async () => {
  const s = scenario();
  const sender = await s.start('pushLater');
  // The sender is started from a timer: the wait can only end if the event loop runs while it lasts.
  let ticks = 0;
  const timer = setInterval(() => ++ticks === 5 && sender.go(), 10);
  const got = await s.queue.popAsync({ timeoutMs: 30000 });
  clearInterval(timer);
  assert.equal(readMessage(got!), [1, 0]);
  assert.equal((await sender.finish()).result, 'pushed');
  for (let i = 0; i < 3; i++) s.queue.tryPush(message(s.queue, 2, i));
  const seen: unknown[] = [];
  for await (const m of s.queue) if (seen.push(readMessage(m)) === 3) break;
  assert.equal(seen, [[2, 0], [2, 1], [2, 2]]);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 20);
  assert.is(await (async () => { for await (const _ of s.queue.messages({ signal: ac.signal })); })().catch((e) => e.code), 'ABORT_ERR');
});

waits.run();

const closing = suite('mpmc queue: end');
closing.after.each(async () => {
  await killAll();
  cleanup();
});

closing('after end(): tryPush false, pushSync and pushAsync EPIPE; what was pushed or claimed before still comes (waits time out and abort as ever until then), then every pop ends at once', async () => {
  const { queue } = scenario({ slots: 4, slotSize: 8 });
  assert.ok(queue.tryPush(message(queue, 0, 0)) && queue.tryPush(message(queue, 0, 1)));
  const claimed = queue.tryClaimSlot()!;
  assert.equal([queue.ending, queue.ended], [false, false]);
  queue.end();
  queue.end();
  assert.equal([queue.ending, queue.ended, queue.length], [true, false, 3]);
  assert.not.ok(queue.tryPush(message(queue, 0, 9)), 'tryPush');
  assert.is(queue.tryClaimSlot(), null, 'tryClaimSlot');
  const epipe = thrown(() => queue.pushSync(message(queue, 0, 9)));
  assert.equal([epipe.code, epipe.reason, /ended/.test(epipe.message)], ['EPIPE', 'ended', true]);
  assert.equal(await queue.pushAsync(message(queue, 0, 9)).catch((e) => [e.code, e.reason]), ['EPIPE', 'ended']);
  assert.equal([readMessage(queue.popSync()!), readMessage((await queue.popAsync())!)], [[0, 0], [0, 1]]);
  assert.is(queue.popSync({ timeoutMs: 20 }), null, 'the claim is not published yet');
  assert.not.ok(queue.ended);
  const ac = new AbortController();
  const popping = queue.popAsync({ signal: ac.signal }).catch((e) => e.code);
  ac.abort();
  assert.is(await popping, 'ABORT_ERR');
  message(queue, 0, 2).forEach((b, i) => (claimed[i] = b));
  queue.publish(claimed);
  assert.equal(readMessage(queue.tryPop()!), [0, 2]);
  assert.equal([queue.ended, queue.length, queue.tryPop(), queue.tryTakeSlot(), queue.popSync(), await queue.popAsync()], [true, 0, null, null, null, null]);
  for await (const _ of queue) assert.unreachable('an ended queue yields nothing');
  assert.is(thrown(() => queue.pushSync(message(queue, 0, 9))).code, 'EPIPE', 'still ended');
});

closing('for await in this process, asleep on the empty queue, yields what comes before the close and then ends', async () => {
  const { queue } = scenario({ slots: 4, slotSize: 8 });
  setTimeout(() => {
    for (let i = 0; i < 3; i++) queue.tryPush(message(queue, 0, i));
    queue.end();
  }, 20);
  const seen: unknown[] = [];
  for await (const m of queue) seen.push(readMessage(m));
  assert.equal(seen, [[0, 0], [0, 1], [0, 2]]);
  assert.ok(queue.ended);
});

closing('closed with messages left: consumer processes of every pop form drain them exactly once, then end', async () => {
  const s = scenario();
  for (let i = 0; i < 60; i++) assert.ok(s.queue.tryPush(message(s.queue, 0, i)));
  s.queue.end();
  const consumers = await Promise.all(['sync', 'async', 'zero', 'iterate'].map((form) => s.start('consume', { form })));
  for (const c of consumers) c.go();
  assertExactlyOnce(await results(consumers), { 0: 60 });
  assert.equal([s.queue.length, s.queue.ended], [0, true]);
});

closing('close wakes consumers asleep in other processes (every pop form, sleeping through liveness slices): they took everything before, and a wake ended their sleep', async () => {
  const s = scenario();
  for (let i = 0; i < 40; i++) s.queue.tryPush(message(s.queue, 0, i));
  const consumers = await Promise.all(['sync', 'async', 'zero', 'iterate'].map((form) => s.start('consume', { form, watch: true })));
  for (const c of consumers) c.go();
  // A consumer sleeps only on an empty queue, and all 40 were published before: asleep, they took them all.
  for (const c of consumers) assert.is(await c.said(), 'asleep');
  assert.is(s.queue.length, 0);
  s.queue.end();
  const read: Received[] = await results(consumers);
  assertExactlyOnce(read, { 0: 40 });
  for (const r of read) assert.ok(r.lastSleep === 'woken' || r.lastSleep === 'not-equal', `last sleep ${r.lastSleep}`);
});

closing('close wakes producers asleep on a full queue in other processes with EPIPE (sync and async); the messages in it still come', async () => {
  const s = scenario({ slots: 2, slotSize: 8 });
  assert.ok(s.queue.tryPush(message(s.queue, 0, 0)) && s.queue.tryPush(message(s.queue, 0, 1)));
  const producers = await Promise.all(['sync', 'async'].map((form) => s.start('pushBlocked', { form })));
  for (const p of producers) p.go();
  for (const p of producers) assert.is(await p.said(), 'asleep');
  s.queue.end();
  for (const { code, lastSleep } of await results(producers)) {
    assert.is(code, 'EPIPE');
    assert.ok(lastSleep === 'woken' || lastSleep === 'not-equal', `last sleep ${lastSleep}`);
  }
  assert.equal([readMessage(s.queue.popSync()!), readMessage(s.queue.popSync()!), s.queue.popSync(), s.queue.ended], [[0, 0], [0, 1], null, true]);
});

closing('closed while 2 producer processes push (claims racing the close): each pushed a gapless prefix, then got EPIPE; 2 consumers got exactly those, once', async () => {
  const s = scenario({ slots: 16, slotSize: 32 });
  const producers = await Promise.all([0, 1].map((producer) => s.start('stream', { producer })));
  const consumers = await Promise.all(['sync', 'zero'].map((form) => s.start('consume', { form })));
  for (const p of [...producers, ...consumers]) p.go();
  for (const p of producers) assert.is(await p.said(), 'streaming');
  s.queue.end();
  const pushed: number[] = await results(producers);
  assert.ok(pushed.every((count) => count > 1000), `pushed ${pushed}`);
  assertExactlyOnce(await results(consumers), { 0: pushed[0]!, 1: pushed[1]! });
  assert.equal([s.queue.length, s.queue.lost, s.queue.ended], [0, 0, true]);
});

closing.run();

const crashes = suite('mpmc queue: kill -9');
crashes.after.each(async () => {
  await killAll();
  cleanup();
});

crashes('a producer killed mid-publish: its published messages arrive, the half-written slot never does; it is skipped and counted lost (sync and async)', async () => {
  for (const form of ['sync', 'async']) {
    const s = scenario({ slots: 8, slotSize: 32 });
    const producer = await s.start('dieMidPublish', { producer: 5, published: 3 });
    producer.go();
    assert.is(await producer.said(), 'mid-publish');
    await producer.kill();
    assert.ok(s.queue.tryPush(message(s.queue, 6, 0)), 'a live producer pushes behind the dead claim');
    const pop = () => (form === 'sync' ? s.queue.popSync({ timeoutMs: 5000 }) : s.queue.popAsync({ timeoutMs: 5000 }));
    for (let i = 0; i < 3; i++) assert.equal(readMessage((await pop())!), [5, i]);
    assert.is(s.queue.tryPop(), null, 'held back by the dead claim');
    assert.equal(readMessage((await pop())!), [6, 0], 'the wait skipped the dead claim');
    assert.equal([s.queue.lost, s.queue.length], [1, 0]);
    for (let i = 0; i < 20; i++) assert.ok(s.queue.tryPush(message(s.queue, 6, i)) && readMessage(s.queue.tryPop()!)![1] === i);
  }
});

crashes('a producer killed mid-publish, then the close: a consumer process gets every published message, skips the dead claim (lost) and ends', async () => {
  const s = scenario({ slots: 8, slotSize: 32 });
  const producer = await s.start('dieMidPublish', { producer: 5, published: 3 });
  producer.go();
  assert.is(await producer.said(), 'mid-publish');
  await producer.kill();
  assert.ok(s.queue.tryPush(message(s.queue, 6, 0)), 'pushed behind the dead claim, before the end');
  s.queue.end();
  const consumer = await s.start('consume', { form: 'sync' });
  consumer.go();
  assertExactlyOnce(await results([consumer]), { 5: 3, 6: 1 });
  assert.equal([s.queue.lost, s.queue.length, s.queue.ended], [1, 0, true]);
});

crashes('a consumer killed mid-take: producers wait on the full queue, then free its slot (lost) and go on', async () => {
  const s = scenario({ slots: 4, slotSize: 8 });
  for (let i = 0; i < 4; i++) s.queue.tryPush(message(s.queue, 0, i));
  const consumer = await s.start('dieMidTake');
  consumer.go();
  assert.equal(await consumer.said(), [0, 0]);
  await consumer.kill();
  assert.equal(readMessage(s.queue.tryPop()!), [0, 1]);
  assert.not.ok(s.queue.tryPush(message(s.queue, 0, 4)), 'the dead consumer holds the next slot');
  assert.ok(s.queue.pushSync(message(s.queue, 0, 4), { timeoutMs: 5000 }));
  assert.is(s.queue.lost, 1);
  assert.equal([2, 3, 4].map(() => readMessage(s.queue.tryPop()!)![1]), [2, 3, 4]);
  assert.is(s.queue.reclaimDead(), 0);
});

crashes('one of three producers killed mid-stream while two consumers read: survivors all exactly once; the dead one a gapless prefix, with lost 0 or 1', async () => {
  const s = scenario({ slots: 32, slotSize: 64 });
  const victim = await s.start('stream', { producer: 9 });
  const producers = await Promise.all([0, 1].map((i) => s.start('produce', { producer: i, count: 20_000, form: 'sync' })));
  const consumers = await Promise.all(['async', 'sync'].map((form) => s.start('consume', { form })));
  for (const p of [victim, ...producers, ...consumers]) p.go();
  assert.is(await victim.said(), 'streaming');
  await new Promise((r) => setTimeout(r, 100));
  await victim.kill();
  await results(producers);
  s.queue.end();
  const read: Received[] = await results(consumers);
  assertExactlyOnce(read, { 0: 20_000, 1: 20_000 });
  const dead = read.flatMap((r) => sequences(r.seen[9])).sort((a, b) => a - b);
  assert.ok(dead.length > 1000 && dead.every((sq, i) => sq === i), `dead producer's messages: ${dead.length}, a gapless prefix`);
  assert.ok(s.queue.lost === 0 || s.queue.lost === 1, `lost ${s.queue.lost}`);
  assert.is(s.queue.length, 0);
});

crashes.run();
