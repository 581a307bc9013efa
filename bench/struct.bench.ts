// Struct accessors and bulk column moves against what a user would write by
// hand on the same shared bytes: DataView code and plain JS loops.
// Run: npm run bench:struct
import { CoreMemory, struct, string, Table } from '../host/index.js';
import { coreModule } from '../host/core/node-module.js';
import { measure, table, type Sample } from './measure.js';
import { sampleRows, writeResults } from './results.js';

const Reading = struct('Reading', { id: 'u32', flags: 'u16', name: string(10), value: 'f64', count: 'i32' });
const N = 100_000;
const REPEATS = 25;

const memory = new CoreMemory({ maxBytes: 64 << 20, module: coreModule() });
const place = memory.claimUnits(Reading.size * N, 1);
const records = new Table(Reading, { memory, offset: place.offset, count: N, writable: true });
const dv = new DataView(memory.memory.buffer, place.offset, Reading.size * N);
const SIZE = Reading.size;
const ID = Reading.field('id').offset;
const VALUE = Reading.field('value').offset;
const COUNT = Reading.field('count').offset;
for (let i = 0; i < N; i++) records.set(i, { id: i, flags: i & 0xffff, name: `r${i % 1000}`, value: i * 0.25, count: -i });

let sink = 0;
const reads: Sample[] = [
  measure('hand-written DataView', N * 3, REPEATS, () => {
    let s = 0;
    for (let i = 0, at = 0; i < N; i++, at += SIZE) s += dv.getUint32(at + ID, true) + dv.getFloat64(at + VALUE, true) + dv.getInt32(at + COUNT, true);
    sink += s;
  }),
  measure('accessor, one cursor', N * 3, REPEATS, () => {
    let s = 0;
    const c = records.cursor();
    for (let i = 0, at = 0; i < N; i++, at += SIZE) {
      c.$offset = at;
      s += (c.id as number) + (c.value as number) + (c.count as number);
    }
    sink += s;
  }),
  measure('accessor, table.at(i)', N * 3, REPEATS, () => {
    let s = 0;
    for (let i = 0; i < N; i++) {
      const r = records.at(i);
      s += (r.id as number) + (r.value as number) + (r.count as number);
    }
    sink += s;
  }),
];

const writes: Sample[] = [
  measure('hand-written DataView', N * 3, REPEATS, () => {
    for (let i = 0, at = 0; i < N; i++, at += SIZE) {
      dv.setUint32(at + ID, i, true);
      dv.setFloat64(at + VALUE, i * 0.5, true);
      dv.setInt32(at + COUNT, -i, true);
    }
  }),
  measure('accessor (checked), one cursor', N * 3, REPEATS, () => {
    const c = records.cursor();
    for (let i = 0, at = 0; i < N; i++, at += SIZE) {
      c.$offset = at;
      c.id = i;
      c.value = i * 0.5;
      c.count = -i;
    }
  }),
];

const column = new Float64Array(N);
for (let i = 0; i < N; i++) column[i] = i * 1.5;
const out = new Float64Array(N);
const inMemory = memory.allocateArray(Float64Array, N);
inMemory.set(column);
const bulk: Sample[] = [
  measure('JS loop: DataView → Float64Array', N, REPEATS, () => {
    for (let i = 0, at = VALUE; i < N; i++, at += SIZE) out[i] = dv.getFloat64(at, true);
    sink += out[N - 1]!;
  }),
  measure('core readColumn (gather, then copy out)', N, REPEATS, () => {
    sink += records.readColumn('value', 0, N, out)[N - 1] as number;
  }),
  measure('core readColumn into an allocateArray column', N, REPEATS, () => {
    sink += records.readColumn('value', 0, N, inMemory)[N - 1] as number;
  }),
  measure('JS loop: Float64Array → DataView', N, REPEATS, () => {
    for (let i = 0, at = VALUE; i < N; i++, at += SIZE) dv.setFloat64(at, column[i]!, true);
  }),
  measure('core writeColumn (copy in, then scatter)', N, REPEATS, () => {
    records.writeColumn('value', column);
  }),
  measure('core writeColumn from an allocateArray column', N, REPEATS, () => {
    records.writeColumn('value', inMemory);
  }),
];

console.log(`# Struct codecs (${N} records of ${Reading.size} bytes, ${REPEATS} runs each, Node ${process.version})\n`);
const tables: Array<[title: string, samples: Sample[], baseline: string]> = [
  ['Field reads (3 fields per record)', reads, 'hand-written DataView'],
  ['Field writes (3 fields per record)', writes, 'hand-written DataView'],
  ['Bulk: one f64 column, gather', bulk.slice(0, 3), 'JS loop: DataView → Float64Array'],
  ['Bulk: one f64 column, scatter', bulk.slice(3), 'JS loop: Float64Array → DataView'],
];
for (const [title, samples, baseline] of tables) console.log(table(title, samples, baseline));
if (sink === 42) console.log(''); // keeps the loops from being optimised away
writeResults('struct', tables.flatMap(([title, samples]) => sampleRows(title, 'ns/op', samples)), { records: N, recordBytes: Reading.size, repeats: REPEATS });
