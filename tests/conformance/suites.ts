// Every protocol's conformance suite, by protocol name: what the backends
// run, and where a party finds its role.
import type { ProtocolSuite, RoleAddress, Role, Segment } from './scenario.js';
import { mutex } from './sync/mutex.js';
import { semaphore } from './sync/semaphore.js';
import { spsc } from './channel/spsc.js';
import { mpmc } from './channel/mpmc.js';

export const SUITES: ProtocolSuite[] = [mutex, semaphore, spsc, mpmc];

function roleAt(address: RoleAddress): Role {
  const role = SUITES.find((s) => s.protocol === address.protocol)?.scenarios[address.scenario]?.roles[address.role];
  if (!role) throw new Error(`no conformance role ${JSON.stringify(address)}`);
  return role;
}

/** A party's whole job, on whichever backend: its role on the segment. */
export function playRole(seg: Segment, address: RoleAddress): Promise<unknown> {
  return Promise.resolve(roleAt(address)(seg, address.params ?? {}));
}
