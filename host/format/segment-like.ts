// What a ManagedSegment needs of the memory it formats, whatever lies
// behind it: a kernel segment mapped into the Linux arena, or a region of a
// plain shared memory in a browser.
import type { CoreMemory } from '../core/core-memory.js';
import type { WaitHost } from '../wait/index.js';

/**
 * Who a caller is to a segment's init claim and directory lock (its pid on
 * Linux, its thread's id on a plain memory). Whether such a holder still
 * lives is the wait host's question (waitHost.isAlive), as for every wait.
 */
export interface Holder {
  readonly id: number;
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
  close(): void;
}
