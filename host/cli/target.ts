// TARGET, the one object a command acts on: --key K, --id ID, --path P
// [--proj N] (an ftok key), or a POSIX name like /name.
import { ShmError, formatKey } from '../errors.js';
import { validateSemName } from '../linux/named-sem.js';
import { validatePosixName } from '../linux/posix.js';
import type { SysVTarget } from '../api/sysv.js';
import type { Flags, Parsed } from './command.js';
import { usageError } from './usage-error.js';
import { parseId, parseKey, parseProj } from './values.js';

export type Target = { kind: 'sysv'; sysv: SysVTarget } | { kind: 'posix'; name: string };

/** What a POSIX name names: rules differ (a semaphore's name is shorter). */
export type NameKind = 'shm' | 'sem';

/** A POSIX name checked by the rules of the calls it goes to, refused as a usage error. */
export function checkPosixName(name: string, kind: NameKind = 'shm'): string {
  try {
    if (kind === 'sem') validateSemName(name);
    else validatePosixName(name);
  } catch (error) {
    if (error instanceof ShmError) usageError(error.message);
    throw error;
  }
  return name;
}

/** A key for looking an object up: 0 (IPC_PRIVATE) names nothing. */
function parseLookupKey(text: string): number {
  const key = parseKey(text);
  if (key === 0) usageError('--key 0 is IPC_PRIVATE, which no one can look up: name such an object by --id (see `shmkit ls`)');
  return key;
}

/** --path P [--proj N], the source of an ftok key; undefined without --path. */
export function parseFtokSource(flags: Flags): { path: string; proj?: number } | undefined {
  if (flags.proj !== undefined && flags.path === undefined) usageError('--proj goes with --path');
  if (flags.path === undefined) return undefined;
  const path = String(flags.path);
  if (path === '') usageError('--path needs an existing path');
  return typeof flags.proj === 'string' ? { path, proj: parseProj(flags.proj) } : { path };
}

export function parseTarget({ positionals, flags }: Parsed, nameKind: NameKind = 'shm'): Target {
  const given = (['key', 'id', 'path'] as const).filter((name) => flags[name] !== undefined);
  const ftok = parseFtokSource(flags);
  if (given.length + positionals.length !== 1) {
    const got = [...given.map((name) => `--${name}`), ...positionals.map((p) => `'${p}'`)];
    usageError(`give exactly one target: --key K, --id ID, --path P [--proj N], or a POSIX name like /name${got.length ? ` (got ${got.join(', ')})` : ''}`);
  }
  if (positionals.length === 1) return { kind: 'posix', name: checkPosixName(positionals[0]!, nameKind) };
  if (typeof flags.key === 'string') return { kind: 'sysv', sysv: { key: parseLookupKey(flags.key) } };
  if (typeof flags.id === 'string') return { kind: 'sysv', sysv: { id: parseId(flags.id) } };
  return { kind: 'sysv', sysv: ftok! };
}

/** The target as the command line names it. */
export function describeTarget(target: Target): string {
  if (target.kind === 'posix') return target.name;
  const t = target.sysv;
  if ('key' in t) return `--key ${formatKey(t.key)}`;
  if ('id' in t) return `--id ${t.id}`;
  return `--path ${t.path}${t.proj === undefined ? '' : ` --proj ${t.proj}`}`;
}
