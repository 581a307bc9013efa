// The init protocol of a formatted segment: exactly one of any number of
// racing openers formats it, the others wait until it is ready, and an
// initialiser that died half-way is replaced.
import { ShmError } from '../errors.js';
import { coreConstant, type CoreExports } from '../core/core.js';
import { Backoff } from '../wait/backoff.js';
import type { SegmentLike } from './segment-like.js';
import { condemnedError, tokenOf } from './users.js';

// What the core's format results mean, by the names it exports them under (assembly/format/header.ts).
const FORMAT_ERRORS = {
  FORMAT_BAD_MAGIC: 'its header has no shmkit magic',
  FORMAT_BAD_VERSION: 'it was made by a different shmkit format version',
  FORMAT_SIZE_MISMATCH: 'it was formatted larger than it is mapped here',
  FORMAT_TOO_SMALL: 'it is too small for the header and directory',
  FORMAT_NOT_OWNER: 'another process took over its initialisation',
  FORMAT_CORRUPT: 'its header is corrupt',
  FORMAT_BAD_ARGUMENT: 'the directory size is out of range',
} as const;

/** Why a format call answered `status`, in words. */
export function formatError(core: CoreExports, status: number): string {
  const name = (Object.keys(FORMAT_ERRORS) as (keyof typeof FORMAT_ERRORS)[]).find((key) => coreConstant(core, key) === status);
  return name ? FORMAT_ERRORS[name] : `the format call failed (${status})`;
}

/** The error of a segment that cannot be used as a formatted one. */
export function unusableSegment(segment: SegmentLike, code: string, why: string): never {
  throw new ShmError({ code, message: `${segment.description} cannot be used as a shmkit segment: ${why}` });
}

/** Throws unless `segment` can hold at least the header. */
export function checkHeaderFits(segment: SegmentLike): void {
  if (segment.size < coreConstant(segment.arena.core, 'HEADER_SIZE')) unusableSegment(segment, 'EINVAL', FORMAT_ERRORS.FORMAT_TOO_SMALL);
}

/** How a segment is formatted when this caller is the one to format it. */
export interface FormatShape {
  directorySlots: number;
  userSlots: number;
  /** FLAG_* bits for the header. */
  flags: number;
}

/**
 * Formats `segment` as `shape`, registering this caller as its first user,
 * or waits (up to `timeoutMs`) until whoever formats it is done. Returns
 * whether this call formatted it. The caller opens and checks the header
 * afterwards. A segment a reaper condemned is ESTALE, except when its
 * reaper is one of `deadReapers`, found dead before this segment was
 * opened (so the name still leads to it): then it is revived.
 */
export function joinFormat(segment: SegmentLike, shape: FormatShape, timeoutMs: number, deadReapers: ReadonlySet<number> = new Set()): boolean {
  const core = segment.arena.core;
  const base = segment.offset;
  const pid = segment.holder.id;
  const user = segment.holder.user;
  const peekIs = (peek: number, name: 'PEEK_FRESH' | 'PEEK_READY' | 'PEEK_FOREIGN' | 'PEEK_GONE') => peek === coreConstant(core, name);
  const format = () => {
    const status = core.formatInit(
      base, BigInt(segment.size), pid, shape.directorySlots, shape.userSlots, shape.flags,
      tokenOf(core, user), user.namespace, BigInt(Date.now()),
    );
    if (status !== coreConstant(core, 'FORMAT_OK')) unusableSegment(segment, 'EINVAL', formatError(core, status));
  };
  const backoff = new Backoff(timeoutMs, `${segment.description} to be initialised`);
  for (;;) {
    // Nothing here writes before the segment is known writable: a store
    // into a read-only attachment, even from Wasm, kills the process.
    const peek = core.formatPeek(base);
    if (peekIs(peek, 'PEEK_FRESH')) {
      if (segment.readOnly) unusableSegment(segment, 'EACCES', 'it is not formatted yet, and a read-only attachment cannot format it');
      if (core.formatClaim(base, pid)) {
        format();
        return true;
      }
      continue; // another opener claimed it first
    }
    if (peekIs(peek, 'PEEK_READY')) return false;
    if (peekIs(peek, 'PEEK_FOREIGN')) {
      unusableSegment(segment, 'ELAYOUT', 'it holds data that is not a shmkit header; open it as a raw segment, or clear it');
    }
    if (peekIs(peek, 'PEEK_GONE')) {
      const reaper = core.formatInitWord(base) >>> coreConstant(core, 'INIT_PID_SHIFT');
      if (!deadReapers.has(reaper) || segment.readOnly || segment.waitHost.isAlive(reaper)) throw condemnedError(segment, reaper);
      const revived = core.formatRevive(base, segment.size, reaper, pid);
      if (revived === coreConstant(core, 'PEEK_READY')) return false;
      if (revived === coreConstant(core, 'PEEK_FRESH')) {
        format(); // condemned before its header was whole: start over
        return true;
      }
      continue;
    }
    const initPid = core.formatInitPid(base);
    if (initPid !== 0 && !segment.waitHost.isAlive(initPid) && !segment.readOnly && core.formatTakeOver(base, initPid, pid)) {
      format(); // the initialiser died half-way: start over
      return true;
    }
    backoff.pause();
  }
}
