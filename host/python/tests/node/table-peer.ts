// The Node end of test_layout.py, with one struct type declared the Node way:
//   describe              prints {describe, hash, size, align} of Reading (and of its parts)
//   write NAME COUNT      makes table 'readings' of COUNT records, record i from value(i)
//   read NAME             prints every record of table 'py-readings' as JSON
import { openOrCreate, struct, string, array, enumOf, aligned } from '../../../../host/index.js';

const Point = struct('Point', { x: 'i16', y: 'i16' });
const Kind = enumOf('Kind', { Temp: 1, Humidity: 2, Wind: 7 }, 'u8');
export const Reading = struct('Reading', {
  id: 'u32', kind: Kind, label: string(12), value: 'f64', total: 'i64', last: array('f32', 3),
  grid: array(array('u8', 3), 2), ok: 'bool', at: Point, big: aligned('u16', 16),
});
const Packed = struct('Packed', { a: 'u8', b: 'u32', c: 'u16' }, { packed: true });

const value = (i: number) => ({
  id: i * 3, kind: (['Temp', 'Humidity', 'Wind'] as const)[i % 3]!, label: `r${i}`, value: i / 4, total: BigInt(i) * -(2n ** 40n),
  last: [i, i + 0.5, -i], grid: [[i & 255, 1, 2], [3, 4, (i * 7) & 255]], ok: i % 2 === 0, at: { x: -i, y: i }, big: i & 0xffff,
});
const plain = (record: unknown): unknown => JSON.parse(JSON.stringify(record, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));

const [mode, name, countText] = process.argv.slice(2);
if (mode === 'describe') {
  const one = (t: { describe: string; hash: bigint; size: number; align: number }) => ({ describe: t.describe, hash: t.hash.toString(), size: t.size, align: t.align });
  console.log(JSON.stringify({ Reading: one(Reading), Point: one(Point), Packed: one(Packed) }));
} else {
  const seg = openOrCreate({ kind: 'posix', name: name!, size: 1 << 20 });
  if (mode === 'write') {
    const table = seg.create('readings', { table: Reading, count: Number(countText) });
    for (let i = 0; i < table.length; i++) table.set(i, value(i));
  } else {
    const table = seg.find('py-readings', { table: Reading })!;
    console.log(JSON.stringify(Array.from({ length: table.length }, (_, i) => plain(table.get(i)))));
  }
  seg.close();
}
