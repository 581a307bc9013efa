// How values look in text output; JSON output uses the same key, mode and
// hash forms, so a value reads the same in both.
import { readFileSync } from 'node:fs';

/** Permission bits as four octal digits: "0640". */
export function formatMode(mode: number): string {
  return '0' + mode.toString(8).padStart(3, '0');
}

/** A 64-bit layout hash as "0x" and 16 hex digits; null for none (0). */
export function formatHash(hash: bigint): string | null {
  return hash === 0n ? null : '0x' + hash.toString(16).padStart(16, '0');
}

/** Columns padded to their widest cell; number-looking columns right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const right = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[\d.]+$/.test(r[i]!)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Name and value rows, the names padded to one width. */
export function fields(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
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

/** "98304 bytes (96.0 KiB)". */
export function bytesWithHuman(bytes: number | bigint): string {
  return Number(bytes) < 1024 ? `${bytes} bytes` : `${bytes} bytes (${humanBytes(bytes)})`;
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
