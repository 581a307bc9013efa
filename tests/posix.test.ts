import { suite } from 'uvu';
import { thrown } from './helpers/errors.js';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmdirSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { Arena, MappedFile, Posix } from '../host/index.js';
import { cleanup, freshName, trackPath, trackPosix } from './helpers/resources.js';

const posix = suite('posix');
posix.after.each(cleanup);

const PAGE = 4096;
const file = (name: string) => '/dev/shm' + name;
const fileMode = (name: string) => statSync(file(name)).mode & 0o777;


function mod256(length: number, from = 0): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (from + i) & 255;
  return b;
}

posix('create maps a fresh object of the asked size, mode 0600 by default', () => {
  const name = trackPosix(freshName('create'));
  const seg = Posix.create(name, { size: 10000 });
  try {
    assert.is(seg.created, true);
    assert.is(seg.name, name);
    assert.is(seg.size, 10000);
    assert.is(seg.mappedSize, 3 * PAGE);
    assert.is(seg.readOnly, false);
    assert.is(seg.offset % 65536, 0);
    assert.is(seg.bytes.length, 10000);
    assert.is(seg.bytes.buffer, seg.arena.memory.buffer);
    assert.instance(seg.bytes.buffer, SharedArrayBuffer);
    assert.is(statSync(file(name)).size, 10000);
    assert.is(fileMode(name), 0o600);
    const st = seg.stat();
    assert.is(st.size, 10000n);
    assert.is(st.mode, 0o600);
    assert.is(st.uid, process.getuid!());
    assert.is(st.gid, process.getgid!());
    // a fresh object reads as zeros; a write shows in the /dev/shm file at once
    assert.ok(seg.bytes.every((b) => b === 0));
    seg.bytes.set([1, 2, 3], 9997);
    const onDisk = readFileSync(file(name));
    assert.equal([...onDisk.subarray(9997)], [1, 2, 3]);
  } finally {
    seg.close();
  }
});

posix('create honours an explicit mode exactly (the umask does not narrow it)', () => {
  const old = process.umask(0o022);
  try {
    for (const mode of [0o640, 0o666, 0o604, 0o400]) {
      const name = trackPosix(freshName('mode'));
      const seg = Posix.create(name, { size: 100, mode });
      assert.is(fileMode(name), mode, `mode 0o${mode.toString(8)}`);
      assert.is(seg.stat().mode, mode);
      assert.is(Posix.stat(name).mode, mode);
      seg.close();
    }
  } finally {
    process.umask(old);
  }
});

posix('create without exclusive opens an existing object and keeps its bytes', () => {
  const name = trackPosix(freshName('reuse'));
  const a = Posix.create(name, { size: 4096 });
  a.writePattern();
  const b = Posix.create(name, { size: 4096 });
  try {
    assert.is(b.created, false);
    assert.is(b.verifyPattern(), -1);
    assert.is.not(b.offset, a.offset);
    b.bytes[7] = 99;
    assert.is(a.bytes[7], 99); // two windows, one object
  } finally {
    a.close();
    b.close();
  }
});

posix('exclusive create of a taken name is EEXIST and leaves the object alone', () => {
  const name = trackPosix(freshName('excl'));
  const a = Posix.create(name, { size: 4096, exclusive: true });
  assert.is(a.created, true);
  a.writePattern();
  const error = thrown(() => Posix.create(name, { size: 8192, exclusive: true }));
  assert.is(error.code, 'EEXIST');
  assert.is(error.errno, -17);
  assert.is(error.syscall, 'shm_open');
  assert.is(error.objectName, name);
  assert.match(error.message, name);
  assert.is(statSync(file(name)).size, 4096);
  assert.is(a.verifyPattern(), -1);
  a.close();
});

posix('truncate empties an existing object (O_TRUNC) before sizing it', () => {
  const name = trackPosix(freshName('trunc'));
  const a = Posix.create(name, { size: 8192 });
  a.writePattern();
  a.close();
  const kept = Posix.create(name, { size: 8192 });
  assert.is(kept.verifyPattern(), -1);
  kept.close();
  const b = Posix.create(name, { size: 4096, truncate: true });
  try {
    assert.is(b.created, false);
    assert.is(statSync(file(name)).size, 4096); // the old 8192 bytes went
    assert.ok(b.bytes.every((x) => x === 0));
    assert.ok(readFileSync(file(name)).every((x) => x === 0));
  } finally {
    b.close();
  }
});

posix('create grows a smaller existing object and never shrinks a bigger one', () => {
  const name = trackPosix(freshName('grow'));
  const small = Posix.create(name, { size: 1000 });
  small.writePattern();
  small.close();
  const grown = Posix.create(name, { size: 20000 });
  assert.is(statSync(file(name)).size, 20000);
  assert.equal(Buffer.from(grown.bytes.subarray(0, 1000)), mod256(1000));
  assert.ok(grown.bytes.subarray(1000).every((x) => x === 0));
  grown.close();
  const part = Posix.create(name, { size: 100 });
  assert.is(part.size, 100);
  assert.is(statSync(file(name)).size, 20000);
  part.close();
});

posix('open of a missing name is ENOENT from shm_open', () => {
  const name = freshName('missing');
  const error = thrown(() => Posix.open(name));
  assert.is(error.code, 'ENOENT');
  assert.is(error.errno, -2);
  assert.is(error.syscall, 'shm_open');
  assert.is(error.objectName, name);
  assert.not.ok(existsSync(file(name)));
});

posix('open maps the whole object by default, or the first `size` bytes', () => {
  const name = trackPosix(freshName('open'));
  const a = Posix.create(name, { size: 3 * PAGE });
  a.writePattern();
  const whole = Posix.open(name);
  const part = Posix.open(name, { size: 100 });
  try {
    assert.is(whole.created, false);
    assert.is(whole.size, 3 * PAGE);
    assert.is(whole.verifyPattern(), -1);
    assert.is(part.size, 100);
    assert.is(part.mappedSize, PAGE);
    assert.is(part.bytes.length, 100);
    assert.equal(Buffer.from(part.bytes), mod256(100));
  } finally {
    a.close();
    whole.close();
    part.close();
  }
});

posix('a read-only open refuses writable views but reads, verifies and checksums live data', () => {
  const name = trackPosix(freshName('ro'));
  const rw = Posix.create(name, { size: 5000 });
  const ro = Posix.open(name, { readOnly: true });
  try {
    assert.is(ro.readOnly, true);
    for (const [what, get] of [
      ['bytes', () => ro.bytes],
      ['view', () => ro.view],
      ['int32', () => ro.int32],
      ['writePattern', () => ro.writePattern()],
    ] as const) {
      const error = thrown(get);
      assert.is(error.code, 'EACCES', what);
      assert.match(error.message, what);
      assert.is(error.objectName, name);
    }
    assert.is(ro.verifyPattern(), 1); // zeros: byte 0 fits the pattern, byte 1 does not
    rw.writePattern();
    assert.is(ro.verifyPattern(), -1);
    assert.is(ro.crc32(), crc32(mod256(5000)));
    assert.is(ro.reader.getUint8(4999), 4999 & 255);
    assert.is(ro.reader.getUint32(0, true), 0x03020100);
    rw.bytes[3000] = 0xee;
    assert.is(ro.reader.getUint8(3000), 0xee);
    assert.is(ro.verifyPattern(), 3000);
    assert.is(ro.crc32(), rw.crc32());
    assert.equal(Buffer.from(ro.reader.read(2998, 4)), Buffer.from([2998 & 255, 2999 & 255, 0xee, 3001 & 255]));
  } finally {
    ro.close();
    rw.close();
  }
});

/** Permissions of the mapping holding `address`, from /proc/self/maps ('r--s', 'rw-s', ...). */
function mappingPerms(address: number): string {
  for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+)/.exec(line);
    if (m && parseInt(m[1], 16) <= address && address < parseInt(m[2], 16)) return m[3];
  }
  return 'unmapped';
}

posix('a read-only window survives later growth of the arena and stays read-only', () => {
  // V8 grows a shared memory by mprotect(RW) of everything below the new end;
  // over a read-only mapping that was a fatal error (the process died).
  const arena = new Arena({ maxBytes: 64 * 65536 });
  const name = trackPosix(freshName('rogrow'));
  const rw = Posix.create(name, { size: 4096, arena });
  const ro = Posix.open(name, { readOnly: true, arena });
  const later: Posix[] = [];
  try {
    assert.is(mappingPerms(ro.address), 'r--s');
    for (let i = 0; i < 5; i++) {
      const n = trackPosix(freshName('rogrow'));
      later.push(Posix.create(n, { size: 3 * 65536, arena }));
    }
    assert.ok(later.every((s) => s.offset > ro.offset));
    assert.ok(arena.memory.buffer.byteLength >= later[4].offset + later[4].size);
    assert.is(mappingPerms(ro.address), 'r--s');
    assert.is(mappingPerms(rw.address), 'rw-s');
    rw.writePattern();
    assert.is(ro.verifyPattern(), -1);
    later[4].writePattern();
    assert.is(later[4].verifyPattern(), -1);
  } finally {
    for (const s of [ro, rw, ...later]) s.close();
  }
});

const badNames: Array<[string, unknown]> = [
  ['no leading slash', 'abc'],
  ['another slash', '/a/b'],
  ['two leading slashes', '//abc'],
  ['empty', ''],
  ['slash only', '/'],
  ['dot', '/.'],
  ['dot dot', '/..'],
  ['256 bytes', '/' + 'x'.repeat(256)],
  ['256 bytes in UTF-8', '/' + 'é'.repeat(128)],
  ['NUL', '/ab\0c'],
  ['number', 42],
  ['undefined', undefined],
  ['object', { name: '/x' }],
];

posix('bad names are EINVAL before any system call, for every entry point', () => {
  const before = readdirSync('/dev/shm').sort();
  for (const [why, name] of badNames) {
    const calls: Array<[string, () => unknown]> = [
      ['create', () => Posix.create(name as string, { size: 4096 })],
      ['open', () => Posix.open(name as string)],
      ['stat', () => Posix.stat(name as string)],
      ['remove', () => Posix.remove(name as string)],
    ];
    for (const [entry, call] of calls) {
      const error = thrown(call);
      assert.is(error.code, 'EINVAL', `${entry} ${why}`);
      assert.is(error.syscall, undefined, `${entry} ${why}`);
      assert.is(error.errno, undefined, `${entry} ${why}`);
    }
  }
  assert.equal(readdirSync('/dev/shm').sort(), before);
});

posix('a 255-byte name is the longest allowed and works', () => {
  const name = trackPosix('/' + `shmkit-test-${process.pid}-`.padEnd(255, 'n'));
  assert.is(Buffer.byteLength(name), 256);
  const seg = Posix.create(name, { size: 64 });
  try {
    assert.ok(existsSync(file(name)));
    assert.is(Posix.stat(name).size, 64n);
  } finally {
    seg.close();
    Posix.remove(name);
  }
  assert.not.ok(existsSync(file(name)));
});

posix('bad sizes, modes and options are EINVAL and create nothing', () => {
  const name = trackPosix(freshName('badopt'));
  const cases: Array<[string, unknown]> = [
    ['size 0', { size: 0 }],
    ['size -1', { size: -1 }],
    ['size 1.5', { size: 1.5 }],
    ['size NaN', { size: NaN }],
    ['size Infinity', { size: Infinity }],
    ['size 2^53', { size: 2 ** 53 }],
    ['size string', { size: '4096' }],
    ['size bigint', { size: 4096n }],
    ['no size', {}],
    ['mode -1', { size: 4096, mode: -1 }],
    ['mode 0o1000', { size: 4096, mode: 0o1000 }],
    ['mode 0o4755', { size: 4096, mode: 0o4755 }],
    ['mode 1.5', { size: 4096, mode: 1.5 }],
    ['mode string', { size: 4096, mode: '600' }],
    ['exclusive string', { size: 4096, exclusive: 'yes' }],
    ['truncate 1', { size: 4096, truncate: 1 }],
    ['unknown option', { size: 4096, sizes: 1 }],
    ['readOnly on create', { size: 4096, readOnly: true }],
    ['null options', null],
    ['array options', [4096]],
    ['number options', 4096],
  ];
  for (const [why, options] of cases) {
    const error = thrown(() => Posix.create(name, options as never));
    assert.is(error.code, 'EINVAL', why);
    assert.is(error.syscall, undefined, why);
    assert.not.ok(existsSync(file(name)), why);
  }
  const made = Posix.create(name, { size: 4096 });
  made.close();
  for (const [why, options] of [
    ['size 0', { size: 0 }],
    ['readOnly string', { readOnly: 'true' }],
    ['unknown option', { mode: 0o600 }],
    ['null', null],
  ] as const) {
    const error = thrown(() => Posix.open(name, options as never));
    assert.is(error.code, 'EINVAL', `open ${why}`);
    assert.is(error.syscall, undefined, `open ${why}`);
  }
});

posix('the mapping never reaches past the end of the object', () => {
  const name = trackPosix(freshName('end'));
  const seg = Posix.create(name, { size: 5000 });
  seg.close();
  const tooBig = thrown(() => Posix.open(name, { size: 5001 }));
  assert.is(tooBig.code, 'EINVAL');
  assert.match(tooBig.message, '5000');
  assert.is(tooBig.objectName, name);
  const bigRo = thrown(() => Posix.open(name, { size: 8192, readOnly: true }));
  assert.is(bigRo.code, 'EINVAL');
  // the object is untouched by the refused opens
  assert.is(statSync(file(name)).size, 5000);

  const empty = trackPosix(freshName('empty'));
  writeFileSync(file(empty), '', { mode: 0o600 });
  for (const options of [{}, { readOnly: true }, { size: 1 }]) {
    const error = thrown(() => Posix.open(empty, options));
    assert.is(error.code, 'EINVAL');
    assert.match(error.message, /empty/);
  }
  assert.is(statSync(file(empty)).size, 0);
});

posix('an object whose size is not a page multiple maps, and its tail page works', () => {
  const name = trackPosix(freshName('tail'));
  writeFileSync(file(name), mod256(5000), { mode: 0o600 });
  const seg = Posix.open(name);
  try {
    assert.is(seg.size, 5000);
    assert.is(seg.mappedSize, 2 * PAGE);
    assert.is(seg.verifyPattern(), -1);
    assert.is(seg.bytes[4999], 4999 & 255);
    seg.bytes.fill(0xab, PAGE, 5000); // the partial last page
    const onDisk = readFileSync(file(name));
    assert.is(onDisk.length, 5000);
    assert.ok(onDisk.subarray(PAGE).every((x) => x === 0xab));
    assert.is(onDisk[PAGE - 1], (PAGE - 1) & 255);
    assert.is(seg.verifyPattern(), PAGE);
  } finally {
    seg.close();
  }
});

posix('create reserves the pages (fallocate), unlike a bare ftruncate', () => {
  const name = trackPosix(freshName('falloc'));
  const size = 4 * 1024 * 1024 + 123;
  const seg = Posix.create(name, { size });
  try {
    assert.ok(seg.stat().allocated >= BigInt(size), `allocated ${seg.stat().allocated}`);
    assert.ok(Posix.stat(name).allocated >= BigInt(size));
    // control: the same size made sparse (truncate only) shows nothing allocated
    const sparse = trackPosix(freshName('sparse'));
    execFileSync('truncate', ['-s', String(size), file(sparse)]);
    assert.is(Posix.stat(sparse).size, BigInt(size));
    assert.ok(Posix.stat(sparse).allocated < BigInt(size));
  } finally {
    seg.close();
  }
});

posix('a size larger than /dev/shm is ENOSPC at create time and leaves no name behind', () => {
  const fs = statfsSync('/dev/shm');
  const total = fs.blocks * fs.bsize;
  if (total === 0) {
    console.log('  (skipped: /dev/shm has no size limit)');
    return;
  }
  const name = trackPosix(freshName('huge'));
  const error = thrown(() => Posix.create(name, { size: total * 2 }));
  assert.is(error.code, 'ENOSPC');
  assert.is(error.syscall, 'posix_fallocate');
  assert.is(error.objectName, name);
  assert.not.ok(existsSync(file(name)));
});

posix('a create that fails after shm_open unlinks a name it made, never one it found', () => {
  const small = new Arena({ maxBytes: 4 * 65536 });
  const name = trackPosix(freshName('halfmade'));
  const error = thrown(() => Posix.create(name, { size: 1024 * 1024, arena: small }));
  assert.is(error.code, 'ENOSPC');
  assert.match(error.message, /arena/);
  assert.not.ok(existsSync(file(name)));
  assert.is(small.usedBytes, 0);

  const existing = Posix.create(name, { size: 4096 });
  existing.writePattern();
  const again = thrown(() => Posix.create(name, { size: 4096 * 64, arena: small }));
  assert.is(again.code, 'ENOSPC');
  assert.ok(existsSync(file(name)));
  assert.is(existing.verifyPattern(), -1);
  existing.close();
});

posix('ENOSPC on a full filesystem is reported at create and leaves nothing half-made (tmpfs of 1 MiB)', () => {
  const dir = trackPath(mkdtempSync(join(tmpdir(), 'shmkit-posix-tmpfs-')));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'none', dir], { stdio: 'ignore' });
  } catch {
    console.log('  (skipped: mount -t tmpfs is not allowed here)');
    return;
  }
  try {
    const used = () => { const s = statfsSync(dir); return (s.blocks - s.bfree) * s.bsize; };
    // bigger than the whole filesystem
    const whole = join(dir, 'whole');
    const e1 = thrown(() => MappedFile.open(whole, { create: true, size: 2 * 1024 * 1024 }));
    assert.is(e1.code, 'ENOSPC');
    assert.is(e1.syscall, 'posix_fallocate');
    assert.is(e1.path, whole);
    assert.not.ok(existsSync(whole), 'a file made by the failed call stays behind');

    // fits the size limit but not the space left: fails part-way
    const filler = MappedFile.open(join(dir, 'filler'), { create: true, size: 700 * 1024 });
    filler.bytes.fill(1);
    const usedBefore = used();
    const part = join(dir, 'part');
    const e2 = thrown(() => MappedFile.open(part, { create: true, size: 700 * 1024 }));
    assert.is(e2.code, 'ENOSPC');
    assert.not.ok(existsSync(part));
    assert.is(used(), usedBefore);

    // an existing file is not left grown by a failed create
    const existing = join(dir, 'existing');
    writeFileSync(existing, 'hello');
    const e3 = thrown(() => MappedFile.open(existing, { create: true, size: 700 * 1024 }));
    assert.is(e3.code, 'ENOSPC');
    assert.is(readFileSync(existing, 'utf8'), 'hello');

    // the filesystem still works for something that fits
    const fits = MappedFile.open(join(dir, 'fits'), { create: true, size: 64 * 1024 });
    fits.writePattern();
    assert.is(fits.verifyPattern(), -1);
    fits.close();
    filler.close();
  } finally {
    execFileSync('umount', [dir]);
    rmdirSync(dir);
  }
});

posix('stat and list describe the objects under /dev/shm like ls does', () => {
  const a = trackPosix(freshName('list'));
  const b = trackPosix(freshName('list'));
  const sa = Posix.create(a, { size: 12345, mode: 0o640 });
  const sb = Posix.create(b, { size: 1 });
  sa.close();
  sb.close();
  const st = Posix.stat(a);
  assert.is(st.name, a);
  assert.is(st.size, 12345n);
  assert.is(st.mode, 0o640);
  assert.is(st.uid, statSync(file(a)).uid);
  assert.instance(st.mtime, Date);

  const listed = Posix.list();
  const fromLs = execFileSync('ls', ['-A', '/dev/shm'], { encoding: 'utf8' })
    .split('\n').filter((n) => n && !n.startsWith('sem.') && statSync('/dev/shm/' + n).isFile()).map((n) => '/' + n).sort();
  // others may create objects meanwhile; ours must be there and both views agree on them
  for (const name of [a, b]) assert.ok(fromLs.includes(name) && listed.some((p) => p.name === name), name);
  const mine = listed.filter((p) => p.name.includes(`-${process.pid}-`));
  assert.equal(mine.map((p) => p.name), fromLs.filter((n) => n.includes(`-${process.pid}-`)));
  assert.equal(mine.map((p) => p.name), [...mine.map((p) => p.name)].sort((x, y) => x.localeCompare(y)));
  assert.is(listed.find((p) => p.name === a)!.size, 12345n);
  assert.is(listed.find((p) => p.name === b)!.size, 1n);
  for (const p of listed) assert.not.ok(p.name.startsWith('/sem.'), p.name);

  const missing = thrown(() => Posix.stat(freshName('nothere')));
  assert.is(missing.code, 'ENOENT');
  assert.is(missing.syscall, 'stat');
});

posix('set changes the mode and owner of the object', () => {
  const name = trackPosix(freshName('set'));
  const seg = Posix.create(name, { size: 4096 });
  try {
    seg.set({ mode: 0o644 });
    assert.is(fileMode(name), 0o644);
    seg.set({ uid: 65534 });
    assert.is(statSync(file(name)).uid, 65534);
    assert.is(statSync(file(name)).gid, process.getgid!());
    seg.set({ gid: 65534 });
    assert.equal([seg.stat().uid, seg.stat().gid], [65534, 65534]);
    assert.is(thrown(() => seg.set({ mode: 0o7777 })).code, 'EINVAL');
    assert.is(thrown(() => seg.set({ uid: -1 })).code, 'EINVAL');
    assert.is(thrown(() => seg.set({ owner: 1 } as never)).code, 'EINVAL');
    assert.is(fileMode(name), 0o644);
  } finally {
    seg.close();
  }
});

posix('unlinking while mapped keeps the mapping usable; the name is free again', () => {
  const name = trackPosix(freshName('unlink'));
  const seg = Posix.create(name, { size: 8192 });
  seg.writePattern();
  seg.remove();
  try {
    assert.not.ok(existsSync(file(name)));
    assert.not.ok(Posix.list().some((p) => p.name === name));
    assert.is(thrown(() => Posix.open(name)).code, 'ENOENT');
    const again = thrown(() => Posix.remove(name));
    assert.is(again.code, 'ENOENT');
    assert.is(again.syscall, 'shm_unlink');
    // the old mapping still works, and fstat still sees the object
    assert.is(seg.verifyPattern(), -1);
    seg.bytes[8191] = 7;
    assert.is(seg.bytes[8191], 7);
    assert.is(seg.stat().size, 8192n);
    // a new object of the same name is a different one
    const fresh = Posix.create(name, { size: 8192 });
    assert.is(fresh.created, true);
    assert.ok(fresh.bytes.every((x) => x === 0));
    fresh.bytes[0] = 200;
    assert.is(seg.bytes[0], 0);
    fresh.close();
  } finally {
    seg.close();
  }
});

posix('close releases the window and the descriptor, and is idempotent', () => {
  const arena = new Arena({ maxBytes: 8 * 65536 });
  const name = trackPosix(freshName('close'));
  const seg = Posix.create(name, { size: 70000, arena });
  const fd = seg.fd;
  assert.is(readlinkSync(`/proc/self/fd/${fd}`), file(name));
  assert.is(arena.usedBytes, 2 * 65536);
  const stale = seg.bytes;
  stale[5] = 5;
  seg.close();
  seg.close();
  assert.is(seg.closed, true);
  assert.is(arena.usedBytes, 0);
  let link = '';
  try { link = readlinkSync(`/proc/self/fd/${fd}`); } catch { /* closed */ }
  assert.is.not(link, file(name));
  assert.is(stale[5], 0); // the window was re-covered with fresh pages
  for (const call of [() => seg.bytes, () => seg.stat(), () => seg.verifyPattern(), () => seg.crc32(), () => seg.reader, () => seg.flush()]) {
    assert.is(thrown(call).code, 'EBADF');
  }
  // the object itself outlives the handle
  const back = Posix.open(name);
  assert.is(back.bytes[5], 5);
  back[Symbol.dispose]();
  assert.is(back.closed, true);
});

posix('mode 0 is honoured, and root may still open it (permission failures: posix-processes)', () => {
  const name = trackPosix(freshName('mode0'));
  const seg = Posix.create(name, { size: 4096, mode: 0 });
  seg.writePattern();
  seg.close();
  assert.is(fileMode(name), 0);
  const ro = Posix.open(name, { readOnly: true });
  assert.is(ro.verifyPattern(), -1);
  ro.close();
});

posix('nothing of this process is left in /dev/shm', () => {
  cleanup();
  const left = readdirSync('/dev/shm').filter((n) => n.includes(`shmkit-test-${process.pid}-`));
  assert.equal(left, []);
});

posix.run();
