// The OS semaphores in one process: System V sets and POSIX named
// semaphores, every call and flag, sync and async waits, timeouts, aborts,
// misuse. Other processes are in os-sem-processes.test.ts.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NamedSemaphore, ShmError, SysVSemaphores, listAll } from '../host/index.js';
import * as constants from '../host/linux/constants.js';
import { semLayout } from '../host/linux/structs.js';
import { compileC } from './helpers/gcc.js';
import { thrown } from './helpers/errors.js';
import { cleanup, freshKey, freshName, keepOpen, trackNamedSem, trackPath, trackSemSet } from './helpers/resources.js';

function makeSet(options: Parameters<typeof SysVSemaphores.create>[0]): SysVSemaphores {
  const set = SysVSemaphores.create(options);
  trackSemSet(set.id);
  return set;
}

function makeNamed(options: Parameters<typeof NamedSemaphore.open>[1] = {}, name = freshName('sem')): NamedSemaphore {
  trackNamedSem(name);
  return keepOpen(NamedSemaphore.open(name, { create: true, ...options }));
}

/** The rejection of `promise`, which must be a ShmError. */
async function rejection(promise: Promise<unknown>): Promise<ShmError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, ShmError, `expected a ShmError, got ${String(error)}`);
    return error as ShmError;
  }
  assert.unreachable('expected a rejection');
  throw new Error('unreachable');
}

/** An EINVAL raised by shmkit itself, before any system call. */
function misuse(fn: () => unknown, text: string | RegExp): void {
  const error = thrown(fn);
  assert.is(error.code, 'EINVAL', error.message);
  assert.is(error.syscall, undefined, `no system call for: ${error.message}`);
  assert.match(error.message, text);
}

/** Resolves after the event loop has run `ticks` interval callbacks; then calls `then`. */
function afterTicks(ticks: number, then: () => void): { ticked: () => number } {
  let count = 0;
  const timer = setInterval(() => {
    if (++count === ticks) {
      clearInterval(timer);
      then();
    }
  }, 1);
  return { ticked: () => count };
}

// ------------------------------------------------------------------ layouts

const layout = suite('os-sem layout');
layout.after.each(cleanup);

layout('struct semid_ds, sembuf, seminfo and the constants match gcc', () => {
  const binary = compileC(`
#include <stdio.h>
#include <stddef.h>
#include <sys/sem.h>
#include <semaphore.h>
#include <limits.h>
int main(void) {
  printf("{\\"semid_ds\\":{\\"size\\":%zu,\\"sem_perm\\":%zu,\\"sem_otime\\":%zu,\\"sem_ctime\\":%zu,\\"sem_nsems\\":%zu},",
    sizeof(struct semid_ds), offsetof(struct semid_ds, sem_perm), offsetof(struct semid_ds, sem_otime),
    offsetof(struct semid_ds, sem_ctime), offsetof(struct semid_ds, sem_nsems));
  printf("\\"sembuf\\":{\\"size\\":%zu,\\"sem_num\\":%zu,\\"sem_op\\":%zu,\\"sem_flg\\":%zu},",
    sizeof(struct sembuf), offsetof(struct sembuf, sem_num), offsetof(struct sembuf, sem_op), offsetof(struct sembuf, sem_flg));
  printf("\\"seminfo\\":{\\"size\\":%zu,\\"semmsl\\":%zu,\\"semvmx\\":%zu,\\"semaem\\":%zu},",
    sizeof(struct seminfo), offsetof(struct seminfo, semmsl), offsetof(struct seminfo, semvmx), offsetof(struct seminfo, semaem));
  printf("\\"constants\\":{\\"SEM_UNDO\\":%d,\\"GETPID\\":%d,\\"GETVAL\\":%d,\\"GETALL\\":%d,\\"GETNCNT\\":%d,\\"GETZCNT\\":%d,"
    "\\"SETVAL\\":%d,\\"SETALL\\":%d,\\"SEM_STAT\\":%d,\\"SEM_INFO\\":%d,\\"SEM_STAT_ANY\\":%d,\\"IPC_NOWAIT\\":%d,\\"SEM_VALUE_MAX\\":%d}}\\n",
    SEM_UNDO, GETPID, GETVAL, GETALL, GETNCNT, GETZCNT, SETVAL, SETALL, SEM_STAT, SEM_INFO, SEM_STAT_ANY, IPC_NOWAIT, SEM_VALUE_MAX);
  return 0;
}
`, 'sem-layout');
  const gcc = JSON.parse(execFileSync(binary, { encoding: 'utf8' }));
  assert.equal(semLayout(), { semid_ds: gcc.semid_ds, sembuf: gcc.sembuf, seminfo: gcc.seminfo });
  for (const [name, value] of Object.entries(gcc.constants)) {
    assert.is((constants as Record<string, unknown>)[name], value, name);
  }
});

// ------------------------------------------------------------------ System V sets

const sysv = suite('os-sem sysv');
sysv.after.each(cleanup);

sysv('create by key: nsems, values, default mode 0600, stat; open by key and id', () => {
  const key = freshKey();
  const set = makeSet({ key, nsems: 3, values: [0, 5, 32767], exclusive: true });
  assert.ok(set.created);
  assert.is(set.key, key);
  assert.is(set.nsems, 3);
  assert.equal(set.values(), [0, 5, 32767]);
  const st = set.stat();
  assert.is(st.id, set.id);
  assert.is(st.key, key);
  assert.is(st.nsems, 3);
  assert.is(st.mode, 0o600);
  assert.is(st.uid, process.getuid!());
  assert.is(st.cuid, process.getuid!());
  assert.is(st.otime, null, 'no semop yet');
  assert.instance(st.ctime, Date);

  const byKey = SysVSemaphores.open({ key });
  assert.is(byKey.id, set.id);
  assert.is(byKey.created, false);
  assert.is(byKey.nsems, 3);
  assert.is(SysVSemaphores.open({ id: set.id }).key, key);
  // create without exclusive opens the existing set and leaves its values
  const again = SysVSemaphores.create({ key, nsems: 2, values: [9, 9] });
  assert.is(again.id, set.id);
  assert.is(again.created, false);
  assert.is(again.nsems, 3);
  assert.equal(set.values(), [0, 5, 32767]);
});

sysv('IPC_EXCL, ENOENT, a bigger nsems than the set has, open({ nsems })', () => {
  const key = freshKey();
  const set = makeSet({ key, nsems: 2, mode: 0o640 });
  const exists = thrown(() => SysVSemaphores.create({ key, nsems: 2, exclusive: true }));
  assert.is(exists.code, 'EEXIST');
  assert.is(exists.syscall, 'semget');
  assert.is(exists.key, key);
  assert.match(exists.message, 'shmkit rm --sem --key');
  const bigger = thrown(() => SysVSemaphores.create({ key, nsems: 3 }));
  assert.is(bigger.code, 'EINVAL');
  assert.is(bigger.syscall, 'semget');
  assert.is(thrown(() => SysVSemaphores.open({ key }, { nsems: 3 })).code, 'EINVAL');
  misuse(() => SysVSemaphores.open({ id: set.id }, { nsems: 3 }), 'fewer than nsems=3');
  assert.is(SysVSemaphores.open({ key }, { nsems: 2 }).id, set.id);
  const missing = thrown(() => SysVSemaphores.open({ key: freshKey() }));
  assert.is(missing.code, 'ENOENT');
  assert.match(missing.message, 'create it first');
  assert.is(set.stat().mode, 0o640);
});

sysv('IPC_PRIVATE makes a new set each time; ftok path + proj', () => {
  const a = makeSet({ private: true, nsems: 1 });
  const b = makeSet({ private: true, nsems: 1 });
  assert.is.not(a.id, b.id);
  assert.is(a.key, 0);
  const dir = trackPath(mkdtempSync(join(tmpdir(), 'shmkit-sem-')));
  const file = join(dir, 'key');
  writeFileSync(file, '');
  for (const proj of [0, 200]) {
    const set = makeSet({ path: file, proj, nsems: 2, exclusive: true });
    const st = SysVSemaphores.stat({ path: file, proj });
    assert.is(st.id, set.id);
    assert.is(set.key, Number(execFileSync('python3', ['-c', `import os,sys;s=os.stat(sys.argv[1]);print((s.st_ino & 0xffff) | ((s.st_dev & 0xff) << 16) | (${proj} << 24))`, file], { encoding: 'utf8' })));
  }
});

sysv('op: several sembufs at once, all or nothing; IPC_NOWAIT returns false; wait-for-zero', () => {
  const set = makeSet({ private: true, nsems: 3, values: [1, 0, 2] });
  assert.ok(set.opSync([{ index: 0, op: -1 }, { index: 2, op: -2 }, { index: 1, op: 3 }]));
  assert.equal(set.values(), [0, 3, 0]);
  // the second operation cannot proceed: none of them happens
  assert.is(set.opSync([{ index: 1, op: -1 }, { index: 0, op: -1, noWait: true }]), false);
  assert.equal(set.values(), [0, 3, 0]);
  assert.ok(set.opSync([{ index: 0, op: 0 }, { index: 2, op: 0, noWait: true }]), 'both are zero');
  assert.is(set.opSync([{ index: 1, op: 0, noWait: true }]), false, 'semaphore 1 is 3, not 0');
  assert.ok(set.opSync([{ index: 1, op: -3, noWait: true }]));
  assert.equal(set.values(), [0, 0, 0]);
  assert.instance(set.stat().otime, Date, 'a semop happened');
  assert.is(set.lastPid(1), process.pid);
});

sysv('tryOp never waits: every operation as IPC_NOWAIT, all or nothing', () => {
  const set = makeSet({ private: true, nsems: 2, values: [1, 0] });
  assert.is(set.tryOp([{ index: 0, op: -1 }, { index: 1, op: -1 }]), false, 'semaphore 1 is 0');
  assert.equal(set.values(), [1, 0], 'nothing happened');
  assert.ok(set.tryOp([{ index: 0, op: -1 }, { index: 1, op: 2 }]));
  assert.equal(set.values(), [0, 2]);
  misuse(() => set.tryOp([]), 'non-empty array');
});

sysv('op with a timeout (semtimedop) returns false, then true once it can', () => {
  const set = makeSet({ private: true, nsems: 1 });
  assert.is(set.opSync([{ op: -1 }], { timeoutMs: 20 }), false);
  assert.is(set.opSync([{ op: -1 }], { timeoutMs: 0 }), false);
  set.setValue(0, 1);
  assert.is(set.opSync([{ op: -1 }], { timeoutMs: 20 }), true);
  assert.is(set.value(), 0);
});

sysv('SEM_UNDO within the process: the adjustment is kept until exit, and SETVAL clears it', () => {
  const set = makeSet({ private: true, nsems: 1, values: [2] });
  assert.ok(set.opSync([{ op: -1, undo: true }]));
  assert.ok(set.opSync([{ op: 1, undo: true }]), 'the undo value nets out');
  assert.is(set.value(), 2);
  // process-exit undo is in os-sem-processes.test.ts
});

sysv('GETVAL/SETVAL/GETALL/SETALL, GETNCNT/GETZCNT/GETPID', async () => {
  const set = makeSet({ private: true, nsems: 4 });
  assert.equal(set.values(), [0, 0, 0, 0]);
  assert.is(set.lastPid(2), 0, 'no process operated on it yet');
  set.setValue(2, 7);
  assert.is(set.value(2), 7);
  set.setValues([1, 2, 3, 4]);
  assert.equal(set.values(), [1, 2, 3, 4]);
  assert.is(set.increaseWaiters(0), 0);
  assert.is(set.zeroWaiters(0), 0);
  // A pending async wait is a waiter the kernel counts.
  const waitMore = set.opAsync([{ index: 0, op: -5 }], { timeoutMs: 10_000 });
  const waitZero = set.opAsync([{ index: 3, op: 0 }], { timeoutMs: 10_000 });
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (set.increaseWaiters(0) === 1 && set.zeroWaiters(3) === 1) {
        clearInterval(poll);
        resolve();
      }
    }, 1);
  });
  set.setValues([5, 2, 3, 0]);
  assert.ok(await waitMore);
  assert.ok(await waitZero);
  assert.equal(set.values(), [0, 2, 3, 0]);
  assert.is(set.lastPid(0), process.pid);
});

sysv('IPC_SET changes mode (and keeps the owner); IPC_RMID; list; limits', () => {
  const key = freshKey();
  const set = makeSet({ key, nsems: 2 });
  set.set({ mode: 0o644 });
  assert.is(set.stat().mode, 0o644);
  SysVSemaphores.set({ key }, { mode: 0o600, uid: 0 });
  assert.is(set.stat().mode, 0o600);
  assert.is(set.stat().uid, 0);
  const listed = SysVSemaphores.list().find((s) => s.id === set.id);
  assert.ok(listed);
  assert.is(listed!.key, key);
  assert.is(listed!.nsems, 2);
  const [semmsl, semmns, semopm, semmni] = readFileSync('/proc/sys/kernel/sem', 'utf8').trim().split(/\s+/).map(Number);
  const limits = SysVSemaphores.limits();
  assert.equal([limits.semmsl, limits.semmns, limits.semopm, limits.semmni], [semmsl, semmns, semopm, semmni]);
  assert.is(limits.semvmx, 32767);
  assert.ok(limits.semusz >= 1, 'SEM_INFO counts this set');

  set.remove();
  assert.not.ok(SysVSemaphores.list().some((s) => s.id === set.id));
  const gone = thrown(() => set.value());
  assert.is(gone.code, 'EINVAL');
  assert.is(gone.id, set.id);
  assert.match(gone.message, 'no semaphore set has id');
  const removeAgain = thrown(() => SysVSemaphores.remove({ id: set.id }));
  assert.is(removeAgain.code, 'EINVAL');
  assert.is(thrown(() => SysVSemaphores.remove({ key })).code, 'ENOENT');
});

sysv('opAsync keeps the event loop running, and resolves when another tick posts', async () => {
  const set = makeSet({ private: true, nsems: 1 });
  // The post happens in the 5th interval callback: the wait can only end if
  // the loop kept running while it was pending.
  const ticker = afterTicks(5, () => set.opSync([{ op: 1 }]));
  assert.ok(await set.opAsync([{ op: -1 }]));
  assert.is(ticker.ticked(), 5);
  assert.is(set.value(), 0);
});

sysv('opAsync: timeout resolves false; noWait resolves at once; SEM_UNDO works off the main thread', async () => {
  const set = makeSet({ private: true, nsems: 2 });
  assert.is(await set.opAsync([{ op: -1 }], { timeoutMs: 30 }), false);
  assert.is(await set.opAsync([{ op: -1 }], { timeoutMs: 0 }), false);
  assert.is(await set.opAsync([{ op: -1, noWait: true }]), false);
  set.setValues([1, 1]);
  assert.is(await set.opAsync([{ op: -1, undo: true }, { index: 1, op: -1 }], { timeoutMs: 1000 }), true);
  assert.equal(set.values(), [0, 0]);
  assert.ok(set.opSync([{ op: 1, undo: true }]));
});

sysv('opAsync aborted: rejects ABORT_ERR (AbortError-shaped), takes nothing, and loses no later post', async () => {
  const set = makeSet({ private: true, nsems: 1 });
  const controller = new AbortController();
  const reason = new Error('user gave up');
  afterTicks(3, () => controller.abort(reason));
  const error = await rejection(set.opAsync([{ op: -1 }], { signal: controller.signal }));
  assert.is(error.code, 'ABORT_ERR');
  assert.is(error.name, 'AbortError');
  assert.is(error.cause, reason);
  assert.is(error.id, set.id);
  assert.is(set.increaseWaiters(), 0, 'no thread is left waiting in the kernel');
  set.opSync([{ op: 1 }]);
  assert.is(set.value(), 1, 'the aborted wait did not take the post');
  // A signal aborted already: nothing is attempted, even a wait that would succeed.
  const early = await rejection(set.opAsync([{ op: -1 }], { signal: AbortSignal.abort() }));
  assert.is(early.code, 'ABORT_ERR');
  assert.is(set.value(), 1);
});

sysv('a set removed while an async wait is pending: EIDRM', async () => {
  const set = makeSet({ private: true, nsems: 1 });
  afterTicks(3, () => set.remove());
  const error = await rejection(set.opAsync([{ op: -1 }], { timeoutMs: 10_000 }));
  assert.is(error.code, 'EIDRM');
  assert.is(error.id, set.id);
  assert.match(error.message, 'removed');
});

sysv('misuse is EINVAL before any system call', () => {
  const set = makeSet({ private: true, nsems: 2 });
  misuse(() => SysVSemaphores.create({ key: freshKey(), nsems: 0 }), 'nsems must be an integer from 1');
  misuse(() => SysVSemaphores.create({ key: freshKey(), nsems: 70000 }), 'nsems');
  misuse(() => SysVSemaphores.create({ key: 0, nsems: 1 }), 'IPC_PRIVATE');
  misuse(() => SysVSemaphores.create({ nsems: 1 }), 'exactly one of key, path');
  misuse(() => SysVSemaphores.create({ key: freshKey(), nsems: 1, mode: 0o1777 }), 'mode');
  misuse(() => SysVSemaphores.create({ key: freshKey(), nsems: 2, values: [1] }), 'array of 2 numbers');
  misuse(() => SysVSemaphores.create({ key: freshKey(), nsems: 1, values: [32768] }), 'values[0]');
  misuse(() => SysVSemaphores.create({ key: freshKey(), nsems: 1, size: 1 } as never), "unknown option 'size'");
  misuse(() => SysVSemaphores.open({ key: 0 }), 'IPC_PRIVATE');
  misuse(() => SysVSemaphores.open({ key: 1, id: 2 } as never), 'exactly one of key, id or path');
  misuse(() => set.opSync([]), 'non-empty array');
  misuse(() => set.opSync([{ index: 2, op: 1 }]), 'ops[0].index must be an integer from 0 to 1');
  misuse(() => set.opSync([{ op: 32768 }]), 'ops[0].op');
  misuse(() => set.opSync([{ op: 1.5 }]), 'ops[0].op');
  misuse(() => set.opSync([{ op: 1, undo: 'yes' as never }]), 'undo must be true or false');
  misuse(() => set.opSync([{ op: 1, flags: 1 } as never]), "unknown option 'flags'");
  misuse(() => set.opSync([{ op: 1 }], { timeoutMs: -1 }), 'timeoutMs');
  misuse(() => set.value(2), 'index must be an integer from 0 to 1');
  misuse(() => set.setValue(0, -1), 'value');
  misuse(() => set.setValue(0, 40000), 'value');
  misuse(() => set.setValues([1, 2, 3]), 'array of 2 numbers');
  misuse(() => set.set({ mode: 0o7777 }), 'mode');
  assert.equal(set.values(), [0, 0], 'nothing happened');
});

sysv('misuse of opAsync rejects (never throws synchronously)', async () => {
  const set = makeSet({ private: true, nsems: 1 });
  const bad = [
    set.opAsync([{ index: 1, op: 1 }]),
    set.opAsync([{ op: 1 }], { signal: 'stop' as never }),
    set.opAsync([{ op: 1 }], { timeoutMs: NaN }),
  ];
  for (const promise of bad) {
    const error = await rejection(promise);
    assert.is(error.code, 'EINVAL');
    assert.is(error.syscall, undefined);
  }
  assert.is(set.value(), 0);
});

// ------------------------------------------------------------------ POSIX named

const named = suite('os-sem named');
named.after.each(cleanup);

named('open: create with value and exact mode (umask ignored), exclusive, open existing, ENOENT', () => {
  const name = freshName('named');
  const old = process.umask(0o077);
  let sem: NamedSemaphore;
  try {
    sem = makeNamed({ value: 3, mode: 0o644, exclusive: true }, name);
  } finally {
    process.umask(old);
  }
  assert.ok(sem.created);
  assert.is(sem.value, 3);
  assert.is(statSync(`/dev/shm/sem.${name.slice(1)}`).mode & 0o777, 0o644);
  const exists = thrown(() => NamedSemaphore.open(name, { create: true, exclusive: true }));
  assert.is(exists.code, 'EEXIST');
  assert.is(exists.syscall, 'sem_open');
  assert.is(exists.objectName, name);
  assert.match(exists.message, `shmkit rm --sem ${name}`);
  const again = keepOpen(NamedSemaphore.open(name, { create: true, value: 9 }));
  assert.is(again.created, false);
  assert.is(again.value, 3, 'an existing semaphore keeps its value');
  const plain = keepOpen(NamedSemaphore.open(name));
  assert.is(plain.value, 3);
  const missing = thrown(() => NamedSemaphore.open(freshName('missing')));
  assert.is(missing.code, 'ENOENT');
  assert.match(missing.message, 'create it first');
  const st = NamedSemaphore.stat(name);
  assert.equal([st.name, st.value, st.mode, st.uid], [name, 3, 0o644, process.getuid!()]);
});

named('waitSync, tryWait, post, value; waitSync with a timeout returns false', () => {
  const sem = makeNamed({ value: 2 });
  assert.ok(sem.waitSync());
  assert.ok(sem.tryWait());
  assert.is(sem.value, 0);
  assert.is(sem.tryWait(), false);
  assert.is(sem.waitSync({ timeoutMs: 20 }), false);
  assert.is(sem.waitSync({ timeoutMs: 0 }), false);
  sem.post();
  sem.post();
  assert.is(sem.value, 2);
  assert.ok(sem.waitSync({ timeoutMs: 20 }));
  assert.is(sem.value, 1);
  misuse(() => sem.waitSync({ timeout: 20 } as never), "unknown option 'timeout'");
});

named('the retired wait(ms) and SysV op() still work and warn once each', async () => {
  const warnings: string[] = [];
  const listen = (warning: Error) => warnings.push(warning.message);
  process.on('warning', listen);
  try {
    const sem = makeNamed({ value: 2 });
    assert.ok(sem.wait(20));
    assert.ok(sem.wait());
    const set = makeSet({ private: true, nsems: 1, values: [1] });
    assert.ok(set.op([{ op: -1 }]));
    assert.is(set.op([{ op: -1 }], { timeoutMs: 0 }), false);
    await new Promise((resolve) => setImmediate(resolve)); // process.emitWarning delivers on a later tick
  } finally {
    process.off('warning', listen);
  }
  assert.equal(warnings.filter((w) => w.includes('NamedSemaphore.wait()')).length, 1, warnings.join('\n'));
  assert.equal(warnings.filter((w) => w.includes('SysVSemaphores.op()')).length, 1, warnings.join('\n'));
});

named('waitAsync keeps the event loop running and resolves on a post from a later tick', async () => {
  const sem = makeNamed();
  const ticker = afterTicks(5, () => sem.post());
  assert.ok(await sem.waitAsync());
  assert.is(ticker.ticked(), 5);
  assert.is(sem.value, 0);
  assert.is(await sem.waitAsync({ timeoutMs: 30 }), false);
  assert.is(await sem.waitAsync({ timeoutMs: 0 }), false);
});

named('waitAsync aborted: ABORT_ERR, nothing taken; already-aborted signal rejects at once', async () => {
  const sem = makeNamed();
  const controller = new AbortController();
  afterTicks(3, () => controller.abort());
  const error = await rejection(sem.waitAsync({ signal: controller.signal }));
  assert.is(error.code, 'ABORT_ERR');
  assert.is(error.name, 'AbortError');
  assert.is(error.objectName, sem.name);
  assert.instance(error.cause, DOMException, 'the signal\'s default reason');
  sem.post();
  assert.is(sem.value, 1, 'the post is still there');
  assert.is((await rejection(sem.waitAsync({ signal: AbortSignal.abort() }))).code, 'ABORT_ERR');
  assert.is(sem.value, 1);
});

named('close: twice is harmless, use after close is EBADF, a pending waitAsync ends with EBADF', async () => {
  const sem = makeNamed({ value: 1 });
  const pending = (() => {
    const other = NamedSemaphore.open(sem.name);
    other.waitSync();
    const promise = other.waitAsync();
    afterTicks(3, () => other.close());
    return promise;
  })();
  const error = await rejection(pending);
  assert.is(error.code, 'EBADF');
  sem.post();
  assert.is(sem.value, 1, 'the closed wait took nothing');
  sem.close();
  sem.close();
  assert.ok(sem.closed);
  for (const use of [() => sem.post(), () => sem.tryWait(), () => sem.waitSync({ timeoutMs: 0 }), () => sem.value]) {
    assert.is(thrown(use).code, 'EBADF');
  }
  assert.is((await rejection(sem.waitAsync())).code, 'EBADF');
});

named('using closes; unlink removes the name while handles keep working', () => {
  const name = trackNamedSem(freshName('dispose'));
  {
    using sem = NamedSemaphore.open(name, { create: true, value: 1 });
    sem.unlink();
    assert.not.ok(NamedSemaphore.list().some((s) => s.name === name));
    assert.ok(sem.tryWait(), 'the handle outlives the name');
    sem.post();
  }
  assert.is(thrown(() => NamedSemaphore.open(name)).code, 'ENOENT');
  assert.is(thrown(() => NamedSemaphore.unlink(name)).code, 'ENOENT');
});

named('list shows /dev/shm/sem.* with values; listAll has both semaphore kinds', () => {
  const sem = makeNamed({ value: 4, mode: 0o640 });
  const set = makeSet({ private: true, nsems: 2 });
  const listed = NamedSemaphore.list().find((s) => s.name === sem.name);
  assert.equal(listed && [listed.value, listed.mode], [4, 0o640]);
  const all = listAll();
  const namedEntry = all.find((e) => e.kind === 'posix-sem' && e.name === sem.name)!;
  assert.is(namedEntry.value, 4);
  assert.is(namedEntry.size, null);
  const setEntry = all.find((e) => e.kind === 'sysv-sem' && e.id === set.id)!;
  assert.is(setEntry.nsems, 2);
  assert.is(setEntry.otime, null);
  assert.not.ok(all.some((e) => e.kind === 'posix' && e.name === sem.name), 'a semaphore is not a shared memory object');
});

named('names: the shm rules, at most 251 bytes; misuse is EINVAL before any call', () => {
  const ok = '/' + 'n'.repeat(251);
  trackNamedSem(ok);
  keepOpen(NamedSemaphore.open(ok, { create: true })).unlink();
  misuse(() => NamedSemaphore.open('/' + 'n'.repeat(252), { create: true }), 'at most 251');
  misuse(() => NamedSemaphore.open('no-slash', { create: true }), "must start with '/'");
  misuse(() => NamedSemaphore.open('/a/b', { create: true }), "only the leading '/'");
  misuse(() => NamedSemaphore.open('/', { create: true }), 'needs characters');
  misuse(() => NamedSemaphore.open(7 as never), 'must be a string');
  misuse(() => NamedSemaphore.open(freshName(), { value: 1 }), 'go with create: true');
  misuse(() => NamedSemaphore.open(freshName(), { create: true, value: -1 }), 'value');
  misuse(() => NamedSemaphore.open(freshName(), { create: true, value: 2 ** 31 }), 'value');
  misuse(() => NamedSemaphore.open(freshName(), { create: true, mode: 0o1000 }), 'mode');
  misuse(() => NamedSemaphore.open(freshName(), { create: 1 as never }), 'create must be true or false');
  misuse(() => NamedSemaphore.unlink('bad'), "must start with '/'");
  const sem = makeNamed();
  misuse(() => sem.waitSync({ timeoutMs: -5 }), 'timeoutMs');
});

layout.run();
sysv.run();
named.run();
