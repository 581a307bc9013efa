// The live-user table of a formatted segment: every process that has the
// segment open holds one slot, so that anyone can tell an abandoned
// segment (no user alive) from one in use, and a reaper can remove the
// first without ever removing the second.
//
// A user is named by a TOKEN, its pid and its start time packed in one
// u64, so that a slot is claimed, given back and taken from a dead user
// with one compare-exchange each, and a recycled pid (same number, later
// start) never passes for the user that died.
//
//   TOKEN (u64)
//   ┌─────────────────────────────────────┬────────────────────────┐
//   │ start  41 bits: the process's start │ pid  23 bits           │
//   │ time in clock ticks since boot      │ (1 .. 2^23 - 1)        │
//   │ (/proc/PID/stat field 22), 0 when   │                        │
//   │ the host cannot tell                │                        │
//   └─────────────────────────────────────┴────────────────────────┘
//   bit 63                             23  22                      0
//
//   USER SLOT (USER_SLOT_SIZE = 16 bytes), userCapacity of them, from
//   the header's userOffset
//   ┌──────────────────────────────────────────────────────────────┐ +0
//   │ token      u64  the user, 0 when free                (atomic) │
//   │ namespace  u64  low 32: the user's pid namespace (its inode), │ +8
//   │                 high 32: tokenCheck(token), which tells that  │
//   │                 the low half belongs to this token   (atomic) │
//   └──────────────────────────────────────────────────────────────┘ +16
//
// A joiner claims a free slot with its token, then stores the namespace
// word. Between the two (and for good, if it is killed there) a reader
// finds the check wrong. While every user came from the creator's pid
// namespace (the header's creatorNs), the user's namespace is that one, so
// it is judged like any other: alive while it joins, dead if it died
// there, and its slot is reclaimed. A joiner from another namespace first
// sets FLAG_MIXED_NAMESPACES, so a reader that finds its token also finds
// the flag; from then on such a user is unknown (alive), never dead. Pids
// only mean something inside their namespace, so a user of another
// namespace is unknown too.
//
// Joining and condemning (format/header.ts) exclude each other without a
// lock: a joiner stores its token and then reads the init word; a reaper
// stores GONE in the init word and then reads the tokens. Both are
// sequentially consistent, so at least one sees the other: the joiner
// backs off, or the reaper finds a user and gives the segment back.

import { descBase } from "../descriptor";
import {
  D_USER_CAPACITY, D_USER_OFFSET, FLAG_MIXED_NAMESPACES, H_CREATOR_NAMESPACE, H_FLAGS, H_INIT_WORD, H_LAST_JOIN_MS,
  INIT_PID_SHIFT, INIT_READY,
} from "./header";

export const USER_SLOT_SIZE: u32 = 16;
export const U_TOKEN: usize = 0;
export const U_NAMESPACE: usize = 8;
/** Most user slots a segment may have. */
export const MAX_USER_CAPACITY: u32 = 4096;
export const USER_PID_BITS: u32 = 23;
const PID_MASK: u64 = (<u64>1 << USER_PID_BITS) - 1;
/** Largest start time a token holds (clock ticks: 697 years at 100 Hz). */
export const MAX_USER_START: u64 = (<u64>1 << (64 - USER_PID_BITS)) - 1;

// userJoin results besides a slot number.
export const USERS_FULL: i32 = -1; // every slot holds a user: reclaim dead ones, or format with more
export const USERS_GONE: i32 = -2; // a reaper condemned the segment: open it again by name
export const USERS_BAD_ARGUMENT: i32 = -3;

/** The token of process `pid` that started at `start` ticks; 0 when either does not fit. */
export function userTokenOf(pid: u32, start: u64): u64 {
  if (pid == 0 || <u64>pid > PID_MASK || start > MAX_USER_START) return 0;
  return (start << USER_PID_BITS) | <u64>pid;
}

export function userTokenPid(token: u64): u32 {
  return <u32>(token & PID_MASK);
}

export function userTokenStart(token: u64): u64 {
  return token >> USER_PID_BITS;
}

// Never 0, so a cleared namespace word never vouches for a token.
// @ts-ignore: decorator
@inline function tokenCheck(token: u64): u64 {
  return <u64>(<u32>(token ^ (token >> 32)) | 1);
}

/** Fills a slot at `slot` for a creator no one else can see yet (format/header.ts). */
export function userSlotPublish(slot: usize, token: u64, namespace: u32): void {
  atomic.store<u64>(slot + U_TOKEN, token);
  atomic.store<u64>(slot + U_NAMESPACE, (tokenCheck(token) << 32) | <u64>namespace);
}

// @ts-ignore: decorator
@inline function slotAt(d: usize, slot: u32): usize {
  return descBase(d) + <usize>load<u32>(d + D_USER_OFFSET) + <usize>slot * USER_SLOT_SIZE;
}

export function usersCapacity(d: usize): u32 {
  return load<u32>(d + D_USER_CAPACITY);
}

/** The token in `slot` (0: free, or no such slot). */
export function userAt(d: usize, slot: u32): u64 {
  if (slot >= usersCapacity(d)) return 0;
  return atomic.load<u64>(slotAt(d, slot) + U_TOKEN);
}

/**
 * The pid namespace of the user `token` found in `slot`, or -1 when it
 * cannot be told: the slot's namespace word does not vouch for that token
 * (being joined, its joiner killed half-way, or scribbled on) and users
 * from other namespaces have joined. Such a user's liveness is unknown.
 */
export function userNamespaceAt(d: usize, slot: u32, token: u64): i64 {
  if (slot >= usersCapacity(d) || token == 0) return -1;
  const word = atomic.load<u64>(slotAt(d, slot) + U_NAMESPACE);
  if (atomic.load<u64>(slotAt(d, slot) + U_TOKEN) != token) return -1;
  if (word >> 32 == tokenCheck(token)) return <i64>(word & 0xffffffff);
  // Read after the token: a joiner from elsewhere set the flag before its token went in.
  if ((atomic.load<u32>(descBase(d) + H_FLAGS) & FLAG_MIXED_NAMESPACES) != 0) return -1;
  const creatorNamespace = atomic.load<u32>(descBase(d) + H_CREATOR_NAMESPACE);
  return creatorNamespace == 0 ? -1 : <i64>creatorNamespace;
}

/**
 * Registers `token` (of pid namespace `namespace`) in a free slot and
 * notes `nowMs` as the latest join. The slot, USERS_FULL, or USERS_GONE
 * when the segment was condemned meanwhile (the slot is given back).
 * The loop is bounded by the private capacity.
 */
export function userJoin(d: usize, token: u64, namespace: u32, nowMs: u64): i32 {
  if (token == 0) return USERS_BAD_ARGUMENT;
  // Before the token goes in (userNamespaceAt relies on the order).
  if (namespace == 0 || namespace != atomic.load<u32>(descBase(d) + H_CREATOR_NAMESPACE)) {
    atomic.or<u32>(descBase(d) + H_FLAGS, FLAG_MIXED_NAMESPACES);
  }
  const capacity = usersCapacity(d);
  let slot: u32 = 0;
  while (slot < capacity && atomic.cmpxchg<u64>(slotAt(d, slot) + U_TOKEN, 0, token) != 0) slot++;
  if (slot == capacity) return USERS_FULL;
  const at = slotAt(d, slot);
  atomic.store<u64>(at + U_NAMESPACE, (tokenCheck(token) << 32) | <u64>namespace);
  if ((atomic.load<u32>(descBase(d) + H_INIT_WORD) & ((1 << INIT_PID_SHIFT) - 1)) != INIT_READY) {
    atomic.cmpxchg<u64>(at + U_TOKEN, token, 0);
    return USERS_GONE;
  }
  atomic.store<u64>(descBase(d) + H_LAST_JOIN_MS, nowMs);
  return <i32>slot;
}

/**
 * Frees `slot` if it still holds `token`: a user leaving, or anyone taking
 * the slot of a user found dead. Exactly one caller wins.
 */
export function userRelease(d: usize, slot: u32, token: u64): bool {
  if (slot >= usersCapacity(d) || token == 0) return false;
  return atomic.cmpxchg<u64>(slotAt(d, slot) + U_TOKEN, token, 0) == token;
}
