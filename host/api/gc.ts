// The reaper: finds shared memory objects no live process uses and removes
// them, carefully. Formatted segments are judged by their user table and
// removed through a condemnation that racing openers respect
// (format/condemn.ts); raw objects only when asked, by what the kernel
// tells. Nothing is removed that this user may not remove, and nothing
// whose state cannot be told.
import { ShmError, invalidArgument } from '../errors.js';
import { checkBoolean, checkKey, checkOptions, describeValue } from '../core/validate.js';
import { removeUnlessUsed } from '../format/condemn.js';
import { Posix } from './posix.js';
import { SysV, type SysVStat } from './sysv.js';
import { posixHolders, sysvView, usageOf, type KernelView, type SegmentUsage } from './usage.js';
import type { Segment } from './segment.js';
import { collectNotes } from './gc-notes.js';
import type { CollectEntry } from './gc-entry.js';

export type { CollectEntry } from './gc-entry.js';
import { isNoteName } from './creation-note.js';

export interface CollectOptions {
  /** Report what would be removed, and remove nothing. */
  dryRun?: boolean;
  /** Only objects untouched for this long: no join (formatted) and no kernel-recorded change for this many ms. */
  olderThanMs?: number;
  /**
   * Only POSIX objects whose name starts with this ('/app-'). With a filter
   * (this or `key`) only what a filter selects is looked at: System V
   * segments have no name, and go only by `key`.
   */
  prefix?: string;
  /** Only the System V segment with this key (32 bits, signed or unsigned; 0 is every IPC_PRIVATE one). */
  key?: number;
  /** Also raw (unformatted) objects that the kernel shows unused. */
  raw?: boolean;
}

const OPTIONS = ['dryRun', 'olderThanMs', 'prefix', 'key', 'raw'] as const;

/** Removes orphaned formatted segments (and raw ones, with `raw`); what it found, each with what it did and why. */
export function collectOrphans(options: CollectOptions = {}): CollectEntry[] {
  const where = 'collectOrphans';
  const o = checkOptions<CollectOptions>(options, OPTIONS, where);
  const dryRun = checkBoolean(o.dryRun, 'dryRun', where);
  const raw = checkBoolean(o.raw, 'raw', where);
  const olderThanMs = o.olderThanMs ?? 0;
  if (typeof olderThanMs !== 'number' || !Number.isFinite(olderThanMs) || olderThanMs < 0) invalidArgument(`${where}: olderThanMs must be a number of milliseconds ≥ 0: olderThanMs=${describeValue(o.olderThanMs)}`);
  const prefix = o.prefix;
  if (prefix !== undefined && (typeof prefix !== 'string' || !prefix.startsWith('/'))) invalidArgument(`${where}: prefix is the start of a POSIX name, '/…': prefix=${describeValue(prefix)}`);
  const key = o.key === undefined ? undefined : checkKey(o.key, where);
  const rules = { dryRun, raw, olderThanMs, now: Date.now() };
  const everything = prefix === undefined && key === undefined;
  // Notes first: what a dead maker left blank is gone before the lists below are taken.
  const found = collectNotes((t) => everything || (t !== undefined && (t.kind === 'posix' ? prefix !== undefined && t.name.startsWith(prefix) : t.key === key)), dryRun, olderThanMs, rules.now);
  // Each object once: what that pass reported is not looked at again.
  const seenIds = new Set(found.map((e) => e.id));
  const seenNames = new Set(found.map((e) => e.name));
  if (everything || key !== undefined) {
    for (const stat of SysV.list()) {
      if ((everything || stat.key === key) && !seenIds.has(stat.id)) found.push(collectSysV(stat, rules));
    }
  }
  if (everything || prefix !== undefined) {
    for (const stat of Posix.list()) {
      if (isNoteName(stat.name) || seenNames.has(stat.name)) continue;
      if (everything || stat.name.startsWith(prefix!)) found.push(collectPosix(stat.name, [stat.ctime, stat.atime], rules));
    }
  }
  return found;
}

interface Rules {
  dryRun: boolean;
  raw: boolean;
  olderThanMs: number;
  now: number;
}

function collectSysV(stat: SysVStat, rules: Rules): CollectEntry {
  const entry = { kind: 'sysv' as const, name: null, key: stat.key, id: stat.id };
  if (stat.removed) return { ...entry, action: 'kept', why: 'already marked for removal (it goes at its last detach)' };
  let segment: SysV;
  try {
    segment = SysV.open({ id: stat.id }, { readOnly: rules.dryRun });
  } catch (error) {
    return { ...entry, action: 'kept', why: notOpened(error) };
  }
  // Stat was taken before this attachment: any attachment there means in use.
  return decide(segment, entry, sysvView(stat, false), [stat.ctime, stat.dtime, stat.atime], rules);
}

function collectPosix(name: string, times: (Date | null)[], rules: Rules): CollectEntry {
  const entry = { kind: 'posix' as const, name, key: null, id: null };
  let segment: Posix;
  try {
    segment = Posix.open(name, { readOnly: rules.dryRun, noreserve: true });
  } catch (error) {
    return { ...entry, action: 'kept', why: notOpened(error) };
  }
  return decide(segment, entry, { othersAttached: posixHolders(segment) }, times, rules);
}

function notOpened(error: unknown): string {
  const code = error instanceof ShmError ? error.code : 'error';
  return code === 'EACCES' || code === 'EPERM' ? 'not this user\'s to open (permission denied)' : `could not be opened (${code})`;
}

function decide(
  segment: Segment & { remove(): void; namesItself?(): boolean }, entry: Omit<CollectEntry, 'action' | 'why'>,
  kernel: KernelView, times: (Date | null)[], rules: Rules,
): CollectEntry {
  try {
    return usageOf(segment, kernel, (usage, d) => {
      const kept = (why: string): CollectEntry => ({ ...entry, action: 'kept', why });
      if (usage.orphaned !== true) return kept(usage.why);
      if (usage.format === 'raw' && !rules.raw) return kept(`${usage.why} (raw objects are removed only when asked)`);
      const age = rules.now - lastTouched(segment, d, times);
      if (age < rules.olderThanMs) return kept(`${usage.why}, but touched ${Math.round(age / 1000)} s ago`);
      if (rules.dryRun) return { ...entry, action: 'would-remove', why: usage.why };
      if (segment.readOnly) return kept(`${usage.why}, but not this user's to change`);
      return removal(segment, d, usage, entry);
    });
  } finally {
    segment.close();
  }
}

function removal(segment: Segment & { remove(): void; namesItself?(): boolean }, d: number | undefined, usage: SegmentUsage, entry: Omit<CollectEntry, 'action' | 'why'>): CollectEntry {
  if (usage.format === 'raw') {
    if (segment.namesItself?.() === false) return { ...entry, action: 'kept', why: 'its name now leads to another object' };
    segment.remove();
    return { ...entry, action: 'removed', why: usage.why };
  }
  const result = removeUnlessUsed(segment, d, usage.initWord, segment.arena.core.formatReadyWord(segment.offset));
  if (result.removed) return { ...entry, action: 'removed', why: usage.why };
  if (result.why === 'in-use') return { ...entry, action: 'kept', why: `a user joined meanwhile (${result.users.map((u) => u.pid).join(', ')})` };
  if (result.why === 'raced') return { ...entry, action: 'kept', why: 'another process changed its state meanwhile' };
  if (result.why === 'renamed') return { ...entry, action: 'kept', why: 'its name now leads to another object' };
  const code = result.error instanceof ShmError ? result.error.code : 'error';
  return { ...entry, action: 'kept', why: `removing it failed (${code}): ${code === 'EPERM' || code === 'EACCES' ? 'not this user\'s to remove' : 'see the kernel object'}` };
}


// Milliseconds since the epoch of the latest sign of use: the header's
// last join (a hint from shared bytes: one from the future counts as now)
// and the kernel's times.
function lastTouched(segment: Segment, d: number | undefined, times: (Date | null)[]): number {
  const kernel = Math.max(0, ...times.map((t) => t?.getTime() ?? 0));
  if (d === undefined) return kernel;
  const joined = Number(BigInt.asUintN(64, segment.arena.core.formatLastJoinMs(d)));
  return Math.max(kernel, Math.min(joined, Date.now()));
}
