import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Arena, SysV, ShmError } from '../host/index.js';
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

arena.run();
