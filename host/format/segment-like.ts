// What a ManagedSegment needs of the memory it formats, whatever lies
// behind it: a kernel segment mapped into the Linux arena, or a region of a
// plain shared memory in a browser.
import type { CoreMemory } from '../core/core-memory.js';
import type { WaitHost } from '../wait/index.js';

/** What a user slot's process is now: alive; dead (or a zombie); its pid now names another process; or not knowable from here. */
export type UserState = 'alive' | 'dead' | 'recycled' | 'unknown';

/** A process as a formatted segment's user table names it (assembly/format/users.ts). */
export interface UserIdentity {
  readonly pid: number;
  /** Start time in clock ticks since boot (/proc/PID/stat field 22); 0n when unknown. */
  readonly start: bigint;
  /** Inode number of its pid namespace; 0 when unknown. */
  readonly namespace: number;
}

/**
 * Who a caller is to a segment's init claim and directory lock (its pid on
 * Linux, its thread's id on a plain memory). Whether such a holder still
 * lives is the wait host's question (waitHost.isAlive), as for every wait.
 */
export interface Holder {
  readonly id: number;
  /** This caller as it registers in user tables. */
  readonly user: UserIdentity;
  /** What the process a user slot names is now, as far as this caller can tell. */
  judge(user: UserIdentity): UserState;
}

export interface SegmentLike {
  /** The core memory the segment lies in. */
  readonly arena: CoreMemory;
  /** Byte offset of its first byte in that memory. */
  readonly offset: number;
  readonly size: number;
  readonly readOnly: boolean;
  readonly closed: boolean;
  /** A short name for messages. */
  readonly description: string;
  /** How waiters on its locks and channels sleep and wake. */
  readonly waitHost: WaitHost;
  readonly holder: Holder;
  /** Removes the kernel object's name, where it has one (for segments that go with their last user). */
  remove?(): void;
  /** Whether its name still leads to it, where a name can be made anew for another object (POSIX, files). */
  namesItself?(): boolean;
  close(): void;
}
