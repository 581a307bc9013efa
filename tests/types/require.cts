// Type-checked by tests/types.test.ts as a CommonJS module: its imports are
// require() calls, so TypeScript must find the CommonJS declarations.
import shmkit = require('shmkit');
import { struct, type RecordOf } from 'shmkit';

const Trade = struct('Trade', { id: 'u32', price: 'f64', qty: 'i64' });
export const trade: RecordOf<typeof Trade> = { id: 1, price: 101.5, qty: 3n };
// @ts-expect-error a number where a bigint belongs
export const wrong: RecordOf<typeof Trade> = { id: 1, price: 101.5, qty: 3 };

export function tradesOf(seg: shmkit.ManagedSegment): shmkit.Table<typeof Trade> {
  const trades = seg.findOrCreate('trades', { table: Trade, count: 16 });
  // @ts-expect-error a misspelt field
  trades.set(0, { id: 1, prize: 101.5, qty: 3n });
  return trades;
}
export const error: typeof shmkit.ShmError = shmkit.ShmError;
