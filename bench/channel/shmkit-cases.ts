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

/** Makes `message` (a copy of TEMPLATE) message `seq`: its sequence number (u32 LE) in the first four bytes, as the C cases do. */
function stamp(message: Uint8Array, seq: number): void {
  message[0] = seq;
  message[1] = seq >>> 8;
  message[2] = seq >>> 16;
  message[3] = seq >>> 24;
}

const TEMPLATE_WORDS = new Uint32Array(TEMPLATE.buffer);

/**
 * Writes message `seq` in place at bytes[at] (8-aligned) as sixteen 32-bit
 * words, the first its sequence number: how a program writes a record it
 * builds in place (a 64-byte TypedArray.set costs ~25 ns on Node 20).
 */
function fillWords(words: Uint32Array, at: number, seq: number): void {
  const w = at >>> 2;
  words[w] = seq;
  for (let k = 1; k < 16; k++) words[w + k] = TEMPLATE_WORDS[k]!;
}

function seqAt(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

// ─── the peer ────────────────────────────────────────────────────────────

function peerLoop(mode: Mode, managed: ManagedSegment, batch: number): void {
  const ctl = control(managed);
  if (mode === 'spin' || mode === 'block') {
    const ping = managed.ring('ping', LATENCY_RING).acquireConsumer();
    const pong = managed.ring('pong', LATENCY_RING).acquireProducer();
    Atomics.store(ctl, READY, 1);
    if (mode === 'spin') {
      const { bytes, offsets: inAt, lengths } = ping;
      for (;;) {
        while (ping.peekMany(1) === 0);
        if (Atomics.load(ctl, STOP)) break;
        const length = lengths[0]!;
        while (pong.claimMany(1, length) === 0);
        bytes.copyWithin(pong.offsets[0]!, inAt[0]!, inAt[0]! + length); // both rings share the memory
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
    const { bytes, offsets, lengths } = consumer;
    if (stream) {
      while (left > 0) {
        if (consumer.peekMany(1) === 0) continue;
        const at = offsets[0]!;
        const length = lengths[0]!;
        sink.set(bytes.subarray(at, at + length)); // copied out, like a socket read
        if (sink[0] !== 0x5a || length > left) Atomics.add(ctl, BAD, 1);
        consumer.release();
        left -= length;
      }
    } else {
      // One peek call per message when batch is 1; else up to batch messages per peek and release.
      let seq = 0;
      while (left > 0) {
        const n = consumer.peekMany(Math.min(batch, left));
        for (let i = 0; i < n; i++) {
          if (seqAt(bytes, offsets[i]!) !== seq || lengths[i] !== MESSAGE) Atomics.add(ctl, BAD, 1);
          seq = (seq + 1) >>> 0;
        }
        if (n) consumer.release();
        left -= n;
      }
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
    const message = TEMPLATE.slice();
    let body: (n: number) => void;
    if (mode === 'spin') {
      const { bytes, offsets } = pong;
      body = (n) => {
        for (let i = 0; i < n; i++) {
          stamp(message, seq);
          for (let k = 1; !ping.send(message); k++) {
            if ((k & 0xfffff) === 0 && !alive()) throw new Error('the peer died');
          }
          for (let k = 1; pong.peekMany(1) === 0; k++) {
            if ((k & 0xfffff) === 0 && !alive()) throw new Error('the peer died');
          }
          if (seqAt(bytes, offsets[0]!) !== seq) Atomics.add(ctl, BAD, 1);
          pong.release();
          seq = (seq + 1) >>> 0;
        }
      };
    } else {
      body = (n) => {
        for (let i = 0; i < n; i++) {
          stamp(message, seq);
          ping.sendSync(message);
          const reply = pong.receiveSync();
          if (reply === null || seqAt(reply, 0) !== seq) Atomics.add(ctl, BAD, 1);
          seq = (seq + 1) >>> 0;
        }
      };
    }
    const nsPerOp = await calibrated(settings, body);
    Atomics.store(ctl, STOP, 1);
    if (mode === 'spin') spinUntil(() => ping.send(TEMPLATE), alive);
    else ping.sendSync(TEMPLATE);
    ping.close();
    pong.close();
    return nsPerOp;
  });
}

function messages(settings: Settings, form: 'one' | 'batch' | 'packed', batch: number): Promise<number[]> {
  return withPeer(form === 'one' ? 'one' : 'batch', batch, async (managed, ctl, alive) => {
    const producer: SpscProducer = managed.ring('ring', C_MESSAGE_RING).acquireProducer();
    const { bytes, offsets } = producer;
    const words = new Uint32Array(bytes.buffer);
    const message = TEMPLATE.slice();
    // One message per call: send() copies it in and publishes it. Batched:
    // claimMany() places up to `batch`, filled in place, one commit.
    const one = (n: number) => {
      for (let seq = 0; seq < n; seq++) {
        stamp(message, seq);
        if (!producer.send(message)) spinUntil(() => producer.send(message), alive);
      }
    };
    const batched = (n: number) => {
      for (let seq = 0; seq < n;) {
        let got = producer.claimMany(Math.min(batch, n - seq), MESSAGE);
        if (got === 0) spinUntil(() => (got = producer.claimMany(Math.min(batch, n - seq), MESSAGE)) !== 0, alive);
        for (let i = 0; i < got; i++) fillWords(words, offsets[i]!, seq++);
        producer.commit();
      }
    };
    // Packed: each message's bytes written to a packed buffer of `batch`
    // messages (the template once, the sequence number per message), which
    // sendPacked() copies into their records with one core call and commits.
    const packed = new Uint8Array(batch * MESSAGE);
    for (let i = 0; i < batch; i++) packed.set(TEMPLATE, i * MESSAGE);
    const packedSend = (n: number) => {
      for (let seq = 0; seq < n;) {
        const count = Math.min(batch, n - seq);
        for (let i = 0; i < count; i++) {
          const at = i * MESSAGE;
          const s = seq + i;
          packed[at] = s;
          packed[at + 1] = s >>> 8;
          packed[at + 2] = s >>> 16;
          packed[at + 3] = s >>> 24;
        }
        let sent = 0; // when full, the rest goes once there is room
        spinUntil(() => (sent += producer.sendPacked(packed.subarray(sent * MESSAGE, count * MESSAGE), MESSAGE)) === count, alive);
        seq += count;
      }
    };
    const phase = (n: number) => {
      Atomics.store(ctl, COUNT, n);
      const ph = Atomics.load(ctl, PHASE) + 1;
      Atomics.store(ctl, PHASE, ph);
      (form === 'packed' ? packedSend : form === 'batch' ? batched : one)(n);
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
        const chunk = length === C_STREAM_CHUNK ? source : source.subarray(0, length);
        if (!producer.send(chunk)) spinUntil(() => producer.send(chunk), alive);
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

export const SHMKIT_SPIN = 'shmkit SPSC ring, busy-wait (peek spin)';
export const SHMKIT_BLOCK = 'shmkit SPSC ring, blocking (receiveSync)';
export const SHMKIT_ONE = 'shmkit SPSC ring, one send() per message';
export const SHMKIT_BATCH = `shmkit SPSC ring, claimMany(${C_BATCH}) + one commit`;
export const SHMKIT_PACKED = `shmkit SPSC ring, sendPacked(${C_BATCH} messages)`;
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
      make(SHMKIT_SPIN, 'latency', `two Node processes, two rings (${LATENCY_RING >> 10} KiB) in a POSIX segment: send(64 bytes), then spin on peekMany(1); the peer spins on peekMany(1), copies the message into its own claim in place, commits, releases`, 0.15, () => roundTrips(settings, 'spin'), { limit: C_SPIN }),
      make(SHMKIT_BLOCK, 'latency', 'as above with sendSync() and receiveSync() (default spin phase, then futex sleep)', 7, () => roundTrips(settings, 'block'), { limit: C_FUTEX }),
      make(SHMKIT_ONE, 'throughput', `one ring (${C_MESSAGE_RING >> 10} KiB); producer: send() of a 64-byte message (copied in, committed) per message; consumer: peekMany(1) + check sequence number + release per message; both spin`, 8, () => messages(settings, 'one', 1)),
      make(SHMKIT_BATCH, 'throughput', `same ring; producer: claimMany(${C_BATCH}, 64) + 64 bytes written in place per message (sixteen 32-bit stores) + one commit; consumer: peekMany(${C_BATCH}) + check each + one release`, 40, () => messages(settings, 'batch', C_BATCH), { socket: UNIX_PACKED, limit: C_RING_BATCH }),
      make(SHMKIT_PACKED, 'throughput', `same ring; producer: writes each message's sequence number into a packed buffer of ${C_BATCH} × 64-byte messages, sendPacked() copies them into their records (one bulk copy, one core call) and commits once; consumer as above`, 40, () => messages(settings, 'packed', C_BATCH), { socket: UNIX_PACKED, limit: C_RING_BATCH }),
      make(SHMKIT_STREAM, 'stream', `one ring (${C_STREAM_RING >> 20} MiB), ${C_STREAM_CHUNK >> 10} KiB messages: send() copies each in from a source, the peer peeks and copies it out to a destination`, 6, () => stream(settings)),
    ];
  },
};
