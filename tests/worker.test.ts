import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import { Arena, Posix, ShmError, SysV } from '../host/index.js';
import { coreWasmLocation } from '../host/core/wasm-location.js';
import { cleanup, freshName, trackPosix, trackSysV } from './helpers/resources.js';

const worker = suite('worker');
worker.after.each(cleanup);

const UNIT = 65536;

interface Peer {
  /** The worker's state right after it adopted the arena. */
  ready: { instances: number; usedBytes: number; byteLength: number; maxBytes: number };
  call(op: string, args?: object): Promise<any>;
  stop(): Promise<number>;
}

// `new Worker('x.ts')` fails on Node 20 even under tsx, and `execArgv:
// ['--import', 'tsx']` does not reach workers: a JS bootstrap registers tsx
// first, then imports the TypeScript fixture.
async function startWorker(memory: WebAssembly.Memory): Promise<Peer> {
  const url = new URL('./fixtures/worker-peer.ts', import.meta.url).href;
  const w = new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url)}); });`,
    { eval: true, workerData: { memory } },
  );
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  w.on('error', failAll);
  w.on('exit', (code) => failAll(new Error(`worker exited with code ${code}`)));
  w.on('message', (msg: { id: number; ok?: unknown; error?: { code: string; message: string } }) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(Object.assign(new Error(msg.error.message), { code: msg.error.code }));
    else p.resolve(msg.ok);
  });
  const ready = await new Promise<any>((resolve, reject) => pending.set(0, { resolve, reject }));
  return {
    ready,
    call(op, args = {}) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.postMessage({ id, op, ...args });
      });
    },
    stop: () => w.terminate(),
  };
}

/** Section ids of a Wasm binary, in order. */
function wasmSectionIds(bytes: Uint8Array): number[] {
  assert.equal([...bytes.subarray(0, 8)], [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0], 'wasm magic and version');
  const ids: number[] = [];
  let i = 8;
  const leb = () => {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = bytes[i++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  while (i < bytes.length) {
    const id = bytes[i++];
    const size = leb();
    ids.push(id);
    i += size;
  }
  assert.is(i, bytes.length, 'sections end exactly at the end of the file');
  return ids;
}

worker('the core module has no data section (a later instance cannot rewrite live statics)', () => {
  const ids = wasmSectionIds(readFileSync(coreWasmLocation()!));
  assert.ok(ids.includes(2), 'imports (env.memory)');
  assert.ok(ids.includes(10), 'code');
  assert.not.ok(ids.includes(11), `data section present: sections ${ids.join(',')}`);
  assert.not.ok(ids.includes(8), `start section present: sections ${ids.join(',')}`);
  // and the module imports exactly one thing: the shared memory
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(coreWasmLocation()!)));
  assert.equal(imports, [{ module: 'env', name: 'memory', kind: 'memory' }]);
});

worker('a worker adopting the arena joins it without re-initialising live state', async () => {
  const arena = Arena.default;
  const name = trackPosix(freshName('wlive'));
  const posix = Posix.create(name, { size: 100000 });
  const sysv = SysV.create({ private: true, size: 70000 });
  trackSysV(sysv.id);
  posix.writePattern();
  sysv.bytes.set(Buffer.from('written by main before the worker'), 0);
  const crcBefore = posix.crc32();
  const used = arena.usedBytes;
  const instances = arena.instances;
  const peer = await startWorker(arena.memory);
  try {
    assert.is(peer.ready.instances, instances + 1);
    assert.is(arena.instances, instances + 1);
    assert.is(peer.ready.usedBytes, used);
    assert.is(arena.usedBytes, used);
    assert.is(peer.ready.maxBytes, arena.maxBytes);
    // the segments main attached still hold what main wrote
    assert.is(posix.verifyPattern(), -1);
    assert.is(posix.crc32(), crcBefore);
    assert.is(posix.crc32(), crc32(Buffer.from(posix.bytes)));
    assert.is(Buffer.from(sysv.bytes.subarray(0, 33)).toString(), 'written by main before the worker');
    // the worker's own core instance computes the same answers on the same bytes
    assert.is(await peer.call('matchLength', { offset: posix.offset, length: posix.size }), posix.size);
    assert.is(await peer.call('crc', { offset: posix.offset, length: posix.size }), crcBefore);
    // a second worker counts too
    const second = await startWorker(arena.memory);
    assert.is(second.ready.instances, instances + 2);
    assert.is(arena.instances, instances + 2);
    await second.stop();
  } finally {
    await peer.stop();
    posix.close();
    sysv.close();
  }
});

worker('the window table is shared: a window claimed on one thread is never handed out on the other', async () => {
  const arena = Arena.default;
  const peer = await startWorker(arena.memory);
  const mine: ReturnType<Arena['claim']>[] = [];
  const theirs: Array<{ offset: number; length: number }> = [];
  try {
    const used = arena.usedBytes;
    const w1 = await peer.call('claim', { bytes: UNIT });
    theirs.push(w1);
    assert.is(arena.usedBytes, used + UNIT); // main sees the worker's claim
    const m1 = arena.claim(UNIT);
    mine.push(m1);
    assert.is.not(m1.offset, w1.offset);
    assert.is((await peer.call('state')).usedBytes, used + 2 * UNIT);
    // interleave more claims of mixed sizes: no two ranges overlap
    for (let i = 0; i < 4; i++) {
      theirs.push(await peer.call('claim', { bytes: (i + 1) * UNIT }));
      mine.push(arena.claim((4 - i) * UNIT));
    }
    const all = [...mine, ...theirs].map((w) => [w.offset, w.offset + w.length]).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < all.length; i++) assert.ok(all[i][0] >= all[i - 1][1], `overlap at ${all[i][0]}`);
    // first fit: the worker's first window was the lowest free unit; freed, main gets it next
    await peer.call('release', { offset: w1.offset });
    theirs.shift();
    const again = arena.claim(UNIT);
    mine.push(again);
    assert.is(again.offset, w1.offset);
    // and the other way round
    arena.release(mine[0]);
    const back = await peer.call('claim', { bytes: UNIT });
    theirs.push(back);
    assert.is(back.offset, mine[0].offset);
    mine.shift();
    // the worker can reach memory main grew for it and vice versa
    assert.ok(arena.memory.buffer.byteLength >= Math.max(...all.map((r) => r[1])));
  } finally {
    for (const w of theirs) await peer.call('release', { offset: w.offset });
    for (const w of mine) arena.release(w);
    await peer.stop();
  }
});

worker('a worker reads what main wrote in SysV and POSIX segments, and main sees what it writes', async () => {
  const arena = Arena.default;
  const name = trackPosix(freshName('wshare'));
  const posix = Posix.create(name, { size: 3 * 4096 });
  const sysv = SysV.create({ private: true, size: 5000 });
  trackSysV(sysv.id);
  const peer = await startWorker(arena.memory);
  try {
    posix.writePattern();
    sysv.writePattern();
    // through the very same window (one address space)
    assert.is(await peer.call('matchLength', { offset: posix.offset, length: posix.size }), posix.size);
    assert.is(await peer.call('matchLength', { offset: sysv.offset, length: sysv.size }), sysv.size);
    assert.is(await peer.call('read', { offset: sysv.offset + 4996, length: 4 }), '84858687');
    await peer.call('write', { offset: posix.offset + 10, hex: 'aabbccdd' });
    await peer.call('write', { offset: sysv.offset + 4999, hex: 'ee' });
    assert.is(Buffer.from(posix.bytes.subarray(10, 14)).toString('hex'), 'aabbccdd');
    assert.is(sysv.bytes[4999], 0xee);
    assert.is(sysv.verifyPattern(), 4999);
    // the worker's writes reached the kernel object, not just this memory
    assert.is(readFileSync('/dev/shm' + name).subarray(10, 14).toString('hex'), 'aabbccdd');
    const other = SysV.open({ id: sysv.id });
    assert.is(other.bytes[4999], 0xee);
    other.close();

    // the worker maps the POSIX object itself, into a window of the shared table
    const used = arena.usedBytes;
    const own = await peer.call('posixOpen', { name });
    assert.is(own.size, 3 * 4096);
    assert.is.not(own.offset, posix.offset);
    assert.is(arena.usedBytes, used + UNIT);
    await peer.call('segmentWrite', { name, at: 12000, hex: '0102' });
    assert.equal([posix.bytes[12000], posix.bytes[12001]], [1, 2]);
    posix.bytes[0] = 0x77;
    assert.is(await peer.call('read', { offset: own.offset, length: 1 }), '77');
    const after = await peer.call('close', { name });
    assert.is(after.usedBytes, used);
    assert.is(arena.usedBytes, used);
  } finally {
    await peer.stop();
    posix.close();
    sysv.close();
  }
});

worker('a segment a worker creates is visible to main, and its window is re-covered when the worker closes it', async () => {
  const arena = Arena.default;
  const name = trackPosix(freshName('wmade'));
  const peer = await startWorker(arena.memory);
  try {
    const seg = await peer.call('posixCreate', { name, size: 200000 });
    assert.is(arena.core.patternMatchLength(seg.offset, seg.size, 0), seg.size);
    const view = arena.bytes(seg.offset, seg.size);
    assert.is(view[199999], 199999 & 255);
    view[5] = 0;
    // main's write went to the object the worker mapped
    const mainsOwn = Posix.open(name);
    assert.is(mainsOwn.bytes[5], 0);
    assert.is(mainsOwn.verifyPattern(), 5);
    mainsOwn.close();
    await peer.call('close', { name });
    assert.ok(view.every((b) => b === 0), 'the closed window reads as fresh zero pages');
    assert.is(Posix.stat(name).size, 200000n); // closing does not remove
  } finally {
    await peer.stop();
  }
});

worker('exhaustion is shared: a worker filling a small arena leaves main ENOSPC until it releases', async () => {
  const small = new Arena({ maxBytes: 8 * UNIT });
  const peer = await startWorker(small.memory);
  const held: Array<{ offset: number; length: number }> = [];
  try {
    assert.is(peer.ready.maxBytes, 8 * UNIT);
    for (;;) {
      try {
        held.push(await peer.call('claim', { bytes: UNIT }));
      } catch (error) {
        assert.is((error as { code?: string }).code, 'ENOSPC');
        break;
      }
      assert.ok(held.length <= 8, 'more windows than the arena has units');
    }
    assert.ok(held.length >= 1);
    assert.is(small.usedBytes, held.length * UNIT);
    let error: unknown;
    try {
      small.claim(UNIT);
    } catch (e) {
      error = e;
    }
    assert.instance(error, ShmError);
    assert.is((error as ShmError).code, 'ENOSPC');
    const freed = held.pop()!;
    await peer.call('release', { offset: freed.offset });
    const got = small.claim(UNIT);
    assert.is(got.offset, freed.offset);
    small.release(got);
  } finally {
    for (const w of held) await peer.call('release', { offset: w.offset });
    await peer.stop();
  }
  assert.is(small.usedBytes, 0);
});

worker.run();
