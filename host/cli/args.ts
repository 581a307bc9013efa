// Command-line parsing: numbers with bases and suffixes, and the TARGET forms
// every command shares (--key, --id, --path [--proj], /name).
import { parseArgs } from 'node:util';
import { parseByteCount } from '../byte-count.js';
import { invalidArgument } from '../errors.js';
import type { SysVTarget } from '../api/sysv.js';

export type Flags = Record<string, string | boolean | undefined>;

const OPTION_TYPES = {
  key: 'string', id: 'string', path: 'string', proj: 'string', private: 'boolean',
  size: 'string', mode: 'string', exclusive: 'boolean', hugetlb: 'boolean', noreserve: 'boolean',
  json: 'boolean', pattern: 'string', offset: 'string', length: 'string', uid: 'string', gid: 'string',
  out: 'string', debug: 'boolean', help: 'boolean', sem: 'boolean',
} as const;

export interface Parsed {
  positionals: string[];
  flags: Flags;
}

/** Parses argv, then refuses options this command does not take. */
export function parse(argv: string[], allowed: readonly string[], command: string): Parsed {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [name, type] of Object.entries(OPTION_TYPES)) options[name] = { type };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    invalidArgument(`${command}: ${(error as Error).message.replace(/\. To specify.*$/s, '')}`);
  }
  for (const name of Object.keys(parsed.values)) {
    if (!allowed.includes(name) && name !== 'debug' && name !== 'help') {
      invalidArgument(`${command} does not take --${name} (see \`shmkit help\`)`);
    }
  }
  return { positionals: parsed.positionals, flags: parsed.values as Flags };
}

/** A byte count: decimal, 0x hex, or with a binary suffix (64K, 1M, 2G, 1MiB). */
export function parseSize(text: string | boolean | undefined, name: string): number {
  const value = typeof text === 'string' ? parseByteCount(text) : undefined;
  if (value === undefined) {
    invalidArgument(`--${name} must be a number of bytes like 4096, 0x1000, 64K or 1M: got '${String(text)}'`);
  }
  return value;
}

/** An integer in decimal or 0x hex (keys may be negative decimals, as ipcs prints none but C code uses). */
export function parseInteger(text: string | boolean | undefined, name: string): number {
  const value = typeof text === 'string' && /^-?(0x[0-9a-f]+|\d+)$/i.test(text.trim())
    ? (text.trim().startsWith('-') ? -Number(text.trim().slice(1)) : Number(text.trim()))
    : NaN;
  if (!Number.isSafeInteger(value)) invalidArgument(`--${name} must be an integer (decimal or 0x hex): got '${String(text)}'`);
  return value;
}

/** Permission bits, always octal: 600, 0600 or 0o600. */
export function parseMode(text: string | boolean | undefined): number {
  const match = typeof text === 'string' ? /^(?:0o?)?([0-7]{1,4})$/i.exec(text.trim()) : null;
  const value = match ? parseInt(match[1]!, 8) : NaN;
  if (!(value >= 0 && value <= 0o777)) invalidArgument(`--mode must be octal permission bits like 600 or 0644: got '${String(text)}'`);
  return value;
}

export type Target = { kind: 'sysv'; sysv: SysVTarget } | { kind: 'posix'; name: string };

export const TARGET_OPTIONS = ['key', 'id', 'path', 'proj'] as const;

/** The one target a command acts on. */
export function parseTarget({ positionals, flags }: Parsed, command: string): Target {
  const sysv = (['key', 'id', 'path'] as const).filter((name) => flags[name] !== undefined);
  if (flags.proj !== undefined && flags.path === undefined) invalidArgument(`${command}: --proj goes with --path`);
  if (sysv.length + positionals.length !== 1) {
    invalidArgument(`${command} needs exactly one target: --key K, --id ID, --path P [--proj N], or a POSIX name like /name`);
  }
  if (positionals.length === 1) return { kind: 'posix', name: positionals[0]! };
  if (flags.key !== undefined) return { kind: 'sysv', sysv: { key: parseInteger(flags.key, 'key') } };
  if (flags.id !== undefined) return { kind: 'sysv', sysv: { id: parseInteger(flags.id, 'id') } };
  return {
    kind: 'sysv',
    sysv: { path: String(flags.path), proj: flags.proj === undefined ? undefined : parseInteger(flags.proj, 'proj') } as SysVTarget,
  };
}
