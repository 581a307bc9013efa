// The core's trust boundary, one known attack at a time: a peer that
// scribbles on a segment gets an ECORRUPT ShmError for that object (never a
// hang, a RuntimeError or a view past the object), and the segments mapped
// beside it stay byte for byte as they were. Bad placements and arguments
// are refused before anything is written. (tests/hostile-peer.test.ts
// corrupts every field at random in a victim process.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Broadcast, ManagedSegment, MpmcQueue, Mutex, Posix, RwLock, Semaphore, ShmError, SpscRing, openOrCreate, struct, type Segment,
} from '../host/index.js';
import { coreConstant, type CoreConstant } from '../host/core/core.js';
import { cleanup, freshName, keepOpen, trackPosix } from './helpers/resources.js';

const SIZE = 1 << 18;
const code = (expected: string) => (e: unknown) => e instanceof ShmError && e.code === expected;
const corrupt = code('ECORRUPT');

interface Setup {
  m: ManagedSegment<Segment>;
  /** Canaries mapped right below and right above the target in the arena. */
  canaries: Segment[];
  constant(name: CoreConstant): number;
  /** The object's first byte, from the segment's start. */
  offsetOf(name: string): number;
  /** A peer's stores into the target segment. */
  poke32(at: number, value: number): void;
  poke64(at: number, value: bigint): void;
}

function setup(): Setup {
  const below = keepOpen(Posix.create(trackPosix(freshName('canary')), { size: 65536 }));
  const m = keepOpen(openOrCreate({ kind: 'posix', name: trackPosix(freshName('target')), size: SIZE }));
  const above = keepOpen(Posix.create(trackPosix(freshName('canary')), { size: 65536 }));
  assert.ok(below.offset < m.segment.offset && m.segment.offset < above.offset, 'the canaries are the target\'s neighbours');
  for (const canary of [below, above]) canary.writePattern('mod256');
  const view = new DataView(m.segment.arena.memory.buffer, m.segment.offset, m.segment.size);
  return {
    m,
    canaries: [below, above],
    constant: (name) => coreConstant(m.segment.arena.core, name),
    offsetOf: (name) => m.list().find((o) => o.name === name)!.offset,
    poke32: (at, value) => view.setUint32(at, value >>> 0, true),
    poke64: (at, value) => view.setBigUint64(at, BigInt.asUintN(64, value), true),
  };
}

function assertCanaries(s: Setup): void {
  for (const canary of s.canaries) assert.is(canary.verifyPattern('mod256'), -1, 'a neighbouring segment changed');
}

const channels = suite('corrupted channels answer ECORRUPT and touch nothing else');
channels.after.each(cleanup);

channels('SPSC: a record length past the ring, then a ring of padding records: ECORRUPT, and the handle stays refused', () => {
  const s = setup();
  const ring = s.m.ring('r', 4096);
  const producer = ring.acquireProducer();
  const consumer = ring.acquireConsumer();
  assert.ok(producer.trySend(new Uint8Array(16).fill(1)));
  const data = s.offsetOf('r') + s.constant('SPSC_HEADER');
  s.poke32(data, 0x7fffffff); // the length word of the first record
  assert.throws(() => consumer.tryPeek(), corrupt);
  s.poke32(data, 16); // repaired by the peer: this handle still refuses
  assert.throws(() => consumer.tryReceive(), corrupt);
  consumer.close();
  // Every header a padding record that fills the ring: a walk that followed them would never end.
  const fresh = ring.acquireConsumer();
  s.poke64(data, BigInt(4096 - 8) | (2n << 32n));
  assert.throws(() => fresh.tryReceive(), corrupt);
  fresh.close();
  producer.close();
  assertCanaries(s);
});

channels('SPSC: a capacity word rewritten after open changes nothing for open handles; opening it then is ECORRUPT', () => {
  const s = setup();
  const ring = s.m.ring('r', 4096);
  const producer = ring.acquireProducer();
  s.poke32(s.offsetOf('r'), 0x80000000);
  for (let i = 0; i < 1000; i++) if (!producer.trySend(new Uint8Array(100))) break; // fills to its own 4096 bytes, no further
  assert.throws(() => s.m.ring('r', 4096), corrupt);
  assert.throws(() => ring.acquireConsumer(), corrupt);
  producer.close();
  assertCanaries(s);
});

channels('SPSC: a consumer cursor no consumer could have written stops the producer with ECORRUPT', () => {
  const s = setup();
  const ring = s.m.ring('r', 4096);
  const producer = ring.acquireProducer();
  s.poke64(s.offsetOf('r') + s.constant('SPSC_HEAD'), 1n << 40n);
  let error: unknown;
  try {
    for (let i = 0; i < 100; i++) producer.trySend(new Uint8Array(200));
  } catch (e) {
    error = e;
  }
  assert.ok(corrupt(error), String(error));
  assert.match((error as Error).message, /head cursor/);
  producer.close();
  assertCanaries(s);
});

channels('MPMC: a slot sequence "ahead" of the position no longer spins forever in Wasm', () => {
  const s = setup();
  const queue = s.m.queue('q', { slots: 8, slotSize: 32 });
  const slots = s.offsetOf('q') + s.constant('MPMC_HEADER');
  s.poke64(slots, 5n); // slot 0 says "published for position 4": a consumer at 0 finds it ahead
  assert.throws(() => queue.tryPop(), corrupt);
  assert.throws(() => queue.tryPush(new Uint8Array(32)), corrupt, 'the handle stays refused');
  assert.throws(() => s.m.queue('q', { slots: 8, slotSize: 32 }).tryPop(), corrupt, 'so does a new one');
  assertCanaries(s);
});

channels('MPMC: a stride or slot count rewritten is ECORRUPT at open', () => {
  const s = setup();
  s.m.queue('q', { slots: 8, slotSize: 32 });
  s.poke32(s.offsetOf('q') + 8, 1 << 20); // stride
  assert.throws(() => s.m.queue('q', { slots: 8, slotSize: 32 }), corrupt);
  assertCanaries(s);
});

channels('broadcast: a published count far ahead is ECORRUPT for a backpressure reader, a bounded skip for a lossy one', () => {
  const s = setup();
  for (const mode of ['backpressure', 'lossy'] as const) {
    const channel = s.m.broadcast(mode, { slots: 8, slotSize: 64, maxReaders: 4, mode });
    const writer = channel.acquireWriter();
    const reader = channel.subscribe();
    assert.ok(writer.tryPublish(new Uint8Array(8)));
    s.poke64(s.offsetOf(mode) + s.constant('BCAST_PUBLISHED'), 1n << 50n);
    assert.is(reader.tryRead()?.data.length, 8, 'message 0 is whole where it was');
    if (mode === 'backpressure') assert.throws(() => reader.tryRead(), corrupt);
    else for (let i = 0; i < 100; i++) reader.tryRead(); // returns, whatever it finds
    s.poke32(s.offsetOf(mode) + 8, 0x7fffffff); // maxReaders: the writer scans its own private count
    for (let i = 0; i < 4; i++) writer.tryPublish(new Uint8Array(8));
    writer.close();
    reader.close();
  }
  assertCanaries(s);
});

const directory = suite('a corrupted header or directory is ECORRUPT');
directory.after.each(cleanup);

directory('a directory capacity of 2^31 or a moved directory is refused at open', () => {
  const s = setup();
  const name = s.m.segment.description;
  s.poke32(s.constant('H_DIR_CAPACITY'), 0x80000000);
  const again = () => new ManagedSegment(keepOpen(Posix.open(posixName(name))));
  assert.throws(again, corrupt);
  assertCanaries(s);
});

directory('an entry whose offset or size points past the segment is ECORRUPT, never a view of another segment', () => {
  const s = setup();
  const Point = struct('Point', { x: 'f64', y: 'f64' });
  s.m.create('t', { table: Point, count: 4 });
  const entry = s.constant('HEADER_SIZE'); // slot 0
  s.poke64(entry + s.constant('E_OFFSET'), BigInt(SIZE + 65536));
  assert.throws(() => s.m.find('t', { table: Point }), corrupt);
  assert.throws(() => s.m.list(), corrupt);
  assert.throws(() => s.m.create('u', { bytes: 64 }), corrupt, 'placement trusts no broken entry either');
  assertCanaries(s);
});

const placement = suite('placements and arguments are checked before the first store');
placement.after.each(cleanup);

placement('a primitive or channel placed past the end of its segment is EINVAL and writes nothing', () => {
  const s = setup();
  const raw = keepOpen(Posix.create(trackPosix(freshName('raw')), { size: 4096 }));
  raw.writePattern('mod256');
  assert.ok(Mutex.create(raw.place(4096 - 64)) instanceof Mutex, 'the last 64 bytes hold a mutex');
  raw.writePattern('mod256');
  assert.throws(() => RwLock.create(raw.place(4096 - 64)), code('EINVAL'), 'but not a 256-byte rwlock');
  assert.throws(() => SpscRing.create(raw.place(0), 4096), code('EINVAL'), 'header + 4096 bytes do not fit in 4096');
  assert.throws(() => MpmcQueue.create(raw.place(3072), 16, 64), code('EINVAL'));
  assert.throws(() => Broadcast.create(raw.place(2048), { slots: 8, slotSize: 256 }), code('EINVAL'));
  assert.is(raw.verifyPattern('mod256'), -1, 'nothing was written');
  assertCanaries(s);
});

placement('a place past 4 GiB or inside the core statics is EINVAL before any store', () => {
  const s = setup();
  const { memory, host } = s.m.segment.place(0);
  for (const offset of [2 ** 32 + 64, 0, 64, -64, 0.5, NaN]) {
    assert.throws(() => Semaphore.create({ memory, host, offset }, 1), code('EINVAL'), String(offset));
  }
  assertCanaries(s);
});

placement('a named object refused for its arguments leaves no directory entry', () => {
  const s = setup();
  assert.throws(() => s.m.barrier('b', 0), code('EINVAL'));
  assert.throws(() => s.m.semaphore('s', -1), code('EINVAL'));
  assert.throws(() => s.m.seqlock('q', NaN), code('EINVAL'));
  assert.throws(() => s.m.ring('r', 1000), code('EINVAL'));
  assert.throws(() => s.m.queue('m', { slots: 3, slotSize: 8 }), code('EINVAL'));
  assert.throws(() => s.m.ring('r2', 1024, { recrd: undefined } as never), code('EINVAL'));
  assert.throws(() => s.m.mutex('x', { recursve: true } as never), code('EINVAL'));
  assert.equal(s.m.list(), []);
});

placement('opening a named primitive with different parameters is ELAYOUT naming the difference', () => {
  const s = setup();
  s.m.barrier('b', 3);
  assert.throws(() => s.m.barrier('b', 4), (e: unknown) => code('ELAYOUT')(e) && /3 parties/.test((e as Error).message));
  s.m.mutex('m', { recursive: true });
  assert.throws(() => s.m.mutex('m', { recursive: false }), (e: unknown) => code('ELAYOUT')(e) && /recursive/.test((e as Error).message));
  s.m.semaphore('s', 2);
  assert.throws(() => s.m.semaphore('s', 5), (e: unknown) => code('ELAYOUT')(e) && /2 tokens/.test((e as Error).message));
  assert.ok(s.m.semaphore('s') instanceof Semaphore, 'no count asked: any will do');
  s.m.event('e', { autoReset: true });
  assert.throws(() => s.m.event('e', { autoReset: false }), code('ELAYOUT'));
});

placement('tryClaim and send refuse bad arguments before claiming anything', () => {
  const s = setup();
  const ring = s.m.ring('r', 4096);
  const producer = ring.acquireProducer();
  for (const length of [NaN, -1, 1.5, Infinity]) assert.throws(() => producer.tryClaim(length), code('EINVAL'), String(length));
  assert.throws(() => producer.trySend('text' as never), code('EINVAL'));
  assert.throws(() => producer.sendMany([new Uint8Array(4), 'x' as never]), code('EINVAL'));
  producer.commit();
  assert.is(ring.used, 0, 'nothing was claimed or published');
  producer.close();
});

function posixName(description: string): string {
  return /'([^']+)'/.exec(description)?.[1] ?? description.replace(/^POSIX shared memory object /, '');
}

channels.run();
directory.run();
placement.run();
