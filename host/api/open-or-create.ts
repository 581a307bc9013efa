// openOrCreate: a formatted shmkit segment over any kind of shared memory,
// in the spirit of Boost.Interprocess's managed segments.
import { ShmError, invalidArgument } from '../errors.js';
import type { Arena } from '../arena/arena.js';
import { coreConstant } from '../core/core.js';
import { checkOptions, describeValue } from '../core/validate.js';
import { MappedFile } from './mapped-file.js';
import { Memfd } from './memfd.js';
import { Posix } from './posix.js';
import { SysV } from './sysv.js';
import type { Segment } from './segment.js';
import { ManagedSegment, allowRevival, checkManagedOptions, type ManagedOptions } from '../format/managed.js';
import { condemnedBy } from '../format/users.js';
import { isAlive } from '../linux/liveness.js';
import { Backoff } from '../wait/backoff.js';
import { CreationNote, clearDeadNotes } from './creation-note.js';
import { creationKey } from './sysv-target.js';

interface Common extends ManagedOptions {
  /** Bytes of the whole segment (header and directory included). */
  size: number;
  arena?: Arena;
}

/** For the kinds with a name other processes can find (key, name, path). */
interface Findable {
  /**
   * Permission bits when created (default 0o600). An existing object whose
   * mode grants more than these is refused with EACCES: a squatter may have
   * made it open to all. Pass its mode to accept it.
   */
  mode?: number;
  /** Fail with EEXIST if the object exists, instead of joining it. */
  exclusive?: boolean;
  /**
   * Join an existing object owned (for System V: or created) by another
   * user. Without it that is EPERM: whoever made the name first can read
   * and change everything put there.
   */
  allowForeignOwner?: boolean;
}

export type OpenOrCreateOptions = Common & (
  | (Findable & { kind: 'sysv'; key?: number; path?: string; proj?: number })
  | (Findable & { kind: 'posix'; name: string })
  | (Findable & { kind: 'file'; path: string })
  // Always new and reachable only through its descriptor: nothing to join or squat.
  | { kind: 'memfd'; name?: string }
);

const COMMON = ['kind', 'size', 'arena', 'directorySlots', 'userSlots', 'timeoutMs'];
const FINDABLE = [...COMMON, 'removeWhenUnused', 'mode', 'exclusive', 'allowForeignOwner'];
const OPTIONS_BY_KIND: Record<OpenOrCreateOptions['kind'], readonly string[]> = {
  sysv: [...FINDABLE, 'key', 'path', 'proj'],
  posix: [...FINDABLE, 'name'],
  file: [...FINDABLE, 'path'],
  memfd: [...COMMON, 'name'],
};

/**
 * Creates or opens the backing memory, then formats it or joins its format.
 * Any number of processes may race here: one formats, the rest wait.
 * An existing object is joined only if this user owns it and its mode is
 * within `mode` (EPERM / EACCES otherwise; see `allowForeignOwner`, `mode`
 * and `exclusive`). If this call fails, it removes the object only if it
 * made it and no other process has begun to format it.
 */
export function openOrCreate(options: OpenOrCreateOptions): ManagedSegment<Segment> {
  const where = 'openOrCreate';
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    invalidArgument(`${where} needs options with kind and size, got ${describeValue(options)}`);
  }
  const kind = (options as { kind: unknown }).kind;
  if (typeof kind !== 'string' || !Object.hasOwn(OPTIONS_BY_KIND, kind)) {
    invalidArgument(`${where}: kind must be 'sysv', 'posix', 'file' or 'memfd': kind=${describeValue(kind)}`);
  }
  checkOptions(options, OPTIONS_BY_KIND[kind as OpenOrCreateOptions['kind']], `${where} (kind '${kind}')`);
  const { directorySlots, userSlots, timeoutMs } = options;
  const removeWhenUnused = 'removeWhenUnused' in options ? options.removeWhenUnused : undefined;
  // Types here, ranges in checkManagedOptions (whose messages assume numbers).
  for (const [name, value] of [['directorySlots', directorySlots], ['userSlots', userSlots], ['timeoutMs', timeoutMs]] as const) {
    if (value !== undefined && typeof value !== 'number') invalidArgument(`${where}: ${name} must be a number: ${name}=${describeValue(value)}`);
  }
  const checked = checkManagedOptions({ directorySlots, userSlots, removeWhenUnused, timeoutMs });
  // A segment being removed (ESTALE) is opened again by name until its
  // reaper is done: the name then leads to a new object, or to the same one
  // given back. One whose reaper died is revived, once it was seen dead.
  const deadReapers = new Set<number>();
  const backoff = new Backoff(checked.timeoutMs, `${options.kind} segment being removed by a reaper`);
  for (;;) {
    const note = creationNote(options);
    let segment: Segment | undefined;
    try {
      segment = backing(options, note);
      allowRevival(segment, deadReapers);
      const managed = new ManagedSegment(segment, { directorySlots, userSlots, removeWhenUnused, timeoutMs });
      // Formatting it here (made here, or left blank by a maker that died)
      // settles what the notes of dead makers said about it.
      if (note !== undefined) {
        note.done(); // first: a kill while the others are cleared leaves none of ours
        if (managed.initialised) clearDeadNotes(note.target);
      }
      return managed;
    } catch (error) {
      if (segment === undefined) throw error;
      try {
        const made = madeHere(segment);
        if (made && unclaimed(made, error)) removeBacking(made);
      } finally {
        segment.close();
      }
      const reaper = condemnedBy(error);
      if (reaper === undefined) throw error;
      if (reaper !== process.pid && !isAlive(reaper)) deadReapers.add(reaper);
      backoff.pause();
    } finally {
      // The format is claimed (or what was made is removed): the note has said its piece.
      note?.done();
    }
  }
}

/** A note for the kinds gc looks for (api/creation-note.ts); other kinds leave nothing behind to find. */
function creationNote(o: OpenOrCreateOptions): CreationNote | undefined {
  if (o.kind === 'posix') return new CreationNote({ kind: 'posix', name: o.name });
  if (o.kind !== 'sysv') return undefined;
  try {
    return new CreationNote({ kind: 'sysv', key: creationKey(o, 'openOrCreate') });
  } catch {
    return undefined; // SysV.create refuses the same options, in its own words
  }
}

function backing(o: OpenOrCreateOptions, note: CreationNote | undefined): Segment {
  const { size, arena } = o;
  switch (o.kind) {
    case 'sysv': {
      const { key, path, proj, mode, exclusive, allowForeignOwner } = o;
      return SysV.create({ key, path, proj, size, mode, exclusive, allowForeignOwner, arena }, note);
    }
    case 'posix': {
      const { mode, exclusive, allowForeignOwner } = o;
      return Posix.create(o.name, { size, mode, exclusive, allowForeignOwner, arena }, note);
    }
    case 'file': {
      const { mode, exclusive, allowForeignOwner } = o;
      // The mode always goes along, so the file's mode is checked like the other kinds'.
      return MappedFile.open(o.path, { create: true, size, mode: mode === undefined ? 0o600 : mode, exclusive, allowForeignOwner, arena });
    }
    case 'memfd': return Memfd.create({ size, name: o.name, arena });
  }
}

/** The segment, if this call made its kernel object (and so may remove it). */
function madeHere(segment: Segment): SysV | Posix | MappedFile | undefined {
  return (segment instanceof SysV || segment instanceof Posix || segment instanceof MappedFile) && segment.created ? segment : undefined;
}

/**
 * Whether a segment this call made, and whose format it could not join, is
 * still its to remove: no other process is formatting it. When our wait for
 * a live formatter timed out, the object is that formatter's; removing it
 * would leave the formatter and the next opener with two different objects
 * under one name.
 */
function unclaimed(segment: Segment, error: unknown): boolean {
  const core = segment.arena.core;
  const base = segment.offset;
  if (segment.size < coreConstant(core, 'HEADER_SIZE')) return true; // no one can format it
  // Claiming a fresh header for ourselves also keeps anyone from starting
  // to format it between this check and the removal.
  if (core.formatClaim(base, process.pid)) return true;
  // Our own half-done format (one that failed) is ours; a timed-out wait
  // never held the claim, even if another thread of this process does.
  const timedOut = error instanceof ShmError && error.code === 'ETIMEDOUT';
  return !timedOut && core.formatInitPid(base) === process.pid;
}

function removeBacking(segment: SysV | Posix | MappedFile): void {
  // Removed and made anew by others meanwhile (gc of raw objects): that object is not ours.
  if (!(segment instanceof SysV) && !segment.namesItself()) return;
  try {
    segment.remove();
  } catch {
    // someone removed it first; the error being thrown says more
  }
}
