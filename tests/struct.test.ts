// Struct codecs on real kernel segments: every field kind through the in-place
// accessors, checked byte by byte with an independent DataView (and, for a
// POSIX object, with the file under /dev/shm); hostile values rejected with
// EINVAL naming the field and leaving the bytes alone; bad schemas; layout
// hashes; tables with cursors and core-driven column moves; read-only
// attachments that read but cannot write.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Posix, ShmError, SysV, Table, aligned, array, cHeader, enumOf, string, struct, structAt,
  type ColumnName, type FieldType, type PrimitiveName, type Segment, type StructRef, type StructType,
} from '../host/index.js';
import { cleanup, keepOpen, freshKey, freshName, trackPosix, trackSysV } from './helpers/resources.js';

const test = suite('struct');

function sysv(size: number): SysV {
  const seg = SysV.create({ key: freshKey(), size, exclusive: true });
  trackSysV(seg.id);
  keepOpen(seg);
  return seg;
}
function posix(size: number): Posix {
  const name = trackPosix(freshName('struct'));
  const seg = Posix.create(name, { size, exclusive: true });
  keepOpen(seg);
  return seg;
}
function keep<T extends Segment>(seg: T): T {
  keepOpen(seg);
  return seg;
}
test.after.each(cleanup);

/** The error `fn` throws; fails the test when it throws nothing or something else. */
function shmError(fn: () => unknown, code: string, what: string): ShmError {
  try {
    fn();
  } catch (error) {
    assert.instance(error, ShmError, `${what}: expected a ShmError, got ${String(error)}`);
    assert.is((error as ShmError).code, code, `${what}: ${(error as Error).message}`);
    return error as ShmError;
  }
  assert.unreachable(`${what}: nothing was thrown`);
  throw new Error('unreachable');
}

/** Runs `fn`, expects EINVAL naming `path`, and checks the segment's bytes did not change. */
function rejects(seg: Segment, fn: () => unknown, path: string, what: string): ShmError {
  const before = Buffer.from(seg.bytes);
  const error = shmError(fn, 'EINVAL', what);
  assert.ok(error.message.includes(path), `${what}: message should name ${path}: ${error.message}`);
  assert.ok(Buffer.from(seg.bytes).equals(before), `${what}: bytes changed although the write was refused`);
  return error;
}

// ------------------------------------------------------------------ fields

const Prims = struct('Prims', {
  i8: 'i8', u8: 'u8', i16: 'i16', u16: 'u16', i32: 'i32', u32: 'u32',
  i64: 'i64', u64: 'u64', f32: 'f32', f64: 'f64', flag: 'bool',
});
// What gcc gives for the same struct on x86-64 (tests/struct-gcc.test.ts checks the rules in general).
const PRIM_OFFSETS = { i8: 0, u8: 1, i16: 2, u16: 4, i32: 8, u32: 12, i64: 16, u64: 24, f32: 32, f64: 40, flag: 48 };

test('C layout of every primitive: offsets, padding, size and alignment as gcc has them', () => {
  for (const f of Prims.fields) assert.is(f.offset, PRIM_OFFSETS[f.name as keyof typeof PRIM_OFFSETS], f.name);
  assert.is(Prims.size, 56);
  assert.is(Prims.align, 8);
  assert.is(Prims.field('f64').offset, 40);
  shmError(() => Prims.field('nope' as never), 'EINVAL', 'unknown field');
});

test('every primitive kind at its extremes: read back what was written, bytes checked by an independent DataView', () => {
  const seg = sysv(4096);
  const at = 64;
  const rec = seg.struct(Prims, at) as StructRef & Record<string, any>;
  const cases: Array<[string, unknown[], (v: DataView, o: number) => unknown]> = [
    ['i8', [-128, 127, 0, -1], (v, o) => v.getInt8(o)],
    ['u8', [0, 255, 128], (v, o) => v.getUint8(o)],
    ['i16', [-32768, 32767, -2], (v, o) => v.getInt16(o, true)],
    ['u16', [0, 65535, 0x1234], (v, o) => v.getUint16(o, true)],
    ['i32', [-(2 ** 31), 2 ** 31 - 1, -7], (v, o) => v.getInt32(o, true)],
    ['u32', [0, 2 ** 32 - 1, 0xdeadbeef], (v, o) => v.getUint32(o, true)],
    ['i64', [-(2n ** 63n), 2n ** 63n - 1n, -5n, 0n], (v, o) => v.getBigInt64(o, true)],
    ['u64', [0n, 2n ** 64n - 1n, 2n ** 53n + 1n], (v, o) => v.getBigUint64(o, true)],
    ['f32', [1.5, -0.25, Infinity, 3.4028234663852886e38], (v, o) => v.getFloat32(o, true)],
    ['f64', [Math.PI, -0, Number.MIN_VALUE, -Infinity, Number.MAX_VALUE], (v, o) => v.getFloat64(o, true)],
    ['flag', [true, false], (v, o) => v.getUint8(o) !== 0],
  ];
  const independent = new DataView(seg.bytes.buffer, seg.bytes.byteOffset, seg.size);
  for (const [name, values, read] of cases) {
    const offset = at + PRIM_OFFSETS[name as keyof typeof PRIM_OFFSETS];
    for (const value of values) {
      rec[name] = value;
      assert.ok(Object.is(rec[name], value), `${name}: wrote ${String(value)}, read ${String(rec[name])}`);
      assert.ok(Object.is(read(independent, offset), value), `${name}: bytes hold ${String(read(independent, offset))}`);
    }
  }
  assert.is(typeof rec.i64, 'bigint');
  assert.is(typeof rec.u64, 'bigint');
  rec.f32 = 0.1;
  assert.is(rec.f32, Math.fround(0.1), 'f32 is stored as a C float');
  rec.f64 = NaN;
  assert.ok(Number.isNaN(rec.f64));
  rec.flag = true;
  assert.is(independent.getUint8(at + 48), 1, 'true is stored as 1');
  independent.setUint8(at + 48, 2);
  assert.is(rec.flag, true, 'any non-zero byte a C program stores reads as true');
  // Padding bytes are never touched by field writes.
  for (const pad of [6, 7, 36, 37, 38, 39, 49, 55]) assert.is(independent.getUint8(at + pad), 0, `padding byte ${pad}`);
  assert.equal(rec.$toObject(), {
    i8: -1, u8: 128, i16: -2, u16: 0x1234, i32: -7, u32: 0xdeadbeef, i64: 0n, u64: 2n ** 53n + 1n,
    f32: Math.fround(0.1), f64: NaN, flag: true,
  });
});

test('a POSIX object holds the same bytes in /dev/shm as the accessors wrote', () => {
  const seg = posix(4096);
  const rec = seg.struct(Prims, 8) as StructRef & Record<string, any>;
  rec.$assign({ i8: -3, u8: 200, i16: -300, u16: 60000, i32: -70000, u32: 4000000000, i64: -(2n ** 40n), u64: 2n ** 63n, f32: 2.5, f64: -1e-300, flag: true });
  const file = readFileSync(`/dev/shm${(seg as Posix).name}`);
  const v = new DataView(file.buffer, file.byteOffset + 8, 56);
  assert.equal(
    [v.getInt8(0), v.getUint8(1), v.getInt16(2, true), v.getUint16(4, true), v.getInt32(8, true), v.getUint32(12, true),
      v.getBigInt64(16, true), v.getBigUint64(24, true), v.getFloat32(32, true), v.getFloat64(40, true), v.getUint8(48)],
    [-3, 200, -300, 60000, -70000, 4000000000, -(2n ** 40n), 2n ** 63n, 2.5, -1e-300, 1],
  );
});

test('string(n): UTF-8 text of up to n-1 bytes, NUL-terminated and NUL-filled, multi-byte characters intact', () => {
  const T = struct('Texts', { tag: 'u8', s: string(8), one: string(1), after: 'u8' });
  assert.equal(T.fields.map((f) => [f.name, f.offset]), [['tag', 0], ['s', 1], ['one', 9], ['after', 10]]);
  const seg = sysv(4096);
  const rec = seg.struct(T) as StructRef & Record<string, any>;
  const bytes = seg.bytes;
  rec.after = 0xaa;
  for (const text of ['', 'abc', 'héllo', '日本', '😀x', 'abcdefg', 'é€']) {
    rec.s = text;
    assert.is(rec.s, text);
    const encoded = Buffer.from(text, 'utf8');
    assert.equal([...bytes.subarray(1, 1 + encoded.length)], [...encoded], `bytes of ${text}`);
    assert.ok(bytes.subarray(1 + encoded.length, 9).every((b) => b === 0), `NUL fill after ${text}`);
  }
  rec.s = 'abcdefg';
  rec.s = 'x';
  assert.equal([...bytes.subarray(1, 9)], [0x78, 0, 0, 0, 0, 0, 0, 0], 'a shorter string clears the old tail');
  assert.is(bytes[10], 0xaa, 'the next field is untouched');
  rec.one = '';
  assert.is(rec.one, '');
  // A C program may fill all n bytes without a NUL: all n are read.
  bytes.set(Buffer.from('12345678'), 1);
  assert.is(rec.s, '12345678');
});

test('fixed arrays: 1-D, 2-D in C order, arrays of structs and strings, through ArrayRef and whole-array writes', () => {
  const P = struct('P2', { x: 'i16', y: 'i16', z: 'u8' });
  const T = struct('Arrays', { a: array('u8', 3), m: array(array('i16', 3), 2), ps: array(P, 2), names: array(string(4), 2), d: array('f64', 2) });
  assert.equal(T.fields.map((f) => f.offset), [0, 4, 16, 28, 40]);
  assert.is(T.size, 56);
  assert.is(T.field('m').type.describe, 'i16[2][3]');
  const seg = sysv(4096);
  const rec = seg.struct(T) as StructRef & Record<string, any>;
  const v = new DataView(seg.bytes.buffer, seg.bytes.byteOffset, 4096);
  rec.a = [1, 2, 255];
  assert.equal([v.getUint8(0), v.getUint8(1), v.getUint8(2)], [1, 2, 255]);
  assert.is(rec.a.length, 3);
  assert.equal([...rec.a], [1, 2, 255]);
  rec.a.set(1, 9);
  assert.is(rec.a.get(1), 9);
  assert.is(v.getUint8(1), 9);
  rec.m = [[1, 2, 3], [-4, -5, -6]];
  // int16_t m[2][3]: m[1][0] is the fourth element.
  assert.equal([0, 1, 2, 3, 4, 5].map((i) => v.getInt16(4 + i * 2, true)), [1, 2, 3, -4, -5, -6]);
  rec.m.get(1).set(2, 600);
  assert.is(v.getInt16(4 + 5 * 2, true), 600);
  assert.equal(rec.m.toArray(), [[1, 2, 3], [-4, -5, 600]]);
  rec.m.set(0, new Int16Array([7, 8, 9]));
  assert.equal(rec.m.get(0).toArray(), [7, 8, 9]);
  rec.ps = [{ x: 1, y: -1, z: 3 }, { x: 2, y: -2, z: 4 }];
  assert.equal([v.getInt16(16, true), v.getInt16(18, true), v.getUint8(20), v.getInt16(22, true), v.getUint8(26)], [1, -1, 3, 2, 4]);
  const p1 = rec.ps.get(1);
  p1.y = 1234;
  assert.is(v.getInt16(24, true), 1234, 'an element struct is written in place');
  assert.is(p1.$offset, 22);
  rec.names = ['ab', 'ü'];
  assert.equal(rec.names.toArray(), ['ab', 'ü']);
  assert.equal([...seg.bytes.subarray(28, 36)], [0x61, 0x62, 0, 0, 0xc3, 0xbc, 0, 0]);
  rec.d = new Float64Array([0.5, -2]);
  assert.equal([v.getFloat64(40, true), v.getFloat64(48, true)], [0.5, -2]);
  assert.equal(rec.d.toArray(), [0.5, -2]);
  shmError(() => rec.a.get(3), 'EINVAL', 'index past the end');
  shmError(() => rec.a.get(-1), 'EINVAL', 'negative index');
  const e = rejects(seg, () => rec.a.set(0, 256), 'Arrays.a[0]', 'ArrayRef.set out of range');
  assert.match(e.message, /out of range/);
  rejects(seg, () => rec.m.get(1).set(0, 40000), 'Arrays.m[1][0]', '2-D element out of range');
  rejects(seg, () => rec.names.set(1, 'long'), 'Arrays.names[1]', 'string element too long');
});

test('nested structs: read and write in place, whole nested records, deep paths in errors', () => {
  const Inner = struct('Inner', { c: 'u8', d: 'f64' });
  const Mid = struct('Mid', { tag: 'u16', inner: Inner, pair: array(Inner, 2) });
  const Outer = struct('Outer', { a: 'u8', mid: Mid, z: 'i32' });
  assert.equal([Inner.size, Inner.align, Mid.size, Outer.size], [16, 8, 56, 72]);
  assert.equal(Outer.fields.map((f) => f.offset), [0, 8, 64]);
  const seg = sysv(4096);
  const rec = seg.struct(Outer, 128) as StructRef & Record<string, any>;
  const v = new DataView(seg.bytes.buffer, seg.bytes.byteOffset + 128, Outer.size);
  rec.mid.inner.d = 2.75;
  assert.is(v.getFloat64(8 + 8 + 8, true), 2.75);
  rec.mid.pair.get(1).c = 77;
  assert.is(v.getUint8(8 + 24 + 16), 77);
  rec.mid = { tag: 9, inner: { c: 1, d: -1 }, pair: [{ c: 2, d: 2 }, { c: 3, d: 3 }] };
  assert.equal(rec.$toObject(), { a: 0, mid: { tag: 9, inner: { c: 1, d: -1 }, pair: [{ c: 2, d: 2 }, { c: 3, d: 3 }] }, z: 0 });
  assert.is(v.getFloat64(8 + 24 + 16 + 8, true), 3);
  rejects(seg, () => (rec.mid = { tag: 9, inner: { c: 1, d: -1 }, pair: [{ c: 2, d: 2 }, { c: 300, d: 3 }] }), 'Outer.mid.pair[1].c', 'deep bad value');
  rejects(seg, () => (rec.mid.inner.c = -1), 'Inner.c', 'nested setter');
});

test('enums: members by name, numbers accepted, unknown stored numbers read back as numbers', () => {
  const Mode = enumOf('Mode', { Off: 0, On: 1, Broken: -1, Alias: 1 }, 'i8');
  const Big = enumOf('BigE', { Low: 0, High: 0x7fffffff });
  const T = struct('Enums', { m: Mode, b: Big, ms: array(Mode, 3) });
  assert.equal(T.fields.map((f) => f.offset), [0, 4, 8]);
  const seg = sysv(4096);
  const rec = seg.struct(T) as StructRef & Record<string, any>;
  const v = new DataView(seg.bytes.buffer, seg.bytes.byteOffset, 16);
  rec.m = 'Broken';
  assert.is(v.getInt8(0), -1);
  assert.is(rec.m, 'Broken');
  rec.m = 1;
  assert.is(rec.m, 'On', 'a number reads back as the first member with that value');
  rec.m = 'Alias';
  assert.is(v.getInt8(0), 1);
  rec.b = 'High';
  assert.is(v.getInt32(4, true), 0x7fffffff);
  rec.ms = ['On', 0, 'Broken'];
  assert.equal(rec.ms.toArray(), ['On', 'Off', 'Broken']);
  v.setInt8(0, 42);
  assert.is(rec.m, 42, 'a value no member has (written by C) reads as its number');
  v.setInt8(0, 0);
  rejects(seg, () => (rec.m = 'Of'), 'Enums.m', 'unknown name');
  rejects(seg, () => (rec.m = 2), 'Enums.m', 'unknown number');
  rejects(seg, () => (rec.b = 'low'), 'Enums.b', 'names are case-sensitive');
  rejects(seg, () => (rec.m = true), 'Enums.m', 'a boolean');
  rejects(seg, () => rec.ms.set(2, 'Nope'), 'Enums.ms[2]', 'unknown name in an array');
  const e = rejects(seg, () => (rec.m = 'x'), 'Enums.m', 'message lists members');
  assert.match(e.message, /Off, On, Broken, Alias/);
});

test('aligned(), packed and an explicit struct alignment give the C offsets, and accessors use them', () => {
  const A = struct('AlignedF', { a: 'u8', b: aligned('u16', 16), c: aligned(array('u8', 3), 8), d: 'u8' });
  assert.equal(A.fields.map((f) => f.offset), [0, 16, 24, 27]);
  assert.equal([A.size, A.align], [32, 16]);
  const P = struct('PackedF', { c: 'u8', d: 'f64', s: 'i16', q: 'u64' }, { packed: true });
  assert.equal(P.fields.map((f) => f.offset), [0, 1, 9, 11]);
  assert.equal([P.size, P.align], [19, 1]);
  const E = struct('ExplicitF', { c: 'u8', s: 'u16' }, { align: 64 });
  assert.equal([E.size, E.align], [64, 64]);
  const PA = struct('PackedAlignedF', { c: 'u8', d: 'f64' }, { packed: true, align: 4 });
  assert.equal([PA.field('d').offset, PA.size, PA.align], [1, 12, 4]);
  assert.is(aligned(aligned('u8', 16), 4).align, 16, 'nested aligned() keeps the stricter alignment');
  assert.ok(cHeader([struct('NestedAlignedF', { x: aligned(aligned('u8', 16), 32) })]).includes('_Alignas(32) uint8_t x;'));

  const seg = sysv(4096);
  const v = new DataView(seg.bytes.buffer, seg.bytes.byteOffset, 4096);
  const p = seg.struct(P, 3) as StructRef & Record<string, any>; // odd offset: a packed struct may sit anywhere
  p.$assign({ c: 1, d: 1.25, s: -2, q: 2n ** 64n - 2n });
  assert.equal([v.getUint8(3), v.getFloat64(4, true), v.getInt16(12, true), v.getBigUint64(14, true)], [1, 1.25, -2, 2n ** 64n - 2n]);
  const a = seg.struct(A, 64) as StructRef & Record<string, any>;
  a.b = 0xbeef;
  a.c = [7, 8, 9];
  a.d = 5;
  assert.equal([v.getUint16(80, true), v.getUint8(88), v.getUint8(90), v.getUint8(91)], [0xbeef, 7, 9, 5]);
  shmError(() => seg.struct(A, 4096 - 31), 'EINVAL', 'struct past the end');
  shmError(() => seg.struct(A, -1), 'EINVAL', 'negative offset');
});

// ------------------------------------------------------------------ hostile values

test('out-of-range and wrong-type primitives: EINVAL naming Type.field, bytes unchanged (setters, $assign, Table.set)', () => {
  const seg = sysv(4096);
  const rec = seg.struct(Prims, 0) as StructRef & Record<string, any>;
  const good = { i8: 1, u8: 2, i16: 3, u16: 4, i32: 5, u32: 6, i64: 7n, u64: 8n, f32: 9, f64: 10, flag: true };
  rec.$assign(good);
  const table = seg.table(Prims, { offset: 1024, count: 4 });
  table.set(2, good);
  const hostile: Array<[string, unknown]> = [
    ['u8', 256], ['u8', -1], ['u8', 1.5], ['u8', '1'], ['u8', null], ['u8', undefined], ['u8', NaN], ['u8', 1n], ['u8', true],
    ['i8', -129], ['i8', 128], ['u16', 65536], ['i16', -32769], ['i16', 32768],
    ['u32', 2 ** 32], ['u32', -1], ['i32', 2 ** 31], ['i32', -(2 ** 31) - 1], ['i32', NaN], ['i32', Infinity], ['i32', 1e-9],
    ['i64', 2n ** 63n], ['i64', -(2n ** 63n) - 1n], ['i64', 5], ['i64', '5'],
    ['u64', -1n], ['u64', 2n ** 64n], ['u64', 0], ['u64', 1.5],
    ['f32', '1'], ['f32', 1n], ['f32', null], ['f64', true], ['f64', undefined], ['f64', {}],
    ['flag', 1], ['flag', 0], ['flag', 'true'], ['flag', null],
  ];
  for (const [field, value] of hostile) {
    const label = `${field} = ${typeof value === 'bigint' ? `${value}n` : String(value)}`;
    rejects(seg, () => (rec[field] = value), `Prims.${field}`, `setter ${label}`);
    rejects(seg, () => rec.$assign({ ...good, [field]: value }), `Prims.${field}`, `$assign ${label}`);
    rejects(seg, () => table.set(2, { ...good, [field]: value }), `Prims[2].${field}`, `Table.set ${label}`);
  }
  assert.equal(rec.$toObject(), good);
  assert.equal(table.get(2), good);
});

test('strings too long, straddling the limit, with NUL or lone surrogates, or not strings: EINVAL, bytes unchanged', () => {
  const T = struct('Str', { s: string(6), pad: 'u8' });
  const seg = sysv(4096);
  const rec = seg.struct(T) as StructRef & Record<string, any>;
  rec.s = 'abcde'; // exactly 5 bytes: fits char[6]
  assert.is(rec.s, 'abcde');
  rec.s = 'abcé'; // 3 + 2 = 5 bytes
  assert.is(rec.s, 'abcé');
  const e = rejects(seg, () => (rec.s = 'abcdef'), 'Str.s', '6 bytes');
  assert.match(e.message, /char\[6\] holds at most 5/);
  rejects(seg, () => (rec.s = 'abcdé'), 'Str.s', 'a 2-byte character straddling the limit (6 bytes)');
  rejects(seg, () => (rec.s = 'ab😀'), 'Str.s', 'a 4-byte character straddling the limit');
  rejects(seg, () => (rec.s = 'a\0b'), 'Str.s', 'NUL inside');
  rejects(seg, () => (rec.s = 'a\ud800'), 'Str.s', 'a lone high surrogate');
  rejects(seg, () => (rec.s = '\udc00'), 'Str.s', 'a lone low surrogate');
  rejects(seg, () => (rec.s = 5), 'Str.s', 'a number');
  rejects(seg, () => (rec.s = null), 'Str.s', 'null');
  rejects(seg, () => (rec.s = ['a']), 'Str.s', 'an array');
  rejects(seg, () => rec.$assign({ s: 'toolong', pad: 1 }), 'Str.s', 'whole record with a long string');
  assert.is(rec.s, 'abcé');
  assert.is(rec.pad, 0, 'the record write was refused whole');
});

test('arrays of the wrong length or with one bad element, records missing or adding a field: EINVAL, nothing written', () => {
  const P = struct('Pt', { x: 'i32', y: 'i32' });
  const T = struct('Rec', { id: 'u32', xs: array('u8', 3), pts: array(P, 2), last: 'u16' });
  const seg = sysv(4096);
  const rec = seg.struct(T) as StructRef & Record<string, any>;
  const good = { id: 1, xs: [1, 2, 3], pts: [{ x: 1, y: 2 }, { x: 3, y: 4 }], last: 5 };
  rec.$assign(good);
  rejects(seg, () => (rec.xs = [1, 2]), 'Rec.xs', 'too short');
  rejects(seg, () => (rec.xs = [1, 2, 3, 4]), 'Rec.xs', 'too long');
  rejects(seg, () => (rec.xs = 'abc'), 'Rec.xs', 'a string is not an array');
  rejects(seg, () => (rec.xs = { 0: 1, 1: 2, 2: 3, length: 3 }), 'Rec.xs', 'an array-like object');
  rejects(seg, () => (rec.xs = [9, 9, 300]), 'Rec.xs[2]', 'last element bad: the first two are not written');
  rejects(seg, () => (rec.xs = new Uint16Array([1, 2, 256])), 'Rec.xs[2]', 'typed array with a value too big');
  rejects(seg, () => (rec.pts = [{ x: 1, y: 2 }]), 'Rec.pts', 'one struct short');
  rejects(seg, () => rec.$assign({ id: 2, xs: [1, 2, 3], pts: [{ x: 1, y: 2 }, { x: 3 }], last: 5 }), 'Rec.pts[1].y', 'missing nested field');
  rejects(seg, () => rec.$assign({ id: 2, xs: [1, 2, 3], pts: [{ x: 1, y: 2 }, { x: 3, y: 4, z: 0 }], last: 5 }), 'Rec.pts[1]', 'extra nested field');
  rejects(seg, () => rec.$assign({ id: 2, xs: [1, 2, 3], pts: good.pts }), 'Rec.last', 'missing last field');
  const extra = rejects(seg, () => rec.$assign({ ...good, id: 2, colour: 'red' }), 'Rec', 'an extra field');
  assert.match(extra.message, /no field 'colour'/);
  rejects(seg, () => rec.$assign({ ...good, id: 2, last: undefined }), 'Rec.last', 'undefined counts as missing');
  rejects(seg, () => rec.$assign(null as never), 'Rec', 'null record');
  rejects(seg, () => rec.$assign([1, 2] as never), 'Rec', 'an array as a record');
  rejects(seg, () => (rec.pts = [{ x: 1, y: 2 }, 'p']), 'Rec.pts[1]', 'a string as a struct');
  rejects(seg, () => rec.pts.set(0, { x: 2 ** 31, y: 0 }), 'Rec.pts[0].x', 'ArrayRef.set of a struct');
  assert.equal(rec.$toObject(), good);
});

// ------------------------------------------------------------------ schemas

test('bad schemas are EINVAL with a reason: names, empty, aligned in packed or arrays, bad alignments, unknown types, options', () => {
  const bad: Array<[string, () => unknown, RegExp]> = [
    ['field name with a dash', () => struct('S', { 'a-b': 'u8' }), /C identifier/],
    ['field name starting with a digit', () => struct('S', { '1a': 'u8' }), /C identifier/],
    ['field named int', () => struct('S', { int: 'u8' }), /keyword/],
    ['field named struct', () => struct('S', { struct: 'u8' }), /keyword/],
    ['field named __proto__', () => struct('S', JSON.parse('{"__proto__": "u8"}')), /__proto__/],
    ['field name with a $', () => struct('S', { $a: 'u8' }), /C identifier/],
    ['field named with unicode', () => struct('S', { é: 'u8' }), /C identifier/],
    ['struct named while', () => struct('while', { a: 'u8' }), /keyword/],
    ['struct name empty', () => struct('', { a: 'u8' }), /C identifier/],
    ['empty struct', () => struct('S', {}), /at least one field/],
    ['fields not an object', () => struct('S', null as never), /fields/],
    ['aligned() inside packed', () => struct('S', { a: 'u8', b: aligned('u32', 8) }, { packed: true }), /packed/],
    ['aligned() array inside packed', () => struct('S', { b: aligned(array('u8', 2), 4) }, { packed: true }), /packed/],
    ['aligned(3)', () => aligned('u32', 3), /power of two/],
    ['aligned(0)', () => aligned('u32', 0), /power of two/],
    ['aligned(8192)', () => aligned('u32', 8192), /power of two/],
    ['struct align 12', () => struct('S', { a: 'u8' }, { align: 12 }), /power of two/],
    ['struct align -4', () => struct('S', { a: 'u8' }, { align: -4 }), /power of two/],
    ['packed not a boolean', () => struct('S', { a: 'u8' }, { packed: 1 as never }), /packed/],
    ['misspelt option', () => struct('S', { a: 'u8' }, { pack: true } as never), /unknown option 'pack'/],
    ['aligned array elements', () => array(aligned('u8', 4), 2), /over-align array elements/],
    ['unknown type name', () => struct('S', { a: 'u128' as never }), /unknown type 'u128'/],
    ['int type name', () => struct('S', { a: 'int' as never }), /unknown type 'int'/],
    ['type is a number', () => struct('S', { a: 4 as never }), /field type/],
    ['array of length 0', () => array('u8', 0), /array length/],
    ['array length 1.5', () => array('u8', 1.5), /array length/],
    ['string(0)', () => string(0), /capacity/],
    ['enum without members', () => enumOf('E', {}), /at least one member/],
    ['enum value too big for u8', () => enumOf('E', { A: 256 }, 'u8'), /does not fit/],
    ['enum value not an integer', () => enumOf('E', { A: 0.5 }), /does not fit/],
    ['enum member is a keyword', () => enumOf('E', { if: 1 }), /keyword/],
    ['enum base u64', () => enumOf('E', { A: 1 }, 'u64' as never), /does not fit|base/],
    ['enum base nonsense', () => enumOf('E', { A: 1 }, 'x' as never), /base/],
    ['struct too large', () => struct('S', { a: array('u8', 0x60000000), b: array('u8', 0x60000000) }), /larger than 2 GiB/],
    ['array too large', () => array(array('u8', 65536), 65536), /larger than 2 GiB/],
    ['array too large for a u32 count', () => array(array('f64', 1 << 30), 4), /larger than 2 GiB/],
  ];
  for (const [what, fn, reason] of bad) {
    const error = shmError(fn, 'EINVAL', what);
    assert.match(error.message, reason, `${what}: ${error.message}`);
  }
  const S1 = struct('Dup', { a: 'u8' });
  const S2 = struct('Dup', { a: 'u32' });
  shmError(() => cHeader([struct('UsesBoth', { p: S1, q: S2 })]), 'EINVAL', 'two different structs named Dup in one header');
  assert.ok(cHeader([struct('UsesOne', { p: S1, q: struct('Dup', { a: 'u8' }) })]).split('struct Dup {').length === 2, 'identical definitions are declared once');
});

test('layout hash: the same schema hashes the same; type, order, name, packing, alignment and enum members change it', () => {
  const base = () => struct('H', { a: 'u8', b: 'f64', s: string(4) });
  const h = base().hash;
  assert.is(typeof h, 'bigint');
  assert.is(base().hash, h, 'stable across declarations');
  assert.is(base().describe, base().describe);
  const variants: Array<[string, StructType]> = [
    ['field type', struct('H', { a: 'i8', b: 'f64', s: string(4) })],
    ['field order', struct('H', { b: 'f64', a: 'u8', s: string(4) })],
    ['field name', struct('H', { a: 'u8', c: 'f64', s: string(4) })],
    ['struct name', struct('H2', { a: 'u8', b: 'f64', s: string(4) })],
    ['packed', struct('H', { a: 'u8', b: 'f64', s: string(4) }, { packed: true })],
    ['struct alignment', struct('H', { a: 'u8', b: 'f64', s: string(4) }, { align: 32 })],
    ['string capacity', struct('H', { a: 'u8', b: 'f64', s: string(5) })],
    ['aligned field', struct('H', { a: 'u8', b: aligned('f64', 16), s: string(4) })],
    ['array length', struct('H', { a: array('u8', 1), b: 'f64', s: string(4) })],
  ];
  const seen = new Set([h]);
  for (const [what, type] of variants) {
    assert.is.not(type.hash, h, `${what} must change the hash`);
    seen.add(type.hash);
  }
  assert.is(seen.size, variants.length + 1, 'every variant hashes differently');
  const e1 = enumOf('Col', { R: 0, G: 1 });
  const e2 = enumOf('Col', { R: 0, G: 2 });
  assert.is.not(struct('EH', { c: e1 }).hash, struct('EH', { c: e2 }).hash, 'enum member values');
  const inner = (t: FieldType | PrimitiveName) => struct('Wrap', { x: struct('In', { v: t }) });
  assert.is.not(inner('u16').hash, inner('i16').hash, 'a nested struct field');
});

// ------------------------------------------------------------------ tables

const Row = struct('Row', {
  i8: 'i8', u8: 'u8', i16: 'i16', u16: 'u16', i32: 'i32', u32: 'u32', i64: 'i64', u64: 'u64',
  f32: 'f32', f64: 'f64', ok: 'bool', mode: enumOf('RowMode', { Idle: 0, Busy: 5, Gone: -2 }, 'i16'), name: string(6),
});

function rowValue(i: number) {
  return {
    i8: (i % 256) - 128, u8: (i * 7) % 256, i16: -i, u16: i * 3, i32: -(i * 100000), u32: (i * 2654435761) >>> 0,
    i64: -(BigInt(i) << 40n), u64: (BigInt(i) << 50n) + 1n, f32: i + 0.5, f64: i / 3, ok: i % 2 === 0,
    mode: (['Idle', 'Busy', 'Gone'] as const)[i % 3], name: `r${i}`,
  };
}

test('Table: at/get/set/cursor in place, $offset walks records, out-of-range indexes are EINVAL', () => {
  const seg = sysv(65536);
  const n = 50;
  const t = seg.table(Row, { offset: 8, count: n });
  assert.is(t.length, n);
  assert.is(Row.size, 64);
  for (let i = 0; i < n; i++) t.set(i, rowValue(i));
  for (let i = 0; i < n; i++) assert.equal(t.get(i), { ...rowValue(i), f32: Math.fround(i + 0.5) }, `record ${i}`);
  const v = new DataView(seg.bytes.buffer, seg.bytes.byteOffset, seg.size);
  assert.is(v.getBigUint64(8 + 17 * Row.size + Row.field('u64').offset, true), (17n << 50n) + 1n, 'record 17 sits at 8 + 17 * size');
  const r = t.at(3) as StructRef & Record<string, any>;
  r.u16 = 999;
  assert.is(t.get(3).u16, 999);
  assert.is(v.getUint16(8 + 3 * Row.size + Row.field('u16').offset, true), 999);
  const c = t.cursor() as StructRef & Record<string, any>;
  let sum = 0n;
  for (let i = 0; i < n; i++) {
    c.$offset = i * Row.size;
    sum += c.u64;
    assert.is(c.name, `r${i}`);
  }
  assert.is(sum, Array.from({ length: n }, (_, i) => (BigInt(i) << 50n) + 1n).reduce((a, b) => a + b));
  c.$offset = 49 * Row.size;
  c.mode = 'Gone';
  assert.is(t.get(49).mode, 'Gone');
  for (const index of [-1, n, 1.5, NaN, '1' as never]) {
    shmError(() => t.at(index), 'EINVAL', `at(${String(index)})`);
    shmError(() => t.get(index), 'EINVAL', `get(${String(index)})`);
    shmError(() => t.set(index, rowValue(0)), 'EINVAL', `set(${String(index)})`);
  }
  assert.is(seg.table(Row).length, Math.floor(65536 / Row.size), 'default count: as many as fit');
  shmError(() => seg.table(Row, { offset: 4, count: 2 }), 'EINVAL', 'offset not a multiple of the alignment');
  shmError(() => seg.table(Row, { count: 2000 }), 'EINVAL', 'count past the end');
  shmError(() => seg.table(Row, { offset: 70000 }), 'EINVAL', 'offset past the end');
  shmError(() => seg.table(Row, { offset: 0, count: 1, extra: 1 } as never), 'EINVAL', 'unknown option');
  shmError(() => new Table(Row, { memory: seg.arena, offset: seg.offset, count: -1, writable: true }), 'EINVAL', 'negative count');
});

const PRIMITIVE_COLUMNS: Array<[Exclude<PrimitiveName, 'bool'>, (i: number) => number | bigint, new (n: number) => ArrayLike<unknown>]> = [
  ['i8', (i) => (i % 256) - 128, Int8Array], ['u8', (i) => (i * 7) % 256, Uint8Array],
  ['i16', (i) => -i, Int16Array], ['u16', (i) => i * 3, Uint16Array],
  ['i32', (i) => -(i * 100000), Int32Array], ['u32', (i) => (i * 2654435761) >>> 0, Uint32Array],
  ['i64', (i) => -(BigInt(i) << 40n), BigInt64Array], ['u64', (i) => (BigInt(i) << 50n) + 1n, BigUint64Array],
  ['f32', (i) => i + 0.5, Float32Array], ['f64', (i) => i / 3, Float64Array],
];

test('readColumn/writeColumn for every primitive: typed arrays and plain arrays, through the core, bytes checked', () => {
  const seg = sysv(65536);
  const n = 300;
  const t = seg.table(Row, { count: n });
  const v = new DataView(seg.bytes.buffer, seg.bytes.byteOffset, seg.size);
  for (const [name, value, Ctor] of PRIMITIVE_COLUMNS) {
    const offset = Row.field(name).offset;
    const typed = new (Ctor as any)(n);
    for (let i = 0; i < n; i++) typed[i] = value(i);
    t.writeColumn(name, typed);
    const got = t.readColumn(name);
    assert.instance(got, Ctor, `${name} column type`);
    assert.equal([...got], [...typed], `${name} round trip`);
    const at = 123 * Row.size + offset;
    const direct = { i8: v.getInt8(at), u8: v.getUint8(at), i16: v.getInt16(at, true), u16: v.getUint16(at, true), i32: v.getInt32(at, true),
      u32: v.getUint32(at, true), i64: v.getBigInt64(at, true), u64: v.getBigUint64(at, true), f32: v.getFloat32(at, true), f64: v.getFloat64(at, true) }[name];
    assert.is(direct, typed[123], `${name} bytes of record 123`);
    assert.is((t.at(200) as Record<string, unknown>)[name], typed[200], `${name} through the accessor`);
    // Plain arrays are checked value by value and land the same.
    const plain = Array.from({ length: n }, (_, i) => value(n - 1 - i));
    t.writeColumn(name, plain);
    assert.equal([...t.readColumn(name)], name === 'f32' ? plain.map((x) => Math.fround(x as number)) : plain, `${name} plain`);
  }
  // Columns leave the other fields alone.
  t.writeColumn('u8', new Uint8Array(n).fill(0xee));
  assert.is(t.get(5).i8, ((n - 1 - 5) % 256) - 128, 'i8 still holds its plain-array value');
});

test('writeColumn checks every element first: a bad value anywhere (or the wrong kind) writes nothing', () => {
  const seg = sysv(65536);
  const n = 64;
  const t = seg.table(Row, { count: n });
  for (let i = 0; i < n; i++) t.set(i, rowValue(i));
  const cases: Array<[ColumnName<typeof Row>, unknown[] | ArrayLike<unknown>, string]> = [
    ['u8', [...Array(n - 1).fill(1), 256], 'Row.u8[63]'],
    ['u8', [-1, ...Array(n - 1).fill(1)], 'Row.u8[0]'],
    ['u8', new Int8Array(n).fill(-1), 'Row.u8[0]'],
    ['u8', new Uint16Array(n).fill(300), 'Row.u8[0]'],
    ['i8', [...Array(30).fill(0), 128, ...Array(n - 31).fill(0)], 'Row.i8[30]'],
    ['i16', new Int32Array(n).fill(40000), 'Row.i16[0]'],
    ['u16', [...Array(n - 1).fill(0), 1.5], 'Row.u16[63]'],
    ['i32', [...Array(n - 1).fill(0), NaN], 'Row.i32[63]'],
    ['u32', new Float64Array(n).fill(2 ** 32), 'Row.u32[0]'],
    ['u32', [...Array(n - 1).fill(0), '7'], 'Row.u32[63]'],
    ['i64', [...Array(n - 1).fill(0n), 5], 'Row.i64[63]'],
    ['i64', new BigUint64Array(n).fill(2n ** 63n), 'Row.i64[0]'],
    ['u64', new BigInt64Array(n).fill(-1n), 'Row.u64[0]'],
    ['u64', [...Array(n - 1).fill(0n), 2n ** 64n], 'Row.u64[63]'],
    ['f32', [...Array(n - 1).fill(0), 1n], 'Row.f32[63]'],
    ['f64', [...Array(n - 1).fill(0), '1'], 'Row.f64[63]'],
    ['ok', [...Array(n - 1).fill(true), 2], 'Row.ok[63]'],
    ['ok', new Uint8Array(n).fill(1).map((x, i) => (i === 40 ? 2 : x)), 'Row.ok[40]'],
    ['ok', [...Array(n - 1).fill(false), 'yes'], 'Row.ok[63]'],
    ['mode', [...Array(n - 1).fill('Busy'), 'Asleep'], 'Row.mode[63]'],
    ['mode', new Int16Array(n).fill(3), 'Row.mode[0]'],
    ['mode', [...Array(n - 1).fill(5), 1], 'Row.mode[63]'],
  ];
  for (const [column, values, path] of cases) rejects(seg, () => t.writeColumn(column, values as never), path, `${column} ← ${path}`);
  rejects(seg, () => (t as Table).writeColumn('name', Array(n).fill('x')), "column 'name'", 'a string field is not a column');
  rejects(seg, () => (t as Table).writeColumn('nope', [1]), "no field 'nope'", 'unknown column');
  rejects(seg, () => t.writeColumn('u8', new Uint8Array(n + 1)), 'outside the table', 'one more than the table holds');
  rejects(seg, () => t.writeColumn('u8', new Uint8Array(2), n - 1), 'outside the table', 'past the end from a start');
  rejects(seg, () => t.writeColumn('u8', new Uint8Array(1), -1), 'outside the table', 'negative start');
  shmError(() => (t as Table).readColumn('name'), 'EINVAL', 'readColumn of a string field');
  shmError(() => t.readColumn('u8', 60, 5), 'EINVAL', 'readColumn past the end');
  shmError(() => t.readColumn('u8', -1, 1), 'EINVAL', 'readColumn negative start');
  shmError(() => t.readColumn('u8', 0.5, 1), 'EINVAL', 'readColumn fractional start');
  for (let i = 0; i < n; i++) assert.equal(t.get(i), { ...rowValue(i), f32: Math.fround(i + 0.5) }, `record ${i} unchanged`);
});

test('columns of enums and bools, and partial ranges (start, count)', () => {
  const seg = sysv(65536);
  const n = 40;
  const t = seg.table(Row, { count: n });
  const v = new DataView(seg.bytes.buffer, seg.bytes.byteOffset, seg.size);
  const modeAt = (i: number) => v.getInt16(i * Row.size + Row.field('mode').offset, true);
  t.writeColumn('mode', Array.from({ length: n }, (_, i) => (['Idle', 'Busy', 'Gone'] as const)[i % 3]));
  assert.equal([modeAt(0), modeAt(1), modeAt(2), modeAt(39)], [0, 5, -2, 0]);
  const modes = t.readColumn('mode');
  assert.instance(modes, Int16Array, 'an enum column reads as its base type');
  assert.equal([...modes.subarray(0, 4)], [0, 5, -2, 0]);
  t.writeColumn('mode', new Int16Array([5, 5, -2]), 10);
  assert.equal([...t.readColumn('mode', 9, 5)], [0, 5, 5, -2, 5]);
  assert.is(t.get(12).mode, 'Gone');
  t.writeColumn('mode', [0, 'Busy'], 38);
  assert.equal([...t.readColumn('mode', 38)], [0, 5]);

  t.writeColumn('ok', Array.from({ length: n }, (_, i) => i % 3 === 0));
  const oks = t.readColumn('ok');
  assert.instance(oks, Uint8Array);
  assert.equal([...oks.subarray(0, 4)], [1, 0, 0, 1]);
  assert.is(t.get(3).ok, true);
  t.writeColumn('ok', new Uint8Array([0, 1]), 3);
  assert.equal([t.get(3).ok, t.get(4).ok], [false, true]);
  t.writeColumn('ok', [true, 0, 1], 0);
  assert.equal([...t.readColumn('ok', 0, 3)], [1, 0, 1]);

  t.writeColumn('u32', new Uint32Array([7, 8, 9]), 20);
  assert.equal([...t.readColumn('u32', 19, 5)], [0, 7, 8, 9, 0]);
  assert.is(t.readColumn('u32', 5, 0).length, 0);
  assert.is(t.readColumn('u32', n).length, 0, 'start at the end, count defaults to 0');
  t.writeColumn('u32', [], n);
  assert.equal(t.readColumn('f64').length, n);
});

test('readColumn into a reused array, and columns in arrays from arena.allocateArray (moved in place, still checked)', () => {
  const seg = sysv(65536);
  const n = 100;
  const t = seg.table(Row, { count: n });
  t.writeColumn('i32', Int32Array.from({ length: n }, (_, i) => i * -3));
  const into = new Int32Array(n + 5);
  assert.is(t.readColumn('i32', 10, 20, into), into, 'fills and returns the given array');
  assert.equal([...into.subarray(0, 3)], [-30, -33, -36]);
  shmError(() => t.readColumn('i32', 0, 10, new Uint32Array(10) as never), 'EINVAL', 'into of another type');
  shmError(() => t.readColumn('i32', 0, 10, new Int32Array(9)), 'EINVAL', 'into too short');
  const arena = seg.arena;
  const inArena = arena.allocateArray(BigUint64Array, n);
  try {
    assert.ok(arena.owns(inArena));
    for (let i = 0; i < n; i++) inArena[i] = BigInt(i) ** 3n;
    t.writeColumn('u64', inArena);
    assert.is(t.get(99).u64, 99n ** 3n);
    inArena.fill(0n);
    t.readColumn('u64', 0, n, inArena);
    assert.is(inArena[50], 125000n, 'gathered straight into the arena array');
  } finally {
    arena.freeArray(inArena);
  }
  const flags = arena.allocateArray(Uint8Array, n);
  const modes = arena.allocateArray(Int16Array, n);
  try {
    flags.fill(1);
    flags[77] = 2;
    rejects(seg, () => t.writeColumn('ok', flags), 'Row.ok[77]', 'an arena bool column is still checked');
    modes.fill(5);
    modes[3] = 4;
    rejects(seg, () => t.writeColumn('mode', modes), 'Row.mode[3]', 'an arena enum column is still checked');
    modes[3] = -2;
    t.writeColumn('mode', modes);
    assert.equal([t.get(2).mode, t.get(3).mode], ['Busy', 'Gone']);
  } finally {
    arena.freeArray(flags);
    arena.freeArray(modes);
  }
});

test('columns larger than the core scratch chunk (1 MiB) move whole, on a 12 MiB segment', () => {
  const Wide = struct('WideRow', { id: 'u64', x: 'f64', tag: 'u8' });
  const seg = sysv(12 * 1024 * 1024);
  const t = seg.table(Wide);
  const n = t.length;
  assert.ok(n * 8 > 3 * 1024 * 1024, 'the u64 column spans several chunks');
  const ids = new BigUint64Array(n);
  for (let i = 0; i < n; i++) ids[i] = BigInt(i) * 0x1_0000_0001n;
  t.writeColumn('id', ids);
  const tags = Array.from({ length: n }, (_, i) => i & 0xff);
  t.writeColumn('tag', tags);
  const v = new DataView(seg.bytes.buffer, seg.bytes.byteOffset, seg.size);
  for (const i of [0, 1, 131071, 131072, 131073, 262144, n - 1]) {
    assert.is(v.getBigUint64(i * Wide.size, true), BigInt(i) * 0x1_0000_0001n, `id ${i}`);
    assert.is(v.getUint8(i * Wide.size + 16), i & 0xff, `tag ${i}`);
  }
  const back = t.readColumn('id');
  assert.ok(back.length === n && back.every((x, i) => x === ids[i]), 'the whole column reads back');
  const part = t.readColumn('tag', 131070, 200000);
  assert.ok(part.every((x, i) => x === ((131070 + i) & 0xff)), 'a partial range across chunks');
});

// ------------------------------------------------------------------ read-only

const RoRec = struct('RoRec', { n: 'u32', big: 'u64', s: string(8), xs: array('i16', 2), inner: struct('RoIn', { f: 'f64' }), ok: 'bool' });

function checkReadOnly(rw: Segment, ro: Segment) {
  assert.is(ro.readOnly, true);
  const w = rw.table(RoRec, { count: 3 });
  w.set(1, { n: 7, big: 2n ** 60n, s: 'héllo', xs: [-1, 2], inner: { f: 1.5 }, ok: true });
  const before = Buffer.from(rw.bytes);
  const rec = ro.struct(RoRec, RoRec.size) as StructRef & Record<string, any>;
  assert.is(rec.n, 7);
  assert.is(rec.big, 2n ** 60n);
  assert.is(rec.s, 'héllo');
  assert.equal(rec.xs.toArray(), [-1, 2]);
  assert.is(rec.inner.f, 1.5);
  assert.equal(rec.$toObject(), { n: 7, big: 2n ** 60n, s: 'héllo', xs: [-1, 2], inner: { f: 1.5 }, ok: true });
  const typeErrorOrEacces = (fn: () => unknown, what: string) => {
    try {
      fn();
    } catch (error) {
      const ok = error instanceof TypeError || (error instanceof ShmError && error.code === 'EACCES');
      assert.ok(ok, `${what}: expected TypeError or EACCES, got ${String(error)}`);
      return;
    }
    assert.unreachable(`${what}: a read-only write did not throw`);
  };
  typeErrorOrEacces(() => (rec.n = 8), 'primitive setter');
  typeErrorOrEacces(() => (rec.s = 'x'), 'string setter');
  typeErrorOrEacces(() => (rec.xs = [0, 0]), 'array setter');
  typeErrorOrEacces(() => (rec.inner.f = 2), 'nested setter');
  shmError(() => rec.xs.set(0, 5), 'EACCES', 'ArrayRef.set');
  shmError(() => rec.$assign({ n: 1, big: 1n, s: '', xs: [0, 0], inner: { f: 0 }, ok: false }), 'EACCES', '$assign');
  const t = ro.table(RoRec, { count: 3 });
  assert.is(t.writable, false);
  assert.equal(t.get(1).s, 'héllo');
  assert.equal([...t.readColumn('n')], [0, 7, 0], 'readColumn works on a read-only table');
  assert.equal([...t.readColumn('big', 1, 1)], [2n ** 60n]);
  shmError(() => t.set(0, t.get(1)), 'EACCES', 'Table.set');
  shmError(() => t.writeColumn('n', [1, 2, 3]), 'EACCES', 'writeColumn');
  typeErrorOrEacces(() => ((t.at(0) as Record<string, unknown>).n = 1), 'Table.at setter');
  typeErrorOrEacces(() => ((t.cursor() as Record<string, unknown>).ok = true), 'cursor setter');
  assert.ok(Buffer.from(rw.bytes).equals(before), 'nothing changed');
  // Writes through the read-write attachment show through.
  (w.at(1) as Record<string, unknown>).n = 9;
  assert.is(rec.n, 9);
}

test('read-only SysV attachment: getters work, every setter throws (TypeError or EACCES), the process lives on', () => {
  const rw = sysv(8192);
  const ro = keep(SysV.open({ id: (rw as SysV).id }, { readOnly: true }));
  checkReadOnly(rw, ro);
});

test('read-only POSIX attachment: getters work, every setter throws (TypeError or EACCES), the process lives on', () => {
  const rw = posix(8192);
  const ro = keep(Posix.open((rw as Posix).name, { readOnly: true }));
  checkReadOnly(rw, ro);
});

test('structAt over any DataView; one accessor class per view and type; records carry only $offset', () => {
  const seg = sysv(4096);
  const view = seg.view;
  const a = structAt(Prims, view, 0, true);
  const b = structAt(Prims, view, 56, true);
  assert.is(Object.getPrototypeOf(a), Object.getPrototypeOf(b), 'one class per view and struct type');
  assert.is.not(Object.getPrototypeOf(a), Object.getPrototypeOf(structAt(Prims, view, 0, false)), 'read-only refs have their own class');
  assert.is(a.$type, Prims);
  assert.is(a.$view, view);
  assert.equal(Object.keys(a), ['$offset']);
  const ref = structAt(Prims, view, 8, true) as StructRef & Record<string, any>;
  ref.u16 = 4242;
  assert.is(seg.view.getUint16(8 + 4, true), 4242);
  const other = seg.struct(Prims, 8) as StructRef & Record<string, any>;
  assert.is(other.u16, 4242, 'a ref over another view of the same bytes sees the write');
  shmError(() => structAt(Prims, view, 4096 - 55, true), 'EINVAL', 'one byte short');
  shmError(() => structAt(Prims, view, 0.5, true), 'EINVAL', 'fractional offset');
});

test.run();
