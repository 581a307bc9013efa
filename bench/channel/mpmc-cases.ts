// shmkit's MPMC queue (host/channel/mpmc-queue.ts) between Node processes,
// one producer (this process) and one or two consumers, next to what a Node
// user would otherwise build a work queue of processes with: jobs dealt
// round-robin over child_process IPC, or over one unix socket per consumer.
//
// Every job is a 64-byte message starting with its sequence number (never
// reset within a run). A consumer checks that its numbers rise and sums a
// hash of each; after the phase's jobs the producer sends one end-of-phase
// marker per consumer, and on its marker a consumer reports its count and
// sum. The producer then checks that the counts add up to the jobs it sent
// and the sums to the sum it made: with each consumer's numbers rising, a
// job lost or seen twice shows up there.
//
// A queue consumer that takes a marker reports (in the 'tally' object),
// posts the 'done' semaphore and waits at the 'phase' barrier of all
// consumers, so it cannot take a second marker: when the producer has every
// consumer's 'done', every job before the markers has been counted.
import { once } from 'node:events';
import type { ManagedSegment } from '../../host/index.js';
import { calibrated, dieWithParent, spawnPeer, unlessDead, type Case, type CaseModule, type Settings } from './case.js';
import { MESSAGE, messagesOverUnix } from './node-cases.js';
import { asPeer, BAD, READY, seqAt, spinUntil, stamp, TEMPLATE, withPeers } from './segment-peers.js';

/** Slots of 64 bytes: about the SPSC cases' 256 KiB ring. */
const SLOTS = 4096;
const SHAPE = { slots: SLOTS, slotSize: MESSAGE };
/** The sequence number of an end-of-phase marker (a run sends far fewer jobs). */
const MARKER = 0xffffffff;
/** Words per consumer in the 'tally' object: count, hash sum, wrong. */
const TALLY = 3;

type Form = 'spin' | 'block';

/** Waits that give up now and then, so that a dead peer is noticed. */
const WAIT = { timeoutMs: 100 };

/** A consumer's view of one phase. */
class Tally {
  count = 0;
  sum = 0;
  bad = 0;
  #last = -1;

  see(seq: number): void {
    if (seq <= this.#last) this.bad++;
    this.#last = seq;
    this.count++;
    this.sum = (this.sum + mix(seq)) | 0;
  }

  /** [count, sum, bad] of the phase; starts the next one. */
  take(): [number, number, number] {
    const report: [number, number, number] = [this.count, this.sum, this.bad];
    this.count = this.sum = this.bad = 0;
    return report;
  }
}

/** murmur3's finalizer: a sum of plain numbers could hide a job seen twice behind one lost, a sum of these all but never. */
function mix(seq: number): number {
  let h = seq ^ (seq >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Jobs that went wrong in a phase of `sent` jobs whose hashes sum to `sum`, from every consumer's report. */
function wrong(reports: Array<ArrayLike<number>>, sent: number, sum: number): number {
  let count = 0;
  let got = 0;
  let bad = 0;
  for (const r of reports) {
    count += r[0]!;
    got = (got + r[1]!) | 0;
    bad += r[2]!;
  }
  return bad + Math.abs(count - sent) + (count === sent && got !== sum ? 1 : 0);
}

// ─── MPMC queue ──────────────────────────────────────────────────────────

function objects(managed: ManagedSegment, consumers: number) {
  const tally = managed.findOrCreate('tally', { bytes: 4 * TALLY * consumers, align: 64 });
  return {
    queue: managed.queue('jobs', SHAPE),
    done: managed.semaphore('done'),
    phase: managed.barrier('phase', consumers),
    tally: new Int32Array(tally.buffer, tally.byteOffset, TALLY * consumers),
  };
}

function consume(managed: ManagedSegment, ctl: Int32Array, form: Form, index: number, consumers: number): void {
  const { queue, done, phase, tally: words } = objects(managed, consumers);
  const tally = new Tally();
  const see = (seq: number) => {
    if (seq !== MARKER) return tally.see(seq);
    words.set(tally.take(), index * TALLY);
    done.post();
    phase.arriveSync();
  };
  Atomics.add(ctl, READY, 1);
  const into = new Uint8Array(MESSAGE);
  if (form === 'block') {
    const options = { into };
    while (queue.popSync(options) !== null) see(seqAt(into, 0));
  } else {
    for (;;) {
      if (queue.tryPop(into) !== null) see(seqAt(into, 0));
      else if (queue.ended) return;
    }
  }
}

/** Jobs from this process to `consumers` processes: ns per job. */
function queueJobs(settings: Settings, consumers: number, form: Form): Promise<number[]> {
  const peers = Array.from({ length: consumers }, (_, k) => ({ mode: 'mpmc', args: [form, String(k), String(consumers)] }));
  return withPeers(peers, (managed) => objects(managed, consumers), async (managed, ctl, alive) => {
    const { queue, done, tally } = objects(managed, consumers);
    const message = TEMPLATE.slice();
    // Spinning, tryPush() copies the message in or answers false when full;
    // blocking, pushSync() copies it in and sleeps while the queue is full.
    const push = form === 'spin'
      ? (seq: number) => {
          stamp(message, seq);
          if (!queue.tryPush(message)) spinUntil(() => queue.tryPush(message), alive);
        }
      : (seq: number) => {
          stamp(message, seq);
          while (!queue.pushSync(message, WAIT)) if (!alive()) throw new Error('a consumer died');
        };
    let seq = 0;
    const phase = (n: number) => {
      let sum = 0;
      for (let i = 0; i < n; i++, seq++) {
        push(seq);
        sum = (sum + mix(seq)) | 0;
      }
      for (let k = 0; k < consumers; k++) push(MARKER);
      for (let k = 0; k < consumers; k++) while (!done.waitSync(WAIT)) if (!alive()) throw new Error('a consumer died');
      const reports = Array.from({ length: consumers }, (_, k) => tally.subarray(k * TALLY, (k + 1) * TALLY));
      Atomics.add(ctl, BAD, wrong(reports, n, sum));
    };
    const nsPerOp = await calibrated(settings, phase, 1 << 14);
    queue.end();
    return nsPerOp;
  });
}

function consumer([name, form, index, consumers]: string[]): Promise<void> {
  return asPeer(name!, (managed, ctl) => consume(managed, ctl, form as Form, Number(index), Number(consumers)));
}

// ─── child_process IPC ───────────────────────────────────────────────────

/** A job as the IPC children get it: 64 characters, the sequence number in hex first. */
const FILLER = 'x'.repeat(MESSAGE - 8);
const PHASE_END = 'end';

function job(seq: number): string {
  return seq.toString(16).padStart(8, '0') + FILLER;
}

async function ipcChild(): Promise<void> {
  await dieWithParent();
  const tally = new Tally();
  process.on('message', (m: string) => {
    if (m === PHASE_END) process.send!(tally.take());
    else tally.see(parseInt(m.slice(0, 8), 16));
  });
  process.on('disconnect', () => process.exit(0));
  process.send!('ready');
}

/** Jobs dealt round-robin to `children` child processes by child.send(): ns per job. */
async function ipcJobs(settings: Settings, children: number): Promise<number[]> {
  const peers = Array.from({ length: children }, () => spawnPeer('ipc-jobs', [], ['ignore', 'inherit', 'inherit', 'ipc']));
  await Promise.all(peers.map((p) => unlessDead(once(p.child, 'message'), p.exited, 'ready')));
  // send() answers false once its channel holds 128 KiB unwritten; then wait for one of its writes to finish.
  const senders = peers.map(({ child }) => {
    let resume: (() => void) | undefined;
    const written = () => {
      const r = resume;
      resume = undefined;
      r?.();
    };
    return (message: string) => (child.send(message, written) ? undefined : new Promise<void>((r) => (resume = r)));
  });
  let seq = 0;
  let bad = 0;
  const phase = async (n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++, seq++) {
      const k = i % children;
      const full = senders[k]!(job(seq));
      if (full) await unlessDead(full, peers[k]!.exited, 'jobs');
      sum = (sum + mix(seq)) | 0;
    }
    const reports = await Promise.all(peers.map(({ child, exited }) => {
      const reply = once(child, 'message');
      child.send(PHASE_END);
      return unlessDead(reply, exited, 'a phase').then(([report]) => report as number[]);
    }));
    bad += wrong(reports, n, sum);
  };
  const nsPerOp = await calibrated(settings, phase, 1024);
  for (const { child } of peers) child.disconnect();
  await Promise.all(peers.map((p) => p.exited));
  if (bad !== 0) throw new Error(`${bad} messages arrived wrong`);
  return nsPerOp;
}

// ─── the cases ───────────────────────────────────────────────────────────

export const MPMC_ONE = 'shmkit MPMC queue, 1 → 1, tryPush/tryPop per message';
export const UNIX_JOBS = 'unix sockets, round-robin to 2 consumers';
export const IPC_JOBS = 'child_process IPC, round-robin to 2 children';
export const MPMC_JOBS = 'shmkit MPMC queue, 1 → 2 (pushSync/popSync)';

export const mpmcCases: CaseModule = {
  peers: { mpmc: consumer, 'ipc-jobs': ipcChild },
  cases(settings: Settings): Case[] {
    const make = (name: string, family: Case['family'], note: string, run: () => Promise<number[]>, extra: Partial<Case> = {}): Case => ({
      name, kind: 'throughput', family, note, ...extra,
      run: async () => ({ name, nsPerOp: await run() }),
    });
    return [
      make(MPMC_ONE, 'shmkit', `one queue (${SLOTS} slots of 64 bytes) in a POSIX segment, a producer and a consumer process, both spin. Producer: tryPush() of a 64-byte message (copied in); consumer: tryPop(into) (copied out) and the sequence number read (the zero-copy slot forms make a view per message, which costs more than the copy at this size). The consumer checks that its sequence numbers rise; their count and a sum of their hashes must match what was sent`, () => queueJobs(settings, 1, 'spin')),
      make(UNIX_JOBS, 'node', 'the fast way to hand-roll a work queue over sockets: one unix socket to each of 2 consumer processes, a fresh 64-byte Buffer per socket.write(), writes dealt round-robin, back-pressure honoured; each consumer frames every message and checks its sequence number', () => messagesOverUnix(settings, 1, 2), { socket: UNIX_JOBS }),
      make(IPC_JOBS, 'node', "what process pools do (fork(), child.send(), process.on('message')): a 64-character string job (default JSON serialization) sent to each of 2 children in turn, waiting for a write to finish whenever send() answers false; checked as the MPMC rows are", () => ipcJobs(settings, 2), { socket: UNIX_JOBS }),
      make(MPMC_JOBS, 'shmkit', 'same queue, a producer and 2 consumer processes taking jobs as they come (a work queue). Producer: pushSync() of a 64-byte message (copied in); consumers: popSync({ into }); default spin, then futex sleep, since 3 processes on 2 CPUs cannot all spin. Each consumer checks that its sequence numbers rise; the counts and hash sums of both must add up to what was sent', () => queueJobs(settings, 2, 'block'), { socket: UNIX_JOBS }),
    ];
  },
};
