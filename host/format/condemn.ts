// Removing a formatted segment that no user holds on to, with no window in
// which an opener could join what is being removed: the reaper first
// condemns the segment (its init word becomes GONE, which joiners check
// after registering), then reads the user table, then either removes the
// name or gives the segment back (assembly/format/users.ts explains why
// the two orders make the race impossible). Used by gc and by the last
// user of a segment made with removeWhenUnused.
import { coreConstant } from '../core/core.js';
import { holdsOn, readUsers, type UserEntry } from './users.js';
import type { SegmentLike } from './segment-like.js';

export type RemovalResult =
  | { removed: true }
  | { removed: false; why: 'in-use'; users: UserEntry[] }
  | { removed: false; why: 'raced' }
  | { removed: false; why: 'renamed' }
  | { removed: false; why: 'failed'; error: unknown };

/**
 * Condemns `segment` (whose init word was `expected` when the caller
 * looked: READY, or the BUSY or GONE word of a process found dead), then
 * removes its name unless a user holds on. `d` is the segment opened by
 * formatOpen, or undefined when its header is not whole (then no one can
 * have joined it). `restore` is the READY word to give back (0 for a fresh
 * header). A word that could not be given back is never condemned: the GONE
 * word of a remover at work, read by a caller that came after it, is its.
 */
export function removeUnlessUsed(
  segment: SegmentLike & { remove(): void }, d: number | undefined, expected: number, restore: number,
): RemovalResult {
  const core = segment.arena.core;
  const me = segment.holder.id;
  const restorable = restore === 0 || (restore & ((1 << coreConstant(core, 'INIT_PID_SHIFT')) - 1)) === coreConstant(core, 'INIT_READY');
  if (!restorable || !core.formatCondemn(segment.offset, expected, me)) return { removed: false, why: 'raced' };
  const users = d === undefined ? [] : readUsers(core, d, segment.holder).filter(holdsOn);
  if (users.length > 0) {
    core.formatRestore(segment.offset, me, restore);
    return { removed: false, why: 'in-use', users };
  }
  // Removal goes by name: one that now leads to a newer object is not ours.
  if (segment.namesItself && !segment.namesItself()) {
    core.formatRestore(segment.offset, me, restore);
    return { removed: false, why: 'renamed' };
  }
  try {
    segment.remove();
    return { removed: true };
  } catch (error) {
    // Not ours to remove after all (or already gone): let openers back in.
    core.formatRestore(segment.offset, me, restore);
    return { removed: false, why: 'failed', error };
  }
}
