// What System V segments and semaphore sets share: naming one (key, id, or
// an ftok key), picking the key a creation uses, and create-or-open.
import { ShmError, invalidArgument } from '../errors.js';
import { IPC_CREAT, IPC_EXCL, IPC_PRIVATE } from '../linux/constants.js';
import { ftok } from '../linux/sysv.js';
import { checkBoolean, checkPath, checkId, checkKey, checkOptions, checkProj } from '../core/validate.js';

/** Which object: by key, by id, or by a key made with ftok(path, proj). */
export type SysVTarget = { key: number } | { id: number } | { path: string; proj?: number };

export const DEFAULT_PROJ = 1;
const TARGET_KEYS = ['key', 'id', 'path', 'proj'] as const;

export function checkTarget(target: unknown, where: string): SysVTarget {
  const t = checkOptions<Partial<Record<(typeof TARGET_KEYS)[number], unknown>>>(target, TARGET_KEYS, where);
  const given = ['key', 'id', 'path'].filter((name) => (t as Record<string, unknown>)[name] !== undefined);
  if (given.length !== 1) invalidArgument(`${where}: give exactly one of key, id or path (got ${given.join(', ') || 'none'})`);
  if (t.proj !== undefined && t.path === undefined) invalidArgument(`${where}: proj goes with path`);
  if (t.key !== undefined) {
    const key = checkKey(t.key, where);
    if (key === IPC_PRIVATE) invalidArgument(`${where}: key 0 is IPC_PRIVATE, which no one can look up; open such an object by id`);
    return { key };
  }
  if (t.id !== undefined) return { id: checkId(t.id, where) };
  return { path: checkPath(t.path, where), proj: t.proj === undefined ? DEFAULT_PROJ : checkProj(t.proj, where) };
}

/** The key of a target that is not an id (ftok for a path). */
export function targetKey(target: { key: number } | { path: string; proj?: number }): number {
  return 'key' in target ? target.key : ftok(target.path, target.proj ?? DEFAULT_PROJ);
}

export interface KeySource {
  key?: number | undefined;
  path?: string | undefined;
  proj?: number | undefined;
  private?: boolean | undefined;
}

/**
 * The key a creation uses: `key`, ftok(`path`, `proj`), or IPC_PRIVATE for
 * `private: true`; exactly one. Checks come first; ftok is the only call.
 */
export function creationKey(o: KeySource, where: string): number {
  const isPrivate = checkBoolean(o.private, 'private', where);
  const sources = [o.key !== undefined, o.path !== undefined, isPrivate].filter(Boolean).length;
  if (sources !== 1) invalidArgument(`${where}: give exactly one of key, path (+ proj) or private: true`);
  if (o.proj !== undefined && o.path === undefined) invalidArgument(`${where}: proj goes with path`);
  if (isPrivate) return IPC_PRIVATE;
  if (o.path !== undefined) return ftok(checkPath(o.path, where), o.proj === undefined ? DEFAULT_PROJ : checkProj(o.proj, where));
  const key = checkKey(o.key, where);
  if (key === IPC_PRIVATE) invalidArgument(`${where}: key 0 is IPC_PRIVATE; say private: true to mean it`);
  return key;
}

/** What a maker is told around the call that may create the object (openOrCreate's creation note). */
export interface MakingHooks {
  /** Before the call that may create it. */
  making(): void;
  /** Just after it made the object `id`. */
  made(id: number): void;
}

/**
 * Open-or-create that knows which happened, so a failed setup can undo a
 * creation. `get(flags)` is shmget or semget with the rest of its arguments
 * bound. The key may vanish between the two calls, or be taken; then try
 * again. An existing object is opened first, so `note` hears only of calls
 * that may make one.
 */
export function createOrOpen(key: number, exclusive: boolean, get: (flags: number) => number, note?: MakingHooks): { id: number; created: boolean } {
  const make = (flags: number) => {
    note?.making();
    const id = get(flags);
    note?.made(id);
    return { id, created: true };
  };
  if (key === IPC_PRIVATE) return make(IPC_CREAT);
  for (;;) {
    if (!exclusive) {
      try {
        return { id: get(0), created: false };
      } catch (error) {
        if (!(error instanceof ShmError) || error.code !== 'ENOENT') throw error;
      }
    }
    try {
      return make(IPC_CREAT | IPC_EXCL);
    } catch (error) {
      if (exclusive || !(error instanceof ShmError) || error.code !== 'EEXIST') throw error;
    }
  }
}
