// Concurrent initialisation and crashes, with real processes: many openers
// racing on one fresh segment, an initialiser killed half-way, a directory
// lock holder killed mid-change.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManagedSegment, Posix, ShmError, SysV, openOrCreate } from '../host/index.js';
import { FIXTURES, ROOT } from './helpers/processes.js';
import { cleanup, freshKey, freshName, trackPosix, trackSysV } from './helpers/resources.js';

const race = suite('format races and crashes');
const children: ChildProcess[] = [];
race.after.each(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  cleanup();
});

function peer(args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURES + 'format-peer.ts', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  return child;
}

/** The child's stdout, line by line. */
function lines(child: ChildProcess): AsyncIterator<string> {
  return createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
}

async function nextLine(reader: AsyncIterator<string>): Promise<string> {
  const { value, done } = await reader.next();
  if (done) throw new Error('the peer exited before answering');
  return value;
}

function firstLine(child: ChildProcess): Promise<string> {
  return nextLine(lines(child));
}

interface Outcome { initialised?: boolean; creator?: number; commonOffset?: number; error?: string }

async function racers(count: number, args: string[]): Promise<Outcome[]> {
  const procs = Array.from({ length: count }, () => peer(['open', ...args]));
  const readers = procs.map(lines);
  // Every process has loaded before the start signal, so they really race.
  for (const line of await Promise.all(readers.map(nextLine))) assert.is(line, 'ready');
  for (const p of procs) p.stdin!.write('go\n');
  return (await Promise.all(readers.map(nextLine))).map((line) => JSON.parse(line) as Outcome);
}

function checkRace(outcomes: Outcome[], count: number, open: () => ManagedSegment): void {
  // Allowed outcome: exactly one initialiser, everybody agreeing on who and where.
  assert.equal(outcomes.filter((o) => o.error), [], 'no opener failed');
  assert.is(outcomes.filter((o) => o.initialised).length, 1, 'exactly one process formats');
  assert.is(new Set(outcomes.map((o) => o.creator)).size, 1, 'all see the same creator');
  assert.is(new Set(outcomes.map((o) => o.commonOffset)).size, 1, "all find the same 'common'");
  using m = open();
  assert.is(m.initialised, false);
  const names = m.list().map((o) => o.name).sort();
  assert.is(names.length, count + 1, names.join(','));
  assert.is(names.filter((n) => n === 'common').length, 1);
}

race('8 processes racing openOrCreate on one fresh POSIX object: one formats, all agree', async () => {
  const name = trackPosix(freshName('race'));
  const outcomes = await racers(8, ['posix', name, String(1 << 20)]);
  checkRace(outcomes, 8, () => openOrCreate({ kind: 'posix', name, size: 1 << 20 }));
});

race('8 processes racing on one fresh System V key: one formats, all agree', async () => {
  const key = freshKey();
  const outcomes = await racers(8, ['sysv', String(key), String(1 << 20)]);
  trackSysV(SysV.stat({ key }).id);
  checkRace(outcomes, 8, () => openOrCreate({ kind: 'sysv', key, size: 1 << 20 }));
});

race('an initialiser killed with SIGKILL half-way is replaced; while it lives, openers time out clearly', async () => {
  for (const half of [false, true]) {
    const name = trackPosix(freshName('killinit'));
    const holder = peer(['hold-init', name, String(1 << 16), half ? 'half' : 'clean']);
    assert.is(await firstLine(holder), 'holding');
    assert.throws(() => openOrCreate({ kind: 'posix', name, size: 1 << 16, timeoutMs: 200 }),
      (e: ShmError) => e.code === 'ETIMEDOUT' && /initialised/.test(e.message));
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    using m = openOrCreate({ kind: 'posix', name, size: 1 << 16, timeoutMs: 5000 });
    assert.ok(m.initialised, 'the next opener took over');
    assert.is(m.creatorPid, process.pid);
    m.create('after', { bytes: 16 });
    assert.equal(m.list().map((o) => o.name), ['after']);
  }
});

race('a directory lock holder killed mid-change: the lock is taken over and its half entry dropped', async () => {
  for (const half of [false, true]) {
    const name = trackPosix(freshName('killlock'));
    const holder = peer(['hold-lock', name, String(1 << 16), half ? 'half' : 'clean']);
    assert.is(await firstLine(holder), 'locked');
    using m = openOrCreate({ kind: 'posix', name, size: 1 << 16, timeoutMs: 200 });
    assert.throws(() => m.create('blocked', { bytes: 16 }), (e: ShmError) => e.code === 'ETIMEDOUT');
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    m.create('after', { bytes: 16 });
    assert.equal(m.list().map((o) => o.name).sort(), ['after', 'before']);
  }
});

race('a segment whose creator vanished before formatting is formatted by the next opener', () => {
  const name = trackPosix(freshName('blank'));
  Posix.create(name, { size: 1 << 16 }).close(); // created, never formatted
  using m = openOrCreate({ kind: 'posix', name, size: 1 << 16 });
  assert.ok(m.initialised);
});

race.run();
