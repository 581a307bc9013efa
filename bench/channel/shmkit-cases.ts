// shmkit's SPSC ring (host/channel/spsc-ring.ts) between two Node
// processes, through ManagedSegment.ring() in a POSIX segment: the same
// work as the C cases in c-cases.ts, so the two compare directly. The
// segment, its control words and the peer come from segment-peers.ts.
import type { ManagedSegment, SpscProducer } from '../../host/index.js';
import { C_FUTEX, C_MESSAGE_RING, C_BATCH, C_RING_BATCH, C_SPIN, C_STREAM_CHUNK, C_STREAM_RING } from './c-cases.js';
import { calibrated, fixed, type Case, type CaseModule, type Settings } from './case.js';
import { MESSAGE, UNIX_PACKED } from './node-cases.js';
import { asPeer, BAD, COUNT, DONE, PHASE, READY, seqAt, spinUntil, stamp, STOP, TEMPLATE, withPeers } from './segment-peers.js';

const LATENCY_RING = 64 << 10;

type Mode = 'spin' | 'block' | 'one' | 'batch' | 'stream';

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

// ─── the peer ────────────────────────────────────────────────────────────

function peerLoop(mode: Mode, managed: ManagedSegment, ctl: Int32Array, batch: number): void {
  if (mode === 'spin' || mode === 'block') {
    const ping = managed.ring('ping', LATENCY_RING).acquireConsumer();
    const pong = managed.ring('pong', LATENCY_RING).acquireProducer();
    Atomics.add(ctl, READY, 1);
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
  // The sink lies in the segment (private to this side), so the core copies into it: see stream().
  const sink = stream ? managed.findOrCreate('sink', { bytes: consumer.maxMessage }) : new Uint8Array(0);
  Atomics.add(ctl, READY, 1);
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
        const length = consumer.tryReceiveInto(sink); // copied out, like a socket read
        if (length === null) continue;
        if (sink[0] !== 0x5a || length > left) Atomics.add(ctl, BAD, 1);
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

function peer([name, mode, batch]: string[]): Promise<void> {
  return asPeer(name!, (managed, ctl) => peerLoop(mode as Mode, managed, ctl, Number(batch ?? 1)));
}

// ─── the parent ──────────────────────────────────────────────────────────

/** A fresh segment with its rings and the peer in `mode`. */
function withPeer<T>(mode: Mode, batch: number, body: (managed: ManagedSegment, ctl: Int32Array, alive: () => boolean) => Promise<T>): Promise<T> {
  const rings = (managed: ManagedSegment) => {
    if (mode === 'spin' || mode === 'block') {
      managed.ring('ping', LATENCY_RING);
      managed.ring('pong', LATENCY_RING);
    } else managed.ring('ring', mode === 'stream' ? C_STREAM_RING : C_MESSAGE_RING);
  };
  return withPeers([{ mode: 'shmkit', args: [mode, String(batch)] }], rings, body);
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
          for (let k = 1; !ping.trySend(message); k++) {
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
    if (mode === 'spin') spinUntil(() => ping.trySend(TEMPLATE), alive);
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
        if (!producer.trySend(message)) spinUntil(() => producer.trySend(message), alive);
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
    // The source lies in the segment (private to this side): the core then copies
    // each message in with one bulk copy, at memory speed, where a JS copy into
    // shared memory runs at about half of it.
    const source = managed.findOrCreate('source', { bytes: C_STREAM_CHUNK }).fill(0x5a);
    const send = (bytes: number) => {
      Atomics.store(ctl, COUNT, bytes);
      const ph = Atomics.load(ctl, PHASE) + 1;
      Atomics.store(ctl, PHASE, ph);
      for (let left = bytes; left > 0;) {
        const length = Math.min(left, C_STREAM_CHUNK);
        const chunk = length === C_STREAM_CHUNK ? source : source.subarray(0, length);
        if (!producer.trySend(chunk)) spinUntil(() => producer.trySend(chunk), alive);
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
      make(SHMKIT_STREAM, 'stream', `one ring (${C_STREAM_RING >> 20} MiB), ${C_STREAM_CHUNK >> 10} KiB messages: trySend() copies each in from a source, the peer's tryReceiveInto() out to a destination; both buffers lie in the segment (each side's own), so the core's bulk copy moves them`, 6, () => stream(settings)),
    ];
  },
};
