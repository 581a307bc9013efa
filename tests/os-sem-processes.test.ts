// The OS semaphores across real processes: SEM_UNDO at exit and at kill -9,
// outcome tests under N processes × M operations, permissions as nobody,
// util-linux's ipcs/ipcrm/ipcmk, C programs built here with gcc, the CLI.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NamedSemaphore, SysV, SysVSemaphores } from '../host/index.js';
import { compileC } from './helpers/gcc.js';
import { thrown } from './helpers/errors.js';
import { FIXTURES, ROOT, asNobody, run, runCli, runFixture, type RunResult } from './helpers/processes.js';
import {
  cleanup, freshKey, freshName, keepOpen, trackNamedSem, trackSemSet, trackSysV,
} from './helpers/resources.js';

const hex = (key: number) => '0x' + key.toString(16).padStart(8, '0');

function makeSet(options: Parameters<typeof SysVSemaphores.create>[0]): SysVSemaphores {
  const set = SysVSemaphores.create(options);
  trackSemSet(set.id);
  return set;
}

function makeNamed(options: Parameters<typeof NamedSemaphore.open>[1] = {}): NamedSemaphore {
  return keepOpen(NamedSemaphore.open(trackNamedSem(freshName('psem')), { create: true, ...options }));
}

/** Runs tests/fixtures/sem-peer.ts to completion; returns its last JSON line. */
async function peer(request: object, options: SpawnOptions = {}): Promise<any> {
  const result = await runFixture('sem-peer.ts', [JSON.stringify(request)], options);
  assert.is(result.code, 0, `the peer failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!);
}

const running = new Set<ChildProcess>();
/** Kills peers a failed test left running (a holder never exits by itself). */
function killPeers(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Starts sem-peer.ts and resolves with it once it printed its first line. */
function startPeer(request: object): Promise<{ pid: number; line: any; exit: Promise<RunResult> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURES + 'sem-peer.ts', JSON.stringify(request)], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('close', () => running.delete(child));
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exit = new Promise<RunResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout: '', stderr })));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ pid: child.pid!, line: JSON.parse(line), exit }));
    exit.then((r) => reject(new Error(`peer exited before printing (code ${r.code}): ${stderr}`)));
  });
}

async function ok(command: string, args: string[]): Promise<RunResult> {
  const result = await run(command, args);
  assert.is(result.code, 0, `${command} ${args.join(' ')}: ${result.stderr}`);
  return result;
}

// ------------------------------------------------------------------ SEM_UNDO

const undo = suite('os-sem undo');
undo.after.each(() => {
  killPeers();
  cleanup();
});

undo('kill -9 of a process holding with SEM_UNDO: the kernel gives the unit back', async () => {
  const set = makeSet({ private: true, nsems: 1, values: [1] });
  const holder = await startPeer({ role: 'hold', set: set.id, undo: true });
  assert.equal(holder.line, { held: true, pid: holder.pid });
  assert.is(set.value(), 0);
  assert.is(set.lastPid(), holder.pid);
  process.kill(holder.pid, 'SIGKILL');
  assert.is((await holder.exit).signal, 'SIGKILL');
  assert.is(set.value(), 1, 'restored at exit');
});

undo('without SEM_UNDO a killed holder keeps the unit; with it a normal exit gives it back', async () => {
  const set = makeSet({ private: true, nsems: 1, values: [1] });
  const holder = await startPeer({ role: 'hold', set: set.id, undo: false });
  process.kill(holder.pid, 'SIGKILL');
  await holder.exit;
  assert.is(set.value(), 0, 'nothing undoes a plain semop');
  set.setValue(0, 1);
  const taken = await peer({ role: 'consume', set: set.id, iterations: 1, undo: true });
  assert.equal(taken, { result: { taken: 1 } });
  assert.is(set.value(), 1, 'the exit undid the take');
});

// ------------------------------------------------------------------ outcomes

const outcome = suite('os-sem outcomes');
outcome.after.each(cleanup);

const N = 4;
const M = 150;

/**
 * N processes × M increments of a plain counter, the semaphore as the lock,
 * all starting together once the gate opens. Half the processes wait async.
 */
async function lockedCounter(unit: { set: number } | { named: string }): Promise<number> {
  const seg = keepOpen(SysV.create({ private: true, size: 4096 }));
  trackSysV(seg.id);
  const gate = makeSet({ private: true, nsems: 1, values: [1] });
  const results = Promise.all(Array.from({ length: N }, (_, i) =>
    peer({ role: 'counter', ...unit, segment: seg.id, gate: gate.id, iterations: M, async: i % 2 === 0 })));
  let settled = false; // a peer that fails early must not leave this loop polling
  results.then(() => (settled = true), () => (settled = true));
  while (!settled && gate.zeroWaiters() < N) await new Promise((resolve) => setTimeout(resolve, 5));
  gate.setValue(0, 0);
  for (const result of await results) assert.equal(result, { result: { done: M } });
  return seg.view.getUint32(0, true);
}

outcome('a SysV semaphore as a lock: N processes × M increments end exact, the unit is back', async () => {
  const set = makeSet({ private: true, nsems: 1, values: [1] });
  assert.is(await lockedCounter({ set: set.id }), N * M, 'the only allowed outcome');
  assert.is(set.value(), 1);
});

outcome('a named semaphore as a lock: N processes × M increments end exact, the unit is back', async () => {
  const sem = makeNamed({ value: 1 });
  assert.is(await lockedCounter({ named: sem.name }), N * M, 'the only allowed outcome');
  assert.is(sem.value, 1);
});

/** Consumers (half async) start first and block; producers post; every post is taken exactly once. */
async function producersConsumers(unit: { set: number } | { named: string }): Promise<void> {
  const consumers = Array.from({ length: N }, (_, i) => peer({ role: 'consume', ...unit, iterations: M, async: i % 2 === 1 }));
  const producers = Array.from({ length: N }, () => peer({ role: 'produce', ...unit, iterations: M }));
  for (const result of await Promise.all(producers)) assert.equal(result, { result: { posted: M } });
  for (const result of await Promise.all(consumers)) assert.equal(result, { result: { taken: M } });
}

outcome('SysV: N producers × M posts, N consumers × M waits: every consumer gets M, the value ends 0', async () => {
  const set = makeSet({ private: true, nsems: 1 });
  await producersConsumers({ set: set.id });
  assert.is(set.value(), 0, 'no post lost (consumers would time out), none taken twice (value would be off)');
  assert.is(set.increaseWaiters(), 0);
});

outcome('named: N producers × M posts, N consumers × M waits: every consumer gets M, the value ends 0', async () => {
  const sem = makeNamed();
  await producersConsumers({ named: sem.name });
  assert.is(sem.value, 0);
  assert.is(sem.tryWait(), false, 'never below zero: nothing more to take');
});

// ------------------------------------------------------------------ permissions

const perms = suite('os-sem permissions');
perms.after.each(cleanup);

perms('nobody (uid 65534): EACCES on a 0600 set; may read a 0604 set but not operate on it', async () => {
  const closed = makeSet({ private: true, nsems: 1, mode: 0o600 });
  const denied = await peer({ role: 'probe', set: closed.id }, asNobody);
  assert.is(denied.result.uid, 65534);
  assert.equal([denied.result.read.code, denied.result.read.syscall], ['EACCES', 'semctl']);
  const readable = makeSet({ private: true, nsems: 1, mode: 0o604, values: [3] });
  const probe = await peer({ role: 'probe', set: readable.id }, asNobody);
  assert.equal(probe.result.read, { ok: true, value: 3 });
  assert.equal([probe.result.operate.code, probe.result.operate.syscall], ['EACCES', 'semop']);
  assert.is(readable.value(), 3, 'nothing changed');
});

perms('nobody: EACCES opening a 0600 named semaphore, allowed on 0606', async () => {
  const closed = makeNamed({ mode: 0o600 });
  const denied = await peer({ role: 'probe', named: closed.name }, asNobody);
  assert.equal([denied.result.open.code, denied.result.open.syscall], ['EACCES', 'sem_open']);
  const open = makeNamed({ mode: 0o606 });
  assert.is((await peer({ role: 'probe', named: open.name }, asNobody)).result.open.ok, true);
});

// ------------------------------------------------------------------ util-linux

const tools = suite('os-sem ipcs');
tools.after.each(cleanup);

tools('ipcs -s shows the set, ipcs -s -i its values, ipcrm -s removes it', async () => {
  const key = freshKey();
  const set = makeSet({ key, nsems: 3, mode: 0o640, values: [4, 0, 9] });
  const row = (await ok('ipcs', ['-s'])).stdout.split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[1] === String(set.id));
  assert.ok(row, 'ipcs -s lists the set');
  assert.equal([parseInt(row![0]!, 16) >>> 0, row![3], row![4]], [key, '640', '3']);
  const detail = (await ok('ipcs', ['-s', '-i', String(set.id)])).stdout;
  const values = detail.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => /^\d+$/.test(f[0] ?? '') && f.length >= 5).map((f) => Number(f[1]));
  assert.equal(values, [4, 0, 9]);
  await ok('ipcrm', ['-s', String(set.id)]);
  assert.is(thrown(() => set.stat()).code, 'EINVAL');
});

tools('a set made by ipcmk -S is opened and operated on by id', async () => {
  const made = (await ok('ipcmk', ['-S', '2', '-p', '0600'])).stdout;
  const id = trackSemSet(Number(/id:\s*(\d+)/.exec(made)![1]));
  const set = SysVSemaphores.open({ id });
  assert.is(set.nsems, 2);
  assert.ok(set.opSync([{ index: 1, op: 2 }]));
  assert.equal(set.values(), [0, 2]);
});

// ------------------------------------------------------------------ C programs

const c = suite('os-sem gcc');
c.after.each(cleanup);

const ROUNDS = 200;

c('a C program and shmkit take turns on a System V set (ping-pong, async on our side)', async () => {
  const binary = compileC(`
#include <stdio.h>
#include <stdlib.h>
#include <sys/sem.h>
#include <time.h>
static int turn(int id, unsigned short num, short op) {
  struct sembuf b = { num, op, 0 };
  struct timespec t = { 30, 0 };
  return semtimedop(id, &b, 1, &t);
}
int main(int argc, char **argv) {
  int id = atoi(argv[1]), rounds = atoi(argv[2]);
  for (int i = 0; i < rounds; i++) {
    if (turn(id, 0, -1) != 0) { perror("wait ping"); return 2; }
    if (turn(id, 1, 1) != 0) { perror("post pong"); return 3; }
  }
  printf("%d\\n", rounds);
  return 0;
}
`, 'sem-sysv-pingpong');
  const set = makeSet({ private: true, nsems: 2 });
  const child = run(binary, [String(set.id), String(ROUNDS)]);
  for (let i = 0; i < ROUNDS; i++) {
    assert.ok(set.opSync([{ index: 0, op: 1 }]));
    assert.ok(await set.opAsync([{ index: 1, op: -1 }], { timeoutMs: 30_000 }), `round ${i}`);
  }
  const result = await child;
  assert.is(result.code, 0, result.stderr);
  assert.is(result.stdout.trim(), String(ROUNDS));
  assert.equal(set.values(), [0, 0]);
});

c('a C program and shmkit take turns on POSIX named semaphores', async () => {
  const binary = compileC(`
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int main(int argc, char **argv) {
  sem_t *ping = sem_open(argv[1], 0), *pong = sem_open(argv[2], 0);
  if (ping == SEM_FAILED || pong == SEM_FAILED) { perror("sem_open"); return 1; }
  int rounds = atoi(argv[3]);
  for (int i = 0; i < rounds; i++) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += 30;
    if (sem_timedwait(ping, &t) != 0) { perror("wait ping"); return 2; }
    if (sem_post(pong) != 0) { perror("post pong"); return 3; }
  }
  sem_close(ping);
  sem_close(pong);
  printf("%d\\n", rounds);
  return 0;
}
`, 'sem-posix-pingpong', {}, ['-pthread']);
  const ping = makeNamed();
  const pong = makeNamed();
  const child = run(binary, [ping.name, pong.name, String(ROUNDS)]);
  for (let i = 0; i < ROUNDS; i++) {
    ping.post();
    assert.ok(i % 2 === 0 ? await pong.waitAsync({ timeoutMs: 30_000 }) : pong.waitSync({ timeoutMs: 30_000 }), `round ${i}`);
  }
  const result = await child;
  assert.is(result.code, 0, result.stderr);
  assert.is(result.stdout.trim(), String(ROUNDS));
  assert.equal([ping.value, pong.value], [0, 0]);
});

// ------------------------------------------------------------------ CLI

const cli = suite('os-sem cli');
cli.after.each(cleanup);

cli('ls shows semaphore sets and named semaphores in their own sections, and in --json', async () => {
  const key = freshKey();
  const set = makeSet({ key, nsems: 3, mode: 0o640 });
  set.opSync([{ op: 1 }]);
  const sem = makeNamed({ value: 7, mode: 0o604 });
  const text = await runCli(['ls']);
  assert.is(text.code, 0, text.stderr);
  assert.match(text.stdout, 'System V semaphore sets');
  assert.match(text.stdout, 'POSIX named semaphores');
  assert.match(text.stdout, new RegExp(`${hex(key)}\\s+${set.id}\\s+root\\s+0640\\s+3\\s`));
  assert.match(text.stdout, new RegExp(`${sem.name}\\s+root\\s+0604\\s+7`));

  const entries = JSON.parse((await runCli(['ls', '--json'])).stdout) as Record<string, any>[];
  const setEntry = entries.find((e) => e.kind === 'sysv-sem' && e.id === set.id)!;
  assert.equal(
    [setEntry.key, setEntry.nsems, setEntry.mode, setEntry.uid, setEntry.gid, setEntry.name, setEntry.size],
    [hex(key), 3, '0640', 0, 0, null, null],
  );
  assert.is(new Date(setEntry.otime).getTime(), set.stat().otime!.getTime());
  assert.is(new Date(setEntry.ctime).getTime(), set.stat().ctime!.getTime());
  const semEntry = entries.find((e) => e.kind === 'posix-sem' && e.name === sem.name)!;
  assert.equal([semEntry.value, semEntry.mode, semEntry.key, semEntry.id, semEntry.nsems], [7, '0604', null, null, null]);
  assert.not.ok(entries.some((e) => e.kind === 'posix' && e.name === sem.name));
  const listedIds = new Set(entries.filter((e) => e.kind === 'sysv-sem').map((e) => e.id));
  const ipcsIds = new Set((await ok('ipcs', ['-s'])).stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => /^0x/.test(f[0] ?? '')).map((f) => Number(f[1])));
  assert.equal(listedIds, ipcsIds, 'the same sets as ipcs -s');
});

cli('rm --sem removes a set by --key or --id and unlinks a named semaphore; rm without --sem leaves them', async () => {
  const key = freshKey();
  const byKey = makeSet({ key, nsems: 1 });
  const byId = makeSet({ private: true, nsems: 1 });
  const sem = makeNamed();

  const noSem = await runCli(['rm', '--key', hex(key)]);
  assert.is(noSem.code, 1, 'without --sem the key names a segment');
  assert.match(noSem.stderr, 'ENOENT');
  assert.ok(byKey.stat());

  const r1 = await runCli(['rm', '--sem', '--key', hex(key)]);
  assert.is(r1.code, 0, r1.stderr);
  assert.match(r1.stdout, `removed System V semaphore set id ${byKey.id}`);
  const r2 = await runCli(['rm', '--sem', '--id', String(byId.id)]);
  assert.is(r2.code, 0, r2.stderr);
  for (const set of [byKey, byId]) assert.is(thrown(() => set.stat()).code, 'EINVAL');

  const r3 = await runCli(['rm', '--sem', sem.name]);
  assert.is(r3.code, 0, r3.stderr);
  assert.is(thrown(() => NamedSemaphore.open(sem.name)).code, 'ENOENT');
  const again = await runCli(['rm', '--sem', sem.name]);
  assert.is(again.code, 1);
  assert.match(again.stderr, 'ENOENT');
  const bad = await runCli(['rm', '--sem', 'no-slash']);
  assert.is(bad.code, 2, 'misuse exits 2');
  assert.match(bad.stderr, 'POSIX semaphore name');
  const other = await runCli(['ls', '--sem']);
  assert.is(other.code, 2, 'only rm takes --sem');
});

undo.run();
outcome.run();
perms.run();
tools.run();
c.run();
cli.run();
