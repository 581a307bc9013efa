/** What a failure was about: the SysV key or id, the POSIX name, or a path. */
export interface ShmErrorTarget {
  key?: number;
  id?: number;
  objectName?: string;
  path?: string;
}

/**
 * Which of the cases that share a code an error is, so a caller need not
 * parse the message. EPIPE keeps its code for callers that test it; its
 * reason says which end went away:
 * - `'peer-died'`: the other end of a channel died holding its role (an
 *   SPSC producer or consumer, a broadcast writer); another may acquire it.
 * - `'peer-closed'`: the other end closed its role and this call cannot go
 *   on (an SPSC producer facing a full ring whose consumer left).
 * - `'ended'`: an MPMC queue was ended with end(): nothing more can be pushed.
 * - `'barrier-broken'`: a party of the barrier gave up waiting (timeout or
 *   abort); make the barrier anew.
 * And beside EOWNERDEAD:
 * - `'owner-died'`: a seqlock writer died mid-update (the data holds a
 *   partial write until the next one).
 * And beside ESTALE:
 * - `'being-removed'`: a reaper (shmkit gc, or a last user leaving a
 *   segment made with removeWhenUnused) is removing the formatted segment
 *   being opened; open it again by name (openOrCreate does).
 */
export type ShmErrorReason = 'peer-died' | 'peer-closed' | 'ended' | 'barrier-broken' | 'owner-died' | 'being-removed';

export interface ShmErrorInit extends ShmErrorTarget {
  code: string;
  message: string;
  errno?: number;
  syscall?: string;
  reason?: ShmErrorReason;
  cause?: unknown;
}

/**
 * Every setup failure and misuse in shmkit. Shaped like Node's own system
 * errors (`code`, `errno`, `syscall`), plus the target it concerns.
 * `errno` is negative, as in Node, when the failure came from the kernel.
 */
export class ShmError extends Error implements ShmErrorTarget {
  readonly code: string;
  readonly errno?: number;
  readonly syscall?: string;
  /** Set where one code covers several cases (EPIPE above all): which one this is. */
  readonly reason?: ShmErrorReason;
  readonly key?: number;
  readonly id?: number;
  readonly objectName?: string;
  readonly path?: string;

  constructor(init: ShmErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    if (init.errno !== undefined) this.errno = init.errno;
    if (init.syscall !== undefined) this.syscall = init.syscall;
    if (init.reason !== undefined) this.reason = init.reason;
    if (init.key !== undefined) this.key = init.key;
    if (init.id !== undefined) this.id = init.id;
    if (init.objectName !== undefined) this.objectName = init.objectName;
    if (init.path !== undefined) this.path = init.path;
  }
}
ShmError.prototype.name = 'ShmError';

export function formatKey(key: number): string {
  return '0x' + (key >>> 0).toString(16).padStart(8, '0');
}

/** Throws EINVAL for a bad argument, before any system call is made. */
export function invalidArgument(message: string, target: ShmErrorTarget = {}): never {
  throw new ShmError({ code: 'EINVAL', message, ...target });
}

/**
 * EPIPE: the other end of a channel or barrier is gone, and `reason` says
 * how; `message` says what to do.
 */
export function brokenPipe(reason: Exclude<ShmErrorReason, 'owner-died'>, message: string): ShmError {
  return new ShmError({ code: 'EPIPE', reason, message });
}

/**
 * The error an aborted wait rejects with: shaped like Node's AbortError
 * (name 'AbortError', code 'ABORT_ERR', the signal's reason as cause).
 */
export function abortError(reason: unknown, what: string, target: ShmErrorTarget = {}): ShmError {
  const error = new ShmError({ code: 'ABORT_ERR', message: `${what}: the operation was aborted`, cause: reason, ...target });
  Object.defineProperty(error, 'name', { value: 'AbortError', configurable: true, writable: true });
  return error;
}
