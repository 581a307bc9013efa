import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Posix } from '../host/index.js';
import { cleanup, freshName, trackPosix } from './helpers/resources.js';
import { asNobody, run } from './helpers/processes.js';
import { compileC } from './helpers/gcc.js';
import { runPeer, startPeer } from './helpers/peer.js';

const procs = suite('posix-processes');
procs.after.each(cleanup);

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

procs('a separate node process sees our writes and we see its writes, both mapped at once', async () => {
  const name = trackPosix(freshName('xproc'));
  const seg = Posix.create(name, { size: 3 * 4096 + 5 });
  seg.writePattern();
  try {
    const peer = startPeer(`posix:${name}`, ['verify', 'read:0:4', 'wait', 'read:0:4', 'write:12000:deadbeef', 'wait', 'read:100:2']);
    assert.equal(await peer.next(), { opened: 3 * 4096 + 5 });
    assert.equal(await peer.next(), { bad: -1 });
    assert.equal(await peer.next(), { hex: '00010203' });
    // the peer is paused with the object mapped: change it under its feet
    seg.bytes.set([0xca, 0xfe, 0xba, 0xbe], 0);
    peer.resume();
    assert.equal(await peer.next(), { waited: true });
    assert.equal(await peer.next(), { hex: 'cafebabe' });
    assert.equal(await peer.next(), { wrote: 4 });
    // the peer wrote into its mapping (in its last page) and is still running
    assert.is(hex(seg.bytes.subarray(12000, 12004)), 'deadbeef');
    seg.bytes[100] = 0x11;
    seg.bytes[101] = 0x22;
    peer.resume();
    assert.equal(await peer.next(), { waited: true });
    assert.equal(await peer.next(), { hex: '1122' });
    const result = await peer.done();
    assert.is(result.code, 0, result.stderr);
  } finally {
    seg.close();
  }
});

procs('a child that maps read-only sees later writes and cannot write', async () => {
  const name = trackPosix(freshName('xro'));
  const seg = Posix.create(name, { size: 4096 });
  try {
    const peer = startPeer(`posix-ro:${name}`, ['size', 'verify', 'wait', 'verify', 'crc', 'write:0:ff']);
    assert.equal(await peer.next(), { opened: 4096 });
    assert.equal(await peer.next(), { size: 4096, readOnly: true });
    assert.equal(await peer.next(), { bad: 1 });
    seg.writePattern();
    peer.resume();
    assert.equal(await peer.next(), { waited: true });
    assert.equal(await peer.next(), { bad: -1 });
    assert.equal(await peer.next(), { crc: seg.crc32() });
    const refused = await peer.next();
    assert.is(refused.error.code, 'EACCES');
    const result = await peer.done();
    assert.is(result.code, 3);
    assert.is(seg.bytes[0], 0);
  } finally {
    seg.close();
  }
});

procs('objects outlive the process that made them; a child can create what we open', async () => {
  const name = trackPosix(freshName('child-made'));
  // the peer only opens, so make the object with a child: node creating via Posix.create
  const made = await run(process.execPath, ['--import', 'tsx', '-e',
    `import('./host/index.ts').then(({ Posix }) => { const s = Posix.create(${JSON.stringify(name)}, { size: 70000, exclusive: true }); s.writePattern(); s.close(); })`]);
  assert.is(made.code, 0, made.stderr);
  const seg = Posix.open(name);
  try {
    assert.is(seg.size, 70000);
    assert.is(seg.verifyPattern(), -1);
    assert.is(Posix.stat(name).mode, 0o600);
  } finally {
    seg.close();
  }
});

procs('uid 65534 gets EACCES on a 0600 object, and may read once the mode allows it', async () => {
  const name = trackPosix(freshName('perm'));
  const seg = Posix.create(name, { size: 4096 });
  seg.writePattern();
  try {
    for (const target of [`posix:${name}`, `posix-ro:${name}`]) {
      const denied = await runPeer(target, ['verify'], asNobody);
      assert.is(denied.code, 3, denied.stderr);
      assert.is(denied.lines[0].error.code, 'EACCES', target);
      assert.is(denied.lines[0].error.syscall, 'shm_open');
      assert.is(denied.lines[0].error.errno, -13);
    }
    seg.set({ mode: 0o604 });
    const reader = await runPeer(`posix-ro:${name}`, ['verify', 'size'], asNobody);
    assert.is(reader.code, 0, reader.stderr);
    assert.equal(reader.lines, [{ opened: 4096 }, { bad: -1 }, { size: 4096, readOnly: true }]);
    const writer = await runPeer(`posix:${name}`, ['fill:1'], asNobody);
    assert.is(writer.code, 3);
    assert.is(writer.lines[0].error.code, 'EACCES');
    assert.is(seg.verifyPattern(), -1);
    // giving the object to nobody lets it write
    seg.set({ uid: 65534, mode: 0o600 });
    const owner = await runPeer(`posix:${name}`, ['fill:9'], asNobody);
    assert.is(owner.code, 0, owner.stderr);
    assert.ok(seg.bytes.every((b) => b === 9));
  } finally {
    seg.close();
  }
});

// Python's SharedMemory names objects without the leading '/', and its
// resource tracker unlinks what it saw at exit unless told otherwise.
const PY_ATTACH = `
import sys
from multiprocessing import shared_memory, resource_tracker
name, create, size = sys.argv[1], sys.argv[2] == 'create', int(sys.argv[3])
sm = shared_memory.SharedMemory(name=name, create=create, size=size)
resource_tracker.unregister(sm._name, 'shared_memory')
buf = sm.buf
print('size', sm.size, flush=True)
if create:
    for i in range(size):
        buf[i] = (i * 7 + 3) & 255
    print('filled', flush=True)
else:
    bad = next((i for i in range(size) if buf[i] != (i & 255)), -1)
    print('bad', bad, flush=True)
    sys.stdin.readline()
    print('now', bytes(buf[0:4]).hex(), flush=True)
    buf[10:21] = b'from-python'
    print('wrote', flush=True)
    sys.stdin.readline()
del buf
sm.close()
`;

function python(args: string[]) {
  const child = spawn('python3', ['-c', PY_ATTACH, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    next: async () => {
      const r = await lines.next();
      if (r.done) throw new Error(`python ended early: ${stderr}`);
      return r.value;
    },
    resume: () => child.stdin.write('\n'),
    done: async () => { child.stdin.end(); return { code: await exit, stderr }; },
  };
}

procs('Python multiprocessing.shared_memory reads what shmkit wrote and writes what shmkit reads', async () => {
  const name = trackPosix(freshName('py'));
  const seg = Posix.create(name, { size: 5000 });
  seg.writePattern();
  try {
    const py = python([name.slice(1), 'open', '5000']);
    assert.is(await py.next(), 'size 5000');
    assert.is(await py.next(), 'bad -1');
    seg.bytes.set([9, 8, 7, 6], 0);
    py.resume();
    assert.is(await py.next(), 'now 09080706');
    assert.is(await py.next(), 'wrote');
    assert.is(Buffer.from(seg.bytes.subarray(10, 21)).toString(), 'from-python');
    py.resume();
    const { code, stderr } = await py.done();
    assert.is(code, 0, stderr);
    assert.not.match(stderr, /leaked|resource_tracker/);
    // Python neither unlinked nor resized the object
    assert.is(Posix.stat(name).size, 5000n);
    assert.is(seg.bytes[21], 21);
  } finally {
    seg.close();
  }
});

procs('shmkit opens an object Python created', async () => {
  const name = trackPosix(freshName('pymade'));
  const py = python([name.slice(1), 'create', '10000']);
  assert.is(await py.next(), 'size 10000');
  assert.is(await py.next(), 'filled');
  const { code, stderr } = await py.done();
  assert.is(code, 0, stderr);
  const seg = Posix.open(name);
  try {
    assert.is(seg.size, 10000);
    for (const i of [0, 1, 4095, 4096, 9999]) assert.is(seg.bytes[i], (i * 7 + 3) & 255, `byte ${i}`);
    assert.is(Posix.stat(name).mode, 0o600);
  } finally {
    seg.close();
  }
});

const C_PEER = `
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* peer check NAME | peer fill NAME | peer create NAME SIZE */
int main(int argc, char **argv) {
  if (argc < 3) return 2;
  int create = strcmp(argv[1], "create") == 0, check = strcmp(argv[1], "check") == 0;
  int fd = create ? shm_open(argv[2], O_RDWR | O_CREAT | O_EXCL, 0600)
                  : shm_open(argv[2], check ? O_RDONLY : O_RDWR, 0);
  if (fd < 0) { perror("shm_open"); return 1; }
  struct stat st;
  if (create && ftruncate(fd, atol(argv[3])) != 0) { perror("ftruncate"); return 1; }
  if (fstat(fd, &st) != 0) { perror("fstat"); return 1; }
  size_t size = (size_t)st.st_size;
  unsigned char *p = mmap(NULL, size, check ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) { perror("mmap"); return 1; }
  if (check) {
    for (size_t i = 0; i < size; i++)
      if (p[i] != (unsigned char)i) { printf("bad %zu\\n", i); return 0; }
    printf("ok %zu\\n", size);
  } else {
    for (size_t i = 0; i < size; i++) p[i] = (unsigned char)(i * 7 + 3);
    printf("%s %zu\\n", create ? "created" : "filled", size);
  }
  munmap(p, size);
  close(fd);
  return 0;
}
`;

function compilePeer(): string {
  return compileC(C_PEER, 'posix-peer');
}

procs('a C program (shm_open + mmap) reads what shmkit wrote and writes what shmkit reads', async () => {
  const peer = compilePeer();
  const name = trackPosix(freshName('c'));
  const seg = Posix.create(name, { size: 9000 });
  try {
    seg.writePattern();
    const checked = await run(peer, ['check', name]);
    assert.is(checked.code, 0, checked.stderr);
    assert.is(checked.stdout, 'ok 9000\n');
    seg.bytes[4321] ^= 0xff;
    const broken = await run(peer, ['check', name]);
    assert.is(broken.stdout, 'bad 4321\n');
    const filled = await run(peer, ['fill', name]);
    assert.is(filled.stdout, 'filled 9000\n', filled.stderr);
    for (const i of [0, 1, 255, 4096, 8999]) assert.is(seg.bytes[i], (i * 7 + 3) & 255, `byte ${i}`);
  } finally {
    seg.close();
  }
});

procs('shmkit opens an object a C program created, and the C side checks our pattern', async () => {
  const peer = compilePeer();
  const name = trackPosix(freshName('cmade'));
  const made = await run(peer, ['create', name, '12288']);
  assert.is(made.stdout, 'created 12288\n', made.stderr);
  assert.is(statSync('/dev/shm' + name).mode & 0o777, 0o600);
  const seg = Posix.open(name);
  try {
    assert.is(seg.size, 12288);
    assert.is(seg.bytes[12287], (12287 * 7 + 3) & 255);
    assert.is(seg.verifyPattern(), 0); // byte 0 holds 3, not the pattern's 0
  } finally {
    seg.close();
  }
  const ro = Posix.open(name, { readOnly: true });
  ro.close();
  const rw = Posix.open(name);
  rw.writePattern();
  rw.close();
  const checked = await run(peer, ['check', name]);
  assert.is(checked.stdout, 'ok 12288\n');
});

procs('nothing of this process is left in /dev/shm', () => {
  cleanup();
  assert.equal(readdirSync('/dev/shm').filter((n) => n.includes(`shmkit-test-${process.pid}-`)), []);
});

procs.run();
