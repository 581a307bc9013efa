// Type-checked by tests/types.test.ts against the built package, never run.
// Every line marked @ts-expect-error must fail to compile (tsc reports an
// unused one as an error); every other line must compile.
import {
  Memfd, aligned, array, enumOf, openOrCreate, string, struct,
  type ArrayRef, type FieldValue, type PrimitiveType, type RecordInput, type RecordOf, type StructFields, type StructRef, type Table,
} from 'shmkit';

// Exact type equality, so an inferred type that widens (to any, say) fails.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;

const Kind = enumOf('Kind', { Temp: 1, Humidity: 2 }, 'u8');
const Point = struct('Point', { x: 'f32', y: 'f32' });
export const Sensor = struct('Sensor', {
  id: 'u32', serial: 'u64', offsetNs: 'i64', ok: 'bool', kind: Kind, name: string(16), value: 'f64',
  last: array('f32', 4), at: Point, path: array(Point, 2), grid: array(array('i16', 3), 2), stamp: aligned('u64', 16),
});

type SensorRecord = {
  id: number; serial: bigint; offsetNs: bigint; ok: boolean; kind: 'Temp' | 'Humidity' | number; name: string; value: number;
  last: number[]; at: { x: number; y: number }; path: { x: number; y: number }[]; grid: number[][]; stamp: bigint;
};
export const recordsAreInferred: Equal<RecordOf<typeof Sensor>, SensorRecord> = true;

const reading: RecordInput<typeof Sensor> = {
  id: 1, serial: 2n, offsetNs: -3n, ok: true, kind: 'Temp', name: 'boiler', value: 81.5,
  last: new Float32Array([80, 81, 81, 81.5]), at: { x: 1, y: 2 }, path: [{ x: 1, y: 2 }, { x: 3, y: 4 }],
  grid: [[1, 2, 3], [4, 5, 6]], stamp: 7n,
};

// A self-describing segment: tables, structs and bytes by name.
using seg = openOrCreate({ kind: 'posix', name: '/types', size: 1 << 20 });
const sensors = seg.findOrCreate('sensors', { table: Sensor, count: 100 });
sensors.set(0, reading);
sensors.set(1, { ...reading, kind: 2 }); // an enum takes its values too
sensors.set(2, sensors.get(0)); // a record read is a record to write
// @ts-expect-error a misspelt field
sensors.set(3, { ...reading, idd: 1 });
// @ts-expect-error a missing field (a record is written whole)
sensors.set(3, { id: 1 });
// @ts-expect-error a number where a bigint belongs
sensors.set(3, { ...reading, serial: 2 });
// @ts-expect-error a string where a number belongs
sensors.set(3, { ...reading, value: '81.5' });
// @ts-expect-error not a member of the enum
sensors.set(3, { ...reading, kind: 'Tmp' });
// @ts-expect-error a nested record with a misspelt field
sensors.set(3, { ...reading, at: { x: 1, yy: 2 } });

const record = sensors.get(0);
export const serial: bigint = record.serial;
export const firstOfPath: number = record.path[0]!.x;
// @ts-expect-error no such field
export const missing = record.idd;

// Accessors: fields in place, typed; nested structs and arrays through their own accessors.
const c = sensors.cursor();
c.$offset = 5 * Sensor.size;
c.value = 0;
c.kind = 'Humidity';
c.serial += 1n;
c.at.x = 2;
c.last.set(0, 1.5);
c.path.get(1).y = 3;
c.grid.get(0).set(2, 9);
c.$assign(reading);
export const row: ArrayRef<PrimitiveType<'i16'>> = c.grid.get(1);
export const point: StructRef<typeof Point> = sensors.at(3).at;
export const asObject: SensorRecord = c.$toObject();
// @ts-expect-error a misspelt field
c.valu = 1;
// @ts-expect-error a bigint field takes no number
c.serial = 1;
// @ts-expect-error nested structs are reached in place, not assigned (use c.at.$assign)
c.at = { x: 1, y: 2 };
// @ts-expect-error an array element of the wrong type
c.last.set(0, 'x');

// Columns: the field's own typed array; only numbers, bools and enums are columns.
export const values: Float64Array = sensors.readColumn('value');
export const serials: BigUint64Array = sensors.readColumn('serial', 0, 10);
export const kinds: Uint8Array = sensors.readColumn('kind');
export const oks: Uint8Array = sensors.readColumn('ok');
sensors.writeColumn('kind', ['Temp', 2, 'Humidity']);
sensors.writeColumn('ok', oks);
sensors.writeColumn('offsetNs', [1n, -2n]);
sensors.readColumn('id', 0, 10, new Uint32Array(10));
// @ts-expect-error a string field is not a column
sensors.readColumn('name');
// @ts-expect-error no such column
sensors.readColumn('vlaue');
// @ts-expect-error numbers into a bigint column
sensors.writeColumn('serial', [1, 2]);
// @ts-expect-error into must be the column's own typed array
sensors.readColumn('id', 0, 10, new Int32Array(10));

// A named struct, found again later.
const Config = struct('Config', { rate: 'u32', label: string(8) });
seg.findOrCreate('config', Config).rate = 250;
const found = seg.find('config', Config);
export const label: string | undefined = found?.label;
export const table: Table<typeof Sensor> | undefined = seg.find('sensors', { table: Sensor });
// @ts-expect-error a string where a number belongs
seg.findOrCreate('config', Config).rate = '250';

// Record rings: what goes in and what comes out is the record type.
const Trade = struct('Trade', { id: 'u32', price: 'f64', side: enumOf('Side', { Buy: 0, Sell: 1 }) });
const trades = seg.ring('trades', 1 << 16, { record: Trade });
const producer = trades.acquireProducer();
producer.sendRecord({ id: 1, price: 101.5, side: 'Buy' });
const claimed = producer.tryClaimRecord();
if (claimed) claimed.price = 99;
// @ts-expect-error a misspelt field
producer.sendRecord({ id: 1, prize: 101.5, side: 'Buy' });
const consumer = trades.acquireConsumer();
export const trade: { id: number; price: number; side: 'Buy' | 'Sell' | number } | null = consumer.receiveRecord();
export const peeked: number | undefined = consumer.tryPeekRecord()?.price;

// Raw segments place structs and tables at an offset.
using raw = Memfd.create({ size: 1 << 16 });
raw.struct(Point, 0).x = 1;
export const rawTable: Table<typeof Point> = raw.table(Point, { offset: 64, count: 10 });
// @ts-expect-error no such field
raw.struct(Point).z = 1;

// Typed tables, accessors and arrays go wherever those of any struct are asked for.
function describe(any: Table): string {
  return `${any.type.name}: ${any.length} records`;
}
describe(sensors);
export const anyRef: StructRef = c;
export const anyArray: ArrayRef = c.path;
// @ts-expect-error an array of points is no array of numbers
export const notNumbers: ArrayRef<PrimitiveType<'f32'>> = c.path;
// @ts-expect-error nor is a table of sensors a table of points
export const notPoints: Table<typeof Point> = sensors;

// A schema whose fields TypeScript cannot see stays as loose as the runtime checks.
const fields: StructFields = { a: 'u8' };
const Loose = struct('Loose', fields);
export const loose: Record<string, FieldValue> = raw.table(Loose).get(0);
raw.table(Loose).set(0, { anything: 1 });
