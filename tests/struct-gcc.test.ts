// shmkit's C layouts checked against the real compiler: a corpus of structs
// (awkward ones by hand, many more from a seeded generator) is turned into a
// C header, gcc builds a program that prints sizeof/_Alignof/offsetof for
// every field, and every number must match what the Wasm core computed.
import { execFileSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  aligned, array, cHeader, enumOf, primitives, string, struct, type FieldType, type PrimitiveName, type StructType,
} from '../host/struct/index.js';
import { compileC } from './helpers/gcc.js';
import { cleanup } from './helpers/resources.js';
import '../host/core/node-module.js'; // this thread's core, for the layouts below

const gcc = suite('struct layout vs gcc');
gcc.after.each(cleanup);

function handPicked(): StructType[] {
  const CharDouble = struct('CharDouble', { c: 'u8', d: 'f64' });
  const Point = struct('Point', { x: 'f32', y: 'f32', tag: 'u8' });
  const Nested = struct('Nested', { n: 'u16', pts: array(Point, 3), grid: array(array(Point, 2), 2), tail: 'i8' });
  const Packed = struct('PackedMix', { c: 'u8', d: 'f64', s: 'i16', p: Point, q: 'u64' }, { packed: true });
  const PackedAligned = struct('PackedAligned', { c: 'u8', d: 'f64' }, { packed: true, align: 8 });
  const Wide = struct('Wide', { a: 'u8', b: aligned('u8', 64), c: 'u32' });
  const Texts = struct('Texts', { a: string(1), b: string(7), c: array(string(3), 4), d: 'f64', e: 'bool' });
  const Mode = enumOf('Mode', { Off: 0, On: 1, Broken: -1 }, 'i8');
  const Big = enumOf('Big', { Low: 0, High: 0x7fffffff });
  const Enums = struct('Enums', { m: Mode, b: Big, ms: array(Mode, 3), tail: 'u16' });
  const Outer = struct('Outer', { cd: CharDouble, n: Nested, e: Enums, s: array(CharDouble, 2), last: 'u8' }, { align: 32 });
  return [CharDouble, Point, Nested, Packed, PackedAligned, Wide, Texts, Enums, Outer];
}

// A small seeded PRNG (mulberry32) so a failure can be reproduced.
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generated(seed: number, count: number): StructType[] {
  const random = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const prims: PrimitiveName[] = ['i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64', 'f32', 'f64', 'bool'];
  const made: StructType[] = [];
  for (let s = 0; s < count; s++) {
    const packed = random() < 0.2;
    const fields: Record<string, FieldType> = {};
    const n = 1 + Math.floor(random() * 9);
    for (let f = 0; f < n; f++) {
      const roll = random();
      let type: FieldType;
      if (roll < 0.45 || made.length === 0) type = primitives[pick(prims)];
      else if (roll < 0.55) type = string(1 + Math.floor(random() * 20));
      else if (roll < 0.7) type = array(pick(prims), 1 + Math.floor(random() * 5));
      else if (roll < 0.8) type = array(array(pick(prims), 1 + Math.floor(random() * 3)), 1 + Math.floor(random() * 3));
      else if (roll < 0.9) type = random() < 0.5 ? pick(made) : array(pick(made), 1 + Math.floor(random() * 3));
      else type = enumOf(`E${s}_${f}`, { A: 0, B: 1 + Math.floor(random() * 100) }, pick(['u8', 'i16', 'u32'] as const));
      if (!packed && random() < 0.1) type = aligned(type, pick([1, 2, 4, 8, 16, 32]));
      fields[`f${f}`] = type;
    }
    const align = random() < 0.15 ? pick([2, 4, 8, 16, 64]) : undefined;
    made.push(struct(`G${seed}_${s}`, fields, { packed, ...(align ? { align } : {}) }));
  }
  return made;
}

/** Builds and runs the C side; returns `kind name… value` lines as a map. */
function measuredByGcc(types: StructType[]): Map<string, number> {
  const prints: string[] = [];
  for (const t of types) {
    prints.push(`  printf("size ${t.name} %zu\\n", sizeof(struct ${t.name}));`);
    prints.push(`  printf("align ${t.name} %zu\\n", _Alignof(struct ${t.name}));`);
    for (const f of t.fields) {
      prints.push(`  printf("offset ${t.name}.${f.name} %zu\\n", offsetof(struct ${t.name}, ${f.name}));`);
      prints.push(`  printf("fieldsize ${t.name}.${f.name} %zu\\n", sizeof(((struct ${t.name} *)0)->${f.name}));`);
    }
  }
  const source = `#include <stdio.h>\n#include "corpus.h"\nint main(void) {\n${prints.join('\n')}\n  return 0;\n}\n`;
  // gcc warns when a packed struct holds an over-aligned struct (it packs it
  // anyway, as shmkit does); the numbers below are what matter.
  const binary = compileC(source, 'layout', { 'corpus.h': cHeader(types, { guard: 'CORPUS_H' }) }, ['-Wno-packed-not-aligned']);
  const numbers = new Map<string, number>();
  for (const line of execFileSync(binary, { encoding: 'utf8' }).trim().split('\n')) {
    const [kind, what, value] = line.split(' ');
    numbers.set(`${kind} ${what}`, Number(value));
  }
  return numbers;
}

function compare(types: StructType[]): number {
  const measured = measuredByGcc(types);
  let checked = 0;
  const expect = (key: string, ours: number) => {
    assert.is(measured.get(key), ours, `${key}: gcc says ${measured.get(key)}, shmkit ${ours}`);
    checked++;
  };
  for (const t of types) {
    expect(`size ${t.name}`, t.size);
    expect(`align ${t.name}`, t.align);
    for (const f of t.fields) {
      expect(`offset ${t.name}.${f.name}`, f.offset);
      expect(`fieldsize ${t.name}.${f.name}`, f.type.size);
    }
  }
  return checked;
}

gcc('awkward structs by hand: char then double, nested arrays of structs, packed, over-aligned, strings, enums', () => {
  const checked = compare(handPicked());
  assert.ok(checked > 80);
});

gcc('200 generated structs from three seeds agree with gcc on every size, alignment and offset', () => {
  let checked = 0;
  for (const seed of [1, 2, 0x5eed]) checked += compare(generated(seed, 200 / 3 | 0));
  assert.ok(checked > 1000, `only ${checked} numbers checked`);
});

gcc.run();
