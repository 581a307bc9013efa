// What the cases whose processes share one POSIX segment have in common
// (shmkit-cases.ts, mpmc-cases.ts): the segment, its control words, the
// peers started on it, and 64-byte messages stamped with their sequence
// numbers.
//
// Control words (a 'ctl' object in the segment): each peer adds 1 to READY
// once it holds what it needs; BAD counts messages that arrived wrong. The
// rest are the SPSC cases' phases: the parent bumps PHASE after writing
// COUNT; the peer handles COUNT items and stores DONE = PHASE; STOP ends the
// peer.
import { openOrCreate, Posix, type ManagedSegment } from '../../host/index.js';
import { dieWithParent, onCleanup, processAlive, spawnPeer, until } from './case.js';
import { MESSAGE } from './node-cases.js';

const SEGMENT_SIZE = 4 << 20;

export const READY = 0;
export const STOP = 1;
export const PHASE = 2;
export const DONE = 3;
export const BAD = 4;
export const COUNT = 5;

export function control(managed: ManagedSegment): Int32Array {
  const bytes = managed.findOrCreate('ctl', { bytes: 64, align: 64 });
  return new Int32Array(bytes.buffer, bytes.byteOffset, 16);
}

let segments = 0;

/**
 * A fresh segment, readied by `prepare` (so every party agrees on its
 * objects before any peer starts), with `peers` attached (each started as
 * `--peer <mode> <segment name> ...args`), then unlinked (nothing is left
 * behind, even after SIGKILL); runs `body`, then fails if BAD is not 0 or a
 * peer does not exit cleanly.
 */
export async function withPeers<T>(
  peers: Array<{ mode: string; args: string[] }>,
  prepare: (managed: ManagedSegment) => void,
  body: (managed: ManagedSegment, ctl: Int32Array, alive: () => boolean) => Promise<T>,
): Promise<T> {
  const name = `/shmkit-bench-channel-${process.pid}-${segments++}`;
  const managed = openOrCreate({ kind: 'posix', name, size: SEGMENT_SIZE });
  const unlink = onCleanup(() => Posix.remove(name));
  const close = onCleanup(() => managed.close());
  try {
    const ctl = control(managed);
    prepare(managed);
    const started = peers.map(({ mode, args }) => spawnPeer(mode, [name, ...args]));
    const alive = () => started.every((p) => processAlive(p.child.pid));
    try {
      await until(() => Atomics.load(ctl, READY) === peers.length, 'ready', alive);
      unlink();
      const result = await body(managed, ctl, alive);
      if (Atomics.load(ctl, BAD) !== 0) throw new Error(`${Atomics.load(ctl, BAD)} messages arrived wrong`);
      await Promise.all(started.map((p) => p.exited));
      return result;
    } finally {
      for (const p of started) p.kill();
    }
  } finally {
    close();
    unlink();
  }
}

/** In a peer: attaches the segment `name` (from withPeers), runs `work` on it, detaches. */
export async function asPeer(name: string, work: (managed: ManagedSegment, ctl: Int32Array) => void): Promise<void> {
  await dieWithParent();
  const managed = openOrCreate({ kind: 'posix', name, size: SEGMENT_SIZE });
  try {
    work(managed, control(managed));
  } finally {
    managed.close();
  }
}

/** Spins until `condition()`; throws if a peer died meanwhile (checked now and then). */
export function spinUntil(condition: () => boolean, alive: () => boolean): void {
  for (let i = 1; !condition(); i++) {
    if ((i & 0xfffff) === 0 && !alive()) throw new Error('the peer died');
  }
}

// ─── messages ────────────────────────────────────────────────────────────

export const TEMPLATE = new Uint8Array(MESSAGE).fill(0x5a);

/** Makes `message` (a copy of TEMPLATE) message `seq`: its sequence number (u32 LE) in the first four bytes, as the C cases do. */
export function stamp(message: Uint8Array, seq: number): void {
  message[0] = seq;
  message[1] = seq >>> 8;
  message[2] = seq >>> 16;
  message[3] = seq >>> 24;
}

export function seqAt(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}
