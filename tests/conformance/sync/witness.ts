// A critical-section witness: a shared word each party raises on entry and
// lowers on exit; finding it already raised means two parties were inside.

/** Enters; 1 when someone else was already inside, else 0. */
export function enter(inside: Int32Array, limit = 1): number {
  return Atomics.add(inside, 0, 1) >= limit ? 1 : 0;
}

export function leave(inside: Int32Array): void {
  Atomics.sub(inside, 0, 1);
}
