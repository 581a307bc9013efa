// Structs exchanged with programs in other languages through real segments.
// C: gcc builds a program that #includes the header from cHeader(), attaches
// a System V segment by key (shmat), checks every field of the records Node
// wrote (against initialisers laid out by gcc itself), prints a checksum,
// then overwrites them with records of its own that Node reads back through
// the accessors and readColumn. Python: ctypes Structures generated here from
// the schema read a POSIX object through /dev/shm, and write some fields back.
import { execFileSync, spawnSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Posix, SysV, aligned, array, cHeader, enumOf, string, struct,
  type FieldType, type FieldValue, type StructType, type Table,
} from '../host/index.js';
import { compileC } from './helpers/gcc.js';
import { cleanup, freshKey, freshName, keepOpen, trackPosix, trackSysV } from './helpers/resources.js';

const exchange = suite('struct exchange with C and Python');

exchange.after.each(cleanup);

const Color = enumOf('XColor', { Red: 0, Green: 1, Blue: 7, Neg: -3 }, 'i16');
const Pt = struct('XPt', { tag: 'u8', v: 'f64' }); // char then double
const Rec = struct('XRec', {
  c: 'u8', d: 'f64', pts: array(Pt, 3), name: string(12), color: Color, ok: 'bool', big: 'u64',
  small: 'i8', grid: array(array('i16', 3), 2), f: 'f32', wide: aligned('u32', 16), tail: 'i64',
});
const Packed = struct('XPacked', {
  c: 'u8', d: 'f64', big: 'u64', color: Color, name: string(5), ok: 'bool', s: 'i16', us: array('u16', 3),
}, { packed: true });

const COLORS = ['Red', 'Green', 'Blue', 'Neg'];
const NAMES = ['', 'a', 'é', '日本語', 'x😀y', 'abcdefghijk', 'ñandú'];

/** Record i of generation g (0: written by Node, 1: written by C). */
function recValue(i: number, g: number): Record<string, FieldValue> {
  const k = i + g * 1000;
  return {
    c: (k * 37) & 0xff, d: k * 1.5 + 0.1 - g, pts: [0, 1, 2].map((j) => ({ tag: (k + j) & 0xff, v: k / (j + 3) })),
    name: g ? `c${k}` : NAMES[i % NAMES.length]!, color: COLORS[(i + g) % 4]!, ok: (i + g) % 3 === 0,
    big: BigInt.asUintN(64, (BigInt(k) << 56n) | BigInt(k * 977)) + (g ? 1n : 0n), small: ((k * 5) % 256) - 128,
    grid: [[k, -k, 7], [-32768, 32767, k % 100]], f: k + 0.25, wide: (k * 2654435761) >>> 0, tail: -(BigInt(k) << 33n) - 1n,
  };
}
function packedValue(i: number, g: number): Record<string, FieldValue> {
  const k = i + g * 1000;
  return {
    c: 255 - (k & 0xff), d: -k - 0.75, big: 2n ** 64n - 1n - BigInt(k), color: COLORS[(i + 2 + g) % 4]!,
    name: g ? `p${k % 100}` : ['', 'ab', 'ñ', 'abcd'][i % 4]!, ok: (i + g) % 2 === 1, s: -k, us: [k, 65535 - k, 1],
  };
}
/** A record as it reads back: f32 fields lose precision as C floats do. */
function asRead(value: Record<string, FieldValue>): Record<string, FieldValue> {
  return 'f' in value ? { ...value, f: Math.fround(value.f as number) } : value;
}

// ------------------------------------------------------------------ C

/** A C expression for `value` of `type` (initialisers; strings byte by byte in octal). */
function cLiteral(type: FieldType, value: FieldValue): string {
  switch (type.kind) {
    case 'aligned': return cLiteral(type.inner, value);
    case 'primitive':
      if (type.name === 'u64') return `${value}ULL`;
      if (type.name === 'i64') return `(${value}LL)`; // values stay above INT64_MIN
      if (type.name === 'f32') return `${value}f`;
      if (type.name === 'f64') return String(value);
      if (type.name === 'bool') return value ? 'true' : 'false';
      return `(${value})`;
    case 'string': return `"${[...Buffer.from(value as string, 'utf8')].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')}"`;
    case 'enum': return `${type.name}_${value}`;
    case 'array': return `{ ${(value as FieldValue[]).map((v) => cLiteral(type.element, v)).join(', ')} }`;
    case 'struct': return `{ ${(type as StructType).fields.map((f) => `.${f.name} = ${cLiteral(f.type, (value as Record<string, FieldValue>)[f.name]!)}`).join(', ')} }`;
  }
}

/** C statements comparing every leaf of `a` and `b` (expressions of `type`), counting mismatches. */
function cCompare(type: FieldType, a: string, b: string, label: string): string[] {
  switch (type.kind) {
    case 'aligned': return cCompare(type.inner, a, b, label);
    case 'primitive':
    case 'enum':
      return [`if (${a} != ${b}) { bad++; printf("mismatch %d ${label}\\n", i); } fields++;`];
    case 'string':
      return [`if (strncmp(${a}, ${b}, ${type.capacity}) != 0) { bad++; printf("mismatch %d ${label} '%.*s'\\n", i, ${type.capacity}, ${a}); } fields++;`];
    case 'array':
      return Array.from({ length: type.length }, (_, j) => cCompare(type.element, `${a}[${j}]`, `${b}[${j}]`, `${label}[${j}]`)).flat();
    case 'struct':
      return (type as StructType).fields.flatMap((f) => cCompare(f.type, `${a}.${f.name}`, `${b}.${f.name}`, `${label}.${f.name}`));
  }
}

function cProgram(n: number): string {
  const table = (name: string, type: StructType, value: (i: number, g: number) => Record<string, FieldValue>, g: number) =>
    `static const struct ${type.name} ${name}[${n}] = {\n${Array.from({ length: n }, (_, i) => `  ${cLiteral(type, value(i, g))},`).join('\n')}\n};`;
  return `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include "exchange.h"

${table('want', Rec, recValue, 0)}
${table('want_packed', Packed, packedValue, 0)}
${table('next', Rec, recValue, 1)}
${table('next_packed', Packed, packedValue, 1)}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  key_t key = (key_t)strtoul(argv[1], NULL, 0);
  size_t packed_offset = strtoul(argv[2], NULL, 0);
  int id = shmget(key, 0, 0);
  if (id < 0) { perror("shmget"); return 3; }
  unsigned char *base = shmat(id, NULL, 0);
  if (base == (void *)-1) { perror("shmat"); return 4; }
  struct XRec *recs = (struct XRec *)base;
  struct XPacked *packed = (struct XPacked *)(base + packed_offset);
  int bad = 0, fields = 0;
  uint64_t sum = 0;
  for (int i = 0; i < ${n}; i++) {
${cCompare(Rec, 'recs[i]', 'want[i]', 'XRec').map((s) => `    ${s}`).join('\n')}
${cCompare(Packed, 'packed[i]', 'want_packed[i]', 'XPacked').map((s) => `    ${s}`).join('\n')}
    sum += recs[i].big + recs[i].c + (uint64_t)recs[i].tail + (uint64_t)(int64_t)recs[i].color + packed[i].big + (uint64_t)(int64_t)packed[i].s;
  }
  printf("checked %d fields, %d mismatches, sum %llu\\n", fields, bad, (unsigned long long)sum);
  for (int i = 0; i < ${n}; i++) {
    recs[i] = next[i];
    packed[i] = next_packed[i];
  }
  shmdt(base);
  return bad == 0 ? 0 : 1;
}
`;
}

/** The checksum the C program computes, from the values Node wrote. */
function expectedSum(n: number): bigint {
  let sum = 0n;
  const colorValue = (name: FieldValue) => BigInt(Color.members.get(name as string)!);
  for (let i = 0; i < n; i++) {
    const r = recValue(i, 0);
    const p = packedValue(i, 0);
    sum += (r.big as bigint) + BigInt(r.c as number) + (r.tail as bigint) + colorValue(r.color!) + (p.big as bigint) + BigInt(p.s as number);
  }
  return BigInt.asUintN(64, sum);
}

exchange('the layouts are the awkward C ones (padding after char, over-aligned member, packed at any offset)', () => {
  assert.equal([Pt.size, Pt.align, Pt.field('v').offset], [16, 8, 8]);
  assert.equal(Rec.fields.map((f) => [f.name, f.offset]), [
    ['c', 0], ['d', 8], ['pts', 16], ['name', 64], ['color', 76], ['ok', 78], ['big', 80], ['small', 88],
    ['grid', 90], ['f', 104], ['wide', 112], ['tail', 120],
  ]);
  assert.equal([Rec.size, Rec.align], [128, 16]);
  assert.equal([Packed.size, Packed.align, Packed.field('color').offset, Packed.field('us').offset], [33, 1, 17, 27]);
});

/**
 * A SysV segment holding `n` Rec then (at an odd offset) `n` Packed records
 * filled by Node; `tamper` may spoil some before the gcc-built C checker,
 * which also writes its own records back, runs on it.
 */
function exchangeWithC(n: number, tamper: (recs: Table, packed: Table) => void = () => {}) {
  const packedOffset = n * Rec.size + 3; // odd: a packed struct sits anywhere
  const seg = keepOpen(SysV.create({ key: freshKey(), size: packedOffset + n * Packed.size, exclusive: true }));
  trackSysV(seg.id);
  const recs: Table = seg.table(Rec, { count: n });
  const packed: Table = seg.table(Packed, { offset: packedOffset, count: n });
  for (let i = 0; i < n; i++) {
    recs.set(i, recValue(i, 0));
    packed.set(i, packedValue(i, 0));
  }
  tamper(recs, packed);
  const binary = compileC(cProgram(n), 'exchange', { 'exchange.h': cHeader([Rec, Packed], { guard: 'EXCHANGE_H' }) });
  const c = spawnSync(binary, [`0x${seg.key.toString(16)}`, String(packedOffset)], { encoding: 'utf8' });
  return { recs, packed, c };
}

exchange('Node writes a table to a SysV segment; a gcc-built C program checks every field, then writes records Node reads back', () => {
  const n = 40;
  const { recs, packed, c } = exchangeWithC(n);
  assert.is(c.status, 0, `C found mismatches or failed:\n${c.stdout}${c.stderr}`);
  const leaves = (t: FieldType): number => t.kind === 'aligned' ? leaves(t.inner) : t.kind === 'array' ? t.length * leaves(t.element)
    : t.kind === 'struct' ? (t as StructType).fields.reduce((a, f) => a + leaves(f.type), 0) : 1;
  assert.is(c.stdout.trim(), `checked ${n * (leaves(Rec) + leaves(Packed))} fields, 0 mismatches, sum ${expectedSum(n)}`);

  for (let i = 0; i < n; i++) {
    assert.equal(recs.get(i), asRead(recValue(i, 1)), `C record ${i}`);
    assert.equal(packed.get(i), packedValue(i, 1), `C packed record ${i}`);
  }
  const r7 = recs.at(7) as Record<string, any>;
  assert.is(r7.pts.get(2).v, 1007 / 5);
  assert.is(r7.grid.get(1).get(2), 1007 % 100);
  assert.is(r7.name, 'c1007');
  assert.equal([...recs.readColumn('big')], Array.from({ length: n }, (_, i) => recValue(i, 1).big));
  assert.equal([...recs.readColumn('d')], Array.from({ length: n }, (_, i) => recValue(i, 1).d));
  assert.equal([...recs.readColumn('color', 0, 4)], [1, 7, -3, 0]);
  assert.equal([...recs.readColumn('ok', 0, 6)], [0, 0, 1, 0, 0, 1]);
  assert.equal([...recs.readColumn('wide', 1, 2)], [(1001 * 2654435761) >>> 0, (1002 * 2654435761) >>> 0]);
  assert.equal([...packed.readColumn('s', n - 2)], [-(1000 + n - 2), -(1000 + n - 1)]);
  assert.equal([...packed.readColumn('big', 0, 2)], [2n ** 64n - 1001n, 2n ** 64n - 1002n]);
});

exchange('a C program that disagrees is caught: one wrong field written by Node makes the C check fail and name it', () => {
  const { c } = exchangeWithC(3, (recs, packed) => {
    (recs.at(1) as Record<string, any>).pts.get(2).tag = 99;
    (packed.at(2) as Record<string, any>).us.set(1, 5);
  });
  assert.is(c.status, 1);
  assert.match(c.stdout, /mismatch 1 XRec\.pts\[2\]\.tag/);
  assert.match(c.stdout, /mismatch 2 XPacked\.us\[1\]/);
  assert.match(c.stdout, /2 mismatches/);
});

// ------------------------------------------------------------------ Python

// ctypes (Python 3.11) has no per-field alignment, so the Python schema has no aligned().
const PyColor = enumOf('PyColor', { Off: 0, On: 1, Odd: 1000 }, 'u16');
const PyIn = struct('PyIn', { tag: 'u8', v: 'f64' });
const PyRec = struct('PyRec', {
  c: 'u8', d: 'f64', ins: array(PyIn, 2), name: string(9), color: PyColor, ok: 'bool', big: 'u64', tail: 'i64',
  grid: array(array('i8', 2), 3), f: 'f32', u: 'u32', h: 'i16',
});
const PyPacked = struct('PyPacked', { c: 'u8', d: 'f64', big: 'i64', name: string(4), color: PyColor, h: 'u16' }, { packed: true });

const CTYPES: Record<string, string> = {
  i8: 'c_int8', u8: 'c_uint8', i16: 'c_int16', u16: 'c_uint16', i32: 'c_int32', u32: 'c_uint32',
  i64: 'c_int64', u64: 'c_uint64', f32: 'c_float', f64: 'c_double', bool: 'c_bool',
};

/** Python ctypes class definitions for `types` and the structs they use, dependencies first. */
function ctypesClasses(types: StructType[]): string {
  const done = new Set<StructType>();
  const out: string[] = [];
  const spell = (t: FieldType): string => {
    switch (t.kind) {
      case 'primitive': return CTYPES[t.name]!;
      case 'enum': return CTYPES[t.base.name]!;
      case 'string': return `(c_char * ${t.capacity})`;
      case 'array': return `(${spell(t.element)} * ${t.length})`;
      case 'struct': define(t as StructType); return t.name;
      case 'aligned': throw new Error('ctypes on Python 3.11 cannot over-align a field');
    }
  };
  const define = (s: StructType) => {
    if (done.has(s)) return;
    const fields = s.fields.map((f) => `('${f.name}', ${spell(f.type)})`);
    done.add(s);
    out.push(`class ${s.name}(Structure):\n${s.packed ? '    _pack_ = 1\n' : ''}    _fields_ = [${fields.join(', ')}]\n`);
  };
  types.forEach(define);
  return out.join('\n');
}

function pyRec(i: number): Record<string, FieldValue> {
  return {
    c: 200 + (i % 50), d: i / 7, ins: [{ tag: i, v: -i * 0.5 }, { tag: 255, v: 1e300 }], name: ['', 'ñé', '8 bytes!', '日'][i % 4]!,
    color: ['Off', 'On', 'Odd'][i % 3]!, ok: i % 2 === 0, big: 2n ** 64n - 1n - BigInt(i), tail: -(2n ** 63n) + BigInt(i),
    grid: [[i % 128, -128], [127, -i % 128], [0, 1]], f: i - 0.125, u: 4294967295 - i, h: -32768 + i,
  };
}
function pyPacked(i: number): Record<string, FieldValue> {
  return { c: i, d: -i / 3, big: -(2n ** 62n) - BigInt(i), name: ['abc', 'é', ''][i % 3]!, color: ['Odd', 'Off'][i % 2]!, h: 65535 - i };
}

const PYTHON = `
import ctypes, json, mmap, sys
from ctypes import *

CLASSES

def plain(v):
    if isinstance(v, Structure):
        return {name: plain(getattr(v, name)) for name, _ in v._fields_}
    if isinstance(v, bytes):
        return v.decode('utf-8')
    if isinstance(v, Array):
        if v._type_ is c_char:
            return v.value.decode('utf-8')
        return [plain(x) for x in v]
    if isinstance(v, int) and not isinstance(v, bool) and (v > 2**53 or v < -2**53):
        return str(v) + 'n'
    return v

path, n, packed_offset = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
layout = {cls.__name__: {'size': sizeof(cls), 'align': alignment(cls), 'offsets': [[name, getattr(cls, name).offset] for name, _ in cls._fields_]}
          for cls in (PyIn, PyRec, PyPacked)}
with open(path, 'r+b') as f:
    mm = mmap.mmap(f.fileno(), 0)
    recs = (PyRec * n).from_buffer(mm, 0)
    packed = (PyPacked * n).from_buffer(mm, packed_offset)
    out = {'layout': layout, 'recs': [plain(r) for r in recs], 'packed': [plain(p) for p in packed]}
    # Writes back, seen by Node through its own mapping.
    recs[1].big = 12345678901234567890
    recs[1].name = 'py☃'.encode('utf-8')
    recs[2].ins[1].v = -2.5
    packed[0].d = 6.25
    packed[n - 1].color = 1000
    del recs, packed
    mm.close()
print(json.dumps(out))
`;

exchange('Python ctypes classes generated from the schema read shmkit records from /dev/shm (mmap), and write back', () => {
  const n = 12;
  const packedOffset = n * PyRec.size + 1;
  const name = trackPosix(freshName('pyx'));
  const seg = keepOpen(Posix.create(name, { size: packedOffset + n * PyPacked.size, exclusive: true }));
  const recs: Table = seg.table(PyRec, { count: n });
  const packed: Table = seg.table(PyPacked, { offset: packedOffset, count: n });
  for (let i = 0; i < n; i++) {
    recs.set(i, pyRec(i));
    packed.set(i, pyPacked(i));
  }
  const script = PYTHON.replace('CLASSES', ctypesClasses([PyRec, PyPacked]));
  const stdout = execFileSync('python3', ['-c', script, `/dev/shm${name}`, String(n), String(packedOffset)], { encoding: 'utf8' });
  const out = JSON.parse(stdout);
  for (const type of [PyIn, PyRec, PyPacked]) {
    assert.equal(out.layout[type.name], { size: type.size, align: type.align, offsets: type.fields.map((f) => [f.name, f.offset]) }, `ctypes layout of ${type.name}`);
  }
  // JSON from Python: enums as numbers, big integers spelled 123n, floats exact.
  const json = (type: StructType, value: Record<string, FieldValue>): unknown => {
    const convert = (t: FieldType, v: FieldValue): unknown => {
      if (t.kind === 'enum') return t.members.get(v as string);
      if (t.kind === 'primitive' && t.name === 'f32') return Math.fround(v as number);
      if (typeof v === 'bigint') return v > 2n ** 53n || v < -(2n ** 53n) ? `${v}n` : Number(v);
      if (t.kind === 'array') return (v as FieldValue[]).map((x) => convert(t.element, x));
      if (t.kind === 'struct') return json(t as StructType, v as Record<string, FieldValue>);
      return v;
    };
    return Object.fromEntries(type.fields.map((f) => [f.name, convert(f.type, value[f.name]!)]));
  };
  for (let i = 0; i < n; i++) {
    assert.equal(out.recs[i], json(PyRec, pyRec(i)), `Python read record ${i}`);
    assert.equal(out.packed[i], json(PyPacked, pyPacked(i)), `Python read packed record ${i}`);
  }
  const r1 = recs.at(1) as Record<string, any>;
  assert.is(r1.big, 12345678901234567890n);
  assert.is(r1.name, 'py☃');
  assert.is((recs.at(2) as Record<string, any>).ins.get(1).v, -2.5);
  assert.equal([...packed.readColumn('d', 0, 2)], [6.25, -1 / 3]);
  assert.is(packed.get(n - 1).color, 'Odd');
  assert.equal(recs.get(3), asRead(pyRec(3)), 'records Python did not touch are unchanged');
});

exchange.run();
