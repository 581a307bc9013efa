// Byte counts as people write them, for the CLI's size flags and the arena's
// SHMKIT_ARENA_SIZE alike, read the way util-linux tools (ipcmk, truncate)
// read them: 4096, 0x1000, or a number with a suffix, K/KiB M/MiB G/GiB
// T/TiB counting 1024s and KB MB GB TB counting 1000s.
const POWERS: Record<string, number> = { k: 1, m: 2, g: 3, t: 4 };

/** The number of bytes `text` names, NaN when it is no byte count (or more than 2^53 - 1). */
export function parseByteCount(text: string): number {
  const match = /^(?:0x([0-9a-f]+)|(\d+)\s*(?:([kmgt])(i?b)?)?)$/i.exec(text.trim());
  if (!match) return NaN;
  const [, hex, digits, suffix, unit] = match;
  const base = unit?.toLowerCase() === 'b' ? 1000 : 1024;
  const value = hex !== undefined ? parseInt(hex, 16) : Number(digits) * base ** (suffix ? POWERS[suffix.toLowerCase()]! : 0);
  return Number.isSafeInteger(value) ? value : NaN;
}

/** How a byte count may be written, for messages. */
export const BYTE_COUNT_FORMS = 'like 4096, 0x1000, 64K or 1M (K, M, G, T count 1024s; KB, MB, GB, TB 1000s)';
