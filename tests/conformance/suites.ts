// Every protocol's conformance suite, by protocol name: what the backends
// run, and where a party finds its role.
import type { ProtocolSuite, Role, RoleAddress, RoleBook, Segment } from './scenario.js';
import { mutex } from './sync/mutex.js';
import { semaphore } from './sync/semaphore.js';
import { rwlock } from './sync/rwlock.js';
import { barrier } from './sync/barrier.js';
import { once } from './sync/once.js';
import { event } from './sync/event.js';
import { seqlock } from './sync/seqlock.js';
import { condition } from './sync/condvar.js';
import { spsc } from './channel/spsc.js';
import { mpmc } from './channel/mpmc.js';
import { broadcast } from './channel/broadcast.js';
import { directory } from './format/directory.js';

export const SUITES: ProtocolSuite[] = [mutex, semaphore, rwlock, barrier, once, event, seqlock, condition, spsc, mpmc, broadcast, directory];

async function roleAt(address: RoleAddress): Promise<Role | undefined> {
  if ('book' in address) return ((await import(address.book)) as { book: RoleBook }).book[address.role];
  return SUITES.find((s) => s.protocol === address.protocol)?.scenarios[address.scenario]?.roles[address.role];
}

/** A party's whole job, on whichever backend: its role on the segment. */
export async function playRole(seg: Segment, address: RoleAddress, say: (news: unknown) => void): Promise<unknown> {
  const role = await roleAt(address);
  if (!role) throw new Error(`no conformance role ${JSON.stringify(address)}`);
  return role(seg, address.params ?? {}, say);
}
