// Hostile arguments to every entry of the sync, channel and managed-segment
// layers (tests/os-hardening-args.test.ts covers the OS layer): each is a
// ShmError with the code listed, thrown before anything is written, and the
// object goes on working after it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ShmError, openOrCreate, type ManagedSegment, type Segment } from '../host/index.js';
import { cleanup, freshName, keepOpen, trackPosix } from './helpers/resources.js';

const HOSTILE: unknown[] = [NaN, Infinity, -1, 1.5, 2 ** 53, '8', null, [], {}, Symbol('x'), 10n];
const WAIT_OPTIONS: unknown[] = [{ timeout: 5 }, { timeoutMs: -1 }, { timeoutMs: 'soon' }, { signal: {} }, { spin: -1 }, null, 'fast'];

const table = suite('bad arguments are EINVAL ShmErrors, and change nothing');
table.after.each(cleanup);

function segment(): ManagedSegment<Segment> {
  return keepOpen(openOrCreate({ kind: 'posix', name: trackPosix(freshName('args')), size: 1 << 20 }));
}

function refused(call: () => unknown, what: string, codes = ['EINVAL']): void {
  try {
    const result = call();
    if (result instanceof Promise) result.catch(() => {}); // async forms reject; sync checks are what is tested here
    assert.unreachable(`${what} was accepted`);
  } catch (error) {
    if ((error as Error).name === 'Assertion') throw error;
    assert.ok(error instanceof ShmError && codes.includes(error.code), `${what}: ${String(error)}`);
  }
}

table('named objects: shapes, counts and option keys', () => {
  const m = segment();
  for (const bad of HOSTILE) {
    refused(() => m.ring('r', bad as number), `ring capacity ${String(bad)}`);
    refused(() => m.queue('q', { slots: bad as number, slotSize: 8 }), `queue slots ${String(bad)}`);
    refused(() => m.queue('q', { slots: 8, slotSize: bad as number }), `queue slotSize ${String(bad)}`);
    refused(() => m.broadcast('b', { slots: bad as number, slotSize: 8 }), `broadcast slots ${String(bad)}`);
    refused(() => m.barrier('n', bad as number), `barrier parties ${String(bad)}`);
    refused(() => m.seqlock('s', bad as number), `seqlock capacity ${String(bad)}`);
    if (typeof bad !== 'string') refused(() => m.ring(bad as string, 1024), `object name ${String(bad)}`);
  }
  refused(() => m.semaphore('x', -1), 'semaphore value -1');
  refused(() => m.queue('q', { slots: 8, slotSize: 8, slot: 1 } as never), 'unknown queue key');
  refused(() => m.broadcast('b', { slots: 8, slotSize: 8, readers: 2 } as never), 'unknown broadcast key');
  refused(() => m.mutex('x', { recursive: 'yes' } as never), 'recursive: "yes"');
  refused(() => m.event('e', { autoreset: true } as never), 'unknown event key');
  refused(() => m.ring('x'.repeat(200), 1024), 'a name longer than an entry holds');
  assert.equal(m.list(), [], 'no refused call left an entry');
});

table('channel calls: lengths, messages, batches and wait options', async () => {
  const m = segment();
  const ring = m.ring('r', 4096);
  const producer = ring.acquireProducer();
  const consumer = ring.acquireConsumer();
  for (const bad of HOSTILE) {
    refused(() => producer.tryClaim(bad as number), `tryClaim(${String(bad)})`, ['EINVAL', 'EMSGSIZE']);
    refused(() => producer.claimMany(bad as number, 8), `claimMany(${String(bad)}, 8)`);
    refused(() => producer.claimMany(1, bad as number), `claimMany(1, ${String(bad)})`, ['EINVAL', 'EMSGSIZE']);
    refused(() => consumer.peekMany(bad as number), `peekMany(${String(bad)})`);
    refused(() => producer.trySend(bad as Uint8Array), `send(${String(bad)})`);
    refused(() => producer.sendPacked(new Uint8Array(16), bad as number), `sendPacked length ${String(bad)}`);
  }
  refused(() => producer.tryClaim(4096), 'a claim larger than maxMessage', ['EMSGSIZE']);
  refused(() => producer.tryClaim(2 ** 32), 'a claim of 2^32 bytes (0 as a u32)', ['EMSGSIZE']);
  refused(() => producer.sendMany([new Uint8Array(1), null as never]), 'sendMany with a null message');
  refused(() => producer.sendMany('abc' as never), 'sendMany of a string');
  refused(() => producer.sendMany([new Uint8Array(1)], -1), 'sendMany from -1');
  for (const options of WAIT_OPTIONS) {
    refused(() => producer.sendSync(new Uint8Array(1), options as never), `sendSync(${JSON.stringify(options)})`);
    refused(() => consumer.receiveSync(options as never), `receiveSync(${JSON.stringify(options)})`);
  }
  assert.is(ring.used, 0, 'nothing was claimed or published');
  assert.ok(producer.trySend(new Uint8Array([7])));
  assert.equal([...consumer.tryReceive()!], [7], 'the ring works on');

  const queue = m.queue('q', { slots: 8, slotSize: 8 });
  for (const bad of [null, 'x', new Uint8Array(7), new Uint16Array(4)]) refused(() => queue.tryPush(bad as never), `tryPush(${String(bad)})`, ['EINVAL', 'EMSGSIZE']);
  refused(() => queue.tryPop(new Uint8Array(3)), 'tryPop into 3 bytes', ['EMSGSIZE']);
  refused(() => queue.publish(new Uint8Array(8)), 'publish of a view not from this queue');
  for (const options of WAIT_OPTIONS) refused(() => queue.popSync(options as never), `popSync(${JSON.stringify(options)})`);
  assert.is(queue.length, 0);

  const channel = m.broadcast('b', { slots: 8, slotSize: 16 });
  const writer = channel.acquireWriter();
  const reader = channel.subscribe();
  refused(() => writer.tryPublish('x' as never), 'tryPublish of a string');
  refused(() => reader.tryRead('x' as never), 'tryRead into a string');
  for (const options of WAIT_OPTIONS) refused(() => reader.readSync(options as never), `readSync(${JSON.stringify(options)})`);
  assert.is(channel.published, 0);
  writer.close();
  reader.close();
  producer.close();
  consumer.close();
});

table('locks and friends: wait options, counts and places', () => {
  const m = segment();
  const mutex = m.mutex('m');
  const semaphore = m.semaphore('s', 1);
  const event = m.event('e');
  for (const options of WAIT_OPTIONS) {
    refused(() => mutex.lockSync(options as never), `lock(${JSON.stringify(options)})`);
    refused(() => semaphore.waitSync(options as never), `semaphore.wait(${JSON.stringify(options)})`);
    refused(() => event.waitSync(options as never), `event.wait(${JSON.stringify(options)})`);
  }
  for (const bad of HOSTILE) refused(() => semaphore.post(bad as number), `post(${String(bad)})`);
  assert.is(semaphore.value, 1, 'no token was taken or added');
  assert.is(mutex.tryLock(), 'acquired', 'the mutex was never taken by a refused lock()');
  mutex.unlock();
  for (const bad of HOSTILE) refused(() => m.segment.place(bad as number), `place(${String(bad)})`);
});

table.run();
