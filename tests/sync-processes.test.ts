// The sync primitives under load and faults across real processes: each
// scenario starts node processes (tests/fixtures/sync-peer.ts) on one POSIX
// segment, lets them go together, and checks every outcome against the
// allowed ones (jcstress style): anything else fails.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openOrCreate } from '../host/index.js';
import { managedKit, type Decl, type Kit } from './fixtures/sync-kit.js';
import { QUEUE_WORDS } from './fixtures/sync-roles.js';
import { killAll, results, runAll, startProcess, type Finish } from './fixtures/sync-driver.js';
import { cleanup, freshName, keepOpen, trackPosix } from './helpers/resources.js';

const SIZE = 1 << 20;
const test = suite('sync across processes');
test.after.each(async () => {
  await killAll();
  cleanup();
});

interface Scenario {
  kit: Kit;
  /** Starts a process running `role` on this segment. */
  start(role: string, params?: object): ReturnType<typeof startProcess>;
}

/** A fresh POSIX segment holding `decls`, created here before any process opens it. */
function scenario(decls: Decl[]): Scenario {
  const segment = trackPosix(freshName('sync'));
  const m = keepOpen(openOrCreate({ kind: 'posix', name: segment, size: SIZE }));
  const kit = managedKit(m, decls);
  return { kit, start: (role, params = {}) => startProcess({ segment, size: SIZE, decls, role, params }) };
}

const form = (i: number) => (i % 2 ? 'async' : 'sync');
const words = (name: string, count: number): Decl => ({ kind: 'words', name, count });
const errorCodes = (finishes: Finish[]) => finishes.map((f) => f.error?.code ?? f.result?.error ?? null);

/** The code of the error `attempt` throws or rejects with; fails if it succeeds. */
async function failure(attempt: () => unknown): Promise<string> {
  try {
    await attempt();
  } catch (error) {
    return (error as { code: string }).code;
  }
  throw new Error('expected a failure, it succeeded');
}

test('N processes × M plain increments under Mutex, recursive Mutex, RwLock writes and Semaphore(1) end exact', async () => {
  const LOCKS = ['mutex', 'recursive', 'rwlock', 'semaphore'];
  const N = 4;
  const M = 1000;
  const s = scenario([
    { kind: 'mutex', name: 'mutex' }, { kind: 'mutex', name: 'recursive', recursive: true },
    { kind: 'rwlock', name: 'rw' }, { kind: 'semaphore', name: 'sem1', value: 1 },
    ...LOCKS.map((l) => words(`counter-${l}`, 2)),
  ]);
  const out = results(await runAll(Array.from({ length: N }, (_, i) => s.start('count', { locks: LOCKS, m: M, form: form(i) }))));
  for (const lock of LOCKS) {
    // Allowed: exactly N×M, nobody inside at the end, no overlap seen, only 'acquired'.
    assert.equal(out.map((o) => o[lock]), Array(N).fill({ overlaps: 0, unexpected: [] }), lock);
    assert.is(new DataView(s.kit.words(`counter-${lock}`).buffer).getUint32(s.kit.words(`counter-${lock}`).byteOffset, true), N * M, lock);
    assert.is(s.kit.words(`counter-${lock}`)[1], 0);
  }
  assert.is(s.kit.mutex('mutex').owner, 0);
  assert.is(s.kit.mutex('recursive').owner, 0);
  assert.is(s.kit.semaphore('sem1').value, 1);
});

test('a RwLock never admits a writer beside a reader, nor two writers', async () => {
  const s = scenario([{ kind: 'rwlock', name: 'rw' }, words('rw', 4)]);
  const W = 500;
  const R = 1000;
  const out = results(await runAll([
    s.start('rw', { m: W, writer: true, form: 'sync' }), s.start('rw', { m: W, writer: true, form: 'async' }),
    s.start('rw', { m: R, writer: false, form: 'sync' }), s.start('rw', { m: R, writer: false, form: 'async' }),
  ]));
  assert.equal(out, Array(4).fill({ violations: 0, unexpected: [] }));
  const w = s.kit.words('rw');
  assert.equal([w[0], w[1], w[2]], [0, 0, 2 * W], 'nobody inside; every write counted');
  assert.ok([1, 2].includes(w[3]!), `readers together: 1 or 2 are allowed, saw ${w[3]}`);
  assert.is(s.kit.rwlock('rw').readers, 0);
});

test('a Semaphore never goes below zero and never loses a post', async () => {
  const s = scenario([
    { kind: 'semaphore', name: 'pool', value: 2 }, words('pool', 2),
    { kind: 'semaphore', name: 'items', value: 0 }, words('items', 2),
  ]);
  const POSTS = 600;
  const TAKES = 550;
  const out = results(await runAll([
    s.start('pool', { m: 800, form: 'sync' }), s.start('pool', { m: 800, form: 'async' }), s.start('pool', { m: 800, form: 'sync' }),
    s.start('produce', { posts: POSTS, batch: 1 }), s.start('produce', { posts: POSTS, batch: 3 }),
    s.start('consume', { takes: TAKES, form: 'sync' }), s.start('consume', { takes: TAKES, form: 'async' }),
  ]));
  assert.equal(out.slice(0, 3), Array(3).fill({ violations: 0, unexpected: [] }), 'pool');
  assert.equal(out.slice(5), Array(2).fill({ violations: 0, unexpected: [] }), 'consumers');
  const pool = s.kit.words('pool');
  assert.is(pool[0], 0);
  assert.ok([1, 2].includes(pool[1]!), `parties inside together: 1 or 2 allowed, saw ${pool[1]}`);
  assert.is(s.kit.semaphore('pool').value, 2, 'every token came back');
  const items = s.kit.words('items');
  assert.equal([items[0], items[1]], [2 * POSTS, 2 * TAKES]);
  assert.is(s.kit.semaphore('items').value, 2 * POSTS - 2 * TAKES, 'exactly the untaken posts are left');
});

test('a Barrier of K processes over G generations releases each generation exactly once', async () => {
  const K = 4;
  const G = 200;
  const s = scenario([{ kind: 'barrier', name: 'barrier', parties: K }, words('barrier', 3 * G)]);
  const out = results(await runAll(Array.from({ length: K }, (_, i) => s.start('barrier', { parties: K, gens: G, form: form(i) }))));
  for (const o of out) assert.equal({ early: o.early, unexpected: o.unexpected }, { early: 0, unexpected: [] });
  assert.is(out.reduce((n, o) => n + o.lasts, 0), G, "one 'last' per generation");
  const w = s.kit.words('barrier');
  for (let g = 0; g < G; g++) {
    assert.equal([w[g], w[G + g], w[2 * G + g]], [K, 1, K], `generation ${g}: arrived, last, passed`);
  }
  assert.not.ok(s.kit.barrier('barrier').broken);
});

test('SeqLock readers in other processes never return a torn or older record', async () => {
  const WRITES = 20000;
  const s = scenario([{ kind: 'seqlock', name: 'seq', capacity: 64 }, words('seq-done', 1)]);
  const out = results(await runAll([s.start('seqWrite', { writes: WRITES }), s.start('seqRead'), s.start('seqRead')]));
  assert.equal(out[0], { writes: WRITES });
  for (const r of out.slice(1)) {
    assert.equal({ torn: r.torn, backwards: r.backwards, last: r.last }, { torn: 0, backwards: 0, last: WRITES });
    assert.ok(r.reads >= 1 && r.distinct >= 1);
  }
  assert.is(s.kit.seqlock('seq').sequence, 2 * WRITES);
});

test('Condition + Mutex: a producer/consumer queue across processes hands over every item exactly once, in order', async () => {
  const COUNT = 300;
  const s = scenario([
    { kind: 'mutex', name: 'qm' }, { kind: 'condition', name: 'notEmpty' }, { kind: 'condition', name: 'notFull' }, words('queue', QUEUE_WORDS),
  ]);
  const out = results(await runAll([
    s.start('condProduce', { from: 0, count: COUNT, form: 'sync' }), s.start('condProduce', { from: 10000, count: COUNT, form: 'async' }),
    s.start('condConsume', { count: COUNT, form: 'sync' }), s.start('condConsume', { count: COUNT, form: 'async' }),
  ]));
  for (const o of out) assert.equal(o.unexpected, []);
  const taken: number[] = [...out[2].items, ...out[3].items];
  const expected = [...Array.from({ length: COUNT }, (_, i) => i), ...Array.from({ length: COUNT }, (_, i) => 10000 + i)];
  assert.equal([...taken].sort((a, b) => a - b), expected, 'every item once');
  for (const consumer of [out[2].items, out[3].items] as number[][]) {
    for (const from of [0, 10000]) {
      const mine = consumer.filter((x) => x >= from && x < from + COUNT);
      assert.equal(mine, [...mine].sort((a, b) => a - b), 'FIFO per producer');
    }
  }
  assert.equal([...s.kit.words('queue').subarray(1, 2)], [0]);
});

test('a manual Event releases every waiting process; an auto Event one per set()', async () => {
  const s = scenario([{ kind: 'event', name: 'manual' }, { kind: 'event', name: 'auto', autoReset: true }, words('event', 1)]);
  const manual = Promise.all([0, 1, 2].map((i) => s.start('eventWait', { name: 'manual', timeoutMs: 30000, form: form(i) })));
  const parties = await manual;
  for (const p of parties) p.go();
  s.kit.event('manual').set();
  assert.equal(results(await Promise.all(parties.map((p) => p.finish()))), Array(3).fill({ passed: true }));
  s.kit.event('manual').reset();
  assert.is(s.kit.event('manual').waitSync({ timeoutMs: 20 }), false, 'reset: waits time out');

  const passes = s.kit.words('event');
  passes[0] = 0;
  const auto = await Promise.all([0, 1, 2].map((i) => s.start('eventWait', { name: 'auto', timeoutMs: 30000, form: form(i) })));
  for (const p of auto) p.go();
  for (let set = 1; set <= 3; set++) {
    s.kit.event('auto').set();
    while (Atomics.load(passes, 0) < set) await new Promise((r) => setTimeout(r, 2));
    assert.is(Atomics.load(passes, 0), set, `set() number ${set} let exactly one through`);
  }
  assert.equal(results(await Promise.all(auto.map((p) => p.finish()))), Array(3).fill({ passed: true }));
  assert.is(s.kit.event('auto').tryWait(), false, 'every set was consumed');
});

test('Once: of racing processes exactly one runs the initialiser', async () => {
  const s = scenario([{ kind: 'once', name: 'once' }, words('once', 2)]);
  const out = results(await runAll([0, 1, 2, 3].map((i) => s.start('onceRun', { form: form(i) }))));
  const ran = out.filter((o) => o.result === 'ran').length;
  assert.ok(out.every((o) => ['ran', 'done'].includes(o.result)), JSON.stringify(out));
  assert.is(ran, 1, 'exactly one ran it');
  assert.equal([...s.kit.words('once')], [1, 1]);
  assert.ok(s.kit.once('once').done);
});

// ---- faults ----

test('kill -9 of a Mutex holder: a sleeping locker gets owner-died, repairs, markConsistent(); the mutex works on', async () => {
  const s = scenario([{ kind: 'mutex', name: 'm' }, words('data', 1)]);
  const holder = await s.start('holdMutex', { name: 'm' });
  holder.go();
  assert.equal(await holder.said(), { held: 'acquired' });
  const waiter = await s.start('lockReport', { name: 'm', repair: true, timeoutMs: 30000 });
  waiter.go();
  await holder.kill();
  // Allowed: the waiter, told the owner died, saw the dirty data and repaired it.
  assert.equal((await waiter.finish()).result, { result: 'owner-died', dirty: 1 });
  const m = s.kit.mutex('m');
  assert.is(m.lockSync(), 'acquired');
  assert.is(s.kit.words('data')[0], 0);
  m.unlock();
});

test('a holder killed but not yet reaped (a zombie of this very process) counts as dead', async () => {
  const s = scenario([{ kind: 'mutex', name: 'm' }, words('data', 1)]);
  const holder = await s.start('holdMutex', { name: 'm' });
  holder.go();
  await holder.said();
  const pid = s.kit.mutex('m').owner;
  process.kill(pid, 'SIGKILL');
  // This thread blocks at once, so its event loop cannot reap the child meanwhile.
  const m = s.kit.mutex('m');
  assert.is(m.lockSync({ timeoutMs: 5000 }), 'owner-died');
  m.markConsistent();
  m.unlock();
});

test('kill -9 of a Mutex holder, unlocked without markConsistent(): every later locker gets ENOTRECOVERABLE', async () => {
  const s = scenario([{ kind: 'mutex', name: 'm' }, words('data', 1)]);
  const holder = await s.start('holdMutex', { name: 'm' });
  holder.go();
  await holder.said();
  await holder.kill();
  const m = s.kit.mutex('m');
  assert.is(await m.lockAsync({ timeoutMs: 30000 }), 'owner-died');
  const waiter = await s.start('lockReport', { name: 'm', timeoutMs: 30000 });
  waiter.go();
  await new Promise((r) => setTimeout(r, 50));
  m.unlock(); // without repair
  assert.equal((await waiter.finish()).result, { error: 'ENOTRECOVERABLE' });
  for (const attempt of [() => m.lockSync(), () => m.tryLock(), () => m.lockAsync()]) {
    assert.is(await failure(attempt), 'ENOTRECOVERABLE');
  }
  const later = await s.start('lockReport', { name: 'm', timeoutMs: 30000 });
  later.go();
  assert.equal((await later.finish()).result, { error: 'ENOTRECOVERABLE' });
});

test('kill -9 of a RwLock writer: readers get in, the next writer gets owner-died until markConsistent()', async () => {
  const s = scenario([{ kind: 'rwlock', name: 'rw' }]);
  const holder = await s.start('holdWrite');
  holder.go();
  assert.equal(await holder.said(), { held: 'acquired' });
  await holder.kill();
  const rw = s.kit.rwlock('rw');
  assert.is(await rw.readAsync({ timeoutMs: 30000 }), true);
  rw.readUnlock();
  assert.is(rw.writeSync({ timeoutMs: 30000 }), 'owner-died', 'the writer is told, even though a reader cleared the way');
  rw.markConsistent();
  rw.writeUnlock();
  assert.is(rw.writeSync(), 'acquired');
  rw.writeUnlock();
});

test('kill -9 of a RwLock writer holding it: the next readers, here and in other processes, and the next writer are told owner-died until markConsistent()', async () => {
  const s = scenario([{ kind: 'rwlock', name: 'rw' }]);
  const holder = await s.start('holdWrite');
  holder.go();
  assert.equal(await holder.said(), { held: 'acquired' });
  await holder.kill();
  const reader = await s.start('readReport', { timeoutMs: 30000 });
  reader.go();
  assert.equal((await reader.finish()).result, { held: true, ownerDied: true }, 'a reader in another process clears the way and is told');
  const rw = s.kit.rwlock('rw');
  {
    using g = rw.holdReadSync({ timeoutMs: 30000 });
    assert.is(g?.ownerDied, true, 'so is the next reader here');
  }
  assert.is(rw.writeSync({ timeoutMs: 30000 }), 'owner-died', 'and the next writer');
  rw.markConsistent();
  rw.writeUnlock();
  const after = await s.start('readReport', { timeoutMs: 30000 });
  after.go();
  assert.equal((await after.finish()).result, { held: true, ownerDied: false }, 'repaired: readers are told no more');
  assert.is(rw.writeSync(), 'acquired');
  rw.writeUnlock();
});

test('kill -9 of a RwLock writer still waiting for a reader inside: it never held the lock, nobody is told owner-died', async () => {
  const s = scenario([{ kind: 'rwlock', name: 'rw' }]);
  const rw = s.kit.rwlock('rw');
  /** A writer process that owns the writer word while this thread reads, killed there. */
  const writerDiesWaiting = async () => {
    assert.is(rw.readSync({ timeoutMs: 30000 }), true);
    const writer = await s.start('waitWrite');
    writer.go();
    assert.equal(await writer.said(), { writer: true, readers: 1 });
    assert.is(rw.tryRead(), false, 'it turned new readers away');
    await writer.kill();
  };
  // The next writer takes the dead one's place.
  await writerDiesWaiting();
  rw.readUnlock();
  assert.is(rw.writeSync({ timeoutMs: 30000 }), 'acquired', 'nothing to repair');
  rw.writeUnlock();
  const reader = await s.start('readReport', { timeoutMs: 30000 });
  reader.go();
  assert.equal((await reader.finish()).result, { held: true, ownerDied: false }, 'readers read again');
  // A reader in another process comes first, while this thread still reads.
  await writerDiesWaiting();
  const second = await s.start('readReport', { timeoutMs: 30000 });
  second.go();
  assert.equal((await second.finish()).result, { held: true, ownerDied: false }, 'a reader clears the way, and is told nothing');
  rw.readUnlock();
  assert.is(rw.readers, 0);
  assert.is(rw.writeSync({ timeoutMs: 30000 }), 'acquired');
  rw.writeUnlock();
});

test('kill -9 of RwLock readers: a waiting writer takes their holds back and gets in', async () => {
  const s = scenario([{ kind: 'rwlock', name: 'rw' }]);
  const readers = [await s.start('holdRead'), await s.start('holdRead')];
  for (const reader of readers) reader.go();
  for (const reader of readers) assert.equal(await reader.said(), { held: true });
  const rw = s.kit.rwlock('rw');
  assert.is(rw.readers, 2);
  for (const reader of readers) await reader.kill();
  assert.is(rw.writeSync({ timeoutMs: 30000 }), 'acquired', 'dead readers leave nothing to repair');
  assert.is(rw.readers, 0);
  rw.writeUnlock();
  assert.is(rw.tryRead(), true);
  rw.readUnlock();
});

test('kill -9 of the Once runner: a waiting process runs the initialiser instead', async () => {
  const s = scenario([{ kind: 'once', name: 'once' }, words('once', 2)]);
  const holder = await s.start('holdOnce');
  holder.go();
  assert.is(await holder.said(), 'running');
  const waiter = await s.start('onceRun', { form: 'async' });
  waiter.go();
  await holder.kill();
  assert.equal((await waiter.finish()).result, { result: 'ran' });
  assert.is(s.kit.once('once').runSync(() => assert.unreachable('ran twice')), 'done');
  assert.equal([...s.kit.words('once')], [2, 1], 'two starts, one finish');
});

test('kill -9 of a SeqLock writer mid-update: a reader gets EOWNERDEAD once, then the lock works on', async () => {
  const s = scenario([{ kind: 'seqlock', name: 'seq', capacity: 64 }]);
  const q = s.kit.seqlock('seq');
  q.write(new Uint8Array(new Uint32Array(16).fill(7).buffer));
  const holder = await s.start('seqDie');
  holder.go();
  assert.is(await holder.said(), 'mid-write');
  await holder.kill();
  assert.throws(() => q.readSync(64, { timeoutMs: 30000 }), (e: { code: string; reason?: string }) => e.code === 'EOWNERDEAD' && e.reason === 'owner-died');
  // The documented state after recovery: the partial update until the next write.
  assert.equal([...new Uint32Array(q.readSync(64)!.buffer)], [...Array(8).fill(99), ...Array(8).fill(7)]);
  q.write(new Uint8Array(new Uint32Array(16).fill(8).buffer));
  assert.equal([...new Uint32Array(q.readSync(64)!.buffer)], Array(16).fill(8));
});

test('a Semaphore whose token holder died: waits end by timeout, sync and async', async () => {
  const s = scenario([{ kind: 'semaphore', name: 'sem1', value: 1 }]);
  const holder = await s.start('holdToken');
  holder.go();
  assert.equal(await holder.said(), { held: true });
  await holder.kill();
  const sem = s.kit.semaphore('sem1');
  assert.is(sem.waitSync({ timeoutMs: 100 }), false);
  assert.is(await sem.waitAsync({ timeoutMs: 100 }), false);
  assert.is(sem.value, 0);
});

test('a Barrier with a dead party: the timed-out party breaks it, the others get EPIPE', async () => {
  const s = scenario([{ kind: 'barrier', name: 'barrier', parties: 3 }]);
  const dead = await s.start('idle');
  dead.go();
  await dead.said();
  await dead.kill();
  const timed = await s.start('arriveOnce', { timeoutMs: 300, form: 'sync' });
  timed.go();
  const b = s.kit.barrier('barrier');
  assert.is(await failure(() => b.arriveAsync()), 'EPIPE');
  assert.equal((await timed.finish()).result, { result: 'timed-out' });
  assert.ok(b.broken);
  assert.throws(() => b.arriveSync({ timeoutMs: 10 }), (e: { code: string }) => e.code === 'EPIPE');
  const late = await s.start('arriveOnce', { timeoutMs: 300, form: 'async' });
  late.go();
  assert.equal(errorCodes([await late.finish()]), ['EPIPE']);
});

test.run();
