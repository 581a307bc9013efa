import { suite } from 'uvu';
import { thrown } from './helpers/errors.js';
import * as assert from 'uvu/assert';
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, readFileSync, readlinkSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { MappedFile, Memfd } from '../host/index.js';
import { libc } from '../host/linux/libc.js';
import { cleanup, trackPath } from './helpers/resources.js';
import { runPeer, startPeer } from './helpers/peer.js';

const memfd = suite('memfd-file');
memfd.after.each(cleanup);

const PAGE = 4096;


function mod256(length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = i & 255;
  return b;
}

const tempDir = () => trackPath(mkdtempSync(join(tmpdir(), 'shmkit-memfd-file-')));
const fdOpen = (fd: number) => { try { readlinkSync(`/proc/self/fd/${fd}`); return true; } catch { return false; } };

// ---- memfd ----

memfd('a memfd is sealed against shrinking: nobody can truncate it under a mapping (SIGBUS), growing still works', () => {
  const m = Memfd.create({ size: 8192 });
  try {
    assert.is(libc.fcntl(m.fd, 1034 /* F_GET_SEALS */, 0), 2 /* F_SEAL_SHRINK */);
    assert.throws(() => ftruncateSync(m.fd, 0), /EPERM/);
    ftruncateSync(m.fd, 16384);
    m.bytes[8191] = 7; // still mapped and whole
    assert.is(m.bytes[8191], 7);
  } finally {
    m.close();
  }
});

memfd('Memfd.create makes a sized, reserved, close-on-exec anonymous file', () => {
  const m = Memfd.create({ size: 10000, name: 'shmkit-test-label' });
  try {
    assert.is(m.size, 10000);
    assert.is(m.mappedSize, 3 * PAGE);
    assert.is(m.label, 'shmkit-test-label');
    assert.is(readlinkSync(`/proc/self/fd/${m.fd}`), '/memfd:shmkit-test-label (deleted)');
    const flags = readFileSync(`/proc/self/fdinfo/${m.fd}`, 'utf8').match(/flags:\s+(\d+)/)![1];
    assert.ok((parseInt(flags, 8) & 0o2000000) !== 0, `O_CLOEXEC in flags ${flags}`);
    const st = m.stat();
    assert.is(st.size, 10000n);
    assert.ok(st.allocated >= 10000n);
    assert.ok(m.bytes.every((b) => b === 0));
    m.writePattern();
    assert.is(m.verifyPattern(), -1);
    assert.is(m.crc32(), crc32(mod256(10000)));
    // the mapping is the fd's content: read it back through the descriptor
    assert.equal(readFileSync(`/proc/self/fd/${m.fd}`), mod256(10000));
    const unnamed = Memfd.create({ size: 1 });
    assert.is(unnamed.label, 'shmkit');
    assert.is(readlinkSync(`/proc/self/fd/${unnamed.fd}`), '/memfd:shmkit (deleted)');
    unnamed.close();
  } finally {
    m.close();
  }
  assert.not.ok(fdOpen(m.fd) && readlinkSync(`/proc/self/fd/${m.fd}`).includes('shmkit-test-label'));
});

memfd('Memfd.create rejects bad options before any call', () => {
  const cases: Array<[string, unknown]> = [
    ['no size', {}],
    ['size 0', { size: 0 }],
    ['size -5', { size: -5 }],
    ['size 1.5', { size: 1.5 }],
    ['name with /', { size: 10, name: 'a/b' }],
    ['name with NUL', { size: 10, name: 'a\0b' }],
    ['name of 250 bytes', { size: 10, name: 'x'.repeat(250) }],
    ['name not a string', { size: 10, name: 5 }],
    ['hugetlb string', { size: 10, hugetlb: 'yes' }],
    ['unknown option', { size: 10, mode: 0o600 }],
    ['null', null],
  ];
  for (const [why, options] of cases) {
    const error = thrown(() => Memfd.create(options as never));
    assert.is(error.code, 'EINVAL', why);
    assert.is(error.syscall, undefined, why);
  }
  const longest = Memfd.create({ size: 10, name: 'y'.repeat(249) });
  assert.is(longest.label.length, 249);
  longest.close();
});

memfd('Memfd.fromFd maps a second descriptor of the same memfd: one memory, two windows', () => {
  const m = Memfd.create({ size: 5000 });
  const again = Memfd.fromFd(openSync(`/proc/self/fd/${m.fd}`, 'r+'));
  const ro = Memfd.fromFd(openSync(`/proc/self/fd/${m.fd}`, 'r'), { readOnly: true });
  const part = Memfd.fromFd(openSync(`/proc/self/fd/${m.fd}`, 'r+'), { size: 100 });
  try {
    assert.is(again.size, 5000);
    assert.is(again.label, `fd ${again.fd}`);
    assert.is.not(again.offset, m.offset);
    m.writePattern();
    assert.is(again.verifyPattern(), -1);
    again.bytes[4999] = 0;
    assert.is(m.verifyPattern(), 4999);
    assert.is(ro.reader.getUint8(4999), 0);
    assert.is(thrown(() => ro.bytes).code, 'EACCES');
    // `part` was claimed after `ro`: growing the arena kept ro's pages read-only
    assert.ok(part.offset > ro.offset);
    assert.match(readFileSync('/proc/self/maps', 'utf8'), new RegExp(`^${ro.address.toString(16)}-[0-9a-f]+ r--s `, 'm'));
    assert.is(part.size, 100);
    assert.equal(Buffer.from(part.bytes), mod256(100));
  } finally {
    for (const s of [m, again, ro, part]) s.close();
  }
  assert.not.ok(fdOpen(again.fd) && readlinkSync(`/proc/self/fd/${again.fd}`).startsWith('/memfd:'));
});

memfd('Memfd.fromFd refuses bad descriptors and objects it cannot map', () => {
  for (const fd of [-1, 1.5, NaN, '3']) {
    const error = thrown(() => Memfd.fromFd(fd as never));
    assert.is(error.code, 'EINVAL', String(fd));
    assert.is(error.syscall, undefined);
  }
  const dir = tempDir();
  const emptyFd = openSync(join(dir, 'empty'), 'w+');
  try {
    const empty = thrown(() => Memfd.fromFd(emptyFd));
    assert.is(empty.code, 'EINVAL');
    assert.match(empty.message, /empty/);
    writeSync(emptyFd, 'abc');
    assert.is(thrown(() => Memfd.fromFd(emptyFd, { size: 4 })).code, 'EINVAL');
    assert.is(thrown(() => Memfd.fromFd(emptyFd, { bogus: 1 } as never)).code, 'EINVAL');
  } finally {
    closeSync(emptyFd); // the failed calls left the descriptor to us
  }
  const closed = openSync(join(dir, 'empty'), 'r');
  closeSync(closed);
  const badFd = thrown(() => Memfd.fromFd(closed));
  assert.is(badFd.code, 'EBADF');
  assert.is(badFd.syscall, 'fstat');
});

memfd('a spawned child maps the memfd from fd 3; each side sees the other\'s writes', async () => {
  const m = Memfd.create({ size: 2 * PAGE + 17, name: 'shmkit-test-child' });
  m.writePattern();
  try {
    const peer = startPeer('fd:3', ['size', 'verify', 'wait', 'read:8000:4', 'write:8200:0badf00d', 'wait', 'verify'], {
      stdio: ['pipe', 'pipe', 'pipe', m.fd],
    });
    assert.equal(await peer.next(), { opened: 2 * PAGE + 17 });
    assert.equal(await peer.next(), { size: 2 * PAGE + 17, readOnly: false });
    assert.equal(await peer.next(), { bad: -1 });
    m.bytes.set([1, 2, 3, 4], 8000);
    peer.resume();
    assert.equal(await peer.next(), { waited: true });
    assert.equal(await peer.next(), { hex: '01020304' });
    assert.equal(await peer.next(), { wrote: 4 });
    assert.equal(Buffer.from(m.bytes.subarray(8200, 8204)).toString('hex'), '0badf00d');
    m.writePattern();
    peer.resume();
    assert.equal(await peer.next(), { waited: true });
    assert.equal(await peer.next(), { bad: -1 });
    const result = await peer.done();
    assert.is(result.code, 0, result.stderr);
  } finally {
    m.close();
  }
});

memfd('a child given the memfd read-only reads it and cannot write; one without it gets EBADF', async () => {
  const m = Memfd.create({ size: 4096 });
  m.writePattern();
  try {
    const ro = await runPeer('fd-ro:3', ['verify', 'crc', 'write:0:01'], { stdio: ['ignore', 'pipe', 'pipe', m.fd] });
    assert.is(ro.code, 3, ro.stderr);
    assert.equal(ro.lines.slice(0, 3), [{ opened: 4096 }, { bad: -1 }, { crc: m.crc32() }]);
    assert.is(ro.lines[3].error.code, 'EACCES');
    assert.is(m.bytes[0], 0);
    // close-on-exec: a child that was not handed the fd does not have it
    const none = await runPeer(`fd:${m.fd}`, ['verify']);
    assert.is(none.code, 3, none.stderr);
    assert.is(none.lines[0].error.code, 'EBADF');
  } finally {
    m.close();
  }
});

// ---- regular files ----

memfd('MappedFile.open create makes the file at the size, mode 0600, and flush writes it back', () => {
  const path = join(tempDir(), 'data.bin');
  const f = MappedFile.open(path, { create: true, size: 10000 });
  try {
    assert.is(f.path, path);
    assert.is(f.size, 10000);
    assert.is(f.mappedSize, 3 * PAGE);
    assert.is(statSync(path).size, 10000);
    assert.is(statSync(path).mode & 0o777, 0o600);
    assert.ok(f.stat().allocated >= 10000n);
    f.writePattern();
    f.flush();
    assert.equal(readFileSync(path), mod256(10000));
    f.bytes.fill(0x5a, 9000);
    f.flush('async');
    f.flush('sync', true);
    const back = readFileSync(path);
    assert.ok(back.subarray(9000).every((b) => b === 0x5a));
    assert.equal(back.subarray(0, 9000), mod256(9000));
    // and the other way: a write(2) to the file shows in the mapping
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.from('hello'), 0, 5, 20);
    closeSync(fd);
    assert.is(Buffer.from(f.bytes.subarray(20, 25)).toString(), 'hello');
  } finally {
    f.close();
  }
  assert.is(statSync(path).size, 10000); // the file stays after close
});

memfd('MappedFile.open honours mode, exclusive and the rules between options', () => {
  const dir = tempDir();
  const path = join(dir, 'f');
  const f = MappedFile.open(path, { create: true, size: 100, mode: 0o640, exclusive: true });
  f.bytes[0] = 1;
  f.close();
  assert.is(statSync(path).mode & 0o777, 0o640);
  const taken = thrown(() => MappedFile.open(path, { create: true, size: 100, exclusive: true }));
  assert.is(taken.code, 'EEXIST');
  assert.is(taken.syscall, 'open');
  assert.is(taken.path, path);
  // create without exclusive opens what is there and keeps its bytes
  const g = MappedFile.open(path, { create: true, size: 100 });
  assert.is(g.bytes[0], 1);
  g.close();
  for (const [why, options] of [
    ['create without size', { create: true }],
    ['create and readOnly', { create: true, size: 10, readOnly: true }],
    ['exclusive without create', { exclusive: true }],
    ['size 0', { size: 0 }],
    ['mode 0o1000', { create: true, size: 10, mode: 0o1000 }],
    ['unknown option', { truncate: true }],
    ['create not boolean', { create: 1, size: 10 }],
  ] as const) {
    const error = thrown(() => MappedFile.open(join(dir, 'never'), options as never));
    assert.is(error.code, 'EINVAL', why);
    assert.is(error.syscall, undefined, why);
  }
  for (const bad of ['', 'a\0b', 5, undefined]) {
    assert.is(thrown(() => MappedFile.open(bad as never)).code, 'EINVAL', String(bad));
  }
  assert.not.ok(existsSync(join(dir, 'never')));
  const missing = thrown(() => MappedFile.open(join(dir, 'missing')));
  assert.is(missing.code, 'ENOENT');
  assert.is(missing.syscall, 'open');
});

memfd('MappedFile.open never maps past the end of the file; odd sizes map with a working tail', () => {
  const dir = tempDir();
  const path = join(dir, 'odd');
  writeFileSync(path, mod256(5000));
  assert.is(thrown(() => MappedFile.open(path, { size: 5001 })).code, 'EINVAL');
  const empty = join(dir, 'empty');
  writeFileSync(empty, '');
  assert.match(thrown(() => MappedFile.open(empty)).message, /empty/);
  const f = MappedFile.open(path);
  try {
    assert.is(f.size, 5000);
    assert.is(f.mappedSize, 2 * PAGE);
    assert.is(f.verifyPattern(), -1);
    f.bytes.fill(0xee, PAGE);
    f.flush();
    const back = readFileSync(path);
    assert.is(back.length, 5000);
    assert.ok(back.subarray(PAGE).every((b) => b === 0xee));
  } finally {
    f.close();
  }
  // create with a smaller size maps only that much and does not shrink the file
  const small = MappedFile.open(path, { create: true, size: 10 });
  assert.is(small.size, 10);
  small.close();
  assert.is(statSync(path).size, 5000);
  // create with a bigger size grows the file, new bytes zero
  const big = MappedFile.open(path, { create: true, size: 9000 });
  assert.is(statSync(path).size, 9000);
  assert.ok(big.bytes.subarray(5000).every((b) => b === 0));
  big.close();
});

memfd('a read-only MappedFile reads, verifies and sees later writes, but refuses to write', () => {
  const path = join(tempDir(), 'ro');
  const rw = MappedFile.open(path, { create: true, size: 3000 });
  const ro = MappedFile.open(path, { readOnly: true });
  try {
    assert.is(ro.readOnly, true);
    for (const get of [() => ro.bytes, () => ro.view, () => ro.int32, () => ro.writePattern()]) {
      assert.is(thrown(get).code, 'EACCES');
    }
    rw.writePattern();
    assert.is(ro.verifyPattern(), -1);
    assert.is(ro.crc32(), crc32(mod256(3000)));
    ro.flush(); // msync of a read-only mapping is allowed
  } finally {
    ro.close();
    rw.close();
  }
});

memfd('a second process mapping the same file sees our writes, and we see its writes', async () => {
  const path = join(tempDir(), 'shared');
  const f = MappedFile.open(path, { create: true, size: 20000 });
  f.writePattern();
  try {
    const peer = startPeer(`file:${path}`, ['verify', 'wait', 'read:19996:4', 'write:0:c0ffee', 'wait']);
    assert.equal(await peer.next(), { opened: 20000 });
    assert.equal(await peer.next(), { bad: -1 });
    f.bytes.set([0xaa, 0xbb, 0xcc, 0xdd], 19996);
    peer.resume();
    assert.equal(await peer.next(), { waited: true });
    assert.equal(await peer.next(), { hex: 'aabbccdd' });
    assert.equal(await peer.next(), { wrote: 3 });
    assert.equal(Buffer.from(f.bytes.subarray(0, 3)).toString('hex'), 'c0ffee');
    peer.resume();
    assert.equal(await peer.next(), { waited: true });
    const result = await peer.done();
    assert.is(result.code, 0, result.stderr);
    f.flush();
    const back = readFileSync(path);
    assert.equal(back.subarray(0, 3).toString('hex'), 'c0ffee');
    assert.equal(back.subarray(19996).toString('hex'), 'aabbccdd');
    // a read-only peer of a file it can open sees the same bytes
    const ro = await runPeer(`file-ro:${path}`, ['read:0:3', 'crc']);
    assert.equal(ro.lines, [{ opened: 20000 }, { hex: 'c0ffee' }, { crc: crc32(back) }]);
  } finally {
    f.close();
  }
});

memfd('a file truncated by someone else is refused at open, not mapped past its end', () => {
  const path = join(tempDir(), 'shrunk');
  const f = MappedFile.open(path, { create: true, size: 8192 });
  f.close();
  const fd = openSync(path, 'r+');
  ftruncateSync(fd, 100);
  closeSync(fd);
  assert.is(thrown(() => MappedFile.open(path, { size: 8192 })).code, 'EINVAL');
  const g = MappedFile.open(path);
  assert.is(g.size, 100);
  g.close();
});

memfd('progress stops where a verify finds a bad byte, and reaches the total when it finds none', () => {
  const MiB = 1024 * 1024;
  const m = Memfd.create({ size: 40 * MiB });
  try {
    const seen: number[] = [];
    m.writePattern('mod256', { onProgress: (done) => seen.push(done) });
    assert.equal(seen, [16 * MiB, 32 * MiB, 40 * MiB]);
    m.bytes[20 * MiB] ^= 0xff; // in the second 16 MiB chunk
    seen.length = 0;
    assert.is(m.verifyPattern('mod256', { onProgress: (done, total) => seen.push(done / total) }), 20 * MiB);
    assert.equal(seen, [16 / 40], 'no report past the chunk that held the bad byte');
  } finally {
    m.close();
  }
});

memfd.run();
