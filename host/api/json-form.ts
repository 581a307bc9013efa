// The plain JSON form of results that carry bigints. JSON.stringify cannot
// write a bigint, and a number loses digits past 2^53, so every bigint is
// written as its decimal string, whatever its value; nothing else changes.

/** A value as the plain JSON form holds it: a bigint becomes its decimal string. */
export function bigintAsDecimal(value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * Gives a flat result a toJSON that writes its bigints as decimal strings,
 * so `JSON.stringify(seg.stat())` works. It is not enumerable: spreads,
 * `Object.keys` and deep comparisons see the result's fields only.
 */
export function withJsonForm<T extends object>(result: T): T {
  Object.defineProperty(result, 'toJSON', { value: plainForm, enumerable: false, configurable: true, writable: true });
  return result;
}

function plainForm(this: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(this).map(([name, value]) => [name, bigintAsDecimal(value)]));
}
