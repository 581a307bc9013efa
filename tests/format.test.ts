// The shmkit segment format through its API: formatting and joining over
// every backing, named objects, layout checks, limits and misuse.
import { mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ManagedSegment, Memfd, Posix, ShmError, SysV, enumOf, openOrCreate, string, struct, type OpenOrCreateOptions,
} from '../host/index.js';
import { cleanup, freshKey, freshName, trackPath, trackPosix, trackSysV } from './helpers/resources.js';

const format = suite('shmkit segment format');
format.after.each(cleanup);

const Kind = enumOf('Kind', { Temp: 1, Humidity: 2 }, 'u8');
const Sensor = struct('Sensor', { id: 'u32', kind: Kind, name: string(16), value: 'f64' });
const Config = struct('Config', { rate: 'u32', label: string(8) });
const code = (expected: string) => (e: ShmError) => e instanceof ShmError && e.code === expected;

function backings(): OpenOrCreateOptions[] {
  const dir = trackPath(mkdtempSync(join(tmpdir(), 'shmkit-format-')));
  const key = freshKey();
  return [
    { kind: 'sysv', key, size: 1 << 18 },
    { kind: 'posix', name: trackPosix(freshName('fmt')), size: 1 << 18 },
    { kind: 'file', path: join(dir, 'segment.shm'), size: 1 << 18 },
  ];
}

format('every backing: format once, then join and find the same objects', () => {
  for (const options of backings()) {
    const first = openOrCreate(options);
    if (options.kind === 'sysv') trackSysV((first.segment as SysV).id);
    assert.ok(first.initialised, options.kind);
    assert.is(first.creatorPid, process.pid);
    const sensors = first.create('sensors', { table: Sensor, count: 100 });
    sensors.set(42, { id: 42, kind: 'Humidity', name: 'hall', value: 55.5 });
    const config = first.create('config', Config);
    config.rate = 250;
    first.create('blob', { bytes: 1000, align: 4096 })[999] = 9;

    using again = openOrCreate(options);
    assert.is(again.initialised, false, options.kind);
    assert.equal(again.find('sensors', { table: Sensor })!.get(42), { id: 42, kind: 'Humidity', name: 'hall', value: 55.5 });
    assert.is(again.find('config', Config)!.rate, 250);
    assert.is(again.find('blob')![999], 9);
    const listed = again.list();
    assert.equal(listed.map((o) => [o.name, o.kind]), [['sensors', 'table'], ['config', 'struct'], ['blob', 'bytes']]);
    const blob = listed.find((o) => o.name === 'blob')!;
    assert.is(blob.offset % 4096, 0, 'asked alignment');
    for (const o of listed) assert.is(o.offset % 64, 0, 'a cache line each by default');
    assert.is(listed[0]!.layout, Sensor.describe);
    assert.is(listed[0]!.layoutHash, Sensor.hash);
    assert.is(listed[0]!.count, 100);
    first.close();
  }
});

format('memfd: a child-shareable managed segment', () => {
  using m = openOrCreate({ kind: 'memfd', size: 1 << 16 });
  assert.ok(m.initialised);
  const fd = (m.segment as Memfd).fd;
  using joined = new ManagedSegment(Memfd.fromFd(openSync(`/proc/self/fd/${fd}`, 'r+')));
  assert.is(joined.initialised, false);
  m.create('x', Config).rate = 3;
  assert.is(joined.find('x', Config)!.rate, 3);
});

format('layout checks: a differing schema is ELAYOUT naming the first differing field', () => {
  const name = trackPosix(freshName('layout'));
  using m = openOrCreate({ kind: 'posix', name, size: 1 << 16 });
  m.create('s', Sensor);
  const cases: [ReturnType<typeof struct>, RegExp][] = [
    [struct('Sensor', { id: 'u32', kind: Kind, name: string(16), value: 'f32' }), /field 'value' is f64@24 in the segment but f32@24 here/],
    [struct('Sensor', { id: 'u32', kind: Kind, name: string(20), value: 'f64' }), /field 'name'/],
    [struct('Sensor', { id: 'u32', kind: Kind, label: string(16), value: 'f64' }), /field 2 is 'name' in the segment but 'label' here/],
    [struct('Sensor', { id: 'u32', kind: Kind, name: string(16), value: 'f64', extra: 'u8' }), /field 'extra' is new here/],
    [struct('Sensor', { id: 'u32', kind: Kind, name: string(16) }), /field 'value' exists in the segment but not here/],
    [struct('Sensor', { id: 'u32', kind: Kind, name: string(16), value: 'f64' }, { packed: true }), /field 'value'/],
    [struct('Probe', { id: 'u32', kind: Kind, name: string(16), value: 'f64' }), /'Sensor' in the segment but 'Probe' here/],
  ];
  for (const [schema, why] of cases) {
    assert.throws(() => m.find('s', schema), (e: ShmError) => e.code === 'ELAYOUT' && why.test(e.message), schema.describe);
  }
  assert.ok(m.find('s', Sensor));
  assert.throws(() => m.find('s', { table: Sensor }), (e: ShmError) => e.code === 'ELAYOUT' && /a struct, not a table/.test(e.message));
  assert.throws(() => m.find('s'), (e: ShmError) => e.code === 'ELAYOUT' && /not raw bytes/.test(e.message));
  m.create('t', { table: Sensor, count: 5 });
  assert.throws(() => m.find('t', { table: Sensor, count: 6 }), (e: ShmError) => e.code === 'ELAYOUT' && /5 records/.test(e.message));
  assert.is(m.find('t', { table: Sensor })!.length, 5);
});

format('create, find, findOrCreate, remove, and reuse of freed space', () => {
  using m = openOrCreate({ kind: 'posix', name: trackPosix(freshName('objs')), size: 1 << 16 });
  assert.is(m.find('nope'), undefined);
  const a = m.create('a', { bytes: 4096 });
  a.fill(7);
  assert.throws(() => m.create('a', { bytes: 1 }), code('EEXIST'));
  assert.is(m.findOrCreate('a', { bytes: 4096 })[0], 7, 'findOrCreate finds');
  const offsetOfA = m.list()[0]!.offset;
  assert.ok(m.remove('a'));
  assert.not.ok(m.remove('a'));
  const b = m.create('b', { bytes: 4096 });
  assert.is(m.list()[0]!.offset, offsetOfA, 'first fit reuses the freed range');
  assert.is(b[0], 0, 'a new object starts zeroed');
});

format('limits: full directory, no space left, names too long', () => {
  using m = openOrCreate({ kind: 'posix', name: trackPosix(freshName('limits')), size: 1 << 16, directorySlots: 4 });
  for (let i = 0; i < 4; i++) m.create(`o${i}`, { bytes: 8 });
  assert.throws(() => m.create('o4', { bytes: 8 }), (e: ShmError) => e.code === 'ENOSPC' && /directory is full/.test(e.message));
  m.remove('o0');
  assert.throws(() => m.create('huge', { bytes: 1 << 16 }), (e: ShmError) => e.code === 'ENOSPC' && /no free run/.test(e.message));
  assert.throws(() => m.create('x'.repeat(65), { bytes: 8 }), code('EINVAL'));
  assert.throws(() => m.create('', { bytes: 8 }), code('EINVAL'));
  m.create('é'.repeat(32), { bytes: 8 }); // 64 UTF-8 bytes fit exactly
  assert.throws(() => m.create('bad', { bytes: 0 }), code('EINVAL'));
  assert.throws(() => m.create('bad', { bytes: 8, align: 3 }), code('EINVAL'));
  assert.throws(() => m.create('bad', { table: Sensor, count: 0 }), code('EINVAL'));
  assert.throws(() => m.create('bad', {} as never), code('EINVAL'));
  assert.equal(m.list().length, 4);
});

format('foreign data, a too-small segment, a newer format version: clear errors, nothing changed', () => {
  const name = trackPosix(freshName('foreign'));
  const raw = Posix.create(name, { size: 1 << 16 });
  raw.writePattern('mod256');
  assert.throws(() => new ManagedSegment(raw), (e: ShmError) => e.code === 'ELAYOUT' && /not a shmkit header/.test(e.message));
  assert.is(raw.verifyPattern(), -1, 'the foreign bytes are untouched');
  raw.bytes.fill(0);
  using m = new ManagedSegment(raw);
  m.create('a', { bytes: 8 });
  raw.view.setUint32(4, 99, true); // as if a future shmkit wrote it
  assert.throws(() => new ManagedSegment(Posix.open(name)), (e: ShmError) => e.code === 'ELAYOUT' && /format version/.test(e.message));
  const tiny = Posix.create(trackPosix(freshName('tiny')), { size: 100 });
  assert.throws(() => new ManagedSegment(tiny), code('EINVAL'));
  tiny.close();
});

format('read-only attachments find and read, but cannot format or change', () => {
  const key = freshKey();
  using m = openOrCreate({ kind: 'sysv', key, size: 1 << 16 });
  trackSysV((m.segment as SysV).id);
  m.create('cfg', Config).$assign({ rate: 9, label: 'ok' });
  using ro = new ManagedSegment(SysV.open({ key }, { readOnly: true }));
  const cfg = ro.find('cfg', Config)!;
  assert.is(cfg.rate, 9);
  assert.throws(() => { cfg.rate = 1; });
  assert.is(cfg.rate, 9);
  assert.throws(() => ro.create('x', { bytes: 8 }), code('EACCES'));
  assert.throws(() => ro.remove('cfg'), code('EACCES'));
  const fresh = trackSysV(SysV.create({ key: freshKey(), size: 1 << 16 }).id);
  assert.throws(() => new ManagedSegment(SysV.open({ id: fresh }, { readOnly: true })), code('EACCES'));
});

format('bad options are EINVAL before anything happens', () => {
  const name = trackPosix(freshName('badopt')); // tracked in case the check below fails
  assert.throws(() => openOrCreate({ kind: 'nope', size: 1 } as never), code('EINVAL'));
  assert.throws(() => openOrCreate({ kind: 'posix', name, size: 1 << 16, directorySlots: 0 }), code('EINVAL'));
  assert.throws(() => openOrCreate({ kind: 'posix', name, size: 1 << 16, timeoutMs: -1 }), code('EINVAL'));
  assert.throws(() => Posix.stat(name), code('ENOENT'), 'a failed openOrCreate leaves no object behind');
});

format.run();
