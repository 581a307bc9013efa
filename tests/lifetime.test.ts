// Live users and the reaper, for real: users are processes, killed with
// SIGKILL; pids are recycled by the kernel; the reaper races openers in
// other processes; a scribbled user table never costs a segment in use.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManagedSegment, Posix, SysV, collectOrphans, openOrCreate, type CollectEntry } from '../host/index.js';
import { coreConstant } from '../host/core/core.js';
import { ownIdentity, startTicksOf } from '../host/linux/process-identity.js';
import { readNotes } from '../host/api/creation-note.js';
import { asNobody, fixtureStart, runCli } from './helpers/processes.js';
import { cleanup, freshKey, freshName, trackKey, trackPath, trackPosix, trackSysV } from './helpers/resources.js';

const test = suite('live users and gc');
test.after.each(cleanup);

interface User {
  pid: number;
  initialised: boolean;
  child: ChildProcess;
  kill(): Promise<void>;
  leave(): Promise<void>;
}

const users: User[] = [];
test.after.each(async () => {
  for (const user of users.splice(0)) await user.kill();
});

/** A process that opens the segment and holds it. */
function startUser(kind: 'posix' | 'sysv' | 'raw-sysv', target: string | number, option?: 'remove-when-unused', wrap: string[] = []): Promise<User> {
  const start = fixtureStart('lifetime-user.ts', {});
  const command = [...wrap, process.execPath, ...start.args, kind, String(target), ...(option ? [option] : [])];
  const child = spawn(command[0]!, command.slice(1), { ...start.options, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return new Promise((resolve, reject) => {
    child.on('close', (code) => reject(new Error(`user exited (${code}) before it opened: ${stderr}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const { pid, initialised } = JSON.parse(line) as { pid: number; initialised: boolean };
      const user: User = {
        pid, initialised, child,
        async kill() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
        async leave() {
          child.stdin!.end();
          await exited;
        },
      };
      users.push(user);
      resolve(user);
    });
  });
}

const named = (name: string) => existsSync(`/dev/shm${name}`);

interface Racer {
  opens: number;
  created: number;
  removedInUse: number;
}

/** Two opener processes (ROUNDS joins and leaves each) and a reaper that runs until they are done. */
async function race(name: string, rounds: number, option: string[]): Promise<{ openers: Racer[]; removed: number }> {
  const spawnRacer = (args: string[]) => {
    const start = fixtureStart('lifetime-racer.ts', {});
    const child = spawn(process.execPath, [...start.args, ...args], { ...start.options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const done = new Promise<string>((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`racer ${args.join(' ')} failed (${code}): ${stderr}`)))));
    return { pid: child.pid!, done };
  };
  const gate = trackPosix(freshName('race-gate'));
  Posix.create(gate, { size: 4096 }).close();
  const openers = [spawnRacer(['open', name, String(rounds), gate, ...option]), spawnRacer(['open', name, String(rounds), gate, ...option])];
  const reaper = spawnRacer(['reap', name, ...openers.map((o) => String(o.pid))]);
  const [a, b, r] = await Promise.all([...openers.map((o) => o.done), reaper.done]);
  return { openers: [JSON.parse(a!) as Racer, JSON.parse(b!) as Racer], removed: (JSON.parse(r!) as { removed: number }).removed };
}
const entryFor = (report: CollectEntry[], name: string) => report.find((e) => e.name === name);
/** The creation notes (api/creation-note.ts) naming a POSIX name or a System V key. */
const notesNaming = (target: string | number) => readNotes()
  .filter((n) => n.target !== undefined && (n.target.kind === 'posix' ? n.target.name === target : n.target.key === target))
  .map((n) => n.name);

test('openers register and leave; a second process is a second user', async () => {
  const name = trackPosix(freshName('users'));
  const mine = openOrCreate({ kind: 'posix', name, size: 65536 });
  try {
    assert.ok(mine.initialised);
    assert.equal(mine.users().map((u) => [u.pid, u.state]), [[process.pid, 'alive']]);
    const other = await startUser('posix', name);
    assert.not.ok(other.initialised);
    assert.equal(mine.users().map((u) => u.pid).sort(), [process.pid, other.pid].sort());
    await other.leave();
    assert.equal(mine.users().map((u) => u.pid), [process.pid]);
  } finally {
    mine.close();
  }
});

test('every user SIGKILLed: gc removes exactly the orphans, and keeps what is in use', async () => {
  const orphans = [trackPosix(freshName('orphan')), trackPosix(freshName('orphan'))];
  const inUse = trackPosix(freshName('inuse'));
  const raw = trackPosix(freshName('raw'));
  for (const name of orphans) {
    const first = await startUser('posix', name);
    await startUser('posix', name);
    assert.ok(first.initialised);
  }
  await startUser('posix', inUse);
  Posix.create(raw, { size: 4096 }).close();
  for (const user of users.slice(0, 4)) await user.kill();

  const dry = collectOrphans({ prefix: '/shmkit-test-', dryRun: true });
  for (const name of orphans) assert.equal(entryFor(dry, name)?.action, 'would-remove', name);
  for (const name of orphans) assert.ok(named(name), 'a dry run removes nothing');

  const report = collectOrphans({ prefix: '/shmkit-test-' });
  for (const name of orphans) {
    assert.equal(entryFor(report, name)?.action, 'removed', `${name}: ${entryFor(report, name)?.why}`);
    assert.not.ok(named(name));
  }
  assert.equal(entryFor(report, inUse)?.action, 'kept');
  assert.match(entryFor(report, inUse)!.why, /1 live user/);
  assert.equal(entryFor(report, raw)?.action, 'kept', 'raw objects only when asked');
  assert.ok(named(inUse) && named(raw));
});

test('System V: killed users make an orphan that gc removes; a live one keeps its segment', async () => {
  const dead = freshKey();
  const live = freshKey();
  await startUser('sysv', dead);
  await startUser('sysv', dead);
  await startUser('sysv', live);
  const deadId = trackSysV(SysV.stat({ key: dead }).id);
  const liveId = trackSysV(SysV.stat({ key: live }).id);
  for (const user of users.slice(0, 2)) await user.kill();
  // A key selects System V segments only: no POSIX object is looked at.
  const report = [...collectOrphans({ key: dead }), ...collectOrphans({ key: live })];
  assert.equal(report.map((e) => e.id), [deadId, liveId]);
  assert.equal(report[0]!.action, 'removed', report[0]!.why);
  assert.equal(report[1]!.action, 'kept');
  assert.not.ok(SysV.list().some((s) => s.id === deadId), 'no one attached: it went at once');
  assert.ok(SysV.list().some((s) => s.id === liveId));
});

const LAST_PID = '/proc/sys/kernel/ns_last_pid';

/** A new process (sleep) with the dead process's pid, or undefined where the kernel will not be asked for it (not root in the pid namespace). */
function recycle(pid: number): ChildProcess | undefined {
  // The next fork gets ns_last_pid + 1, unless another fork came first: try again.
  let impostor: ChildProcess | undefined;
  for (let tries = 0; tries < 20 && impostor?.pid !== pid; tries++) {
    impostor?.kill('SIGKILL');
    try {
      writeFileSync(LAST_PID, String(pid - 1));
    } catch {
      return undefined;
    }
    impostor = spawn('sleep', ['30'], { stdio: 'ignore' });
  }
  if (impostor?.pid === pid) return impostor;
  impostor?.kill('SIGKILL');
  return undefined;
}

test('a recycled pid (a live process with the dead user\'s pid, started later) counts as dead', async () => {
  const name = trackPosix(freshName('recycled'));
  const user = await startUser('posix', name);
  await user.kill();
  const impostor = recycle(user.pid);
  try {
    if (impostor === undefined) {
      console.log(`  (skipped: could not recycle pid ${user.pid} through ${LAST_PID}: needs root in the pid namespace)`);
      return;
    }
    const who = JSON.parse((await runCli(['who', name, '--json'])).stdout) as { orphaned: boolean; users: { pid: number; state: string }[] };
    assert.equal(who.users.map((u) => [u.pid, u.state]), [[user.pid, 'recycled']]);
    assert.equal(who.orphaned, true);
    const report = collectOrphans({ prefix: name });
    assert.equal(entryFor(report, name)?.action, 'removed');
  } finally {
    impostor?.kill('SIGKILL');
  }
});

test('raw System V: orphaned only when nothing is attached and its creator and last user are gone (or their pids recycled)', async () => {
  const key = trackKey(freshKey());
  const rawEntry = () => {
    const report = collectOrphans({ key, raw: true });
    assert.is(report.length, 1);
    return report[0]!;
  };
  const creator = await startUser('raw-sysv', key); // made it, detached, lives on
  const id = trackSysV(SysV.stat({ key }).id);
  assert.is(SysV.stat({ id }).nattch, 0n);
  let entry = rawEntry();
  assert.equal(entry.action, 'kept');
  assert.match(entry.why, new RegExp(`creator, process ${creator.pid}, still runs`));
  const lastUser = await startUser('raw-sysv', key); // attached and detached, lives on
  await creator.kill();
  entry = rawEntry();
  assert.equal(entry.action, 'kept');
  assert.match(entry.why, new RegExp(`last user, process ${lastUser.pid}, still runs`));
  await lastUser.kill();
  entry = rawEntry();
  assert.equal([entry.action, entry.why], ['removed', 'no shmkit header; no process has it attached, mapped or open']);
  assert.not.ok(SysV.list().some((s) => s.id === id));

  // A creator whose pid now names a later process: that process is not the creator.
  const made = Number(/id: (\d+)/.exec(execFileSync('ipcmk', ['-M', '4096', '-p', '0600'], { encoding: 'utf8' }))?.[1]);
  trackSysV(made);
  const { cpid, key: madeKey } = SysV.stat({ id: made });
  await new Promise((resolve) => setTimeout(resolve, 2100)); // past the kernel's whole-second times
  const impostor = recycle(cpid);
  try {
    if (impostor === undefined) return void console.log(`  (recycled creator skipped: could not recycle pid ${cpid} through ${LAST_PID})`);
    const report = collectOrphans({ key: madeKey, raw: true }).filter((e) => e.id === made);
    assert.equal(report.map((e) => e.action), ['removed'], report[0]?.why);
  } finally {
    impostor?.kill('SIGKILL');
  }
});

test('reapers racing openers thousands of times never remove a segment in use', async () => {
  const name = trackPosix(freshName('race'));
  const rounds = 1500;
  const { openers, removed } = await race(name, rounds, []);
  assert.equal(openers.map((o) => o.opens), [rounds, rounds]);
  assert.equal(openers[0]!.removedInUse + openers[1]!.removedInUse, 0, 'a segment was removed while a user held it');
  assert.ok(removed > 0, `the openers left it unused ${rounds / 100} times and waited, yet the reaper never removed it`);
  console.log(`  (race: ${2 * rounds} opens, ${removed} removals by the reaper, 0 removed in use)`);
});

test('last users removing the segment race joiners and a reaper: never removed in use', async () => {
  const name = trackPosix(freshName('race-last'));
  const rounds = 1000;
  const { openers } = await race(name, rounds, ['remove-when-unused']);
  assert.equal(openers.map((o) => o.opens), [rounds, rounds]);
  assert.equal(openers[0]!.removedInUse + openers[1]!.removedInUse, 0, 'a segment was removed while a user held it');
  assert.ok(openers[0]!.created + openers[1]!.created > 1, 'last users should have removed it, and openers made it anew');
  assert.not.ok(named(name), 'the last user to leave removed it');
});

/**
 * Openers churning and a reaper running, while processes are SIGKILLed at
 * random moments (mid-join, mid-leave, mid-removal) and started again; then
 * everyone is killed and gc (or the next user) cleans up. `target` is a
 * POSIX name or a System V key (decimal). Returns the segments found
 * removed while in use, and the kills.
 */
async function chaos(target: string, churnOption: string[], kills: number): Promise<{ removedInUse: string[]; kills: number }> {
  const removedInUse: string[] = [];
  const failures: string[] = [];
  const live = new Set<ChildProcess>();
  const start = (role: 'churn' | 'reap'): Promise<void> => {
    const fixture = fixtureStart('lifetime-racer.ts', {});
    const args = role === 'churn' ? ['churn', target, ...churnOption] : ['reap', target, String(process.pid)];
    const child = spawn(process.execPath, [...fixture.args, ...args], { ...fixture.options, stdio: ['ignore', 'pipe', 'pipe'] });
    (child as ChildProcess & { role?: string }).role = role;
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code, signal) => {
      live.delete(child);
      if (signal !== 'SIGKILL') failures.push(`${role} ended (${code ?? signal}): ${stderr}`);
    });
    return new Promise((resolve) => {
      if (role === 'reap') {
        live.add(child);
        resolve();
        return;
      }
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line === 'opened') {
          live.add(child); // only a process that is under way is worth killing
          resolve();
        } else if (line.startsWith('removed-in-use')) removedInUse.push(line);
      });
      child.on('close', () => resolve());
    });
  };
  await Promise.all([start('churn'), start('churn'), start('churn'), start('reap')]);
  try {
    for (let k = 0; k < kills; k++) {
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 60));
      const victims = [...live];
      const victim = victims[Math.floor(Math.random() * victims.length)]!;
      const role = (victim as ChildProcess & { role?: 'churn' | 'reap' }).role!;
      victim.kill('SIGKILL');
      await start(role);
      assert.equal(failures, [], 'no opener or reaper may fail or hang');
    }
  } finally {
    const ending = [...live].map((child) => new Promise((resolve) => child.on('close', resolve)));
    for (const child of live) child.kill('SIGKILL');
    await Promise.all(ending);
  }
  assert.equal(failures, []);
  return { removedInUse, kills };
}

test('processes killed at random while they open, leave and reap: nothing removed in use, nothing left', async () => {
  const name = trackPosix(freshName('chaos'));
  const { removedInUse, kills } = await chaos(name, [], 30);
  assert.equal(removedInUse, [], 'a segment was removed while a user held it');
  // Every user is dead now, whatever state they left it in: gc removes it.
  const entry = entryFor(collectOrphans({ prefix: name }), name);
  if (named(name)) assert.unreachable(`left behind: ${entry?.action}, ${entry?.why}`);
  assert.equal(notesNaming(name), [], 'no creation note left');
  console.log(`  (chaos: ${kills} kills, 0 removed in use, nothing left: ${entry ? entry.why : 'already gone'})`);
});

test('the same with removeWhenUnused: the next user after the killing cleans up', async () => {
  const name = trackPosix(freshName('chaos-last'));
  const { removedInUse } = await chaos(name, ['remove-when-unused'], 30);
  assert.equal(removedInUse, [], 'a segment was removed while a user held it');
  // No reaper needed: one more user comes and goes, and takes the name with it.
  openOrCreate({ kind: 'posix', name, size: 65536, removeWhenUnused: true, timeoutMs: 30_000 }).close();
  assert.not.ok(named(name), 'the last user to leave removed it');
  assert.equal(notesNaming(name), [], 'no creation note left');
});

test('System V alike: killed at random while they open, leave and reap, nothing removed in use, nothing left', async () => {
  const key = trackKey(freshKey());
  const { removedInUse, kills } = await chaos(String(key), [], 30);
  assert.equal(removedInUse, [], 'a segment was removed while a user held it');
  const report = collectOrphans({ key });
  const left = SysV.list().filter((s) => s.key === key);
  if (left.length > 0) assert.unreachable(`left behind: ${report.map((e) => `${e.action}, ${e.why}`).join('; ')}`);
  assert.equal(notesNaming(key), [], 'no creation note left');
  console.log(`  (chaos, System V: ${kills} kills, 0 removed in use, nothing left: ${report[0]?.why ?? 'already gone'})`);
});

test('System V with removeWhenUnused: killed at random, the next user after the killing cleans up', async () => {
  const key = trackKey(freshKey());
  const { removedInUse } = await chaos(String(key), ['remove-when-unused'], 30);
  assert.equal(removedInUse, [], 'a segment was removed while a user held it');
  openOrCreate({ kind: 'sysv', key, size: 65536, removeWhenUnused: true, timeoutMs: 30_000 }).close();
  assert.not.ok(SysV.list().some((s) => s.key === key && !s.removed), 'the last user to leave removed it');
  assert.equal(notesNaming(key), [], 'no creation note left');
});

test('a joiner killed between its two stores is judged like any user; once another pid namespace joined, it is unknown', async () => {
  const name = trackPosix(freshName('half-joined'));
  const mine = openOrCreate({ kind: 'posix', name, size: 65536 });
  const core = mine.segment.arena.core;
  const view = new DataView(mine.segment.arena.memory.buffer);
  const base = mine.segment.offset;
  const slotAt = (slot: number) => base + view.getUint32(base + coreConstant(core, 'H_USER_OFFSET'), true) + slot * coreConstant(core, 'USER_SLOT_SIZE');
  // What userJoin's first store leaves when its process dies before the
  // second: the token of a process that lived and died, no namespace word.
  const halfJoin = async (slot: number) => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('spawn', resolve));
    const token = BigInt.asUintN(64, core.userTokenOf(child.pid!, startTicksOf(child.pid!)!));
    const ended = new Promise((resolve) => child.once('close', resolve));
    child.kill('SIGKILL');
    await ended;
    view.setBigUint64(slotAt(slot) + coreConstant(core, 'U_TOKEN'), token, true);
  };
  try {
    await halfJoin(1);
    assert.equal(mine.users().map((u) => [u.slot, u.state]), [[0, 'alive'], [1, 'dead']]);
    // The next opener frees it, as any dead user's.
    openOrCreate({ kind: 'posix', name, size: 65536 }).close();
    assert.equal(mine.users().map((u) => u.slot), [0]);

    // A user from another pid namespace: from now on a half-joined slot cannot be placed.
    const foreign = await startUser('posix', name, undefined, ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc']).catch(() => undefined);
    if (foreign === undefined) return void console.log('  (namespace part skipped: no pid namespace here)');
    assert.equal(mine.users().map((u) => u.state), ['alive', 'unknown']);
    await halfJoin(5);
    assert.equal(mine.users().map((u) => [u.slot, u.state]), [[0, 'alive'], [1, 'unknown'], [5, 'joining']]);
  } finally {
    mine.close();
  }
});

/** A half-made segment (tests/fixtures/half-made.ts); resolves once its maker died or says it is ready. */
function halfMade(kind: 'posix' | 'sysv', target: string | number, stage: 'note' | 'empty' | 'object', end: 'die' | 'hang'): Promise<{ child: ChildProcess; notes: () => string[] }> {
  const start = fixtureStart('half-made.ts', {});
  const child = spawn(process.execPath, [...start.args, kind, String(target), stage, end], { ...start.options, stdio: ['ignore', 'pipe', 'pipe'] });
  const notes = () => readdirSync('/dev/shm').filter((n) => n.startsWith(`.shmkit-making-`) && n.split('-')[3] === String(child.pid));
  halfMakers.push({ child, notes });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    if (end === 'die') child.on('close', () => resolve({ child, notes }));
    else createInterface({ input: child.stdout! }).once('line', () => resolve({ child, notes }));
  });
}
const halfMakers: { child: ChildProcess; notes: () => string[] }[] = [];
test.after.each(() => {
  for (const { child, notes } of halfMakers.splice(0)) {
    child.kill('SIGKILL');
    for (const note of notes()) rmSync(`/dev/shm/${note}`, { force: true });
  }
});

test('a maker killed before it claimed the header leaves a blank object and a note: gc removes both, never a live maker\'s', async () => {
  const at = trackPosix(freshName('half'));
  // At work: its note and its object are kept.
  const working = await halfMade('posix', at, 'object', 'hang');
  assert.is(working.notes().length, 1);
  const note = `/${working.notes()[0]}`;
  let report = collectOrphans({ prefix: at });
  assert.equal(report.map((e) => e.action), ['kept', 'kept'], JSON.stringify(report));
  assert.match(report[0]!.why, new RegExp(`process ${working.child.pid} is making ${at}`));
  assert.ok(named(at));
  // Killed there: both go, the object through a condemnation like any other.
  const ended = new Promise((resolve) => working.child.once('close', resolve));
  working.child.kill('SIGKILL');
  await ended;
  assert.equal(collectOrphans({ prefix: at, olderThanMs: 60_000 }).map((e) => [e.name, e.action]), [[note, 'kept'], [at, 'kept']]);
  assert.equal(collectOrphans({ prefix: at, dryRun: true }).map((e) => e.action), ['would-remove', 'would-remove']);
  report = collectOrphans({ prefix: at });
  assert.equal(report.map((e) => [e.name, e.action]), [[at, 'removed'], [note, 'removed']]);
  assert.match(report[0]!.why, /never formatted: its maker, process \d+, died/);
  assert.not.ok(named(at));
  assert.equal(working.notes(), []);

  // Killed before the object was sized, or before it existed at all.
  const empty = await halfMade('posix', at, 'empty', 'die');
  assert.equal(collectOrphans({ prefix: at }).map((e) => e.action), ['removed', 'removed']);
  assert.not.ok(named(at));
  assert.equal(empty.notes(), []);
  const noteOnly = await halfMade('posix', at, 'note', 'die');
  assert.equal(collectOrphans({ prefix: at }).map((e) => e.action), ['removed']);
  assert.equal(noteOnly.notes(), []);

  // No gc: the next opener formats what the dead maker left blank, and takes its note away.
  const dead = await halfMade('posix', at, 'object', 'die');
  const joiner = openOrCreate({ kind: 'posix', name: at, size: 65536 });
  try {
    assert.ok(joiner.initialised);
    assert.equal(dead.notes(), []);
    assert.equal(collectOrphans({ prefix: at }).map((e) => [e.name, e.action]), [[at, 'kept']]);
  } finally {
    joiner.close();
  }
});

test('creation notes are untrusted: a FIFO or a link under a note name is never opened, garbage names nothing', async () => {
  const dead = spawn('true');
  await new Promise((resolve) => dead.once('close', resolve));
  const { namespace } = ownIdentity();
  const path = (seq: number) => trackPath(`/dev/shm/.shmkit-making-${namespace}-${dead.pid}-1-${seq}`);
  const victim = trackPosix(freshName('victim'));
  Posix.create(victim, { size: 4096 }).close();
  writeFileSync(trackPath(`/dev/shm${victim}.bait`), `posix ${victim}\n`);
  execFileSync('mkfifo', [path(1)]);
  symlinkSync(`/dev/shm${victim}.bait`, path(2));
  writeFileSync(path(3), Buffer.from([0xff, 0x00, 0x0a, 0x70, 0x6f, 0x73]));
  const report = collectOrphans({ prefix: victim }); // returns: a FIFO would have hung it
  assert.equal(report.map((e) => [e.name, e.action]), [[path(3).slice('/dev/shm'.length), 'removed'], [victim, 'kept'], [`${victim}.bait`, 'kept']]);
  assert.ok(existsSync(path(1)) && existsSync(path(2)) && named(victim));
});

test('System V alike: the blank segment of a maker killed before it claimed the header goes with its note', async () => {
  const key = trackKey(freshKey());
  const maker = await halfMade('sysv', key, 'object', 'die');
  assert.is(maker.notes().length, 1);
  const report = collectOrphans({ key });
  assert.equal(report.map((e) => [e.kind, e.action]), [['sysv', 'removed'], ['posix', 'removed']], JSON.stringify(report));
  assert.not.ok(SysV.list().some((s) => s.key === key));
  assert.equal(maker.notes(), []);
});

test('a scribbled user table is read as identities only: bounded, judged, never an address', () => {
  const name = trackPosix(freshName('scribble'));
  const mine = openOrCreate({ kind: 'posix', name, size: 65536 });
  try {
    const core = mine.segment.arena.core;
    const view = new DataView(mine.segment.arena.memory.buffer);
    const base = mine.segment.offset;
    const table = base + view.getUint32(base + coreConstant(core, 'H_USER_OFFSET'), true);
    const slots = view.getUint32(base + coreConstant(core, 'H_USER_CAPACITY'), true);
    const bytes = new Uint8Array(mine.segment.arena.memory.buffer, table, slots * coreConstant(core, 'USER_SLOT_SIZE'));
    const states = new Set(['alive', 'dead', 'recycled', 'unknown', 'joining']);
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < bytes.length; i++) bytes[i] = (Math.random() * 256) | 0;
      // Any bytes: judged as identities, never trusted as addresses or counts.
      const seen = mine.users();
      assert.ok(seen.length <= slots && seen.every((u) => states.has(u.state) && u.slot < slots));
    }
    bytes.fill(0);
    assert.equal(mine.users(), []);
  } finally {
    mine.close();
  }
});

test('a scribbled table of a segment another process maps: kept, with the kernel\'s word for it', async () => {
  const name = trackPosix(freshName('scribble2'));
  await startUser('posix', name);
  const mine = new ManagedSegment(Posix.open(name));
  const core = mine.segment.arena.core;
  const view = new DataView(mine.segment.arena.memory.buffer);
  const base = mine.segment.offset;
  const tableOffset = view.getUint32(base + coreConstant(core, 'H_USER_OFFSET'), true);
  const slots = view.getUint32(base + coreConstant(core, 'H_USER_CAPACITY'), true);
  mine.close(); // this process leaves: only the user process maps it now
  // Each scribble is unmapped before gc looks, so only the user process holds the object.
  const scribble = (write: (segment: Posix) => void) => {
    const segment = Posix.open(name);
    try {
      write(segment);
    } finally {
      segment.close();
    }
  };
  for (let round = 0; round < 20; round++) {
    scribble((segment) => {
      const bytes = new Uint8Array(segment.arena.memory.buffer, segment.offset + tableOffset, slots * coreConstant(core, 'USER_SLOT_SIZE'));
      if (round % 2 === 0) bytes.fill(0);
      else for (let i = 0; i < bytes.length; i++) bytes[i] = (Math.random() * 256) | 0;
    });
    const entry = entryFor(collectOrphans({ prefix: name }), name);
    assert.equal(entry?.action, 'kept', `round ${round}: ${entry?.why}`);
    // A zeroed table says nobody: the kernel overrules it (random bytes read as unknown users).
    if (round % 2 === 0) assert.match(entry!.why, /mapped or open elsewhere/);
    assert.ok(named(name));
  }
  // A header whose geometry is scribbled: reported corrupt, kept.
  scribble((segment) => new DataView(segment.arena.memory.buffer).setUint32(segment.offset + coreConstant(core, 'H_USER_CAPACITY'), 0xffff, true));
  const entry = entryFor(collectOrphans({ prefix: name }), name);
  assert.equal(entry?.action, 'kept');
  assert.match(entry!.why, /cannot be trusted/);
});

test('gc counts what its own process holds elsewhere: a scribbled table and a raw object stay', () => {
  const name = trackPosix(freshName('own'));
  const raw = trackPosix(freshName('own-raw'));
  const mine = openOrCreate({ kind: 'posix', name, size: 65536 });
  const held = Posix.create(raw, { size: 4096 });
  try {
    const core = mine.segment.arena.core;
    const view = new DataView(mine.segment.arena.memory.buffer);
    const base = mine.segment.offset;
    const table = base + view.getUint32(base + coreConstant(core, 'H_USER_OFFSET'), true);
    new Uint8Array(mine.segment.arena.memory.buffer, table, coreConstant(core, 'USER_SLOT_SIZE')).fill(0); // our own slot, scribbled away
    assert.equal(mine.users(), []);
    for (const [target, prefix] of [[name, name], [raw, raw]] as const) {
      const entry = entryFor(collectOrphans({ prefix, raw: true }), target);
      assert.equal(entry?.action, 'kept', `${target}: ${entry?.why}`);
      assert.match(entry!.why, /mapped or open elsewhere/);
    }
  } finally {
    held.close();
    mine.close();
  }
  // Let go of, the formatted one is an orphan by its table; the raw one is
  // one where every process can be looked at (some sandboxes hide pid 1).
  assert.equal(entryFor(collectOrphans({ prefix: name }), name)?.action, 'removed');
  assert.not.ok(named(name));
  const rawEntry = entryFor(collectOrphans({ prefix: raw, raw: true }), raw)!;
  if (rawEntry.action === 'kept') assert.match(rawEntry.why, /cannot tell/);
  else assert.equal([rawEntry.action, named(raw)], ['removed', false]);
});

test('gc as another user removes nothing it may not', async () => {
  const name = trackPosix(freshName('foreign'));
  const user = await startUser('posix', name);
  await user.kill();
  const run = await runCli(['gc', '--prefix', name, '--json'], asNobody);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as CollectEntry[];
  assert.equal(entryFor(report, name)?.action, 'kept');
  assert.ok(named(name), 'still there');
});

test('removeWhenUnused: the last user to leave removes it; one that died is removed by the next opener', async () => {
  const name = trackPosix(freshName('last'));
  const a = await startUser('posix', name, 'remove-when-unused');
  const b = await startUser('posix', name, 'remove-when-unused');
  assert.ok(a.initialised && !b.initialised);
  await a.leave();
  assert.ok(named(name), 'a user is still there');
  await b.leave();
  assert.not.ok(named(name), 'the last user removed it');

  const c = await startUser('posix', name, 'remove-when-unused');
  await startUser('posix', name, 'remove-when-unused');
  assert.ok(c.initialised);
  for (const user of users.slice(0)) await user.kill();
  assert.ok(named(name));
  const next = openOrCreate({ kind: 'posix', name, size: 65536, removeWhenUnused: true });
  try {
    assert.ok(next.initialised, 'a new segment, not the dead users\' one');
    assert.equal(next.users().map((u) => u.pid), [process.pid]);
  } finally {
    next.close();
  }
  assert.not.ok(named(name));
});

test('removal goes by name only while the name leads to the same object', () => {
  const name = trackPosix(freshName('renamed'));
  const old = openOrCreate({ kind: 'posix', name, size: 65536, removeWhenUnused: true });
  try {
    Posix.remove(name);
    Posix.create(name, { size: 4096 }).close(); // someone else's object under the same name
  } finally {
    old.close();
  }
  assert.ok(named(name), 'the last user of the old object left the new one alone');
});

test('shmkit ls and who show users and orphans', async () => {
  const live = trackPosix(freshName('ls-live'));
  const dead = trackPosix(freshName('ls-dead'));
  const holder = await startUser('posix', live);
  const gone = await startUser('posix', dead);
  await gone.kill();
  const list = JSON.parse((await runCli(['ls', '--json'])).stdout) as { name: string | null; format: string; users: number[] | null; orphaned: boolean | null }[];
  const row = (name: string) => list.find((e) => e.name === name)!;
  assert.equal([row(live).format, row(live).users, row(live).orphaned], ['ready', [holder.pid], false]);
  assert.equal([row(dead).format, row(dead).users, row(dead).orphaned], ['ready', [], true]);
  const who = await runCli(['who', dead]);
  assert.match(who.stdout, /orphaned/);
  assert.match(who.stdout, new RegExp(`${gone.pid}.*dead`));
  const gc = await runCli(['gc', '--dry-run', '--prefix', dead]);
  assert.match(gc.stdout, /would-remove/);
  assert.match(gc.stdout, /1 would be removed/);
  const both = JSON.parse((await runCli(['gc', '--dry-run', '--json', '--prefix', dead, '--key', '0x7ffffffe'])).stdout) as CollectEntry[];
  assert.equal(both.map((e) => [e.name, e.action]), [[dead, 'would-remove']], 'a key no segment has adds nothing');
  const refused = await runCli(['gc', '--key', 'twelve']);
  assert.is(refused.code, 2);
  assert.match(refused.stderr, /--key must be an integer/);
});

test('options are checked before anything is touched', () => {
  assert.throws(() => collectOrphans({ prefix: 'no-slash' }), /prefix/);
  assert.throws(() => collectOrphans({ olderThanMs: -1 }), /olderThanMs/);
  assert.throws(() => collectOrphans({ key: 2 ** 32 }), /key must be a 32-bit integer/);
  assert.throws(() => collectOrphans({ bogus: 1 } as never), /bogus/);
  assert.throws(() => openOrCreate({ kind: 'memfd', size: 65536, removeWhenUnused: true } as never), /removeWhenUnused/);
  assert.throws(() => openOrCreate({ kind: 'posix', name: freshName('bad'), size: 65536, userSlots: 0 }), /userSlots/);
});

test.run();
