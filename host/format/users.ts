// The live-user table of a formatted segment, as a host reads and keeps it
// (assembly/format/users.ts has the layout and the protocol). Every value
// comes from the core, which bounds each slot by the private capacity it
// checked at open; the tokens themselves are anyone's to scribble on, so
// a token is only ever an identity to ask the kernel about.
import { ShmError } from '../errors.js';
import { coreConstant, type CoreExports } from '../core/core.js';
import type { Holder, SegmentLike, UserIdentity, UserState } from './segment-like.js';

/** One registered user, and what it is now. */
export interface UserEntry extends UserIdentity {
  slot: number;
  /** 'joining' while its namespace word does not vouch for its token yet (counted as alive). */
  state: UserState | 'joining';
}

/** A user that keeps the segment in use: anything not known to be dead. */
export function holdsOn(user: UserEntry): boolean {
  return user.state !== 'dead' && user.state !== 'recycled';
}

/** This caller's token: its identity packed as the core packs it (0n when its pid or start time do not fit). */
export function tokenOf(core: CoreExports, user: UserIdentity): bigint {
  return BigInt.asUintN(64, core.userTokenOf(user.pid, user.start));
}

/** Every registered user of the segment open as `d`, judged by `holder`. */
export function readUsers(core: CoreExports, d: number, holder: Holder): UserEntry[] {
  const users: UserEntry[] = [];
  const capacity = core.usersCapacity(d);
  // A process with the segment open several times holds several slots: judged once.
  const judged = new Map<string, UserState>();
  for (let slot = 0; slot < capacity; slot++) {
    const token = BigInt.asUintN(64, core.userAt(d, slot));
    if (token === 0n) continue;
    const pid = core.userTokenPid(token);
    const start = BigInt.asUintN(64, core.userTokenStart(token));
    const namespace = Number(core.userNamespaceAt(d, slot, token));
    const identity = { pid, start, namespace: Math.max(namespace, 0) };
    if (namespace < 0) {
      users.push({ slot, ...identity, state: 'joining' });
      continue;
    }
    const key = `${token}/${namespace}`;
    let state = judged.get(key);
    if (state === undefined) judged.set(key, (state = holder.judge(identity)));
    users.push({ slot, ...identity, state });
  }
  return users;
}

/** Frees the slots of users known dead (a process that crashed never left); how many were freed. */
export function reclaimDead(core: CoreExports, d: number, holder: Holder): number {
  let freed = 0;
  for (const user of readUsers(core, d, holder)) {
    if (!holdsOn(user) && core.userRelease(d, user.slot, tokenOf(core, user))) freed++;
  }
  return freed;
}

const reapers = new WeakMap<ShmError, number>();

/** The error an opener gets when reaper `reaper` condemned the segment under it: openOrCreate opens again by name. */
export function condemnedError(segment: SegmentLike, reaper: number): ShmError {
  const error = new ShmError({
    code: 'ESTALE',
    reason: 'being-removed',
    message: `${segment.description} is being removed by process ${reaper} (shmkit gc, or its last user leaving); open it again by name`,
  });
  reapers.set(error, reaper);
  return error;
}

/** The reaper a condemnedError names, else undefined. */
export function condemnedBy(error: unknown): number | undefined {
  return error instanceof ShmError ? reapers.get(error) : undefined;
}

/**
 * Registers this caller as a user of the segment open as `d`: its slot.
 * A full table is first cleared of dead users. ESTALE when a reaper
 * condemned the segment meanwhile; EUSERS when every slot holds a live user.
 */
export function joinUsers(segment: SegmentLike, d: number): number {
  const core = segment.arena.core;
  const holder = segment.holder;
  const token = tokenOf(core, holder.user);
  const now = BigInt(Date.now());
  reclaimDead(core, d, holder);
  const slot = core.userJoin(d, token, holder.user.namespace, now);
  if (slot >= 0) return slot;
  if (slot === coreConstant(core, 'USERS_GONE')) {
    throw condemnedError(segment, core.formatInitWord(segment.offset) >>> coreConstant(core, 'INIT_PID_SHIFT'));
  }
  if (slot === coreConstant(core, 'USERS_FULL')) {
    throw new ShmError({
      code: 'EUSERS',
      message: `${segment.description} has ${core.usersCapacity(d)} live users, as many as its user table holds; close some, or format it with more userSlots`,
    });
  }
  throw new ShmError({ code: 'EINVAL', message: `${segment.description}: process ${holder.user.pid} cannot be registered as a user (${slot})` });
}
