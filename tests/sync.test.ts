// The sync primitives' API in one process: every method in its sync and
// async forms, timeouts returning values, AbortSignal rejecting with
// ABORT_ERR, misuse errors, recursive depth, `using` guards, the event loop
// running while an async wait is pending, and no futex call on an
// uncontended path (strace). A second party in this thread is a Place
// whose host reports another live id (the parent process's).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Barrier, Condition, Event, Mutex, Once, Posix, RwLock, Semaphore, SeqLock, openOrCreate, type Place,
} from '../host/index.js';
import { FIXTURES, ROOT, run } from './helpers/processes.js';
import { thrown } from './helpers/errors.js';
import { checkWaitOptions } from '../host/wait/index.js';
import { cleanup, freshName, keepOpen, trackPath, trackPosix } from './helpers/resources.js';

const test = suite('sync API in one process');
test.after.each(cleanup);

/** A fresh 128-byte place in a raw POSIX segment (Segment.place). */
function place(): Place {
  const seg = keepOpen(Posix.create(trackPosix(freshName('sync1')), { size: 1 << 16 }));
  return seg.place(0);
}

/** The same place as seen by another live party (id: the parent process). */
function other(p: Place, id = process.ppid): Place {
  return { ...p, host: { ...p.host, id, isAlive: p.host.isAlive } };
}

/** An id that certainly belongs to no live thread: a child that has exited and been reaped. */
function deadId(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

async function failure(attempt: () => unknown): Promise<string> {
  try {
    await attempt();
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'succeeded';
}

const later = (ms: number, fn: () => void) => setTimeout(fn, ms);
const abortedSoon = (ms = 20) => AbortSignal.timeout(ms);

test('Mutex: lockSync/unlock, tryLock, owner, holdSync() with using, lockAsync', async () => {
  const p = place();
  const m = Mutex.create(p);
  assert.is(m.owner, 0);
  assert.is(m.lockSync(), 'acquired');
  assert.is(m.owner, p.host.id);
  m.unlock();
  assert.is(m.tryLock(), 'acquired');
  m.unlock();
  {
    using g = m.holdSync();
    assert.is(g?.ownerDied, false);
    assert.is(m.owner, p.host.id);
  }
  assert.is(m.owner, 0, 'the guard released it');
  {
    using g = await m.holdAsync();
    g?.release();
    g?.release(); // harmless twice
  }
  assert.is(await m.lockAsync(), 'acquired');
  m.unlock();
  assert.is(m.owner, 0);
});

test('Mutex misuse: EDEADLK, EPERM, EINVAL', () => {
  const p = place();
  const m = Mutex.create(p);
  assert.is(thrown(() => m.unlock()).code, 'EPERM');
  assert.is(thrown(() => m.markConsistent()).code, 'EPERM');
  m.lockSync();
  assert.is(thrown(() => m.lockSync()).code, 'EDEADLK');
  assert.is(thrown(() => m.tryLock()).code, 'EDEADLK');
  assert.is(thrown(() => m.markConsistent()).code, 'EINVAL', 'not after owner-died');
  assert.is(thrown(() => Mutex.open(other(p)).unlock()).code, 'EPERM', 'another party cannot unlock it');
  m.unlock();
  // Options are checked where they matter: an uncontended lock is one core call.
  const held = Mutex.open(other(p));
  held.lockSync();
  assert.is(thrown(() => m.lockSync({ timeoutMs: -1 })).code, 'EINVAL');
  assert.is(thrown(() => m.lockSync({ timeoutMs: Number.NaN })).code, 'EINVAL');
  assert.is(thrown(() => m.lockSync({ spin: 1.5 })).code, 'EINVAL');
  held.unlock();
  assert.is(thrown(() => Mutex.create({ ...p, offset: p.offset + 4 })).code, 'EINVAL', 'not on a 64-byte line');
});

test('Mutex held by another party: timeouts return timed-out, AbortSignal rejects with ABORT_ERR, the event loop runs on', async () => {
  const p = place();
  const m = Mutex.create(p);
  const theirs = Mutex.open(other(p));
  assert.is(theirs.lockSync(), 'acquired');
  assert.is(m.tryLock(), false);
  assert.is(m.lockSync({ timeoutMs: 0 }), 'timed-out');
  assert.is(m.lockSync({ timeoutMs: 30 }), 'timed-out');
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  assert.is(await m.lockAsync({ timeoutMs: 120 }), 'timed-out');
  clearInterval(timer);
  assert.ok(ticks > 0, 'setInterval ran while lockAsync was pending');
  assert.is(m.tryHold(), null);
  assert.is(m.holdSync({ timeoutMs: 10 }), null);
  assert.is(await m.holdAsync({ timeoutMs: 10 }), null);
  assert.is(await failure(() => m.lockAsync({ signal: abortedSoon() })), 'ABORT_ERR');
  assert.is(await failure(() => m.lockAsync({ signal: AbortSignal.abort() })), 'ABORT_ERR');
  assert.is(theirs.owner, process.ppid, 'an aborted wait takes nothing');
  const waiting = m.lockAsync({ timeoutMs: 30000 });
  later(30, () => theirs.unlock());
  assert.is(await waiting, 'acquired', 'woken by the unlock');
  m.unlock();
});

test('recursive Mutex: depth counts, the last unlock releases, holdSync() nests', () => {
  const p = place();
  const m = Mutex.create(p, { recursive: true });
  const theirs = Mutex.open(other(p), true);
  assert.is(m.recursive, true);
  for (let depth = 1; depth <= 3; depth++) assert.is(m.lockSync(), 'acquired');
  assert.is(m.tryLock(), 'acquired');
  for (let depth = 4; depth >= 1; depth--) {
    assert.is(theirs.tryLock(), false, `held at depth ${depth}`);
    m.unlock();
  }
  assert.is(m.owner, 0);
  assert.is(thrown(() => m.unlock()).code, 'EPERM');
  {
    using outer = m.holdSync();
    {
      using inner = m.holdSync();
      void inner;
    }
    assert.is(m.owner, p.host.id, 'still held by the outer guard');
    void outer;
  }
  assert.is(m.owner, 0);
});

test('Mutex owner died: owner-died, markConsistent(); without it ENOTRECOVERABLE for everyone', async () => {
  const p = place();
  const m = Mutex.create(p);
  Mutex.open(other(p, deadId())).lockSync();
  {
    using g = m.holdSync();
    assert.is(g?.ownerDied, true);
    m.markConsistent();
  }
  assert.is(m.lockSync(), 'acquired');
  m.unlock();
  Mutex.open(other(p, deadId())).lockSync();
  assert.is(await m.lockAsync(), 'owner-died');
  m.unlock(); // not repaired
  assert.is(thrown(() => m.lockSync()).code, 'ENOTRECOVERABLE');
  assert.is(thrown(() => m.tryLock()).code, 'ENOTRECOVERABLE');
  assert.is(await failure(() => m.lockAsync()), 'ENOTRECOVERABLE');
});

test('Semaphore: value, tryWait, wait/waitAsync, timeouts, abort, post(n), misuse', async () => {
  const p = place();
  assert.is(thrown(() => Semaphore.create(p, -1)).code, 'EINVAL');
  assert.is(thrown(() => Semaphore.create(p, 2 ** 31)).code, 'EINVAL');
  const s = Semaphore.create(p, 2);
  assert.is(s.value, 2);
  assert.is(s.tryWait(), true);
  assert.is(s.waitSync(), true);
  assert.is(s.tryWait(), false);
  assert.is(s.waitSync({ timeoutMs: 20 }), false);
  assert.is(await s.waitAsync({ timeoutMs: 20 }), false);
  assert.is(await failure(() => s.waitAsync({ signal: abortedSoon() })), 'ABORT_ERR');
  assert.is(await failure(() => s.waitAsync({ signal: AbortSignal.abort() })), 'ABORT_ERR');
  const waiting = [s.waitAsync({ timeoutMs: 30000 }), s.waitAsync({ timeoutMs: 30000 })];
  later(20, () => s.post(3));
  assert.equal(await Promise.all(waiting), [true, true]);
  assert.is(s.value, 1, 'post(3) less the two taken');
  for (const bad of [0, -1, 1.5, 2 ** 31]) assert.is(thrown(() => s.post(bad)).code, 'EINVAL', String(bad));
  s.post(0x7fffffff - 1);
  assert.is(thrown(() => s.post()).code, 'EOVERFLOW');
  assert.is(s.value, 0x7fffffff);
});

test('Condition: wait/waitAsync give signalled or timed-out with the mutex held again; abort rejects ABORT_ERR', async () => {
  const p = place();
  const m = Mutex.create(p);
  const c = Condition.create({ ...p, offset: p.offset + 64 });
  m.lockSync();
  assert.is(c.waitSync(m, { timeoutMs: 20 }), 'timed-out');
  assert.is(m.owner, p.host.id);
  assert.is(await c.waitAsync(m, { timeoutMs: 20 }), 'timed-out');
  assert.is(m.owner, p.host.id);
  later(20, () => c.signal());
  assert.is(await c.waitAsync(m, { timeoutMs: 30000 }), 'signalled');
  later(20, () => c.broadcast());
  assert.is(await c.waitAsync(m), 'signalled');
  // An abort signal alone is no timeout: waits longer than one 100 ms slice stay untimed.
  const controller = new AbortController();
  later(250, () => c.signal());
  assert.is(await c.waitAsync(m, { signal: controller.signal }), 'signalled');
  assert.is(await failure(() => c.waitAsync(m, { signal: abortedSoon() })), 'ABORT_ERR');
  assert.is(m.owner, p.host.id, 'held again after the abort');
  assert.is(await failure(() => c.waitAsync(m, { signal: AbortSignal.abort() })), 'ABORT_ERR');
  assert.is(m.owner, p.host.id, 'still held once after an abort before waiting');
  m.unlock();
  assert.is(m.owner, 0);
  c.signal(); // nobody sleeps: harmless
});

test('Barrier: parties 1 is always last; a timeout or abort breaks it (EPIPE after); bad parties EINVAL', async () => {
  const p = place();
  for (const bad of [0, 65536, 1.5]) assert.is(thrown(() => Barrier.create(p, bad)).code, 'EINVAL');
  const one = Barrier.create(p, 1);
  assert.is(one.arriveSync(), 'last');
  assert.is(await one.arriveAsync(), 'last');
  const two = Barrier.create(p, 2);
  assert.is(two.arriveSync({ timeoutMs: 20 }), 'timed-out');
  assert.is(two.broken, true);
  const broken = thrown(() => two.arriveSync());
  assert.equal([broken.code, broken.reason], ['EPIPE', 'barrier-broken']);
  const again = Barrier.create(p, 2);
  assert.is(await again.arriveAsync({ timeoutMs: 20 }), 'timed-out');
  assert.is(await failure(() => again.arriveAsync()), 'EPIPE');
  const aborted = Barrier.create(p, 2);
  assert.is(await failure(() => aborted.arriveAsync({ signal: abortedSoon() })), 'ABORT_ERR');
  assert.is(aborted.broken, true);
  const pair = Barrier.create(p, 2);
  const first = pair.arriveAsync({ timeoutMs: 30000 });
  const theirs = Barrier.open(other(p));
  later(20, () => assert.is(theirs.arriveSync(), 'last'));
  assert.is(await first, 'passed');
});

test('Event: manual and auto reset, wait/waitAsync, timeouts, abort', async () => {
  const p = place();
  const manual = Event.create(p, { initiallySet: true });
  assert.is(manual.tryWait(), true);
  assert.is(manual.waitSync(), true, 'a manual event stays set');
  manual.reset();
  assert.is(manual.tryWait(), false);
  assert.is(manual.waitSync({ timeoutMs: 20 }), false);
  assert.is(await manual.waitAsync({ timeoutMs: 20 }), false);
  assert.is(await failure(() => manual.waitAsync({ signal: abortedSoon() })), 'ABORT_ERR');
  const both = [manual.waitAsync({ timeoutMs: 30000 }), manual.waitAsync({ timeoutMs: 30000 })];
  later(20, () => manual.set());
  assert.equal(await Promise.all(both), [true, true]);
  const auto = Event.create({ ...p, offset: p.offset + 64 }, { autoReset: true });
  assert.is(auto.tryWait(), false);
  auto.set();
  assert.is(auto.tryWait(), true);
  assert.is(auto.tryWait(), false, 'consumed');
  auto.set();
  auto.set();
  assert.is(auto.waitSync({ timeoutMs: 20 }), true);
  assert.is(auto.waitSync({ timeoutMs: 20 }), false, 'two sets before a wait count once');
  later(20, () => auto.set());
  assert.is(await auto.waitAsync({ timeoutMs: 30000 }), true);
});

test('Once: ran, then done; a failing initialiser lets the next caller run; re-entry EDEADLK; timeout and abort', async () => {
  const p = place();
  const o = Once.create(p);
  assert.is(o.done, false);
  assert.throws(() => o.runSync(() => { throw new Error('init failed'); }), /init failed/);
  assert.is(o.done, false);
  assert.is(await failure(() => o.runAsync(async () => { throw Object.assign(new Error('x'), { code: 'EX' }); })), 'EX');
  let runs = 0;
  assert.is(o.runSync(() => void runs++), 'ran');
  assert.is(o.runSync(() => void runs++), 'done');
  assert.is(await o.runAsync(() => void runs++), 'done');
  assert.is(runs, 1);
  assert.ok(o.done);
  const inner = Once.create({ ...p, offset: p.offset + 64 });
  assert.is(thrown(() => inner.runSync(() => void inner.runSync(() => {}))).code, 'EDEADLK');
  const raced = Once.create({ ...p, offset: p.offset + 64 });
  const theirs = Once.open(other({ ...p, offset: p.offset + 64 }));
  let seen: unknown[] = [];
  theirs.runSync(() => {
    seen = [raced.runSync(() => {}, { timeoutMs: 20 })];
  });
  assert.equal(seen, ['timed-out'], 'while another party runs it');
  const async = Once.create({ ...p, offset: p.offset + 64 });
  assert.is(await async.runAsync(async () => { await new Promise((r) => setTimeout(r, 5)); }), 'ran');
  const pending = Once.create({ ...p, offset: p.offset + 64 });
  await Once.open(other({ ...p, offset: p.offset + 64 })).runAsync(async () => {
    assert.is(await failure(() => pending.runAsync(() => {}, { signal: abortedSoon() })), 'ABORT_ERR');
  });
});

test('RwLock: shared reads, exclusive writes, timeouts, abort, guards, misuse', async () => {
  const p = place();
  const rw = RwLock.create(p);
  const theirs = RwLock.open(other(p));
  assert.is(rw.readSync(), true);
  assert.is(rw.tryRead(), true);
  assert.is(await theirs.readAsync(), true);
  assert.is(rw.readers, 3);
  assert.is(rw.writeSync({ timeoutMs: 20 }), 'timed-out', 'readers inside');
  assert.is(await rw.writeAsync({ timeoutMs: 20 }), 'timed-out');
  assert.is(await failure(() => rw.writeAsync({ signal: abortedSoon() })), 'ABORT_ERR');
  assert.is(rw.tryRead(), true, 'a writer that gave up lets readers back in');
  for (let i = 0; i < 4; i++) rw.readUnlock();
  assert.is(thrown(() => rw.readUnlock()).code, 'EPERM');
  assert.is(rw.readers, 0);
  assert.is(rw.writeSync(), 'acquired');
  assert.is(thrown(() => rw.writeSync()).code, 'EDEADLK');
  assert.is(rw.tryRead(), false);
  assert.is(rw.readSync({ timeoutMs: 20 }), false);
  assert.is(await rw.readAsync({ timeoutMs: 20 }), false);
  assert.is(await failure(() => rw.readAsync({ signal: abortedSoon() })), 'ABORT_ERR');
  assert.is(theirs.writeSync({ timeoutMs: 20 }), 'timed-out');
  assert.is(thrown(() => theirs.writeUnlock()).code, 'EPERM');
  const reading = theirs.readAsync({ timeoutMs: 30000 });
  later(20, () => rw.writeUnlock());
  assert.is(await reading, true, 'woken by writeUnlock');
  theirs.readUnlock();
  {
    using r = rw.holdReadSync();
    assert.is(rw.readers, 1);
    assert.is(theirs.tryWrite(), false, 'a reader inside');
    assert.is(theirs.tryHoldWrite(), null);
    assert.is(theirs.holdWriteSync({ timeoutMs: 10 }), null);
    assert.is(await theirs.holdWriteAsync({ timeoutMs: 10 }), null);
    void r;
  }
  {
    using w = rw.holdWriteSync();
    assert.is(w?.ownerDied, false);
    assert.is(theirs.tryHoldRead(), null);
    assert.is(theirs.holdReadSync({ timeoutMs: 10 }), null);
    assert.is(await theirs.holdReadAsync({ timeoutMs: 10 }), null);
  }
  {
    using w = theirs.tryHoldWrite();
    assert.is(w?.ownerDied, false, 'tryHoldWrite takes a free lock');
    assert.is(rw.tryWrite(), false, 'a writer inside');
  }
  assert.is(theirs.writeSync(), 'acquired');
  theirs.writeUnlock();
  assert.is(thrown(() => rw.markConsistent()).code, 'EPERM');
});

test('RwLock writer died: owner-died for the next writer until markConsistent()', () => {
  const p = place();
  const rw = RwLock.create(p);
  assert.is(RwLock.open(other(p, deadId())).writeSync(), 'acquired');
  {
    using w = rw.holdWriteSync();
    assert.is(w?.ownerDied, true);
  }
  assert.is(rw.writeSync(), 'owner-died', 'not repaired yet');
  rw.markConsistent();
  rw.writeUnlock();
  assert.is(rw.writeSync(), 'acquired');
  rw.writeUnlock();
});

test('RwLock writer died inside: every reader that gets in is told, until a writer repairs', () => {
  const p = place();
  const rw = RwLock.create(p);
  assert.is(rw.ownerDied, false);
  assert.is(RwLock.open(other(p, deadId())).writeSync(), 'acquired');
  assert.is(rw.readSync({ timeoutMs: 30000 }), true, 'a reader takes the dead writer\'s word and hands it back');
  assert.is(rw.ownerDied, true, 'the reader is told');
  assert.is(rw.tryRead(), true);
  {
    using g = rw.holdReadSync();
    assert.is(g?.ownerDied, true);
  }
  rw.readUnlock();
  rw.readUnlock();
  assert.is(thrown(() => rw.markConsistent()).code, 'EPERM', 'readers cannot repair');
  assert.is(rw.writeSync(), 'owner-died', 'the next writer is told too');
  rw.markConsistent();
  assert.is(rw.ownerDied, false);
  rw.writeUnlock();
  {
    using g = rw.holdReadSync();
    assert.is(g?.ownerDied, false, 'repaired');
  }
});

test('RwLock writer died waiting for readers: it never entered, nobody is told owner-died', () => {
  const p = place();
  const rw = RwLock.create(p);
  const core = p.memory.core;
  const dead = deadId();
  // The dead writer's part, as write() leaves it while readers are inside:
  // it owns the writer word and has turned new readers away.
  assert.is(rw.readSync(), true);
  assert.is(core.rwTryWriterWord(p.offset, dead, 0), 0);
  assert.is(rw.writer, dead);
  assert.is(rw.tryRead(), false, 'new readers are turned away');
  rw.readUnlock();
  assert.is(rw.writeSync({ timeoutMs: 30000 }), 'acquired', 'the next writer takes over as a fresh writer');
  assert.is(rw.ownerDied, false);
  rw.writeUnlock();
  assert.is(rw.tryRead(), true);
  rw.readUnlock();
  // Again, and this time a reader comes first: it clears the way.
  assert.is(rw.readSync(), true);
  assert.is(core.rwTryWriterWord(p.offset, dead, 0), 0);
  assert.is(rw.readSync({ timeoutMs: 30000 }), true, 'readers read again');
  assert.is(rw.ownerDied, false);
  rw.readUnlock();
  rw.readUnlock();
  assert.is(rw.writeSync(), 'acquired');
  rw.writeUnlock();
  // A writer still waiting for readers holds nothing to repair, nor to declare repaired.
  const theirs = RwLock.open(other(p));
  assert.is(rw.readSync(), true);
  assert.is(core.rwTryWriterWord(p.offset, process.ppid, 0), 0);
  assert.is(thrown(() => theirs.markConsistent()).code, 'EPERM');
  assert.is.not(core.rwReadersLeft(p.offset, p.host.id), 0, 'only the holder of the writer word enters');
  theirs.writeUnlock(); // gives the word up, as a writer that timed out does
  rw.readUnlock();
  assert.is(rw.writer, 0);
});

test('wait options: unknown keys and bad values are EINVAL, named, before any byte changes', async () => {
  const p = place();
  const rw = RwLock.create(p);
  const m = Mutex.create({ ...p, offset: p.offset + RwLock.SIZE });
  const bytes = () => [...p.memory.bytes(p.offset, RwLock.SIZE + Mutex.SIZE)];
  const before = bytes();
  const calls: Array<[string, (o: any) => unknown]> = [
    ['rw.readSync', (o) => rw.readSync(o)], ['rw.readAsync', (o) => rw.readAsync(o)],
    ['rw.writeSync', (o) => rw.writeSync(o)], ['rw.writeAsync', (o) => rw.writeAsync(o)],
    ['rw.holdReadSync', (o) => rw.holdReadSync(o)], ['rw.holdReadAsync', (o) => rw.holdReadAsync(o)],
    ['rw.holdWriteSync', (o) => rw.holdWriteSync(o)], ['rw.holdWriteAsync', (o) => rw.holdWriteAsync(o)],
    ['m.lockSync', (o) => m.lockSync(o)], ['m.lockAsync', (o) => m.lockAsync(o)],
    ['m.holdSync', (o) => m.holdSync(o)], ['m.holdAsync', (o) => m.holdAsync(o)],
  ];
  const bad = [
    { timeout: 5 }, { timeoutMs: 5, timout: 5 }, { timeoutMs: -1 }, { timeoutMs: '5' }, { spin: -1 },
    { signal: {} }, null, 'fast', [], 5,
  ];
  for (const [name, call] of calls) {
    for (const options of bad) {
      let error: any;
      try {
        await call(options);
      } catch (e) {
        error = e;
      }
      assert.is(error?.code, 'EINVAL', `${name}(${JSON.stringify(options)})`);
    }
    const misspelt = thrownAsync(() => call({ timeout: 5 }));
    assert.match((await misspelt).message, /unknown option 'timeout'/, name);
  }
  assert.equal(bytes(), before, 'a refused call writes nothing');
  // Held by someone else, a misspelt timeout is refused at once rather than waited out forever.
  const theirs = RwLock.open(other(p));
  assert.is(theirs.writeSync(), 'acquired');
  assert.is(thrown(() => rw.readSync({ timeout: 5 } as never)).code, 'EINVAL');
  assert.is(thrown(() => rw.writeSync({ timeout: 5 } as never)).code, 'EINVAL');
  assert.is(rw.readers, 0);
  theirs.writeUnlock();
  // Options types that extend WaitOptions name their extra keys.
  checkWaitOptions({ timeoutMs: 0, into: new Uint8Array(1) } as never, ['into']);
  assert.is(thrown(() => checkWaitOptions({ into: new Uint8Array(1) } as never)).code, 'EINVAL');
  checkWaitOptions({ timeoutMs: Infinity, spin: 0, signal: new AbortController().signal });
  checkWaitOptions(undefined);
});

/** The error `attempt` throws or rejects with; fails if it succeeds. */
async function thrownAsync(attempt: () => unknown): Promise<{ code: string; message: string }> {
  try {
    await attempt();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a failure, it succeeded');
}

test('SeqLock: write/read round trip in every form, sequence, lengths, options', async () => {
  const p = place();
  assert.is(thrown(() => SeqLock.create(p, 0)).code, 'EINVAL');
  const q = SeqLock.create(p, 24);
  assert.is(q.sequence, 0);
  q.write(new Uint8Array([1, 2, 3]));
  assert.equal([...q.readSync(3)!], [1, 2, 3]);
  assert.equal([...q.tryRead(3)!], [1, 2, 3]);
  assert.equal([...(await q.readAsync(3))!], [1, 2, 3]);
  assert.equal([...q.readSync()!], [1, 2, 3, ...Array(21).fill(0)]);
  assert.is(q.sequence, 2);
  assert.is(thrown(() => q.write(new Uint8Array(25))).code, 'EINVAL');
  assert.is(thrown(() => q.write([1, 2] as never)).code, 'EINVAL');
  assert.is(thrown(() => q.readSync(25)).code, 'EINVAL');
  assert.is(thrown(() => q.tryRead(25)).code, 'EINVAL');
  assert.is(thrown(() => q.readSync(3, { timeout: 5 } as never)).code, 'EINVAL');
  assert.is(thrown(() => q.readAsync(3, { spin: -1 })).code, 'EINVAL');
  assert.is(await failure(() => q.readAsync(3, { signal: AbortSignal.abort() })), 'ABORT_ERR');
});

test('managed segments: named primitives are found again; a name of another kind is ELAYOUT', () => {
  const name = trackPosix(freshName('syncm'));
  const m = keepOpen(openOrCreate({ kind: 'posix', name, size: 1 << 16 }));
  const a = m.mutex('lock');
  a.lockSync();
  assert.is(m.mutex('lock').owner, a.owner, 'the same mutex');
  a.unlock();
  assert.is(m.semaphore('sem', 3).value, 3);
  assert.is(m.semaphore('sem').value, 3, 'opened, not re-initialised');
  assert.throws(() => m.semaphore('sem', 9), (e: { code?: string; message: string }) => e.code === 'ELAYOUT' && /made with 3 tokens/.test(e.message), 'another count asked for is not silently a different semaphore');
  assert.is(thrown(() => m.semaphore('lock')).code, 'ELAYOUT');
  assert.is(thrown(() => m.seqlock('q', 32).write(new Uint8Array(33))).code, 'EINVAL');
  assert.is(thrown(() => m.segment.place(1 << 16)).code, 'EINVAL');
});

test('uncontended paths make no futex call on the primitives\' words (strace)', async () => {
  const probe = spawnSync('strace', ['-V']);
  if (probe.status !== 0) {
    console.log('  (strace not installed: skipped)');
    return;
  }
  const name = trackPosix(freshName('strace'));
  keepOpen(Posix.create(name, { size: 1 << 16 }));
  const log = trackPath(`/tmp/shmkit-strace-${process.pid}.txt`);
  const result = await run('strace', ['-f', '-e', 'trace=futex', '-o', log, process.execPath, '--import', 'tsx', FIXTURES + 'sync-uncontended.ts', name], { cwd: ROOT });
  assert.is(result.code, 0, result.stderr);
  const addresses: string[] = JSON.parse(result.stdout.trim().split('\n').pop()!);
  const calls = readFileSync(log, 'utf8').split('\n').filter((line) => addresses.some((a) => line.includes(`futex(${a},`)));
  assert.equal(calls, [], 'futex calls on a primitive word');
});

test.run();
