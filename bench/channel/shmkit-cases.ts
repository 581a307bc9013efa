// shmkit's SPSC ring (host/channel/spsc-ring.ts) between two Node
// processes, through ManagedSegment.ring() in a POSIX segment: the same
// work as the C cases in c-cases.ts, so the two compare directly.
//
// Control words (an 'ctl' object in the segment): the parent bumps PHASE
// after writing COUNT; the peer handles COUNT items and stores DONE = PHASE;
// STOP ends the peer. BAD counts messages that arrived wrong.
import { openOrCreate, Posix, type ManagedSegment, type SpscProducer } from '../../host/index.js';
import { C_FUTEX, C_MESSAGE_RING, C_BATCH, C_RING_BATCH, C_SPIN, C_STREAM_CHUNK, C_STREAM_RING } from './c-cases.js';
import { calibrated, dieWithParent, fixed, onCleanup, processAlive, spawnPeer, until, type Case, type CaseModule, type Settings } from './case.js';
import { MESSAGE, UNIX_PACKED } from './node-cases.js';

const SEGMENT_SIZE = 4 << 20;
const LATENCY_RING = 64 << 10;

const READY = 0;
const STOP = 1;
const PHASE = 2;
const DONE = 3;
const BAD = 4;
const COUNT = 5;

type Mode = 'spin' | 'block' | 'one' | 'batch' | 'stream';

function control(managed: ManagedSegment): Int32Array {
  const bytes = managed.findOrCreate('ctl', { bytes: 64, align: 64 });
  return new Int32Array(bytes.buffer, bytes.byteOffset, 16);
}

const TEMPLATE = new Uint8Array(MESSAGE).fill(0x5a);

/** Fills a claimed message: 64 bytes copied in, then its sequence number (u32 LE) in the first four. */
function fill(view: Uint8Array, seq: number): void {
  view.set(TEMPLATE);
  view[0] = seq;
  view[1] = seq >>> 8;
  view[2] = seq >>> 16;
  view[3] = seq >>> 24;
}

function seqOf(view: Uint8Array): number {
  return (view[0]! | (view[1]! << 8) | (view[2]! << 16) | (view[3]! << 24)) >>> 0;
}

// ─── the peer ────────────────────────────────────────────────────────────

function peerLoop(mode: Mode, managed: ManagedSegment, batch: number): void {
  const ctl = control(managed);
  if (mode === 'spin' || mode === 'block') {
    const ping = managed.ring('ping', LATENCY_RING).acquireConsumer();
    const pong = managed.ring('pong', LATENCY_RING).acquireProducer();
    Atomics.store(ctl, READY, 1);
    if (mode === 'spin') {
      for (;;) {
        let m: Uint8Array | null;
        while ((m = ping.tryPeek()) === null);
        if (Atomics.load(ctl, STOP)) break;
        let out: Uint8Array | null;
        while ((out = pong.tryClaim(m.length)) === null);
        out.set(m);
        pong.commit();
        ping.release();
      }
    } else {
      for (;;) {
        const m = ping.receiveSync();
        if (m === null || Atomics.load(ctl, STOP)) break;
        pong.sendSync(m);
      }
    }
    ping.close();
    pong.close();
    return;
  }
  const stream = mode === 'stream';
  const consumer = managed.ring('ring', stream ? C_STREAM_RING : C_MESSAGE_RING).acquireConsumer();
  const sink = new Uint8Array(C_STREAM_CHUNK);
  Atomics.store(ctl, READY, 1);
  for (let seen = 0; ;) {
    let phase: number;
    while ((phase = Atomics.load(ctl, PHASE)) === seen) {
      if (Atomics.load(ctl, STOP)) {
        consumer.close();
        return;
      }
    }
    seen = phase;
    let left = Atomics.load(ctl, COUNT);
    if (stream) {
      while (left > 0) {
        const m = consumer.tryPeek();
        if (m === null) continue;
        sink.set(m); // copied out, like a socket read
        if (sink[0] !== 0x5a || m.length > left) Atomics.add(ctl, BAD, 1);
        consumer.release();
        left -= m.length;
      }
    } else {
      let seq = 0;
      let held = 0;
      while (left > 0) {
        const m = consumer.tryPeek();
        if (m === null) {
          if (held) {
            consumer.release();
            held = 0;
          }
          continue;
        }
        if (seqOf(m) !== seq || m.length !== MESSAGE) Atomics.add(ctl, BAD, 1);
        seq = (seq + 1) >>> 0;
        left--;
        if (++held >= batch) {
          consumer.release();
          held = 0;
        }
      }
      consumer.release();
    }
    Atomics.store(ctl, DONE, phase);
  }
}

async function peer([mode, name, batch]: string[]): Promise<void> {
  await dieWithParent();
  const managed = openOrCreate({ kind: 'posix', name: name!, size: SEGMENT_SIZE });
  try {
    peerLoop(mode as Mode, managed, Number(batch ?? 1));
  } finally {
    managed.close();
  }
}

// ─── the parent ──────────────────────────────────────────────────────────

let segments = 0;

/** A fresh segment with the peer attached (then unlinked: nothing is left behind, even after SIGKILL). */
async function withPeer<T>(mode: Mode, batch: number, body: (managed: ManagedSegment, ctl: Int32Array, alive: () => boolean) => Promise<T>): Promise<T> {
  const name = `/shmkit-bench-channel-${process.pid}-${segments++}`;
  const managed = openOrCreate({ kind: 'posix', name, size: SEGMENT_SIZE });
  const unlink = onCleanup(() => Posix.remove(name));
  const close = onCleanup(() => managed.close());
  try {
    const ctl = control(managed);
    // Made here first, so both sides agree on every ring before the peer starts.
    if (mode === 'spin' || mode === 'block') {
      managed.ring('ping', LATENCY_RING);
      managed.ring('pong', LATENCY_RING);
    } else managed.ring('ring', mode === 'stream' ? C_STREAM_RING : C_MESSAGE_RING);
    const peerProcess = spawnPeer('shmkit', [mode, name, String(batch)]);
    const alive = () => processAlive(peerProcess.child.pid);
    try {
      await until(() => Atomics.load(ctl, READY) === 1, 'ready', alive);
      unlink();
      const result = await body(managed, ctl, alive);
      if (Atomics.load(ctl, BAD) !== 0) throw new Error(`${Atomics.load(ctl, BAD)} messages arrived wrong`);
      await peerProcess.exited;
      return result;
    } finally {
      peerProcess.kill();
    }
  } finally {
    close();
    unlink();
  }
}

/** Spins until `condition()`; throws if the peer died meanwhile (checked now and then). */
function spinUntil(condition: () => boolean, alive: () => boolean): void {
  for (let i = 1; !condition(); i++) {
    if ((i & 0xfffff) === 0 && !alive()) throw new Error('the peer died');
  }
}

function roundTrips(settings: Settings, mode: 'spin' | 'block'): Promise<number[]> {
  return withPeer(mode, 1, async (managed, ctl, alive) => {
    const ping = managed.ring('ping', LATENCY_RING).acquireProducer();
    const pong = managed.ring('pong', LATENCY_RING).acquireConsumer();
    let seq = 0;
    let body: (n: number) => void;
    if (mode === 'spin') {
      body = (n) => {
        for (let i = 0; i < n; i++) {
          let out = ping.tryClaim(MESSAGE);
          for (let k = 1; out === null; k++) {
            if ((k & 0xfffff) === 0 && !alive()) throw new Error('the peer died');
            out = ping.tryClaim(MESSAGE);
          }
          fill(out, seq);
          ping.commit();
          let m = pong.tryPeek();
          for (let k = 1; m === null; k++) {
            if ((k & 0xfffff) === 0 && !alive()) throw new Error('the peer died');
            m = pong.tryPeek();
          }
          if (seqOf(m) !== seq) Atomics.add(ctl, BAD, 1);
          pong.release();
          seq = (seq + 1) >>> 0;
        }
      };
    } else {
      const message = new Uint8Array(MESSAGE);
      body = (n) => {
        for (let i = 0; i < n; i++) {
          fill(message, seq);
          ping.sendSync(message);
          const reply = pong.receiveSync();
          if (reply === null || seqOf(reply) !== seq) Atomics.add(ctl, BAD, 1);
          seq = (seq + 1) >>> 0;
        }
      };
    }
    const nsPerOp = await calibrated(settings, body);
    Atomics.store(ctl, STOP, 1);
    if (mode === 'spin') {
      spinUntil(() => ping.tryClaim(MESSAGE) !== null, alive);
      ping.commit();
    } else ping.sendSync(TEMPLATE);
    ping.close();
    pong.close();
    return nsPerOp;
  });
}

function messages(settings: Settings, batch: number): Promise<number[]> {
  return withPeer(batch > 1 ? 'batch' : 'one', batch, async (managed, ctl, alive) => {
    const producer: SpscProducer = managed.ring('ring', C_MESSAGE_RING).acquireProducer();
    const phase = (n: number) => {
      Atomics.store(ctl, COUNT, n);
      const ph = Atomics.load(ctl, PHASE) + 1;
      Atomics.store(ctl, PHASE, ph);
      let pending = 0;
      for (let seq = 0; seq < n; seq++) {
        let view = producer.tryClaim(MESSAGE);
        if (view === null) {
          if (pending) { // make room: let the consumer have what is written
            producer.commit();
            pending = 0;
          }
          spinUntil(() => (view = producer.tryClaim(MESSAGE)) !== null, alive);
        }
        fill(view!, seq);
        if (++pending >= batch) {
          producer.commit();
          pending = 0;
        }
      }
      producer.commit();
      spinUntil(() => Atomics.load(ctl, DONE) === ph, alive);
    };
    const nsPerOp = await calibrated(settings, phase, 1 << 14);
    Atomics.store(ctl, STOP, 1);
    producer.close();
    return nsPerOp;
  });
}

function stream(settings: Settings): Promise<number[]> {
  return withPeer('stream', 1, async (managed, ctl, alive) => {
    const producer: SpscProducer = managed.ring('ring', C_STREAM_RING).acquireProducer();
    const source = new Uint8Array(C_STREAM_CHUNK).fill(0x5a);
    const send = (bytes: number) => {
      Atomics.store(ctl, COUNT, bytes);
      const ph = Atomics.load(ctl, PHASE) + 1;
      Atomics.store(ctl, PHASE, ph);
      for (let left = bytes; left > 0;) {
        const length = Math.min(left, C_STREAM_CHUNK);
        let view: Uint8Array | null = null;
        spinUntil(() => (view = producer.tryClaim(length)) !== null, alive);
        view!.set(length === C_STREAM_CHUNK ? source : source.subarray(0, length));
        producer.commit();
        left -= length;
      }
      spinUntil(() => Atomics.load(ctl, DONE) === ph, alive);
    };
    const bytes = settings.streamBytes;
    const nsPerByte = await fixed(settings, bytes, async () => send(Math.min(bytes, 256 << 20)), async () => send(bytes));
    Atomics.store(ctl, STOP, 1);
    producer.close();
    return nsPerByte;
  });
}

// Int32 COUNT holds up to 2^31-1 bytes per stream phase.
const MAX_STREAM = 0x7fffffff;

export const SHMKIT_SPIN = 'shmkit SPSC ring, busy-wait (tryPeek spin)';
export const SHMKIT_BLOCK = 'shmkit SPSC ring, blocking (receiveSync)';
export const SHMKIT_ONE = 'shmkit SPSC ring, one claim+commit per message';
export const SHMKIT_BATCH = `shmkit SPSC ring, ${C_BATCH}× claim + one commit`;
export const SHMKIT_STREAM = 'shmkit SPSC ring';

export const shmkitCases: CaseModule = {
  peers: { shmkit: peer },
  cases(settings: Settings): Case[] {
    if (settings.streamBytes > MAX_STREAM) throw new Error(`shmkit stream: at most ${MAX_STREAM} bytes per repeat`);
    const make = (name: string, kind: Case['kind'], note: string, goal: number, run: () => Promise<number[]>, extra: Partial<Case> = {}): Case => ({
      name, kind, family: 'shmkit', note, goal, ...extra,
      run: async () => ({ name, nsPerOp: await run() }),
    });
    return [
      make(SHMKIT_SPIN, 'latency', `two Node processes, two rings (${LATENCY_RING >> 10} KiB) in a POSIX segment: tryClaim(64) + fill + commit, the peer spins on tryPeek(), copies into its own claim, commits, releases`, 0.15, () => roundTrips(settings, 'spin'), { limit: C_SPIN }),
      make(SHMKIT_BLOCK, 'latency', 'as above with sendSync() and receiveSync() (default spin phase, then futex sleep)', 7, () => roundTrips(settings, 'block'), { limit: C_FUTEX }),
      make(SHMKIT_ONE, 'throughput', `one ring (${C_MESSAGE_RING >> 10} KiB); producer: tryClaim(64) + 64 bytes + commit per message; consumer: tryPeek + check sequence number + release per message; both spin`, 8, () => messages(settings, 1)),
      make(SHMKIT_BATCH, 'throughput', `same, committing and releasing once per ${C_BATCH} messages`, 40, () => messages(settings, C_BATCH), { socket: UNIX_PACKED, limit: C_RING_BATCH }),
      make(SHMKIT_STREAM, 'stream', `one ring (${C_STREAM_RING >> 20} MiB), ${C_STREAM_CHUNK >> 10} KiB messages: copied in from a source, peeked and copied out to a destination`, 6, () => stream(settings)),
    ];
  },
};
