// System V segments against the real kernel: create/open/stat/set/remove/
// lock/list/limits/usage/ftok, read-only attachments, SHM_RND, huge pages.
import { suite } from 'uvu';
import { thrown } from './helpers/errors.js';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { Arena, SysV, ShmError } from '../host/index.js';
import * as sys from '../host/linux/sysv.js';
import { IPC_CREAT, SHM_DEST, SHM_LOCKED, SHM_REMAP, SHM_RND } from '../host/linux/constants.js';
import { libc } from '../host/linux/libc.js';
import { cleanup, keepOpen, freshKey, trackPath, trackSysV } from './helpers/resources.js';

const test = suite('sysv');

// Every attachment a test makes is closed after it, then every segment removed.
const everyId = new Set<number>();
function keep<T extends SysV>(segment: T): T {
  keepOpen(segment);
  trackSysV(segment.id);
  everyId.add(segment.id);
  return segment;
}
test.after.each(cleanup);

const MiB = 1024 * 1024;
const HUGE = 2 * MiB;


function expectCode(fn: () => unknown, code: string): ShmError {
  const error = thrown(fn);
  assert.is(error.code, code, error.message);
  return error;
}

/** True when no segment has `key` (asked of the kernel directly). */
function keyIsFree(key: number): boolean {
  return libc.shmget(key | 0, 0, 0) === -1;
}

function exec(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8' });
}

interface ProcShm {
  key: number; id: number; perms: number; size: bigint; cpid: number; lpid: number; nattch: bigint;
  uid: number; gid: number; cuid: number; cgid: number; atime: number; dtime: number; ctime: number;
}

/** /proc/sysvipc/shm, parsed. */
function procShm(): Map<number, ProcShm> {
  const rows = new Map<number, ProcShm>();
  for (const line of readFileSync('/proc/sysvipc/shm', 'utf8').trim().split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const row: ProcShm = {
      key: Number(f[0]) >>> 0, id: Number(f[1]), perms: parseInt(f[2]!, 8), size: BigInt(f[3]!),
      cpid: Number(f[4]), lpid: Number(f[5]), nattch: BigInt(f[6]!), uid: Number(f[7]), gid: Number(f[8]),
      cuid: Number(f[9]), cgid: Number(f[10]), atime: Number(f[11]), dtime: Number(f[12]), ctime: Number(f[13]),
    };
    rows.set(row.id, row);
  }
  return rows;
}

/** `ipcs -m` rows by shmid: key, owner, perms, bytes, nattch, status. */
function ipcsRows(): Map<number, { key: number; owner: string; perms: number; bytes: number; nattch: number; status: string }> {
  const rows = new Map();
  for (const line of exec('ipcs', ['-m']).split('\n')) {
    const f = line.trim().split(/\s+/);
    if (!/^0x[0-9a-f]+$/.test(f[0] ?? '')) continue;
    rows.set(Number(f[1]), {
      key: parseInt(f[0]!, 16) >>> 0, owner: f[2], perms: parseInt(f[3]!, 8), bytes: Number(f[4]), nattch: Number(f[5]),
      status: f.slice(6).join(' '),
    });
  }
  return rows;
}

/** Seconds of a kernel time (0 for "never"), from what stat() gives. */
const secondsOf = (date: Date | null) => (date === null ? 0 : date.getTime() / 1000);

function tempFile(tag: string): string {
  const dir = trackPath(mkdtempSync(join(tmpdir(), `shmkit-sysv-${tag}-`)));
  const file = join(dir, 'key-file');
  writeFileSync(file, 'ftok me');
  return file;
}

// ---------------------------------------------------------------- create/open

test('create with an explicit key: ids, sizes and status as the kernel reports them', () => {
  const key = freshKey();
  const before = Math.floor(Date.now() / 1000) * 1000;
  const seg = keep(SysV.create({ key, size: 10000 }));
  assert.is(seg.key, key);
  assert.is(seg.created, true);
  assert.is(seg.size, 10000);
  assert.is(seg.mappedSize, 12288);
  assert.is(seg.readOnly, false);
  assert.is(seg.offset % 65536, 0);
  assert.is(seg.bytes.length, 10000);
  assert.ok(seg.bytes.buffer instanceof SharedArrayBuffer);
  assert.is(seg.description, `System V segment 0x${key.toString(16).padStart(8, '0')} (id ${seg.id})`);

  const st = seg.stat();
  assert.is(st.id, seg.id);
  assert.is(st.key, key);
  assert.is(typeof st.size, 'bigint');
  assert.is(st.size, 10000n);
  assert.is(st.mode, 0o600, 'default mode is 0600');
  assert.is(st.uid, process.getuid!());
  assert.is(st.gid, process.getgid!());
  assert.is(st.cuid, process.getuid!());
  assert.is(st.cgid, process.getgid!());
  assert.is(st.cpid, process.pid);
  assert.is(st.lpid, process.pid);
  assert.is(st.nattch, 1n);
  assert.is(st.removed, false);
  assert.is(st.locked, false);
  assert.instance(st.atime, Date);
  assert.instance(st.ctime, Date);
  assert.is(st.dtime, null, 'never detached yet');
  for (const t of [st.atime!, st.ctime!]) {
    assert.is(t.getTime() % 1000, 0, 'kernel times are whole seconds');
    assert.ok(t.getTime() >= before && t.getTime() <= Date.now(), `time ${t.toISOString()} is from this test`);
  }
  assert.equal(SysV.stat({ key }), st);
  assert.equal(SysV.stat({ id: seg.id }), st);
});

test('open by key and by id sees the same bytes; nattch and dtime follow attachments', () => {
  const key = freshKey();
  const a = keep(SysV.create({ key, size: 5000, mode: 0o640 }));
  a.bytes.set([1, 2, 3], 100);
  const b = keep(SysV.open({ key }));
  assert.is(b.created, false);
  assert.is(b.id, a.id);
  assert.is(b.key, key);
  assert.is(b.size, 5000, 'an opened segment has its own size');
  assert.ok(b.offset !== a.offset, 'a second attachment has its own window');
  assert.equal([...b.bytes.subarray(100, 103)], [1, 2, 3]);
  b.bytes[4999] = 0x5a;
  assert.is(a.bytes[4999], 0x5a, 'a write through one attachment shows in the other');
  const c = keep(SysV.open({ id: a.id }));
  assert.is(c.key, key);
  assert.is(a.stat().nattch, 3n);
  c.close();
  assert.is(c.closed, true);
  c.close(); // idempotent
  const st = a.stat();
  assert.is(st.nattch, 2n);
  assert.instance(st.dtime, Date);
  assert.is(st.mode, 0o640);
  b[Symbol.dispose]();
  assert.is(b.closed, true);
  assert.is(a.stat().nattch, 1n);
  assert.is(expectCode(() => c.bytes, 'EBADF').syscall, undefined);
});

test('create of an existing key opens it unless exclusive (EEXIST)', () => {
  const key = freshKey();
  const first = keep(SysV.create({ key, size: 4096, exclusive: true }));
  first.bytes[7] = 77;
  const again = keep(SysV.create({ key, size: 4096 }));
  assert.is(again.created, false);
  assert.is(again.id, first.id);
  assert.is(again.bytes[7], 77);
  const error = expectCode(() => SysV.create({ key, size: 4096, exclusive: true }), 'EEXIST');
  assert.is(error.syscall, 'shmget');
  assert.is(error.errno, -17);
  assert.is(error.key, key);
  assert.match(error.message, key.toString(16));
  assert.is(first.stat().nattch, 2n, 'the failed exclusive create attached nothing');
});

test('create of an existing, larger segment maps all of it and leaves neighbouring windows alone', () => {
  // shmget accepts a size up to the segment's, and shmat maps the whole
  // segment: a window sized from the request would be overrun.
  const arena = new Arena({ maxBytes: 64 * 65536 });
  const key = freshKey();
  const owner = keep(SysV.create({ key, size: 4 * 65536, exclusive: true, arena }));
  owner.bytes.fill(0xaa);
  const hole = keep(SysV.create({ private: true, size: 4096, arena }));
  const neighbour = keep(SysV.create({ private: true, size: 65536, arena }));
  neighbour.bytes.fill(0x11);
  hole.close(); // a one-unit gap right before the neighbour
  const again = keep(SysV.create({ key, size: 4096, arena }));
  assert.is(again.created, false);
  assert.is(again.size, 4 * 65536, 'the size is the segment\'s own');
  assert.is(again.mappedSize, 4 * 65536);
  assert.is(again.bytes[4 * 65536 - 1], 0xaa);
  assert.is(neighbour.bytes[0], 0x11, 'the neighbour still shows its own segment');
  assert.is(neighbour.stat().nattch, 1n, 'the neighbour is still attached');
  again.close();
  assert.is(neighbour.bytes[65535], 0x11);
  assert.is(owner.stat().nattch, 1n);
});

test('create asking more than an existing segment holds is EINVAL from shmget', () => {
  const key = freshKey();
  keep(SysV.create({ key, size: 4096 }));
  const error = expectCode(() => SysV.create({ key, size: 8192 }), 'EINVAL');
  assert.is(error.syscall, 'shmget');
  assert.is(error.key, key);
});

test('IPC_PRIVATE: key 0, a new segment each time, reachable by id only', () => {
  const a = keep(SysV.create({ private: true, size: 4096 }));
  const b = keep(SysV.create({ private: true, size: 4096 }));
  assert.is(a.key, 0);
  assert.is(a.created, true);
  assert.ok(a.id !== b.id);
  assert.is(a.stat().key, 0);
  assert.is(a.description, `System V segment id ${a.id}`);
  a.bytes[0] = 9;
  const again = keep(SysV.open({ id: a.id }));
  assert.is(again.bytes[0], 9);
  assert.is(again.key, 0);
  const error = expectCode(() => SysV.open({ key: 0 }), 'EINVAL');
  assert.is(error.syscall, undefined);
  assert.match(error.message, 'IPC_PRIVATE');
});

test('ftok keys: path + proj (0 included) match glibc\'s formula and create/open/stat by path', () => {
  const file = tempFile('ftok');
  const st = statSync(file, { bigint: true });
  const expected = (proj: number) =>
    Number((st.ino & 0xffffn) | ((st.dev & 0xffn) << 16n) | (BigInt(proj & 0xff) << 24n)) >>> 0;
  assert.is(SysV.ftok(file, 0), expected(0));
  assert.is(SysV.ftok(file, 7), expected(7));
  assert.is(SysV.ftok(file, 255), expected(255));
  assert.is(SysV.ftok(file), expected(1), 'proj defaults to 1');
  // C's ftok of the same file agrees too, through the libc binding.
  assert.is(libc.ftok(file, 0) >>> 0, expected(0));

  for (const key of [expected(0), expected(1), expected(7)]) assert.ok(keyIsFree(key), `ftok key ${key.toString(16)} is taken already`);
  const zero = keep(SysV.create({ path: file, proj: 0, size: 4096, exclusive: true }));
  const one = keep(SysV.create({ path: file, size: 4096, exclusive: true }));
  assert.is(zero.key, expected(0));
  assert.is(zero.stat().key, expected(0));
  assert.is(one.key, expected(1));
  assert.ok(zero.id !== one.id);
  zero.bytes[1] = 0x42;
  const opened = keep(SysV.open({ path: file, proj: 0 }));
  assert.is(opened.id, zero.id);
  assert.is(opened.bytes[1], 0x42);
  assert.is(SysV.stat({ path: file }).id, one.id);
  expectCode(() => SysV.open({ path: file, proj: 7 }), 'ENOENT');
});

test('ftok of a missing path is ENOENT from ftok, naming the path', () => {
  const missing = join(tmpdir(), `shmkit-sysv-missing-${process.pid}`);
  for (const fn of [() => SysV.ftok(missing, 1), () => SysV.create({ path: missing, size: 4096 }), () => SysV.open({ path: missing })]) {
    const error = expectCode(fn, 'ENOENT');
    assert.is(error.syscall, 'ftok');
    assert.is(error.path, missing);
    assert.match(error.message, missing);
  }
});

test('opening, stat-ing, setting or removing what is not there fails with the kernel\'s code', () => {
  const key = freshKey();
  for (const fn of [() => SysV.open({ key }), () => SysV.stat({ key }), () => SysV.remove({ key }), () => SysV.set({ key }, { mode: 0o600 })]) {
    const error = expectCode(fn, 'ENOENT');
    assert.is(error.syscall, 'shmget');
    assert.is(error.errno, -2);
    assert.is(error.key, key);
  }
  // An id nobody holds: make one and remove it, so it is certainly free.
  const gone = sys.shmget(0, 4096, IPC_CREAT | 0o600);
  sys.shmRemove(gone);
  for (const fn of [() => SysV.open({ id: gone }), () => SysV.stat({ id: gone }), () => SysV.remove({ id: gone }), () => SysV.lock({ id: gone })]) {
    const error = expectCode(fn, 'EINVAL');
    assert.is(error.syscall, 'shmctl');
    assert.is(error.id, gone);
  }
});

test('bad sizes, modes, keys and options are EINVAL before any system call', () => {
  const key = freshKey();
  const file = tempFile('bad');
  const handle = keep(SysV.create({ private: true, size: 4096 }));
  const cases: [string, () => unknown][] = [
    ['size 0', () => SysV.create({ key, size: 0 })],
    ['size -1', () => SysV.create({ key, size: -1 })],
    ['size 1.5', () => SysV.create({ key, size: 1.5 })],
    ['size NaN', () => SysV.create({ key, size: NaN })],
    ['size string', () => SysV.create({ key, size: '4096' as unknown as number })],
    ['size 2^53', () => SysV.create({ key, size: 2 ** 53 })],
    ['no size', () => SysV.create({ key } as unknown as { size: number })],
    ['mode -1', () => SysV.create({ key, size: 4096, mode: -1 })],
    ['mode 0o1000', () => SysV.create({ key, size: 4096, mode: 0o1000 })],
    ['mode 1.5', () => SysV.create({ key, size: 4096, mode: 1.5 })],
    ['mode string', () => SysV.create({ key, size: 4096, mode: '600' as unknown as number })],
    ['key 1.5', () => SysV.create({ key: 1.5, size: 4096 })],
    ['key 2^32', () => SysV.create({ key: 2 ** 32, size: 4096 })],
    ['key below int32', () => SysV.create({ key: -(2 ** 31) - 1, size: 4096 })],
    ['key string', () => SysV.create({ key: 'k' as unknown as number, size: 4096 })],
    ['key 0 without private', () => SysV.create({ key: 0, size: 4096 })],
    ['key and private', () => SysV.create({ key, private: true, size: 4096 })],
    ['key and path', () => SysV.create({ key, path: file, size: 4096 })],
    ['no key at all', () => SysV.create({ size: 4096 })],
    ['proj without path', () => SysV.create({ key, proj: 1, size: 4096 })],
    ['proj 256', () => SysV.create({ path: file, proj: 256, size: 4096 })],
    ['proj -1', () => SysV.create({ path: file, proj: -1, size: 4096 })],
    ['empty path', () => SysV.create({ path: '', size: 4096 })],
    ['NUL in path', () => SysV.create({ path: file + '\0x', size: 4096 })],
    ['unknown option', () => SysV.create({ key, size: 4096, colour: 'red' } as unknown as { size: number })],
    ['exclusive not boolean', () => SysV.create({ key, size: 4096, exclusive: 1 as unknown as boolean })],
    ['private not boolean', () => SysV.create({ private: 'yes' as unknown as boolean, size: 4096 })],
    ['hugetlb not boolean', () => SysV.create({ key, size: 4096, hugetlb: 1 as unknown as boolean })],
    ['options null', () => SysV.create(null as unknown as { size: number })],
    ['options array', () => SysV.create([] as unknown as { size: number })],
    ['open: nothing', () => SysV.open({} as { key: number })],
    ['open: key and id', () => SysV.open({ key, id: 1 } as unknown as { key: number })],
    ['open: id -1', () => SysV.open({ id: -1 })],
    ['open: id 1.5', () => SysV.open({ id: 1.5 })],
    ['open: key 2^32', () => SysV.open({ key: 2 ** 32 })],
    ['open: unknown target field', () => SysV.open({ key, name: 'x' } as unknown as { key: number })],
    ['open: unknown option', () => SysV.open({ key }, { writable: true } as unknown as { readOnly: boolean })],
    ['open: readOnly not boolean', () => SysV.open({ key }, { readOnly: 1 as unknown as boolean })],
    ['open: proj 300', () => SysV.open({ path: file, proj: 300 })],
    ['stat: key and path', () => SysV.stat({ key, path: file } as unknown as { key: number })],
    ['set: mode 0o1000', () => SysV.set({ key }, { mode: 0o1000 })],
    ['set: uid -1', () => SysV.set({ key }, { uid: -1 })],
    ['set: gid 2^32', () => SysV.set({ key }, { gid: 2 ** 32 })],
    ['set: unknown field', () => SysV.set({ key }, { owner: 0 } as unknown as { uid: number })],
    ['lock: not boolean', () => SysV.lock({ key }, 'yes' as unknown as boolean)],
    ['handle lock: not boolean', () => handle.lock('no' as unknown as boolean)],
    ['ftok: proj 256', () => SysV.ftok(file, 256)],
    ['ftok: proj 1.5', () => SysV.ftok(file, 1.5)],
    ['ftok: empty path', () => SysV.ftok('')],
  ];
  for (const [name, fn] of cases) {
    const error = thrown(fn);
    assert.is(error.code, 'EINVAL', `${name}: ${error.code} ${error.message}`);
    assert.is(error.syscall, undefined, `${name}: no system call was made (${error.message})`);
    assert.is(error.errno, undefined, name);
    assert.ok(error.message.length > 20, `${name}: the message says what was wrong`);
  }
  assert.ok(keyIsFree(key), 'nothing was created');
  assert.is(handle.stat().locked, false);
});

// ---------------------------------------------------------------- IPC_RMID

test('IPC_RMID while attached: usable until the last detach, key freed at once, then gone', () => {
  const key = freshKey();
  const seg = keep(SysV.create({ key, size: 8192 }));
  const other = keep(SysV.open({ key }));
  seg.writePattern();
  seg.remove();
  const st = seg.stat();
  assert.is(st.removed, true);
  assert.is(st.key, 0, 'Linux turns a removed segment\'s key private');
  assert.is(st.nattch, 2n);
  assert.is(seg.verifyPattern(), -1, 'still readable');
  other.bytes[5] = 0xff;
  assert.is(seg.bytes[5], 0xff, 'still shared');
  const error = expectCode(() => SysV.open({ key }), 'ENOENT');
  assert.is(error.syscall, 'shmget');
  assert.ok(keyIsFree(key));
  // Linux still lets a process attach a removed segment by id.
  const late = keep(SysV.open({ id: seg.id }));
  assert.is(late.bytes[5], 0xff);
  assert.is(seg.stat().nattch, 3n);
  const listed = SysV.list().find((s) => s.id === seg.id);
  assert.ok(listed, 'listed while attached');
  assert.is(listed!.removed, true);
  assert.is(ipcsRows().get(seg.id)?.status, 'dest');
  // The key is free again: a new segment may take it while the old lives on.
  const successor = keep(SysV.create({ key, size: 4096, exclusive: true }));
  assert.ok(successor.id !== seg.id);
  late.close();
  other.close();
  assert.is(seg.stat().nattch, 1n);
  seg.close();
  assert.not.ok(SysV.list().some((s) => s.id === seg.id), 'gone after the last detach');
  assert.not.ok(procShm().has(seg.id));
  expectCode(() => SysV.stat({ id: seg.id }), 'EINVAL');
});

test('remove without attachments destroys at once, by handle, key, id or path', () => {
  const file = tempFile('rm');
  const makers = [
    () => SysV.create({ key: freshKey(), size: 4096 }),
    () => SysV.create({ private: true, size: 4096 }),
    () => SysV.create({ path: file, proj: 3, size: 4096 }),
    () => SysV.create({ key: freshKey(), size: 4096 }),
  ];
  const removers = [
    (s: SysV) => SysV.remove({ key: s.key }),
    (s: SysV) => SysV.remove({ id: s.id }),
    (_: SysV) => SysV.remove({ path: file, proj: 3 }),
    (s: SysV) => s.remove(), // a closed handle still names its segment
  ];
  for (const [i, make] of makers.entries()) {
    const seg = keep(make());
    seg.close();
    assert.ok(procShm().has(seg.id));
    removers[i]!(seg);
    assert.not.ok(procShm().has(seg.id), `remover ${i} removed it`);
  }
});

// ---------------------------------------------------------------- read-only

test('readOnly (SHM_RDONLY): no write access through the API, reads see read-write writes', () => {
  const key = freshKey();
  const rw = keep(SysV.create({ key, size: 70000 }));
  rw.writePattern();
  const ro = keep(SysV.open({ key }, { readOnly: true }));
  assert.is(ro.readOnly, true);
  for (const [what, fn] of [
    ['bytes', () => ro.bytes], ['view', () => ro.view], ['int32', () => ro.int32], ['writePattern', () => ro.writePattern()],
  ] as const) {
    const error = expectCode(fn, 'EACCES');
    assert.is(error.syscall, undefined, what);
    assert.is(error.key, key, what);
    assert.match(error.message, what);
  }
  assert.is(ro.reader.byteLength, 70000);
  assert.is(ro.verifyPattern(), -1);
  assert.is(ro.crc32(), rw.crc32());
  assert.is(ro.reader.getUint8(69999), 69999 % 256);
  rw.view.setUint32(1000, 0xdeadbeef, true);
  assert.is(ro.reader.getUint32(1000, true), 0xdeadbeef, 'a read-write write shows through the read-only attachment');
  assert.is(ro.verifyPattern(), 1000, 'the pattern check sees the change');
  assert.equal([...ro.reader.read(1000, 4)], [0xef, 0xbe, 0xad, 0xde]);
  assert.is(ro.crc32(), zlibCrc(rw.bytes));
  assert.is(ro.stat().nattch, 2n);
});

// ---------------------------------------------------------------- IPC_SET, SHM_LOCK

test('IPC_SET changes mode, uid and gid, seen by stat, /proc and ipcs', () => {
  const key = freshKey();
  const seg = keep(SysV.create({ key, size: 4096 }));
  seg.set({ mode: 0o640 });
  assert.is(seg.stat().mode, 0o640);
  assert.is(ipcsRows().get(seg.id)?.perms, 0o640);
  SysV.set({ key }, { uid: 65534, gid: 65534 });
  const st = seg.stat();
  assert.is(st.uid, 65534);
  assert.is(st.gid, 65534);
  assert.is(st.mode, 0o640, 'an unnamed field keeps its value');
  assert.is(st.cuid, process.getuid!(), 'the creator stays');
  const proc = procShm().get(seg.id)!;
  assert.is(proc.uid, 65534);
  assert.is(proc.gid, 65534);
  assert.is(proc.perms & 0o777, 0o640);
  const detail = exec('ipcs', ['-m', '-i', String(seg.id)]);
  assert.match(detail, /uid=65534\s+gid=65534/);
  assert.match(detail, /mode=0?640/);
  SysV.set({ id: seg.id }, { mode: 0o604, uid: 0, gid: 0 });
  assert.is(seg.stat().mode, 0o604);
  assert.is(seg.stat().uid, 0);
  assert.is(ipcsRows().get(seg.id)?.owner, 'root');
  assert.is(ipcsRows().get(seg.id)?.perms, 0o604);
});

test('SHM_LOCK and SHM_UNLOCK show in stat().locked, /proc and ipcs', () => {
  const key = freshKey();
  const seg = keep(SysV.create({ key, size: 8192 }));
  seg.lock();
  assert.is(seg.stat().locked, true);
  assert.is(procShm().get(seg.id)!.perms & SHM_LOCKED, SHM_LOCKED);
  assert.is(ipcsRows().get(seg.id)?.status, 'locked');
  seg.lock(false);
  assert.is(seg.stat().locked, false);
  SysV.lock({ key }, true);
  assert.is(SysV.stat({ key }).locked, true);
  SysV.lock({ key }, false);
  assert.is(SysV.stat({ key }).locked, false);
  assert.is(procShm().get(seg.id)!.perms & SHM_LOCKED, 0);
});

// ---------------------------------------------------------------- limits, usage, list

test('limits() agrees with /proc/sys/kernel and ipcs -m -l', () => {
  const limits = SysV.limits();
  const proc = (name: string) => BigInt(readFileSync(`/proc/sys/kernel/${name}`, 'utf8').trim());
  assert.is(limits.shmmax, proc('shmmax'));
  assert.is(limits.shmall, proc('shmall'));
  assert.is(limits.shmmni, proc('shmmni'));
  assert.is(limits.shmmin, 1n);
  for (const value of Object.values(limits)) assert.is(typeof value, 'bigint');
  const text = exec('ipcs', ['-m', '-l']);
  const field = (label: string) => BigInt(new RegExp(`${label}\\s*=\\s*(\\d+)`).exec(text)![1]!);
  assert.is(field('max number of segments'), limits.shmmni);
  assert.is(field('max seg size \\(kbytes\\)'), limits.shmmax / 1024n);
  assert.is(field('min seg size \\(bytes\\)'), limits.shmmin);
  const page = BigInt(libc.getpagesize());
  if (limits.shmall * page < 1n << 64n) {
    assert.is(field('max total shared memory \\(kbytes\\)'), (limits.shmall * page) / 1024n);
  }
});

test('usage() agrees with /proc/sysvipc/shm and ipcs -m -u, and counts a new segment', () => {
  const before = SysV.usage();
  const seg = keep(SysV.create({ private: true, size: 5 * 4096 }));
  seg.bytes.fill(1); // make all five pages resident
  // Other processes may create segments meanwhile: retry until a snapshot holds still.
  let matched = false;
  for (let attempt = 0; attempt < 5 && !matched; attempt++) {
    const usage = SysV.usage();
    const ipcs = exec('ipcs', ['-m', '-u']);
    const proc = procShm();
    const again = SysV.usage();
    if (JSON.stringify(usage, big) !== JSON.stringify(again, big)) continue;
    const field = (label: string) => BigInt(new RegExp(`${label}\\s+(\\d+)`).exec(ipcs)![1]!);
    assert.is(BigInt(usage.usedIds), field('segments allocated'));
    assert.is(usage.totalPages, field('pages allocated'));
    assert.is(usage.residentPages, field('pages resident'));
    assert.is(usage.swappedPages, field('pages swapped'));
    assert.is(usage.usedIds, proc.size);
    assert.ok(usage.totalPages >= 5n);
    assert.ok(usage.residentPages >= 5n);
    assert.is(Object.keys(usage).sort().join(), 'residentPages,swappedPages,totalPages,usedIds');
    matched = true;
  }
  assert.ok(matched, 'usage held still long enough to compare');
  if (SysV.usage().usedIds === before.usedIds + 1) {
    assert.ok(SysV.usage().totalPages >= before.totalPages + 5n);
  }
  seg.close();
  seg.remove();
  assert.not.ok(procShm().has(seg.id));
});

test('list() matches /proc/sysvipc/shm for the segments this test made', () => {
  const file = tempFile('list');
  const a = keep(SysV.create({ key: freshKey(), size: 5000, mode: 0o640 }));
  const b = keep(SysV.create({ private: true, size: 70000, mode: 0o600 }));
  const c = keep(SysV.create({ path: file, proj: 9, size: 4096, mode: 0o604 }));
  keep(SysV.open({ id: a.id })); // a has two attachments
  b.close(); // b has none, and a dtime
  c.remove(); // c is marked for removal
  const list = SysV.list();
  const proc = procShm();
  for (const seg of [a, b, c]) {
    const entry = list.find((s) => s.id === seg.id);
    const row = proc.get(seg.id);
    assert.ok(entry && row, `segment ${seg.id} listed`);
    assert.is(entry!.key, row!.key);
    assert.is(typeof entry!.size, 'bigint');
    assert.is(entry!.size, row!.size);
    assert.is(entry!.mode, row!.perms & 0o777);
    assert.is(entry!.removed, (row!.perms & SHM_DEST) !== 0);
    assert.is(entry!.locked, (row!.perms & SHM_LOCKED) !== 0);
    assert.is(entry!.nattch, row!.nattch);
    assert.is(entry!.cpid, row!.cpid);
    assert.is(entry!.lpid, row!.lpid);
    assert.is(entry!.uid, row!.uid);
    assert.is(entry!.gid, row!.gid);
    assert.is(entry!.cuid, row!.cuid);
    assert.is(entry!.cgid, row!.cgid);
    assert.is(secondsOf(entry!.atime), row!.atime);
    assert.is(secondsOf(entry!.dtime), row!.dtime);
    assert.is(secondsOf(entry!.ctime), row!.ctime);
    for (const t of [entry!.atime, entry!.dtime, entry!.ctime]) assert.ok(t === null || t instanceof Date);
    assert.equal(entry, seg.stat(), 'list() and stat() agree');
  }
  const [ea, eb, ec] = [a, b, c].map((s) => list.find((e) => e.id === s.id)!);
  assert.is(ea!.key, a.key);
  assert.is(ea!.nattch, 2n);
  assert.is(ea!.mode, 0o640);
  assert.is(eb!.key, 0);
  assert.is(eb!.nattch, 0n);
  assert.is(eb!.size, 70000n);
  assert.instance(eb!.dtime, Date);
  assert.is(ec!.removed, true);
  assert.is(ec!.mode, 0o604);
  assert.is(ea!.cpid, process.pid);
});

// ---------------------------------------------------------------- flags

test('SHM_RND rounds an unaligned attach address down to SHMLBA inside an arena window', () => {
  const id = trackSysV(sys.shmget(0, 3 * 4096, IPC_CREAT | 0o600));
  everyId.add(id);
  const arena = Arena.default;
  const window = arena.claim(65536);
  let released = false;
  try {
    const wanted = window.address + 3 * 4096 + 123;
    const error = expectCode(() => sys.shmat(id, wanted, SHM_REMAP), 'EINVAL');
    assert.is(error.syscall, 'shmat');
    assert.is(error.id, id);
    const at = sys.shmat(id, wanted, SHM_REMAP | SHM_RND);
    assert.is(at, window.address + 3 * 4096);
    assert.is(sys.shmStat(id).nattch, 1n);
    // The rounded attachment is the segment: it shows through another attachment.
    arena.bytes(window.offset + 3 * 4096, 4)[2] = 0x3c;
    const check = keep(SysV.open({ id }));
    assert.is(check.bytes[2], 0x3c);
    assert.is(sys.shmStat(id).nattch, 2n);
    arena.release(window);
    released = true;
    assert.is(sys.shmStat(id).nattch, 1n, 'releasing the window dropped the attachment');
  } finally {
    if (!released) arena.release(window);
  }
});

test('SHM_NORESERVE and SHM_EXEC segments create, attach and work', () => {
  const seg = keep(SysV.create({ private: true, size: 3 * MiB + 5, noreserve: true }));
  seg.writePattern();
  assert.is(seg.verifyPattern(), -1);
  assert.is(seg.stat().size, BigInt(3 * MiB + 5));
  const exe = keep(SysV.create({ private: true, size: 4096, exec: true }));
  exe.bytes[0] = 0xc3;
  const opened = keep(SysV.open({ id: exe.id }, { exec: true, readOnly: true }));
  assert.is(opened.reader.getUint8(0), 0xc3);
});

/** Runs `body` with `pages` huge pages reserved, restoring the old count after. */
function withHugePages(pages: number, body: () => void): void {
  const file = '/proc/sys/vm/nr_hugepages';
  const old = readFileSync(file, 'utf8').trim();
  try {
    writeFileSync(file, old); // can this run change the reservation at all?
  } catch (error) {
    console.log(`  (${file} is not writable here: ${(error as NodeJS.ErrnoException).code}; huge-page case skipped)`);
    return;
  }
  try {
    writeFileSync(file, String(pages));
    assert.is(Number(readFileSync(file, 'utf8').trim()), pages, `the kernel reserved ${pages} huge pages`);
    body();
  } finally {
    try {
      cleanup(); // the pages go back only once their segments are closed and gone
    } finally {
      writeFileSync(file, old);
    }
  }
}

function hugeFree(): number {
  return Number(/HugePages_Free:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
}

test('SHM_HUGETLB: a huge-page segment attaches at a 2 MiB boundary and works, opened too', () => {
  withHugePages(6, () => {
    const free = hugeFree();
    const seg = keep(SysV.create({ private: true, size: 3 * MiB, hugetlb: true }));
    assert.is(seg.address % HUGE, 0);
    assert.is(seg.mappedSize, 2 * HUGE);
    assert.is(seg.stat().size, BigInt(3 * MiB));
    seg.writePattern();
    assert.is(seg.verifyPattern(), -1);
    assert.is(hugeFree(), free - 2, 'two huge pages hold it');
    const opened = keep(SysV.open({ id: seg.id }));
    assert.is(opened.address % HUGE, 0);
    assert.is(opened.mappedSize, 2 * HUGE);
    assert.is(opened.verifyPattern(), -1);
    assert.is(opened.crc32(), zlibCrc(seg.bytes));
    opened.bytes[3 * MiB - 1] = 0;
    assert.is(seg.verifyPattern(), 3 * MiB - 1);
    // Created again by key without hugetlb: it is the existing huge segment.
    const key = freshKey();
    const keyed = keep(SysV.create({ key, size: HUGE, hugetlb: true }));
    const same = keep(SysV.create({ key, size: HUGE }));
    assert.is(same.created, false);
    assert.is(same.id, keyed.id);
    assert.is(same.address % HUGE, 0);
  });
});

test('SHM_HUGETLB opened where the next normal window falls on a 2 MiB boundary stays inside its window', () => {
  // A huge-page attachment spans whole huge pages: in a window sized for
  // normal pages it would overrun the next window, and closing it fails.
  withHugePages(4, () => {
    const arena = new Arena({ maxBytes: 64 * MiB });
    const huge = keep(SysV.create({ private: true, size: 3 * MiB, hugetlb: true, arena }));
    const normal = keep(SysV.create({ private: true, size: 3 * MiB, arena }));
    huge.writePattern();
    normal.writePattern();
    for (const [target, expectedMapped] of [[huge, 2 * HUGE], [normal, 3 * MiB]] as const) {
      const fillers = [];
      for (;;) { // claim single units until the next free one is 2 MiB aligned
        const w = arena.claim(65536);
        if (w.address % HUGE === 0) {
          arena.release(w);
          break;
        }
        fillers.push(w);
      }
      const used = arena.usedBytes;
      const opened = SysV.open({ id: target.id }, { arena });
      try {
        assert.is(opened.address % HUGE, 0);
        assert.is(opened.mappedSize, expectedMapped);
        assert.is(opened.verifyPattern(), -1);
        const after = SysV.create({ private: true, size: 4096, arena });
        keep(after);
        after.bytes[0] = 0x77;
        assert.is(opened.verifyPattern(), -1, 'a window claimed after it does not overlap it');
        assert.is(after.stat().nattch, 1n);
        assert.is(target.stat().nattch, 2n);
        after.close();
      } finally {
        opened.close(); // threw EINVAL (mmap over part of a huge page) before the fix
      }
      assert.is(arena.usedBytes, used, 'its window went back whole');
      assert.is(target.stat().nattch, 1n);
      for (const w of fillers) arena.release(w);
    }
  });
});

test('SHM_HUGETLB with no huge pages reserved is a clear ENOMEM from shmget', () => {
  withHugePages(0, () => {
    const key = freshKey();
    const error = expectCode(() => SysV.create({ key, size: HUGE, hugetlb: true }), 'ENOMEM');
    assert.is(error.syscall, 'shmget');
    assert.is(error.key, key);
    assert.match(error.message, 'nr_hugepages');
    assert.ok(keyIsFree(key), 'nothing was left behind');
  });
});

// ---------------------------------------------------------------- crc32

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function referenceCrc(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** zlib's crc32 when this Node has it (20.15+), else the JS reference. */
function zlibCrc(bytes: Uint8Array): number {
  const native = (zlib as unknown as { crc32?: (data: Uint8Array) => number }).crc32;
  return native ? native(bytes.slice()) >>> 0 : referenceCrc(bytes);
}

test('crc32 equals zlib\'s and a JS reference, for patterns, random bytes and odd sizes', () => {
  assert.is(referenceCrc(new TextEncoder().encode('123456789')), 0xcbf43926, 'the reference is CRC-32/ISO-HDLC');
  for (const size of [1, 7, 4096, 65537, 17 * MiB + 3]) {
    const seg = keep(SysV.create({ private: true, size }));
    if (size === 65537) {
      for (let i = 0; i < size; i++) seg.bytes[i] = (i * 2654435761) >>> 24;
    } else {
      seg.writePattern();
    }
    const copy = seg.bytes.slice();
    assert.is(seg.crc32(), referenceCrc(copy), `size ${size}`);
    assert.is(seg.crc32(), zlibCrc(copy), `size ${size}`);
    seg.close();
  }
  const zeros = keep(SysV.create({ private: true, size: 100 }));
  assert.is(zeros.crc32(), referenceCrc(new Uint8Array(100)));
  assert.ok(zeros.crc32() !== 0);
});

// ---------------------------------------------------------------- the end

test('nothing is left behind: ipcs -m shows none of this file\'s segments', () => {
  cleanup();
  assert.ok(everyId.size >= 30, `the suite made segments (${everyId.size})`);
  const ipcs = ipcsRows();
  const proc = procShm();
  for (const id of everyId) {
    assert.not.ok(ipcs.has(id), `ipcs -m still shows id ${id}`);
    assert.not.ok(proc.has(id), `/proc/sysvipc/shm still shows id ${id}`);
  }
});

function big(_: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

test.run();
