// Output helpers: JSON that can hold bigints and dates, aligned tables, sizes.
import { readFileSync } from 'node:fs';

/** JSON where bigints become numbers when exact (else strings) and dates ISO strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
    return v;
  }, 2);
}

/** Columns padded to their widest cell; numbers-looking columns right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const right = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[\d.]+$/.test(r[i]!)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function octal(mode: number): string {
  return mode.toString(8).padStart(3, '0');
}

export function humanBytes(bytes: number | bigint): string {
  let value = Number(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function when(date: Date | null): string {
  return date ? date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : 'never';
}

let users: Map<number, string> | undefined;
/** User name for a uid, as ipcs shows owners; the number when unknown. */
export function userName(uid: number): string {
  if (!users) {
    users = new Map();
    try {
      for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const [name, , id] = line.split(':');
        if (name && id) users.set(Number(id), name);
      }
    } catch {
      // no passwd file: numbers it is
    }
  }
  return users.get(uid) ?? String(uid);
}
