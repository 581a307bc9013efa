// Where shmkit meets other processes and other users: zombies count as dead
// everywhere, a timed-out openOrCreate leaves a live formatter's object
// alone, squatted names are refused, and sparse objects are reserved (or
// ENOSPC) at a writable open instead of SIGBUS at the first write.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Arena, MappedFile, Posix, SysV, openOrCreate } from '../host/index.js';
import { isAlive, isAliveWhileWaiting } from '../host/linux/liveness.js';
import { threadId } from '../host/linux/futex.js';
import { thrown } from './helpers/errors.js';
import { FIXTURES, ROOT, asNobody, run, shellQuote } from './helpers/processes.js';
import { readableBundle } from './helpers/readable-copy.js';
import { cleanup, freshKey, freshName, trackPath, trackPosix, trackSysV } from './helpers/resources.js';

const children: ChildProcess[] = [];
function afterEach(): void {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  cleanup();
}

const shm = (name: string) => '/dev/shm' + name;
const pause = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => Atomics.wait(pause, 0, 0, ms);

/** Polls `done` (sleeping between tries) until it holds; fails after `limitMs`, which only bounds a broken run. */
async function until(done: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > deadline) assert.unreachable(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat[stat.lastIndexOf(')') + 2];
  } catch {
    return undefined;
  }
}

/**
 * Runs `command` in the background of a shell that then becomes `sleep`,
 * which never reaps: when the command exits it stays a zombie. Resolves
 * with the zombie-to-be's pid and the lines it printed, once it is one.
 */
async function zombie(command: string, expectLines: number): Promise<{ pid: number; lines: string[] }> {
  const parent = spawn('/bin/sh', ['-c', `${command} & echo pid $!; exec sleep 600`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(parent);
  const lines: string[] = [];
  let pid = 0;
  createInterface({ input: parent.stdout! }).on('line', (line) => {
    if (line.startsWith('pid ')) pid = Number(line.slice(4));
    else lines.push(line);
  });
  await until(() => pid !== 0 && lines.length >= expectLines && procState(pid) === 'Z', 'the child to become a zombie');
  return { pid, lines };
}

const skipUnlessRoot = () => (process.getuid?.() === 0 ? false : (console.log('  (skipped: needs root to run a process as uid 65534)'), true));

const fixture = (args: string) => `${shellQuote(process.execPath)} --import tsx ${shellQuote(FIXTURES + 'os-hardening-peer.ts')} ${args}`;

// ---------------------------------------------------------------------------

const liveness = suite('liveness: one check, zombies are dead');
liveness.after.each(afterEach);

liveness('a zombie is dead to isAlive and processAlive, though kill(pid, 0) still succeeds on it', async () => {
  const { pid } = await zombie('sleep 0.1', 0);
  assert.not.throws(() => process.kill(pid, 0), 'kill(2) alone sees a zombie as alive');
  assert.is(isAlive(pid), false);
  // The throttled form used by wait loops agrees once it has watched the holder a while.
  isAliveWhileWaiting(pid);
  await until(() => !isAliveWhileWaiting(pid), 'the wait loop form to see the zombie');
});

liveness('live processes and threads are alive; reaped, impossible and group ids are dead', async () => {
  assert.ok(isAlive(process.pid));
  assert.ok(isAlive(threadId()), 'a kernel thread id (what the lock hosts store)');
  assert.ok(isAlive(1), 'pid 1');
  const child = spawn('sleep', ['600']);
  children.push(child);
  await until(() => procState(child.pid!) !== undefined, 'the child to start');
  assert.ok(isAlive(child.pid!));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  await until(() => procState(child.pid!) === undefined, 'the child to be reaped');
  assert.is(isAlive(child.pid!), false);
  for (const id of [0, -1, -process.pid, 1.5, NaN, Infinity, 2 ** 31, 2 ** 53]) assert.is(isAlive(id), false, `id ${id}`);
});

liveness('seen from another user: its live processes are alive (EPERM), its zombies dead', async () => {
  if (skipUnlessRoot()) return;
  // The check runs as uid 65534 from a copy that uid can read, wherever the checkout lives.
  const module = readableBundle('host/linux/liveness.ts');
  const { pid } = await zombie('sleep 0.1', 0);
  const probe = await run('/usr/bin/node', ['--input-type=module', '-e', `
    import { isAlive } from ${JSON.stringify(module)};
    let kill1 = 'ok';
    try { process.kill(1, 0); } catch (e) { kill1 = e.code; }
    console.log(JSON.stringify({ uid: process.getuid(), kill1, init: isAlive(1), zombie: isAlive(${pid}), self: isAlive(process.pid) }));
  `], { ...asNobody, cwd: '/' });
  assert.is(probe.code, 0, probe.stderr);
  assert.equal(JSON.parse(probe.stdout), { uid: 65534, kill1: 'EPERM', init: true, zombie: false, self: true });
});

liveness('openOrCreate takes over a format whose initialiser is a zombie', async () => {
  const name = trackPosix(freshName('zinit'));
  const { lines } = await zombie(fixture(`claim-exit ${name} 65536`), 1);
  assert.equal(lines, ['claimed']);
  using m = openOrCreate({ kind: 'posix', name, size: 65536, timeoutMs: 20_000 });
  assert.ok(m.initialised, 'the zombie initialiser was replaced');
  assert.is(m.creatorPid, process.pid);
});

liveness('a directory lock held by a zombie is taken over', async () => {
  const name = trackPosix(freshName('zlock'));
  const { lines } = await zombie(fixture(`lock-exit ${name} 65536`), 1);
  assert.equal(lines, ['locked']);
  using m = openOrCreate({ kind: 'posix', name, size: 65536, timeoutMs: 20_000 });
  m.create('after', { bytes: 16 });
  assert.equal(m.list().map((o) => o.name).sort(), ['after', 'before']);
});

liveness.run();

// ---------------------------------------------------------------------------

const removal = suite('openOrCreate removes only what it made and nobody formats');
removal.after.each(afterEach);

/** An arena that runs `hook` once, when the next window is claimed: after the object is made and sized, before its format is joined. */
class PausingArena extends Arena {
  hook: (() => void) | undefined;
  override claim(length: number, hugePages = false, readOnly = false) {
    const hook = this.hook;
    this.hook = undefined;
    hook?.();
    return super.claim(length, hugePages, readOnly);
  }
}

removal('a creator whose wait for a live formatter times out leaves the object to that formatter', async () => {
  const dir = trackPath(mkdtempSync(join(tmpdir(), 'shmkit-osh-')));
  const go = join(dir, 'go');
  const claimed = join(dir, 'claimed');
  const name = trackPosix(freshName('stall'));
  const formatter = spawn(process.execPath, ['--import', 'tsx', FIXTURES + 'os-hardening-peer.ts', 'claim-when', go, name, claimed], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  children.push(formatter);
  const arena = new PausingArena({ maxBytes: 1 << 20 });
  // Between our O_CREAT|O_EXCL and our format claim, the other process
  // opens the object and claims it first: the interleaving a real race has.
  arena.hook = () => {
    writeFileSync(go, '');
    const deadline = Date.now() + 20_000;
    while (!existsSync(claimed)) {
      if (Date.now() > deadline) throw new Error('the formatter never claimed the object');
      sleep(5);
    }
  };
  const error = thrown(() => openOrCreate({ kind: 'posix', name, size: 65536, timeoutMs: 300, arena }));
  assert.is(error.code, 'ETIMEDOUT');
  assert.ok(existsSync(shm(name)), 'the live formatter\'s object was removed');
  // It is the same object: once the formatter dies, the next opener takes it over.
  formatter.kill('SIGKILL');
  await new Promise((resolve) => formatter.once('exit', resolve));
  using m = openOrCreate({ kind: 'posix', name, size: 65536, timeoutMs: 20_000 });
  assert.ok(m.initialised);
});

removal('a creator that cannot format what it made removes it (all three named kinds)', () => {
  const name = trackPosix(freshName('tiny'));
  assert.is(thrown(() => openOrCreate({ kind: 'posix', name, size: 64 })).code, 'EINVAL');
  assert.not.ok(existsSync(shm(name)));

  const key = freshKey();
  assert.is(thrown(() => openOrCreate({ kind: 'sysv', key, size: 64 })).code, 'EINVAL');
  assert.is(thrown(() => SysV.stat({ key })).code, 'ENOENT');

  const dir = trackPath(mkdtempSync(join(tmpdir(), 'shmkit-osh-')));
  const path = join(dir, 'tiny');
  assert.is(thrown(() => openOrCreate({ kind: 'file', path, size: 64 })).code, 'EINVAL');
  assert.not.ok(existsSync(path));
});

removal('an object found, not made, is never removed by a failed openOrCreate', () => {
  const name = trackPosix(freshName('found'));
  Posix.create(name, { size: 64 }).close();
  assert.is(thrown(() => openOrCreate({ kind: 'posix', name, size: 64 })).code, 'EINVAL');
  assert.ok(existsSync(shm(name)));
});

removal('exclusive: openOrCreate fails with EEXIST on a name, key or path that exists, and keeps it', () => {
  const name = trackPosix(freshName('excl'));
  openOrCreate({ kind: 'posix', name, size: 65536, exclusive: true }).close();
  const posix = thrown(() => openOrCreate({ kind: 'posix', name, size: 65536, exclusive: true }));
  assert.is(posix.code, 'EEXIST');
  assert.ok(existsSync(shm(name)));

  const key = freshKey();
  const first = openOrCreate({ kind: 'sysv', key, size: 65536, exclusive: true });
  trackSysV((first.segment as SysV).id);
  first.close();
  assert.is(thrown(() => openOrCreate({ kind: 'sysv', key, size: 65536, exclusive: true })).code, 'EEXIST');
  assert.ok(SysV.stat({ key }));

  const dir = trackPath(mkdtempSync(join(tmpdir(), 'shmkit-osh-')));
  const path = join(dir, 'f');
  openOrCreate({ kind: 'file', path, size: 65536, exclusive: true }).close();
  assert.is(thrown(() => openOrCreate({ kind: 'file', path, size: 65536, exclusive: true })).code, 'EEXIST');
  assert.ok(existsSync(path));
});

removal.run();

// ---------------------------------------------------------------------------

const squat = suite('squatted names are refused');
squat.after.each(afterEach);


/** Runs a squatter as uid 65534 from nothing but the system's own node and python: no file of the checkout is needed. */
async function squatter(program: '/usr/bin/node' | '/usr/bin/python3', code: string, ...args: string[]): Promise<string> {
  const result = await run(program, program.endsWith('node') ? ['-e', code, '--', ...args] : ['-c', code, ...args], { ...asNobody, cwd: '/' });
  assert.is(result.code, 0, `the squatter failed: ${result.stderr}`);
  return result.stdout.trim();
}

const SQUAT_POSIX = `
  const fs = require('fs');
  const fd = fs.openSync(process.argv[1], 'wx', 0o666);
  fs.fchmodSync(fd, Number(process.argv[2]));
  fs.ftruncateSync(fd, 65536);`;

// shmget as the squatter, then (optionally) IPC_SET the owner to root and
// the mode to 0600: its creator may undo that whenever it likes.
const SQUAT_SYSV = `
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.shmctl.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
id = libc.shmget(ctypes.c_int(int(sys.argv[1]) - (1 << 32) if int(sys.argv[1]) >= 1 << 31 else int(sys.argv[1])), 65536, 0o1666)
assert id >= 0, ctypes.get_errno()
if sys.argv[2] == 'give-to-root':
    ds = ctypes.create_string_buffer(112)
    assert libc.shmctl(id, 2, ds) == 0, ctypes.get_errno()   # IPC_STAT
    ds[4:8] = (0).to_bytes(4, 'little')                     # shm_perm.uid
    ds[20:22] = (0o600).to_bytes(2, 'little')               # shm_perm.mode
    assert libc.shmctl(id, 1, ds) == 0, ctypes.get_errno()   # IPC_SET
print(id)`;

squat('a POSIX name made 0666 by another user first is refused (EPERM), then accepted when told', async () => {
  if (skipUnlessRoot()) return;
  const name = trackPosix(freshName('squat'));
  await squatter('/usr/bin/node', SQUAT_POSIX, shm(name), String(0o666));
  assert.is(statSync(shm(name)).uid, 65534);
  for (const attempt of [
    () => openOrCreate({ kind: 'posix', name, size: 65536 }),
    () => Posix.create(name, { size: 65536 }),
  ]) {
    const error = thrown(attempt);
    assert.is(error.code, 'EPERM');
    assert.is(error.objectName, name);
    assert.match(error.message, /uid 65534/);
    assert.match(error.message, /allowForeignOwner/);
  }
  assert.is(statSync(shm(name)).size, 65536, 'the refused object was changed');
  using m = openOrCreate({ kind: 'posix', name, size: 65536, mode: 0o666, allowForeignOwner: true });
  assert.ok(m.initialised);
});

squat('an object of our own that is wider open than asked is refused (EACCES) unless its mode is asked', () => {
  const name = trackPosix(freshName('wide'));
  Posix.create(name, { size: 65536, mode: 0o644 }).close();
  const error = thrown(() => openOrCreate({ kind: 'posix', name, size: 65536 }));
  assert.is(error.code, 'EACCES');
  assert.match(error.message, /0o644/);
  assert.match(error.message, /mode/);
  openOrCreate({ kind: 'posix', name, size: 65536, mode: 0o644 }).close();
  // Narrower than asked is fine.
  const narrow = trackPosix(freshName('narrow'));
  Posix.create(narrow, { size: 65536, mode: 0o600 }).close();
  openOrCreate({ kind: 'posix', name: narrow, size: 65536, mode: 0o660 }).close();
});

squat('a System V key taken by another user is refused, even after it handed the segment to root', async () => {
  if (skipUnlessRoot()) return;
  for (const how of ['keep', 'give-to-root']) {
    const key = freshKey();
    const id = trackSysV(Number(await squatter('/usr/bin/python3', SQUAT_SYSV, String(key), how)));
    const st = SysV.stat({ id });
    assert.is(st.cuid, 65534);
    assert.is(st.uid, how === 'keep' ? 65534 : 0);
    for (const attempt of [
      () => openOrCreate({ kind: 'sysv', key, size: 65536 }),
      () => SysV.create({ key, size: 65536 }),
    ]) {
      const error = thrown(attempt);
      assert.is(error.code, 'EPERM', how);
      assert.is(error.key, key);
      assert.match(error.message, how === 'keep' ? /owned by uid 65534/ : /created by uid 65534/);
    }
    assert.is(SysV.stat({ id }).nattch, 0n, 'the refused segment was attached');
    using m = openOrCreate({ kind: 'sysv', key, size: 65536, mode: 0o666, allowForeignOwner: true });
    assert.ok(m.initialised);
  }
});

squat('a file path taken by another user is refused by openOrCreate and by MappedFile.open({ create })', async () => {
  if (skipUnlessRoot()) return;
  const dir = trackPath(mkdtempSync(join(tmpdir(), 'shmkit-osh-')));
  chmodSync(dir, 0o1777); // like /tmp: anyone may make a name there
  const path = join(dir, 'app.shm');
  await squatter('/usr/bin/node', SQUAT_POSIX, path, String(0o600));
  assert.is(thrown(() => openOrCreate({ kind: 'file', path, size: 65536 })).code, 'EPERM');
  assert.is(thrown(() => MappedFile.open(path, { create: true, size: 65536 })).code, 'EPERM');
  assert.is(statSync(path).size, 65536);
  // A plain open is an explicit choice of that file, and is not refused.
  MappedFile.open(path).close();
});

squat.run();

// ---------------------------------------------------------------------------

const sparse = suite('sparse objects are reserved at a writable open');
sparse.after.each(afterEach);

const allocated = (path: string) => statSync(path).blocks * 512;

sparse('a POSIX object another program only ftruncated gets its pages at a writable open; read-only allocates nothing', () => {
  const name = trackPosix(freshName('sparse'));
  execFileSync('truncate', ['-s', String(1 << 20), shm(name)]);
  assert.is(allocated(shm(name)), 0);
  // Untouched: reading a hole makes tmpfs allocate that page, which is the reader's doing, not the open's.
  Posix.open(name, { readOnly: true }).close();
  assert.is(allocated(shm(name)), 0, 'a read-only open allocated');
  const rw = Posix.open(name);
  assert.ok(allocated(shm(name)) >= 1 << 20, 'a writable open left holes');
  rw.bytes.fill(7);
  rw.close();

  const lazy = trackPosix(freshName('noreserve'));
  execFileSync('truncate', ['-s', String(1 << 20), shm(lazy)]);
  Posix.open(lazy, { noreserve: true }).close();
  assert.is(allocated(shm(lazy)), 0, 'noreserve reserved');
});

sparse('a sparse regular file gets its pages at a writable open of MappedFile', () => {
  const dir = trackPath(mkdtempSync(join('/dev/shm', 'shmkit-osh-')));
  const path = join(dir, 'sparse');
  execFileSync('truncate', ['-s', String(1 << 20), path]);
  MappedFile.open(path, { readOnly: true }).close();
  assert.is(allocated(path), 0);
  MappedFile.open(path).close();
  assert.ok(allocated(path) >= 1 << 20);
});

sparse('on a full /dev/shm (a 1 MiB tmpfs in a mount namespace) a sparse object opened writable is ENOSPC, not SIGBUS', async () => {
  const command = `mount -t tmpfs -o size=1m tmpfs /dev/shm || exit 77; exec ${fixture('sparse-full')}`;
  const result = await run('unshare', ['-m', '/bin/sh', '-c', command]);
  if (result.code === 77 || /unshare failed|Operation not permitted/.test(result.stderr)) {
    return void console.log('  (skipped: no mount namespace with a tmpfs here)');
  }
  assert.is(result.signal, null, `the process died by ${result.signal}`);
  assert.is(result.code, 0, result.stderr);
  const r = JSON.parse(result.stdout);
  assert.is(r.bigger.code, 'ENOSPC');
  assert.is(r.bigger.syscall, 'fallocate');
  assert.match(r.bigger.message, /sparse/);
  assert.match(r.bigger.message, /read-only/);
  assert.ok(r.biggerStays, 'the refused object is kept');
  assert.is(r.biggerReadOnly.code, null, 'a read-only open of it works');
  assert.is(r.biggerAllocated, 0);
  assert.is(r.joinBigger.code, 'ENOSPC');
  assert.is(r.joinedSize, 64 << 10, 'a refused join leaves the size as it was');
  assert.is(r.joinedByte, 7);
  assert.is(r.noRoom.code, 'ENOSPC');
  assert.is(r.noRoomAllocated, 0, 'a failed reservation is undone');
  assert.is(r.fileNoRoom.code, 'ENOSPC');
  assert.is(r.noRoomLater.code, null);
  assert.ok(r.noRoomLaterAllocated >= 600 << 10);
});

sparse.run();
