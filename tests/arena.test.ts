import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Arena, SysV, ShmError, type Window } from '../host/index.js';
import { cleanup, freshKey, trackSysV } from './helpers/resources.js';

const arena = suite('arena');
arena.after.each(cleanup);

arena('windows are page-aligned, reused after close, and usage is counted', () => {
  const small = new Arena({ maxBytes: 8 * 65536 });
  const a = SysV.create({ private: true, size: 100, arena: small });
  trackSysV(a.id);
  assert.is(a.offset % 65536, 0);
  assert.is(small.usedBytes, 65536);
  const firstOffset = a.offset;
  a.close();
  assert.is(small.usedBytes, 0);
  const b = SysV.create({ private: true, size: 100, arena: small });
  trackSysV(b.id);
  assert.is(b.offset, firstOffset);
  b.close();
});

arena('running out of arena space is ENOSPC and leaves nothing behind', () => {
  const small = new Arena({ maxBytes: 4 * 65536 });
  const key = freshKey();
  const error = (() => {
    try {
      SysV.create({ key, size: 8 * 65536, arena: small });
    } catch (e) {
      return e;
    }
  })();
  assert.instance(error, ShmError);
  assert.is((error as ShmError).code, 'ENOSPC');
  assert.match((error as ShmError).message, /arena/);
  assert.throws(() => SysV.open({ key }), (e: ShmError) => e.code === 'ENOENT');
});

arena('a stale view after close reads zeros instead of crashing', () => {
  const seg = SysV.create({ private: true, size: 4096 });
  trackSysV(seg.id);
  const stale = seg.bytes;
  stale[10] = 42;
  seg.remove();
  seg.close();
  assert.is(stale[10], 0);
  stale[11] = 7; // the window is private anonymous memory now
  assert.throws(() => seg.bytes, (e: ShmError) => e.code === 'EBADF');
});

arena('windows fill the arena first-fit; a freed hole is reused exactly, and too-small holes are skipped', () => {
  const units = 8;
  const small = new Arena({ maxBytes: units * 65536 });
  const held: Window[] = [];
  for (;;) {
    try {
      held.push(small.claim(65536));
    } catch (error) {
      assert.instance(error, ShmError);
      assert.is((error as ShmError).code, 'ENOSPC');
      assert.match((error as ShmError).message, /0\.1 MiB/);
      break;
    }
    assert.ok(held.length < units, 'more windows than units');
  }
  // the core's statics take the first unit(s); every other unit was handed out once
  assert.ok(held.length >= 1 && held.length < units);
  const offsets = held.map((w) => w.offset);
  assert.equal(offsets, [...offsets].sort((a, b) => a - b));
  for (let i = 1; i < held.length; i++) assert.is(offsets[i], offsets[i - 1] + 65536);
  assert.is(offsets[offsets.length - 1] + 65536, units * 65536);
  assert.is(small.usedBytes, held.length * 65536);
  assert.is(small.memory.buffer.byteLength, units * 65536);
  assert.ok(held.length >= 4, `only ${held.length} windows fit beside the core's statics`);
  // two separate one-unit holes cannot hold a two-unit window
  small.release(held[1]);
  small.release(held[3]);
  assert.throws(() => small.claim(2 * 65536), (e: ShmError) => e.code === 'ENOSPC');
  const hole = small.claim(100);
  assert.is(hole.offset, offsets[1]);
  // freeing the neighbour makes a two-unit run at held[2]
  small.release(held[2]);
  const pair = small.claim(2 * 65536);
  assert.is(pair.offset, offsets[2]);
  assert.is(pair.length, 2 * 65536);
  held.splice(1, 3, hole, pair);
  for (const w of held) small.release(w);
  assert.is(small.usedBytes, 0);
  // everything is free again: the whole run fits at once
  const all = small.claim((units - Math.ceil(offsets[0] / 65536)) * 65536);
  assert.is(all.offset, offsets[0]);
  small.release(all);
});

arena('huge-page windows start on 2 MiB boundaries of the address, whatever the base', () => {
  const big = new Arena({ maxBytes: 128 * 65536 });
  const a = big.claim(65536);
  const h = big.claim(100, true);
  assert.is(h.length, 2 * 1024 * 1024);
  assert.is(h.address % (2 * 1024 * 1024), 0);
  assert.ok(h.offset >= a.offset + a.length);
  big.release(h);
  big.release(a);
  assert.is(big.usedBytes, 0);
  // The memory's base is only 64 KiB aligned, so the core aligns by phase.
  for (const phase of [0, 5, 31]) {
    const r = big.claimUnits(65536, 32, false, phase);
    assert.is((r.offset / 65536) % 32, phase);
    big.releaseUnits(r);
  }
});

arena('a bad arena size is EINVAL', () => {
  for (const maxBytes of [0, 65535, 65536 * 1.5, 65536 * 65537, -65536]) {
    assert.throws(() => new Arena({ maxBytes }), (e: ShmError) => e.code === 'EINVAL', String(maxBytes));
  }
});

arena.run();
