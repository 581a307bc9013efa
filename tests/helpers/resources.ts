// Every test names what it creates here, so it is removed even when the
// test fails (after each suite, and again when the process exits).
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { libc } from '../../host/linux/libc.js';
import { IPC_RMID } from '../../host/linux/constants.js';

const openHandles: { close(): void }[] = [];
const sysvIds = new Set<number>();
const sysvKeys = new Set<number>();
const posixNames = new Set<string>();
const paths = new Set<string>();
const semSetIds = new Set<number>();
const namedSems = new Set<string>();
let counter = 0;

/** A key no segment or semaphore set uses: a random value in a range kept for tests. */
export function freshKey(): number {
  for (;;) {
    const key = (0x5e000000 | randomInt(0, 0xffffff)) >>> 0;
    if (libc.shmget(key | 0, 0, 0) === -1 && libc.semget(key | 0, 0, 0) === -1) return key;
  }
}

/** A POSIX name unique to this process and call. */
export function freshName(tag = 't'): string {
  return `/shmkit-test-${process.pid}-${tag}-${++counter}`;
}

export function trackSysV(id: number): number {
  sysvIds.add(id);
  return id;
}

/** A key whose segment (whichever holds the key at cleanup) is removed: for tests where the segment is made anew under it. */
export function trackKey(key: number): number {
  sysvKeys.add(key);
  return key;
}

export function trackPosix(name: string): string {
  posixNames.add(name);
  return name;
}

export function trackPath(path: string): string {
  paths.add(path);
  return path;
}

/** A segment (or other handle) to close before its kernel object is removed. */
export function keepOpen<T extends { close(): void }>(handle: T): T {
  openHandles.push(handle);
  return handle;
}

/** Closes kept handles, then removes everything tracked; safe to call repeatedly. */
export function cleanup(): void {
  for (const handle of openHandles.splice(0)) {
    try {
      handle.close();
    } catch {
      // closing is best effort here; removal below is what matters
    }
  }
  for (const key of sysvKeys) {
    const id = libc.shmget(key | 0, 0, 0);
    if (id !== -1) sysvIds.add(id);
  }
  sysvKeys.clear();
  for (const id of sysvIds) libc.shmctl(id, IPC_RMID, null);
  sysvIds.clear();
  for (const name of posixNames) libc.shm_unlink(name);
  posixNames.clear();
  for (const path of paths) {
    try {
      execFileSync('rm', ['-rf', path]);
    } catch {
      // already gone
    }
  }
  paths.clear();
  for (const id of semSetIds) libc.semctl(id, 0, IPC_RMID, 0);
  semSetIds.clear();
  for (const name of namedSems) libc.sem_unlink(name);
  namedSems.clear();
}

process.on('exit', cleanup);

/** A System V semaphore set to remove at cleanup. */
export function trackSemSet(id: number): number {
  semSetIds.add(id);
  return id;
}

/** A POSIX named semaphore to unlink at cleanup. */
export function trackNamedSem(name: string): string {
  namedSems.add(name);
  return name;
}
