// System V segments shared with other processes: node children (root and
// nobody), a C program built here with gcc, and util-linux's ipcmk/ipcrm/ipcs.
import { compileC } from './helpers/gcc.js';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SysV, ShmError } from '../host/index.js';
import { structSize } from '../host/linux/structs.js';
import { asNobody, run, runFixture, type RunResult } from './helpers/processes.js';
import { cleanup, keepOpen, freshKey, trackPath, trackSysV } from './helpers/resources.js';

const test = suite('sysv-processes');

const everyId = new Set<number>();
function keepId(id: number): number {
  everyId.add(id);
  return trackSysV(id);
}
function keep<T extends SysV>(segment: T): T {
  keepOpen(segment);
  keepId(segment.id);
  return segment;
}
test.after.each(cleanup);

interface PeerResult {
  ok: boolean; pid: number; uid: number;
  id?: number; key?: number; size?: number; readOnly?: boolean; created?: boolean;
  crc?: number; verify?: number; reads?: number[]; nattch?: number;
  code?: string; errno?: number; syscall?: string; message?: string;
}

/** Runs tests/fixtures/sysv-peer.ts with a request; returns what it printed. */
async function peer(request: object, options = {}): Promise<PeerResult> {
  const result = await runFixture('sysv-peer.ts', [JSON.stringify(request)], options);
  assert.is(result.code, 0, `the peer failed: ${result.stderr}`);
  const line = result.stdout.trim().split('\n').pop()!;
  const parsed = JSON.parse(line) as PeerResult;
  if (parsed.ok && parsed.id !== undefined) keepId(parsed.id);
  return parsed;
}

async function ok(command: string, args: string[]): Promise<RunResult> {
  const result = await run(command, args);
  assert.is(result.code, 0, `${command} ${args.join(' ')}: ${result.stderr}`);
  return result;
}

function tempDir(tag: string): string {
  return trackPath(mkdtempSync(join(tmpdir(), `shmkit-sysv-${tag}-`)));
}

/** `ipcs -m` rows by shmid. */
async function ipcsRows(): Promise<Map<number, { key: number; owner: string; perms: number; bytes: number; nattch: number; status: string }>> {
  const rows = new Map();
  for (const line of (await ok('ipcs', ['-m'])).stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (!/^0x[0-9a-f]+$/.test(f[0] ?? '')) continue;
    rows.set(Number(f[1]), {
      key: parseInt(f[0]!, 16) >>> 0, owner: f[2], perms: parseInt(f[3]!, 8), bytes: Number(f[4]),
      nattch: Number(f[5]), status: f.slice(6).join(' '),
    });
  }
  return rows;
}

// ---------------------------------------------------------------- node children

test('a child process sees what the parent wrote (read-only attach), and leaves lpid behind', async () => {
  const key = freshKey();
  const seg = keep(SysV.create({ key, size: 100000 }));
  seg.writePattern();
  seg.view.setUint32(40000, 0xcafef00d, true);
  const child = await peer({ target: { key }, readOnly: true, reads: [40000, 0] });
  assert.ok(child.ok, child.message);
  assert.is(child.id, seg.id);
  assert.is(child.readOnly, true);
  assert.is(child.size, 100000);
  assert.is(child.crc, seg.crc32());
  assert.is(child.verify, 40000, 'the child sees the pattern and the parent\'s word');
  assert.equal(child.reads, [0xcafef00d, 0x03020100]);
  assert.is(child.nattch, 2, 'parent and child were both attached');
  const st = seg.stat();
  assert.is(st.lpid, child.pid, 'the child made the last attach/detach');
  assert.is(st.cpid, process.pid);
  assert.is(st.nattch, 1n);
  assert.instance(st.dtime, Date);
});

test('the parent sees what a child wrote, through the view it already held', async () => {
  const key = freshKey();
  const seg = keep(SysV.create({ key, size: 3 * 65536 + 1 }));
  const bytes = seg.bytes; // taken before the child runs: no copy, no re-read
  const child = await peer({ target: { key }, pattern: true, writes: [[0, 0xdeadbeef], [3 * 65536 - 3, 0x01020304]] });
  assert.ok(child.ok, child.message);
  assert.is(child.readOnly, false);
  assert.is(bytes[0], 0xef);
  assert.is(seg.view.getUint32(0, true), 0xdeadbeef);
  assert.is(seg.view.getUint32(3 * 65536 - 3, true), 0x01020304);
  assert.is(bytes[3 * 65536], 0x01, 'the segment\'s last byte is the high byte of the child\'s last word');
  assert.is(bytes[3 * 65536 - 4], (3 * 65536 - 4) % 256, 'the pattern up to the word');
  assert.is(bytes[4], 4);
  assert.is(seg.verifyPattern(), 0);
  assert.is(seg.crc32(), child.crc);
});

test('a segment a child created (by ftok path) is opened here with the child as creator', async () => {
  const dir = tempDir('ftok');
  const file = join(dir, 'key-file');
  writeFileSync(file, 'x');
  const child = await peer({ create: { path: file, proj: 0, size: 12345, mode: 0o640, exclusive: true }, pattern: true });
  assert.ok(child.ok, child.message);
  assert.is(child.created, true);
  assert.is(child.key, SysV.ftok(file, 0));
  const seg = keep(SysV.open({ path: file, proj: 0 }));
  assert.is(seg.created, false);
  assert.is(seg.id, child.id);
  assert.is(seg.size, 12345);
  assert.is(seg.verifyPattern(), -1);
  const st = seg.stat();
  assert.is(st.cpid, child.pid);
  assert.is(st.mode, 0o640);
  assert.is(st.nattch, 1n, 'the child detached when it exited');
});

test('an IPC_PRIVATE segment is shared with a child by id', async () => {
  const seg = keep(SysV.create({ private: true, size: 8192 }));
  seg.bytes[8191] = 0x99;
  const child = await peer({ target: { id: seg.id }, writes: [[16, 0x11223344]], reads: [8188] });
  assert.ok(child.ok, child.message);
  assert.is(child.key, 0);
  assert.equal(child.reads, [0x99000000]);
  assert.is(seg.view.getUint32(16, true), 0x11223344);
});

test('nobody (uid 65534) gets EACCES on a 0600 segment, both ways', async () => {
  const key = freshKey();
  const seg = keep(SysV.create({ key, size: 4096, mode: 0o600 }));
  seg.bytes[0] = 1;
  for (const readOnly of [false, true]) {
    const child = await peer({ target: { key }, readOnly, writes: [[0, 0xbad]] }, asNobody);
    assert.is(child.uid, 65534);
    assert.is(child.ok, false, `readOnly=${readOnly} must fail`);
    assert.is(child.code, 'EACCES', child.message);
    assert.is(child.errno, -13);
    assert.ok(child.syscall === 'shmctl' || child.syscall === 'shmat', `from the kernel: ${child.syscall}`);
  }
  assert.is(seg.bytes[0], 1);
  assert.is(seg.stat().nattch, 1n);
});

test('nobody opens a 0644 segment read-only, but read-write is EACCES from shmat', async () => {
  const key = freshKey();
  const seg = keep(SysV.create({ key, size: 20000, mode: 0o644 }));
  seg.writePattern();
  const reader = await peer({ target: { key }, readOnly: true, reads: [100] }, asNobody);
  assert.ok(reader.ok, reader.message);
  assert.is(reader.uid, 65534);
  assert.is(reader.readOnly, true);
  assert.is(reader.crc, seg.crc32());
  assert.is(reader.verify, -1);
  assert.equal(reader.reads, [0x67666564]);
  const writer = await peer({ target: { key }, writes: [[0, 1]] }, asNobody);
  assert.is(writer.ok, false);
  assert.is(writer.code, 'EACCES', writer.message);
  assert.is(writer.syscall, 'shmat');
  assert.is(seg.verifyPattern(), -1, 'nothing was written');
});

test('after IPC_SET gives the segment to nobody, nobody may write and remove it', async () => {
  const key = freshKey();
  const seg = keep(SysV.create({ key, size: 4096, mode: 0o600 }));
  seg.set({ uid: 65534, gid: 65534 });
  const child = await peer({ target: { key }, writes: [[8, 0x600d600d]], remove: true }, asNobody);
  assert.ok(child.ok, child.message);
  assert.is(seg.view.getUint32(8, true), 0x600d600d);
  const st = seg.stat();
  assert.is(st.removed, true, 'the new owner removed it');
  assert.is(st.uid, 65534);
  assert.throws(() => SysV.open({ key }), (e: ShmError) => e.code === 'ENOENT');
});

// ---------------------------------------------------------------- C

const C_PEER = String.raw`
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/shm.h>

static uint32_t crc32(const unsigned char *p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xffffffffu;
}

/* usage: peer write|verify KEY [EXPECTED_WORD] */
int main(int argc, char **argv) {
  if (argc < 3) return 2;
  int writing = strcmp(argv[1], "write") == 0;
  key_t key = (key_t) strtoul(argv[2], NULL, 0);
  int id = shmget(key, 0, 0);
  if (id == -1) { perror("shmget"); return 1; }
  struct shmid_ds ds;
  if (shmctl(id, IPC_STAT, &ds) == -1) { perror("shmctl"); return 1; }
  size_t size = ds.shm_segsz;
  unsigned char *p = shmat(id, NULL, writing ? 0 : SHM_RDONLY);
  if (p == (void *) -1) { perror("shmat"); return 1; }
  long bad = -1;
  if (writing) {
    *(uint32_t *) p = 0xdeadbeefu;
    for (size_t i = 4; i < size; i++) p[i] = (unsigned char) i;
  } else {
    uint32_t expected = (uint32_t) strtoul(argv[3], NULL, 0);
    if (*(uint32_t *) p != expected) bad = 0;
    for (size_t i = 4; i < size && bad < 0; i++) if (p[i] != (unsigned char) i) bad = (long) i;
  }
  if (shmctl(id, IPC_STAT, &ds) == -1) { perror("shmctl"); return 1; }
  printf("id=%d size=%zu word=%u bad=%ld crc=%u pid=%d sizeof=%zu segsz_at=%zu cpid_at=%zu nattch_at=%zu mode_at=%zu "
         "segsz=%zu cpid=%d lpid=%d nattch=%lu mode=%o uid=%u\n",
         id, size, *(uint32_t *) p, bad, crc32(p, size), (int) getpid(), sizeof(struct shmid_ds),
         offsetof(struct shmid_ds, shm_segsz), offsetof(struct shmid_ds, shm_cpid), offsetof(struct shmid_ds, shm_nattch),
         offsetof(struct shmid_ds, shm_perm.mode),
         (size_t) ds.shm_segsz, (int) ds.shm_cpid, (int) ds.shm_lpid, (unsigned long) ds.shm_nattch,
         (unsigned) ds.shm_perm.mode & 0777, (unsigned) ds.shm_perm.uid);
  if (shmdt(p) == -1) { perror("shmdt"); return 1; }
  return 0;
}
`;

/** Builds the C peer with gcc in a temp dir (removed after the test). */
async function buildCPeer(): Promise<string> {
  return compileC(C_PEER, 'sysv-peer');
}

async function cPeer(binary: string, args: string[]): Promise<Record<string, number>> {
  const { stdout } = await ok(binary, args);
  const fields: Record<string, number> = {};
  for (const pair of stdout.trim().split(/\s+/)) {
    const [name, value] = pair.split('=');
    fields[name!] = name === 'mode' ? parseInt(value!, 8) : Number(value);
  }
  return fields;
}

test('C writes 0xdeadbeef and a pattern through shmat of the same key; shmkit reads them', async () => {
  const binary = await buildCPeer();
  const key = freshKey();
  const seg = keep(SysV.create({ key, size: 70001, mode: 0o660 }));
  const c = await cPeer(binary, ['write', '0x' + key.toString(16)]);
  assert.is(c.id, seg.id);
  assert.is(c.size, 70001);
  assert.is(seg.view.getUint32(0, true), 0xdeadbeef);
  assert.is(seg.reader.getUint32(0, true), 0xdeadbeef);
  assert.is(seg.verifyPattern(), 0, 'only the first word differs from the pattern');
  for (let i = 4; i < seg.size; i++) {
    if (seg.bytes[i] !== (i & 0xff)) assert.unreachable(`byte ${i} is ${seg.bytes[i]}`);
  }
  assert.is(seg.crc32(), c.crc, 'shmkit and C compute the same CRC of the same bytes');
  assert.is(c.nattch, 2);
  assert.is(c.mode, 0o660);
  assert.is(seg.stat().lpid, c.pid);
});

test('shmkit writes, C verifies; C\'s struct shmid_ds agrees with shmkit\'s decoding', async () => {
  const binary = await buildCPeer();
  const key = freshKey();
  const seg = keep(SysV.create({ key, size: 65536 * 2 + 17, mode: 0o604 }));
  seg.writePattern();
  seg.view.setUint32(0, 0xfeedface, true);
  const c = await cPeer(binary, ['verify', String(key | 0), String(0xfeedface)]);
  assert.is(c.bad, -1, `C found a wrong byte at ${c.bad}`);
  assert.is(c.word, 0xfeedface);
  assert.is(c.crc, seg.crc32());
  assert.is(c.sizeof, structSize('shmid_ds'));
  assert.is(c.sizeof, 112);
  assert.is(c.segsz_at, 48);
  assert.is(c.cpid_at, 80);
  assert.is(c.nattch_at, 88);
  assert.is(c.mode_at, 20);
  const st = seg.stat();
  assert.is(BigInt(c.segsz!), st.size);
  assert.is(c.cpid, st.cpid);
  assert.is(c.mode, st.mode);
  assert.is(c.uid, st.uid);
  assert.is(c.nattch, 2, 'C saw itself and shmkit attached');
  assert.is(c.lpid, c.pid);
  assert.is(st.nattch, 1n);
  assert.is(st.lpid, c.pid);
  // A C program that cannot find the key fails as it should.
  const missing = await run(binary, ['verify', String(freshKey()), '0']);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, 'shmget');
});

// ---------------------------------------------------------------- util-linux

test('ipcmk -M size -p mode makes a segment SysV.open({ id }) attaches', async () => {
  const { stdout } = await ok('ipcmk', ['-M', '12345', '-p', '0640']);
  const match = /Shared memory id:\s*(\d+)/.exec(stdout);
  assert.ok(match, `ipcmk said: ${stdout}`);
  const id = keepId(Number(match![1]));
  const seg = keep(SysV.open({ id }));
  assert.is(seg.size, 12345);
  assert.is(seg.created, false);
  const st = seg.stat();
  assert.is(st.mode, 0o640);
  assert.is(st.size, 12345n);
  assert.ok(st.cpid !== process.pid, 'ipcmk created it');
  assert.is(st.nattch, 1n);
  const row = (await ipcsRows()).get(id)!;
  assert.is(seg.key, row.key, 'the key ipcmk chose');
  assert.is(row.nattch, 1);
  seg.writePattern();
  assert.is(seg.bytes[12344], 12344 % 256);
  if (row.key !== 0) {
    const byKey = keep(SysV.open({ key: row.key }, { readOnly: true }));
    assert.is(byKey.verifyPattern(), -1);
  }
});

test('ipcrm -m / -M removes shmkit segments, attached or not', async () => {
  const idle = keep(SysV.create({ key: freshKey(), size: 4096 }));
  idle.close();
  await ok('ipcrm', ['-m', String(idle.id)]);
  assert.throws(() => SysV.open({ key: idle.key }), (e: ShmError) => e.code === 'ENOENT');
  assert.not.ok(SysV.list().some((s) => s.id === idle.id));

  const key = freshKey();
  const busy = keep(SysV.create({ key, size: 4096 }));
  busy.bytes[0] = 5;
  await ok('ipcrm', ['-M', '0x' + key.toString(16)]);
  const st = busy.stat();
  assert.is(st.removed, true);
  assert.is(busy.bytes[0], 5, 'still usable while attached');
  assert.is((await ipcsRows()).get(busy.id)?.status, 'dest');
  busy.close();
  assert.not.ok(SysV.list().some((s) => s.id === busy.id));
  const again = await run('ipcrm', ['-m', String(busy.id)]);
  assert.ok(again.code !== 0, 'removing it twice fails');
});

test('ipcs -m lists shmkit segments with their key, owner, perms, bytes, nattch and status', async () => {
  const key = freshKey();
  const a = keep(SysV.create({ key, size: 5000, mode: 0o640 }));
  keep(SysV.open({ key }));
  const b = keep(SysV.create({ private: true, size: 70000, mode: 0o600 }));
  b.lock();
  const c = keep(SysV.create({ key: freshKey(), size: 4096, mode: 0o604 }));
  c.close();
  const rows = await ipcsRows();
  const expect = [
    [a, key, 0o640, 5000, 2, ''],
    [b, 0, 0o600, 70000, 1, 'locked'],
    [c, c.key, 0o604, 4096, 0, ''],
  ] as const;
  for (const [seg, k, perms, bytes, nattch, status] of expect) {
    const row = rows.get(seg.id);
    assert.ok(row, `ipcs -m lists id ${seg.id}`);
    assert.is(row!.key, k);
    assert.is(row!.owner, 'root');
    assert.is(row!.perms, perms);
    assert.is(row!.bytes, bytes);
    assert.is(row!.nattch, nattch);
    assert.is(row!.status, status);
    const st = SysV.stat({ id: seg.id });
    assert.is(row!.perms, st.mode);
    assert.is(BigInt(row!.bytes), st.size);
    assert.is(BigInt(row!.nattch), st.nattch);
  }
  b.lock(false);
});

// ---------------------------------------------------------------- the end

test('nothing is left behind: ipcs -m shows none of this file\'s segments', async () => {
  cleanup();
  assert.ok(everyId.size >= 15, `the suite made segments (${everyId.size})`);
  const rows = await ipcsRows();
  for (const id of everyId) assert.not.ok(rows.has(id), `ipcs -m still shows id ${id}`);
});

test.run();
