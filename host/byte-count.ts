// Byte counts as people write them, for the CLI's --size and the arena's
// SHMKIT_ARENA_SIZE alike: 4096, 0x1000, 64K, 1M, 2G, 1MiB (units are binary).
const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** The number of bytes `text` names, or undefined when it is no byte count. */
export function parseByteCount(text: string): number | undefined {
  const match = /^(0x[0-9a-f]+|\d+)\s*([kmgt]?)(i?b)?$/i.exec(text.trim());
  const value = match ? Number(match[1]) * UNITS[match[2]!.toLowerCase()]! : NaN;
  return Number.isSafeInteger(value) ? value : undefined;
}
