// gc's look at creation notes (api/creation-note.ts). A maker that died
// between making an object and claiming its header left the object blank
// and its note behind. The object is removed if it is still blank, no
// process holds it, and the kernel agrees that this maker made it (System V:
// the creator's pid and uid; POSIX: the owner, and the inode the note
// recorded, or a change time no older than the note). Removal goes through
// the same condemnation as any other (format/condemn.ts), so an opener
// about to format the object backs off instead of losing it. The note goes
// once it has nothing more to say.
import { closeSync, openSync, unlinkSync } from 'node:fs';
import { ShmError } from '../errors.js';
import { coreConstant } from '../core/core.js';
import { removeUnlessUsed } from '../format/condemn.js';
import { POSIX_SHM_DIR } from '../linux/posix.js';
import { judgeUser } from '../linux/process-identity.js';
import { ensureSize, fstat, statPath } from '../linux/fd.js';
import { readNotes, type FoundNote, type NoteTarget } from './creation-note.js';
import { Posix } from './posix.js';
import { SysV, type SysVStat } from './sysv.js';
import { posixHolders, sysvView } from './usage.js';
import type { CollectEntry } from './gc-entry.js';
import type { Segment } from './segment.js';

type Verdict = { target: CollectEntry | undefined; noteDone: boolean };

/**
 * What gc did with each note whose target `selects` accepts, and with each
 * note of a dead maker that names nothing (it goes, whatever the filter).
 * A note written less than `olderThanMs` before `nowMs` is kept, with what it names.
 */
export function collectNotes(selects: (target: NoteTarget | undefined) => boolean, dryRun: boolean, olderThanMs: number, nowMs: number): CollectEntry[] {
  const entries: CollectEntry[] = [];
  for (const note of readNotes()) {
    const state = judgeUser(note.maker);
    const live = state === 'alive' || state === 'unknown';
    if (note.target === undefined ? live && !selects(undefined) : !selects(note.target)) continue;
    const noteEntry = { kind: 'posix' as const, name: note.name, key: null, id: null };
    if (live) {
      entries.push({ ...noteEntry, action: 'kept', why: `process ${note.maker.pid} is making ${describe(note.target)}` });
      continue;
    }
    const age = nowMs - note.ctimeMs;
    if (age < olderThanMs) {
      entries.push({ ...noteEntry, action: 'kept', why: `its maker, process ${note.maker.pid}, died, but it was written ${Math.round(age / 1000)} s ago` });
      continue;
    }
    // Its maker is gone: what it was making, if anything, is looked at first.
    const verdict = note.target === undefined ? LEFT_ALONE : judgeTarget(note, note.target, dryRun);
    if (verdict.target) entries.push(verdict.target);
    if (!verdict.noteDone) {
      entries.push({ ...noteEntry, action: 'kept', why: `its maker, process ${note.maker.pid}, died; what it made is kept for now` });
    } else if (dryRun) {
      entries.push({ ...noteEntry, action: 'would-remove', why: `creation note of process ${note.maker.pid}, which died` });
    } else {
      entries.push({ ...noteEntry, ...removeNote(note) });
    }
  }
  return entries;
}

function describe(target: NoteTarget | undefined): string {
  if (target === undefined) return 'a segment';
  return target.kind === 'posix' ? target.name : `System V key ${target.key}`;
}

function removeNote(note: FoundNote): Pick<CollectEntry, 'action' | 'why'> {
  try {
    unlinkSync(POSIX_SHM_DIR + note.name);
    return { action: 'removed', why: `creation note of process ${note.maker.pid}, which died` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return code === 'ENOENT' ? { action: 'removed', why: 'removed meanwhile' } : { action: 'kept', why: `removing it failed (${code})` };
  }
}

// Nothing of the maker's to remove (gone, another's, or formatted since): only the note goes.
const LEFT_ALONE: Verdict = { target: undefined, noteDone: true };

function judgeTarget(note: FoundNote, target: NoteTarget, dryRun: boolean): Verdict {
  return target.kind === 'posix' ? judgePosix(note, target.name, dryRun) : judgeSysV(note, target.key, dryRun);
}

function judgePosix(note: FoundNote, name: string, dryRun: boolean): Verdict {
  let found;
  try {
    found = statPath(POSIX_SHM_DIR + name, { objectName: name }, name);
  } catch {
    return LEFT_ALONE; // never made, or gone since
  }
  const made = note.made === undefined
    ? found.ctimeMs >= note.ctimeMs - 1000 // made after the note was: the maker's, or a later one's the holders show
    : found.ino === note.made;
  if (Number(found.uid) !== note.uid || !made) return LEFT_ALONE;
  const entry = { kind: 'posix' as const, name, key: null, id: null };
  if (dryRun) return found.size === 0n ? { target: { ...entry, action: 'would-remove', why: whyBlank(note) }, noteDone: true } : dryRunPeek(entry, note, () => Posix.open(name, { readOnly: true }));
  let segment: Posix;
  try {
    // An empty one (its maker died before sizing it) is sized to hold a
    // header first, as any opener would, so that it can be condemned.
    if (found.size === 0n) growTo(name, HEADER_PAGE);
    segment = Posix.open(name, { noreserve: true, size: found.size === 0n ? HEADER_PAGE : Math.min(HEADER_PAGE, Number(found.size)) });
  } catch {
    return LEFT_ALONE;
  }
  if (fstat(segment.fd, { objectName: name }, name).ino !== found.ino) {
    segment.close();
    return LEFT_ALONE; // replaced since it was looked at
  }
  return removeBlank(segment, entry, note, () => posixHolders(segment));
}

const HEADER_PAGE = 4096;

// Opening with r+ never makes the object anew if it went meanwhile.
function growTo(name: string, size: number): void {
  const fd = openSync(POSIX_SHM_DIR + name, 'r+');
  try {
    ensureSize(fd, size, { objectName: name }, name);
  } finally {
    closeSync(fd);
  }
}

function judgeSysV(note: FoundNote, key: number, dryRun: boolean): Verdict {
  const mine = (s: SysVStat) => s.key === key && !s.removed && s.cpid === note.maker.pid && s.cuid === note.uid
    && (note.made === undefined || BigInt(s.id) === note.made);
  const stat = SysV.list().find(mine);
  if (stat === undefined) return LEFT_ALONE;
  const entry = { kind: 'sysv' as const, name: null, key: stat.key, id: stat.id };
  if (dryRun) return dryRunPeek(entry, note, () => SysV.open({ id: stat.id }, { readOnly: true }));
  let segment: SysV;
  try {
    segment = SysV.open({ id: stat.id });
  } catch {
    return LEFT_ALONE;
  }
  // The stat was taken before this attachment: any there is another's.
  return removeBlank(segment, entry, note, () => sysvView(stat, false).othersAttached);
}

function whyBlank(note: FoundNote): string {
  return `never formatted: its maker, process ${note.maker.pid}, died before it claimed the header`;
}

function isBlank(segment: Segment): boolean {
  const core = segment.arena.core;
  return segment.size >= coreConstant(core, 'HEADER_SIZE') && core.formatPeek(segment.offset) === coreConstant(core, 'PEEK_FRESH');
}

function dryRunPeek(entry: Omit<CollectEntry, 'action' | 'why'>, note: FoundNote, open: () => Segment): Verdict {
  try {
    const segment = open();
    try {
      return isBlank(segment) ? { target: { ...entry, action: 'would-remove', why: whyBlank(note) }, noteDone: true } : LEFT_ALONE;
    } finally {
      segment.close();
    }
  } catch {
    return LEFT_ALONE;
  }
}

// A header that is no longer blank was claimed by an opener after the
// maker died: that opener formats it, and gc's other passes judge it.
function removeBlank(
  segment: (Posix | SysV), entry: Omit<CollectEntry, 'action' | 'why'>, note: FoundNote, othersHold: () => boolean | null,
): Verdict {
  try {
    if (!isBlank(segment)) return LEFT_ALONE;
    // An opener about to format it would lose nothing (the condemnation
    // turns it back to open the name again), but one at work is let be.
    // Where the kernel cannot tell, the condemnation alone decides.
    if (othersHold() === true) return { target: { ...entry, action: 'kept', why: 'never formatted, and another process has it open now' }, noteDone: false };
    const result = removeUnlessUsed(segment, undefined, 0, 0);
    if (result.removed) return { target: { ...entry, action: 'removed', why: whyBlank(note) }, noteDone: true };
    if (result.why === 'raced') return LEFT_ALONE; // an opener claimed it: it is being formatted
    if (result.why === 'renamed') return LEFT_ALONE;
    const code = result.why === 'failed' && result.error instanceof ShmError ? result.error.code : 'error';
    return { target: { ...entry, action: 'kept', why: `never formatted; removing it failed (${code})` }, noteDone: false };
  } finally {
    segment.close();
  }
}
