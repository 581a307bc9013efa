// Every test names what it creates here, so it is removed even when the
// test fails (after each suite, and again when the process exits).
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { libc } from '../../host/linux/libc.js';
import { IPC_RMID } from '../../host/linux/constants.js';

const openHandles: { close(): void }[] = [];
const sysvIds = new Set<number>();
const posixNames = new Set<string>();
const paths = new Set<string>();
let counter = 0;

/** A key nobody else uses: a random value in a range kept for tests. */
export function freshKey(): number {
  for (;;) {
    const key = (0x5e000000 | randomInt(0, 0xffffff)) >>> 0;
    if (libc.shmget(key | 0, 0, 0) === -1) return key;
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
}

process.on('exit', cleanup);
