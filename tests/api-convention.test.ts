// The API's one convention, over every primitive and channel, on real
// segments with real peer processes: an operation that may wait has a try
// form that never waits, a Sync form that blocks and an Async form that
// returns a promise; a timeout is a value (null, false or 'timed-out'),
// never an error; an aborted signal rejects with an AbortError that carries
// its reason; the retired names still work and warn once per process; and
// every EPIPE names the end that went away in `reason`.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ShmError, openOrCreate, struct, type ManagedSegment } from '../host/index.js';
import { managedKit, type Decl } from './fixtures/sync-kit.js';
import { killAll as killSyncParties, startProcess as startSyncParty, type Party } from './fixtures/sync-driver.js';
import { killAll as killChannelParties, startProcess as startChannelParty, type ChannelKind } from './fixtures/channel-driver.js';
import { runFixture } from './helpers/processes.js';
import { thrown } from './helpers/errors.js';
import { cleanup, freshName, keepOpen, trackPosix } from './helpers/resources.js';

const SIZE = 1 << 20;
const LONG = 30_000; // a bound on waits that must end otherwise, so a bug fails instead of hanging
const Trade = struct('Trade', { id: 'u32', price: 'f64' });

/** What holdAll (tests/fixtures/sync-roles.ts) holds in another process. */
const HELD: Decl[] = [
  { kind: 'mutex', name: 'mutex' }, { kind: 'rwlock', name: 'rw' },
  { kind: 'seqlock', name: 'seq', capacity: 64 }, { kind: 'once', name: 'once' },
];

function freshSegment(): { name: string; segment: ManagedSegment } {
  const name = trackPosix(freshName('api'));
  return { name, segment: keepOpen(openOrCreate({ kind: 'posix', name, size: SIZE })) };
}

/** A fresh segment whose HELD objects a peer process holds until it is killed. */
async function heldByPeer(): Promise<{ name: string; segment: ManagedSegment; holder: Party }> {
  const { name, segment } = freshSegment();
  managedKit(segment, HELD); // made here, before the peer opens them
  const holder = await startSyncParty({ segment: name, size: SIZE, decls: HELD, role: 'holdAll', params: {} });
  holder.go();
  assert.equal(await holder.said(), { mutex: 'acquired', write: 'acquired' });
  return { name, segment, holder };
}

type Form = string | null;

/** One operation that may wait: its three forms and what each answers where it would wait. */
interface Operation {
  name: string;
  forms: readonly [tryForm: Form, syncForm: string, asyncForm: string];
  /** What the Sync and Async forms answer when the timeout passes. */
  timedOut: null | false | 'timed-out';
  /** What the try form answers where the others would wait. */
  refused: null | false;
  /** A handle where the operation must wait, the arguments before the options, and what to undo after a call. */
  blocked(): { target: any; args: unknown[]; after?: () => void };
}

/** Every waiting operation of the library, each in a state where it must wait (the HELD objects held by a peer). */
function operations(segment: ManagedSegment): Operation[] {
  const op = (name: string, forms: Operation['forms'], timedOut: Operation['timedOut'], refused: Operation['refused'], blocked: Operation['blocked']): Operation =>
    ({ name, forms, timedOut, refused, blocked });
  const on = (target: unknown, ...args: unknown[]) => () => ({ target, args });
  const mutex = segment.mutex('mutex');
  const rw = segment.rwlock('rw');
  const never = () => assert.unreachable('an initialiser ran while another party runs it');
  const mine = segment.mutex('mine');
  const changed = segment.condition('changed');
  let barriers = 0;

  // Channels with a party on each side, all in this thread: full ones for
  // the sending side, empty ones for the receiving side.
  const fullRing = segment.ring('full', 1024);
  const tx = fullRing.acquireProducer();
  fullRing.acquireConsumer();
  while (tx.trySend(new Uint8Array(100)));
  const emptyRing = segment.ring('empty', 1024);
  emptyRing.acquireProducer();
  const rx = emptyRing.acquireConsumer();
  const fullTrades = segment.ring('full-trades', 1024, { record: Trade });
  const ttx = fullTrades.acquireProducer();
  fullTrades.acquireConsumer();
  while (ttx.trySendRecord({ id: 1, price: 1 }));
  const emptyTrades = segment.ring('empty-trades', 1024, { record: Trade });
  emptyTrades.acquireProducer();
  const trx = emptyTrades.acquireConsumer();
  const fullQueue = segment.queue('full-q', { slots: 2, slotSize: 8 });
  while (fullQueue.tryPush(new Uint8Array(8)));
  const emptyQueue = segment.queue('empty-q', { slots: 2, slotSize: 8 });
  const fullChannel = segment.broadcast('full-b', { slots: 2, slotSize: 8, mode: 'backpressure' });
  const writer = fullChannel.acquireWriter();
  fullChannel.subscribe(); // a reader that reads nothing holds the writer back
  while (writer.tryPublish(new Uint8Array(8)));
  const emptyChannel = segment.broadcast('empty-b', { slots: 2, slotSize: 8 });
  emptyChannel.acquireWriter();
  const reader = emptyChannel.subscribe();

  return [
    op('Mutex.lock', ['tryLock', 'lockSync', 'lockAsync'], 'timed-out', false, on(mutex)),
    op('Mutex.hold', ['tryHold', 'holdSync', 'holdAsync'], null, null, on(mutex)),
    op('RwLock.read', ['tryRead', 'readSync', 'readAsync'], false, false, on(rw)),
    op('RwLock.write', ['tryWrite', 'writeSync', 'writeAsync'], 'timed-out', false, on(rw)),
    op('RwLock.holdRead', ['tryHoldRead', 'holdReadSync', 'holdReadAsync'], null, null, on(rw)),
    op('RwLock.holdWrite', ['tryHoldWrite', 'holdWriteSync', 'holdWriteAsync'], null, null, on(rw)),
    op('Semaphore.wait', ['tryWait', 'waitSync', 'waitAsync'], false, false, on(segment.semaphore('no-tokens', 0))),
    op('Event.wait', ['tryWait', 'waitSync', 'waitAsync'], false, false, on(segment.event('unset'))),
    op('Once.run', ['tryRun', 'runSync', 'runAsync'], 'timed-out', false, on(segment.once('once'), never)),
    op('SeqLock.read', ['tryRead', 'readSync', 'readAsync'], null, null, on(segment.seqlock('seq', 64), 64)),
    // A barrier that times out is broken: each call gets a fresh one.
    op('Barrier.arrive', [null, 'arriveSync', 'arriveAsync'], 'timed-out', null, () => ({ target: segment.barrier(`pair-${++barriers}`, 2), args: [] })),
    op('Condition.wait', [null, 'waitSync', 'waitAsync'], 'timed-out', null, () => {
      mine.lockSync(); // waited on with the mutex held; it is held again after every answer
      return { target: changed, args: [mine], after: () => mine.unlock() };
    }),
    op('SpscProducer.send', ['trySend', 'sendSync', 'sendAsync'], false, false, on(tx, new Uint8Array(100))),
    op('SpscProducer.sendRecord', ['trySendRecord', 'sendRecordSync', 'sendRecordAsync'], false, false, on(ttx, { id: 2, price: 2 })),
    op('SpscConsumer.receive', ['tryReceive', 'receiveSync', 'receiveAsync'], null, null, on(rx)),
    op('SpscConsumer.receiveRecord', ['tryReceiveRecord', 'receiveRecordSync', 'receiveRecordAsync'], null, null, on(trx)),
    op('MpmcQueue.push', ['tryPush', 'pushSync', 'pushAsync'], false, false, on(fullQueue, new Uint8Array(8))),
    op('MpmcQueue.pop', ['tryPop', 'popSync', 'popAsync'], null, null, on(emptyQueue)),
    op('BroadcastWriter.publish', ['tryPublish', 'publishSync', 'publishAsync'], false, false, on(writer, new Uint8Array(8))),
    op('BroadcastReader.read', ['tryRead', 'readSync', 'readAsync'], null, null, on(reader)),
  ];
}

/** Calls form `form` of a fresh blocked state with `options` after the arguments (none for a try form). */
async function call(operation: Operation, form: string, options?: object): Promise<unknown> {
  const { target, args, after } = operation.blocked();
  assert.type(target[form], 'function', `${operation.name}: ${form}`);
  try {
    return await target[form](...args, ...(options ? [options] : []));
  } finally {
    after?.();
  }
}

/** The error a call rejects with; fails if it resolves. */
async function rejection(attempt: Promise<unknown>): Promise<any> {
  return attempt.then((value) => assert.unreachable(`resolved with ${String(value)}`), (error) => error);
}

// ---- the three forms and their empty answers, with a peer holding what must be held ----

const waits = suite('every wait: try / Sync / Async forms, a timeout is a value, an abort an AbortError');
let held: Awaited<ReturnType<typeof heldByPeer>>;
let ops: Operation[];
waits.before(async () => {
  held = await heldByPeer();
  ops = operations(held.segment);
});
waits.after(async () => {
  await killSyncParties();
  cleanup();
});

waits('the try form answers its empty value at once; Sync and Async forms answer theirs when the timeout passes', async () => {
  for (const operation of ops) {
    const [tryForm, syncForm, asyncForm] = operation.forms;
    if (tryForm !== null) assert.is(await call(operation, tryForm), operation.refused, `${operation.name}: ${tryForm}()`);
    for (const timeoutMs of [0, 1]) {
      assert.is(await call(operation, syncForm, { timeoutMs }), operation.timedOut, `${operation.name}: ${syncForm}({ timeoutMs: ${timeoutMs} })`);
      const pending = call(operation, asyncForm, { timeoutMs });
      assert.instance(pending, Promise);
      assert.is(await pending, operation.timedOut, `${operation.name}: ${asyncForm}({ timeoutMs: ${timeoutMs} })`);
    }
  }
});

waits('an Async form rejects with an AbortError carrying the signal\'s reason, aborted before the call or during the wait', async () => {
  for (const operation of ops) {
    const asyncForm = operation.forms[2];
    const before = new Error(`aborted before ${operation.name}`);
    const early = await rejection(call(operation, asyncForm, { signal: AbortSignal.abort(before) }));
    assert.equal([early instanceof ShmError, early.name, early.code, early.cause], [true, 'AbortError', 'ABORT_ERR', before], `${operation.name}: aborted before`);
    const during = new Error(`aborted during ${operation.name}`);
    const controller = new AbortController();
    const waiting = call(operation, asyncForm, { signal: controller.signal, timeoutMs: LONG });
    setTimeout(() => controller.abort(during), 5);
    const late = await rejection(waiting);
    assert.equal([late.name, late.code, late.cause], ['AbortError', 'ABORT_ERR', during], `${operation.name}: aborted during the wait`);
  }
});

waits('a Sync form refuses a signal: it blocks its thread, so the signal could never fire', async () => {
  for (const operation of ops) {
    const syncForm = operation.forms[1];
    const error = await rejection(call(operation, syncForm, { signal: new AbortController().signal }));
    assert.is(error.code, 'EINVAL', `${operation.name}: ${syncForm}({ signal })`);
    assert.match(error.message, 'Async form', `${operation.name}: ${syncForm}({ signal })`);
  }
});

waits('batch forms never wait: where a wait would be, they answer 0', () => {
  const ring = held.segment.ring('batch', 1024);
  const producer = ring.acquireProducer();
  const consumer = ring.acquireConsumer();
  assert.is(consumer.peekMany(), 0, 'peekMany on an empty ring');
  while (producer.trySend(new Uint8Array(100)));
  assert.equal([producer.claimMany(4, 100), producer.sendMany([new Uint8Array(100)]), producer.sendPacked(new Uint8Array(400), 100)], [0, 0, 0]);
});

waits('the retired names work, and each warns once per process, naming its replacement', async () => {
  const renamed: Record<string, string> = {
    'Mutex.lock': 'Mutex.lockSync', 'Mutex.hold': 'Mutex.holdSync',
    'RwLock.read': 'RwLock.readSync', 'RwLock.write': 'RwLock.writeSync',
    'RwLock.holdRead': 'RwLock.holdReadSync', 'RwLock.holdWrite': 'RwLock.holdWriteSync',
    'Semaphore.wait': 'Semaphore.waitSync', 'Event.wait': 'Event.waitSync', 'Barrier.arrive': 'Barrier.arriveSync',
    'Once.run': 'Once.runSync', 'Condition.wait': 'Condition.waitSync', 'SeqLock.read': 'SeqLock.readSync',
    'SpscProducer.send': 'SpscProducer.trySend', 'SpscProducer.sendRecord': 'SpscProducer.trySendRecord',
    'SpscConsumer.receive': 'SpscConsumer.tryReceive', 'SpscConsumer.receiveRecord': 'SpscConsumer.tryReceiveRecord',
  };
  const [sync, channel] = await Promise.all(['sync-old-names.ts', 'channel-old-names.ts'].map((fixture) => runFixture(fixture, [held.name, String(SIZE)])));
  for (const child of [sync, channel]) assert.is(child!.code, 0, child!.stderr);
  // Each answers as it did before the rename; the retired holds and read keep their ETIMEDOUT.
  assert.equal(JSON.parse(sync!.stdout), {
    'Mutex.lock': ['acquired', 'acquired'], 'Mutex.hold': [false, 'ETIMEDOUT'],
    'RwLock.read': [true, true], 'RwLock.write': ['acquired', 'acquired'],
    'RwLock.holdRead': [false, 'ETIMEDOUT'], 'RwLock.holdWrite': [false, 'ETIMEDOUT'],
    'Semaphore.wait': [true, true], 'Event.wait': [true, true], 'Barrier.arrive': ['last', 'last'],
    'Once.run': ['ran', 'done'], 'Condition.wait': ['timed-out', 'timed-out'], 'SeqLock.read': [[1, 2, 3], 'ETIMEDOUT'],
  });
  assert.equal(JSON.parse(channel!.stdout), {
    'SpscProducer.send': [true, true], 'SpscConsumer.receive': [[7, 8], [7, 8]],
    'SpscProducer.sendRecord': [true, true], 'SpscConsumer.receiveRecord': [{ id: 1, price: 1.5 }, { id: 2, price: 2.5 }],
  });
  const warnings = (sync!.stderr + channel!.stderr).split('\n').filter((line) => line.includes('DeprecationWarning'));
  for (const [old, replacement] of Object.entries(renamed)) {
    const lines = warnings.filter((line) => line.includes(`DeprecationWarning: ${old}() is deprecated`));
    assert.is(lines.length, 1, `${old}: warned ${lines.length} times`);
    assert.ok(lines[0]!.includes('[SHMKIT_RENAMED]') && lines[0]!.includes(`use ${replacement}()`), lines[0]);
  }
  assert.is(warnings.length, Object.keys(renamed).length, 'no other warning');
});

waits.run();

// ---- EPIPE and EOWNERDEAD say which end went away ----

const reasons = suite('errors that share a code say which end: ShmError.reason');
reasons.after.each(async () => {
  await Promise.all([killSyncParties(), killChannelParties()]);
  cleanup();
});

/** The code and reason `attempt` throws, and those its async twin rejects with. */
async function codeAndReason(attempt: () => unknown, asyncTwin: () => Promise<unknown>): Promise<unknown[]> {
  const error = thrown(attempt);
  const rejected = await rejection(asyncTwin());
  return [error.code, error.reason, rejected.code, rejected.reason];
}

reasons('peer-closed: an SPSC producer facing a full ring whose consumer closed', async () => {
  const ring = freshSegment().segment.ring('closed', 1024);
  const producer = ring.acquireProducer();
  while (producer.trySend(new Uint8Array(100)));
  ring.acquireConsumer().close();
  const message = new Uint8Array(100);
  assert.equal(await codeAndReason(() => producer.sendSync(message, { timeoutMs: LONG }), () => producer.sendAsync(message, { timeoutMs: LONG })), ['EPIPE', 'peer-closed', 'EPIPE', 'peer-closed']);
  assert.is(producer.trySend(message), false, 'the try form still answers full');
});

reasons('ended: pushes to an MPMC queue after end()', async () => {
  const queue = freshSegment().segment.queue('ended', { slots: 2, slotSize: 8 });
  queue.end();
  const message = new Uint8Array(8);
  assert.equal(await codeAndReason(() => queue.pushSync(message), () => queue.pushAsync(message)), ['EPIPE', 'ended', 'EPIPE', 'ended']);
  assert.is(queue.tryPush(message), false);
  assert.equal([queue.popSync(), await queue.popAsync()], [null, null], 'its consumers see the end as a value');
});

reasons('barrier-broken: arrivals after a party gave up', async () => {
  const barrier = freshSegment().segment.barrier('broken', 2);
  assert.is(barrier.arriveSync({ timeoutMs: 1 }), 'timed-out', 'the timeout is a value; it breaks the barrier');
  assert.equal(await codeAndReason(() => barrier.arriveSync(), () => barrier.arriveAsync()), ['EPIPE', 'barrier-broken', 'EPIPE', 'barrier-broken']);
});

reasons('peer-died: an SPSC producer, an SPSC consumer and a broadcast writer killed with -9', async () => {
  const { name, segment } = freshSegment();
  const producerGone = segment.ring('producer-dies', 1024);
  const consumerGone = segment.ring('consumer-dies', 1024);
  const writerGone = segment.broadcast('writer-dies', { slots: 2, slotSize: 8 });
  const peer = (channel: ChannelKind, object: string, shape: unknown, role: string, params: object = {}) =>
    startChannelParty({ segment: name, size: SIZE, channel, name: object, shape, role, params });
  const parties = await Promise.all([
    peer('spsc', 'producer-dies', 1024, 'hold', { role: 'producer' }),
    peer('spsc', 'consumer-dies', 1024, 'hold', { role: 'consumer' }),
    peer('broadcast', 'writer-dies', { slots: 2, slotSize: 8 }, 'holdWriter'),
  ]);
  for (const party of parties) party.go();
  await Promise.all(parties.map((party) => party.said()));
  const consumer = producerGone.acquireConsumer();
  const producer = consumerGone.acquireProducer();
  while (producer.trySend(new Uint8Array(100)));
  const reader = writerGone.subscribe();
  await Promise.all(parties.map((party) => party.kill()));
  const message = new Uint8Array(100);
  assert.equal(await codeAndReason(() => consumer.receiveSync({ timeoutMs: LONG }), () => consumer.receiveAsync({ timeoutMs: LONG })), ['EPIPE', 'peer-died', 'EPIPE', 'peer-died'], 'the SPSC consumer');
  assert.equal(await codeAndReason(() => producer.sendSync(message, { timeoutMs: LONG }), () => producer.sendAsync(message, { timeoutMs: LONG })), ['EPIPE', 'peer-died', 'EPIPE', 'peer-died'], 'the SPSC producer');
  assert.equal(await codeAndReason(() => reader.readSync({ timeoutMs: LONG }), () => reader.readAsync({ timeoutMs: LONG })), ['EPIPE', 'peer-died', 'EPIPE', 'peer-died'], 'the broadcast reader');
});

reasons('owner-died: a holder killed with -9; the locks answer it as a value, the seqlock as EOWNERDEAD once', async () => {
  const { segment, holder } = await heldByPeer();
  await holder.kill();
  const mutex = segment.mutex('mutex');
  assert.is(mutex.lockSync({ timeoutMs: LONG }), 'owner-died');
  mutex.markConsistent();
  mutex.unlock();
  const rw = segment.rwlock('rw');
  assert.is(rw.writeSync({ timeoutMs: LONG }), 'owner-died');
  rw.markConsistent();
  rw.writeUnlock();
  assert.is(segment.once('once').runSync(() => {}, { timeoutMs: LONG }), 'ran', 'the initialiser runs again here');
  const seq = segment.seqlock('seq', 64);
  const died = thrown(() => seq.readSync(64, { timeoutMs: LONG }));
  assert.equal([died.code, died.reason], ['EOWNERDEAD', 'owner-died']);
  assert.is(seq.tryRead(64)?.length, 64, 'once: the partial update reads until the next write');
});

reasons.run();
