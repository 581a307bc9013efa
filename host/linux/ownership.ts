// Whether a create-or-open call may join the object it found (DESIGN rule
// 9). Whoever makes a name first owns it: another user who made '/app' (or
// key 0x…, or /tmp/app.shm) 0666 before us would read and write everything
// we put there. So an existing object owned by another user, or open wider
// than the caller asked for, is refused unless the caller says to trust it.
import { ShmError, type ShmErrorTarget } from '../errors.js';

/** Who owns an existing object, and its permission bits. */
export interface FoundOwner {
  uid: number;
  /** System V only: the creator, who may change owner and mode at will (IPC_SET). */
  creatorUid?: number;
  mode: number;
}

/** What the caller accepts. */
export interface JoinPolicy {
  /** The mode the caller would have created the object with. */
  mode: number;
  /** Join even if another user owns (or, System V, created) the object. */
  allowForeignOwner: boolean;
}

/** The effective uid, which the kernel compares with an object's owner. */
export function effectiveUid(): number {
  return process.geteuid?.() ?? 0;
}

const octal = (mode: number) => '0o' + mode.toString(8).padStart(3, '0');

/**
 * Throws EPERM for an object owned (or created) by another user and EACCES
 * for one whose mode grants more than `policy.mode`, with what to do.
 * `removal` says how to remove the object (a command).
 */
export function checkJoinable(found: FoundOwner, policy: JoinPolicy, target: ShmErrorTarget, what: string, removal: string): void {
  const me = effectiveUid();
  if (!policy.allowForeignOwner) {
    const owner = found.uid !== me ? `is owned by uid ${found.uid}`
      : found.creatorUid !== undefined && found.creatorUid !== me ? `was created by uid ${found.creatorUid}` : '';
    if (owner) {
      throw new ShmError({
        code: 'EPERM',
        message: `${what} exists and ${owner}, not by this user (uid ${me}), so it is not joined: whoever made it first can read and change ` +
          `what this process puts there. Pass allowForeignOwner: true if that user is trusted; otherwise remove it (${removal}) and create it again, ` +
          'or ask for exclusive: true to insist on a new object',
        ...target,
      });
    }
  }
  const extra = found.mode & 0o777 & ~policy.mode;
  if (extra !== 0) {
    throw new ShmError({
      code: 'EACCES',
      message: `${what} exists with mode ${octal(found.mode & 0o777)}, wider than the ${octal(policy.mode)} asked (${octal(extra)} more), so it is not joined: ` +
        `others may read or change it. Pass mode: ${octal(found.mode & 0o777)} to accept it, narrow it (chmod, or set({ mode })), ` +
        `or remove it (${removal}) and create it again`,
      ...target,
    });
  }
}
