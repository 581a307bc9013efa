// The sync primitives under load across worker threads of one process, as
// one suite run over two backends of the conformance harness
// (tests/conformance/backends/threads.ts): the Linux arena (futex(2),
// kernel thread ids) and a plain memory of shmkit/browser (Atomics.wait in
// workers, Atomics.waitAsync on the main thread; no koffi in the workers). The main thread takes part with the async forms. Outcome tests:
// every allowed outcome is listed, anything else fails.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { managedKit, type Decl, type Kit } from './fixtures/sync-kit.js';
import { QUEUE_WORDS, roles } from './fixtures/sync-roles.js';
import type { NodeBackend, Party, Stage } from './conformance/backends/backend.js';
import { linuxThreads, plainThreads } from './conformance/backends/threads.js';
import { ROOT } from './helpers/processes.js';
import { cleanup } from './helpers/resources.js';

const SYNC_BOOK = new URL('./fixtures/sync-book.ts', import.meta.url).href;

interface Scenario {
  kit: Kit;
  /** A worker running `role` (blocking forms unless params.form says async). */
  start(role: string, params?: object): Promise<Party>;
}

/** Starts the workers, lets them go, runs `main` (the main thread's part) meanwhile; returns all results. */
async function together(starting: Array<Promise<Party>>, main?: () => unknown): Promise<any[]> {
  const parties = await Promise.all(starting);
  for (const p of parties) p.go();
  const mine = main ? [await main()] : [];
  return [...(await Promise.all(parties.map((p) => p.finish()))), ...mine];
}

const words = (name: string, count: number): Decl => ({ kind: 'words', name, count });
const none = () => {};

function conformance(title: string, makeBackend: () => NodeBackend | Promise<NodeBackend>): void {
  let backend: NodeBackend;
  const stages: Stage[] = [];
  const test = suite(`sync across worker threads: ${title}`);
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
  /** The objects `decls` on a fresh segment of the backend; parties play sync-roles.ts there. */
  const scenario = (decls: Decl[]): Scenario => {
    const stage = backend.stage();
    stages.push(stage);
    return { kit: managedKit(stage.seg, decls), start: (role, params = {}) => stage.start({ book: SYNC_BOOK, role, params: { ...params, decls } }) };
  };
  test('3 workers (blocking) + main (async) × M plain increments under each lock end exact', async () => {
    const LOCKS = ['mutex', 'recursive', 'rwlock', 'semaphore'];
    const M = 1500;
    const s = scenario([
      { kind: 'mutex', name: 'mutex' }, { kind: 'mutex', name: 'recursive', recursive: true },
      { kind: 'rwlock', name: 'rw' }, { kind: 'semaphore', name: 'sem1', value: 1 },
      ...LOCKS.map((l) => words(`counter-${l}`, 2)),
    ]);
    const out = await together([0, 1, 2].map(() => s.start('count', { locks: LOCKS, m: M, form: 'sync' })),
      () => roles.count!(s.kit, { locks: LOCKS, m: M, form: 'async' }, none));
    for (const lock of LOCKS) {
      assert.equal(out.map((o) => o[lock]), Array(4).fill({ overlaps: 0, unexpected: [] }), lock);
      const w = s.kit.words(`counter-${lock}`);
      assert.equal([new DataView(w.buffer, w.byteOffset, 4).getUint32(0, true), w[1]], [4 * M, 0], lock);
    }
    assert.equal([s.kit.mutex('mutex').owner, s.kit.mutex('recursive').owner, s.kit.semaphore('sem1').value], [0, 0, 1]);
  });

  test('a RwLock never admits a writer beside a reader, nor two writers', async () => {
    const W = 500;
    const s = scenario([{ kind: 'rwlock', name: 'rw' }, words('rw', 4)]);
    const out = await together([
      s.start('rw', { m: W, writer: true, form: 'sync' }), s.start('rw', { m: W, writer: true, form: 'sync' }),
      s.start('rw', { m: 1000, writer: false, form: 'sync' }),
    ], () => roles.rw!(s.kit, { m: 1000, writer: false, form: 'async' }, none));
    assert.equal(out, Array(4).fill({ violations: 0, unexpected: [] }));
    const w = s.kit.words('rw');
    assert.equal([w[0], w[1], w[2]], [0, 0, 2 * W]);
    assert.ok([1, 2].includes(w[3]!), `readers together: 1 or 2 allowed, saw ${w[3]}`);
  });

  test('a Semaphore never goes below zero and never loses a post', async () => {
    const s = scenario([
      { kind: 'semaphore', name: 'pool', value: 2 }, words('pool', 2), { kind: 'semaphore', name: 'items', value: 0 }, words('items', 2),
    ]);
    const pool = await together([s.start('pool', { m: 1000, form: 'sync' }), s.start('pool', { m: 1000, form: 'sync' })],
      () => roles.pool!(s.kit, { m: 1000, form: 'async' }, none));
    assert.equal(pool, Array(3).fill({ violations: 0, unexpected: [] }));
    assert.ok([1, 2].includes(s.kit.words('pool')[1]!));
    assert.is(s.kit.semaphore('pool').value, 2);
    const items = await together([
      s.start('produce', { posts: 900, batch: 1 }), s.start('produce', { posts: 900, batch: 3 }), s.start('consume', { takes: 800, form: 'sync' }),
    ], () => roles.consume!(s.kit, { takes: 800, form: 'async' }, none));
    assert.equal(items.slice(2), Array(2).fill({ violations: 0, unexpected: [] }));
    assert.equal([...s.kit.words('items')], [1800, 1600]);
    assert.is(s.kit.semaphore('items').value, 200);
  });

  test('a Barrier of 4 threads over G generations releases each generation exactly once', async () => {
    const K = 4;
    const G = 300;
    const s = scenario([{ kind: 'barrier', name: 'barrier', parties: K }, words('barrier', 3 * G)]);
    const out = await together([0, 1, 2].map(() => s.start('barrier', { parties: K, gens: G, form: 'sync' })),
      () => roles.barrier!(s.kit, { parties: K, gens: G, form: 'async' }, none));
    for (const o of out) assert.equal({ early: o.early, unexpected: o.unexpected }, { early: 0, unexpected: [] });
    assert.is(out.reduce((n, o) => n + o.lasts, 0), G);
    const w = s.kit.words('barrier');
    for (let g = 0; g < G; g++) assert.equal([w[g], w[G + g], w[2 * G + g]], [K, 1, K], `generation ${g}`);
  });

  test('SeqLock readers on other threads never return a torn or older record', async () => {
    const WRITES = 30000;
    const s = scenario([{ kind: 'seqlock', name: 'seq', capacity: 64 }, words('seq-done', 1)]);
    const out = await together([s.start('seqWrite', { writes: WRITES }), s.start('seqRead'), s.start('seqRead')]);
    for (const r of out.slice(1)) assert.equal({ torn: r.torn, backwards: r.backwards, last: r.last }, { torn: 0, backwards: 0, last: WRITES });
  });

  test('Condition + Mutex queue between threads hands over every item exactly once, in order', async () => {
    const COUNT = 400;
    const s = scenario([
      { kind: 'mutex', name: 'qm' }, { kind: 'condition', name: 'notEmpty' }, { kind: 'condition', name: 'notFull' }, words('queue', QUEUE_WORDS),
    ]);
    const out = await together([
      s.start('condProduce', { from: 0, count: COUNT, form: 'sync' }), s.start('condProduce', { from: 10000, count: COUNT, form: 'sync' }),
      s.start('condConsume', { count: COUNT, form: 'sync' }),
    ], () => roles.condConsume!(s.kit, { count: COUNT, form: 'async' }, none));
    for (const o of out) assert.equal(o.unexpected, []);
    const consumers: number[][] = [out[2].items, out[3].items];
    const expected = [...Array.from({ length: COUNT }, (_, i) => i), ...Array.from({ length: COUNT }, (_, i) => 10000 + i)];
    assert.equal(consumers.flat().sort((a, b) => a - b), expected);
    for (const c of consumers) {
      for (const from of [0, 10000]) {
        const mine = c.filter((x) => x >= from && x < from + COUNT);
        assert.equal(mine, [...mine].sort((a, b) => a - b));
      }
    }
  });

  test('Once between racing threads: exactly one runs the initialiser; an auto Event lets one through per set()', async () => {
    const s = scenario([{ kind: 'once', name: 'once' }, words('once', 2), { kind: 'event', name: 'auto', autoReset: true }, words('event', 1)]);
    const once = await together([0, 1, 2].map(() => s.start('onceRun', { form: 'sync' })), () => roles.onceRun!(s.kit, { form: 'async' }, none));
    assert.ok(once.every((o) => ['ran', 'done'].includes(o.result)));
    assert.is(once.filter((o) => o.result === 'ran').length, 1);
    assert.equal([...s.kit.words('once')], [1, 1]);

    const passes = s.kit.words('event');
    const waiters = await Promise.all([0, 1, 2].map(() => s.start('eventWait', { name: 'auto', timeoutMs: 30000, form: 'sync' })));
    for (const p of waiters) p.go();
    for (let set = 1; set <= 3; set++) {
      s.kit.event('auto').set();
      while (Atomics.load(passes, 0) < set) await new Promise((r) => setTimeout(r, 2));
      assert.is(Atomics.load(passes, 0), set, `set() number ${set} let exactly one through`);
    }
    assert.equal(await Promise.all(waiters.map((p) => p.finish())), Array(3).fill({ passed: true }));
    assert.is(s.kit.event('auto').tryWait(), false);
  });

  test('a worker terminated while holding a Mutex: owner-died where death is detectable, else the wait times out', async () => {
    const s = scenario([{ kind: 'mutex', name: 'm' }, words('data', 1)]);
    const holder = await s.start('holdMutex', { name: 'm' });
    holder.go();
    assert.equal(await holder.said(), { held: 'acquired' });
    await holder.kill();
    const m = s.kit.mutex('m');
    const got = await m.lockAsync({ timeoutMs: backend.detectsDeath ? 30000 : 100 });
    if (backend.detectsDeath) {
      assert.is(got, 'owner-died');
      assert.is(s.kit.words('data')[0], 1, 'the dirty mark the holder left');
      m.markConsistent();
      m.unlock();
      assert.is(m.lockSync(), 'acquired');
      m.unlock();
    } else {
      assert.is(got, 'timed-out', 'a plain host cannot tell a dead thread: the timeout is the guard');
    }
  });

  test('a Barrier with a lost party: the timed-out one breaks it, the others get EPIPE', async () => {
    const s = scenario([{ kind: 'barrier', name: 'barrier', parties: 3 }]);
    const timed = await s.start('arriveOnce', { timeoutMs: 200, form: 'sync' });
    timed.go();
    const b = s.kit.barrier('barrier');
    let code = 'none';
    try {
      await b.arriveAsync();
    } catch (error) {
      code = (error as { code: string }).code;
    }
    assert.is(code, 'EPIPE');
    assert.equal(await timed.finish(), { result: 'timed-out' });
  });

  test.run();
}

conformance('Linux arena, futex', linuxThreads);
conformance('plain memory (shmkit/browser), Atomics', async () => plainThreads(await import(`${ROOT}dist/browser.mjs`)));
