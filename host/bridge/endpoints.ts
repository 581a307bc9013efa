// The channel side of a bridge: one interface over an SPSC ring, an MPMC
// queue and a broadcast, so the NATS loops do not care which it is.
import { ShmError, invalidArgument } from '../errors.js';
import { Broadcast } from '../channel/broadcast.js';
import type { BroadcastReader } from '../channel/broadcast-reader.js';
import { MpmcQueue } from '../channel/mpmc-queue.js';
import type { SpscConsumer } from '../channel/spsc-consumer.js';
import type { SpscProducer } from '../channel/spsc-producer.js';
import { SpscRing } from '../channel/spsc-ring.js';
import { BatchWriter } from './wire.js';

/** What the outward loop reads: messages it takes into a batch, then settles once NATS has them. */
export interface Source {
  readonly maxMessage: number;
  /** Ring sources keep what was taken until settle(), so a crash before it loses nothing. */
  readonly holdsUntilSettled: boolean;
  /** Waits for a message: false when the channel ended (its writer closed). */
  wait(signal: AbortSignal): Promise<boolean>;
  /** Adds up to `most` waiting messages (and about `bytes` bytes) to `batch`: how many. Never waits. */
  take(batch: BatchWriter, most: number, bytes: number): number;
  /** The messages taken are safe in NATS. */
  settle(): void;
  /** Bytes released over the ring's life (rings only). */
  readonly moved?: () => bigint;
  close(): void;
}

/** What the inward loop writes to. */
export interface Sink {
  readonly maxMessage: number;
  /** Writes one message if there is room: whether it did. Never waits. */
  tryWrite(message: Uint8Array): boolean;
  /** Writes one message, waiting while the channel is full. */
  write(message: Uint8Array, signal: AbortSignal): Promise<void>;
  /** Bytes committed over the ring's life (rings only). */
  readonly moved?: () => bigint;
  close(): void;
}

export type Channel = SpscRing | MpmcQueue | Broadcast;

export function isChannel(value: unknown): value is Channel {
  return value instanceof SpscRing || value instanceof MpmcQueue || value instanceof Broadcast;
}

export function sourceOf(channel: Channel): Source {
  if (channel instanceof SpscRing) return ringSource(channel.acquireConsumer());
  if (channel instanceof MpmcQueue) return queueSource(channel);
  return broadcastSource(channel.subscribe(), channel.slotSize);
}

export function sinkOf(channel: Channel): Sink {
  if (channel instanceof SpscRing) return ringSink(channel.acquireProducer());
  if (channel instanceof MpmcQueue) return queueSink(channel);
  return invalidArgument('a broadcast is bridged outward only; bridge into a ring or a queue');
}

function ringSource(consumer: SpscConsumer): Source {
  let first: Uint8Array | null = null; // peeked by wait(), taken by the next take()
  return {
    maxMessage: consumer.maxMessage,
    holdsUntilSettled: true,
    moved: () => consumer.moved,
    async wait(signal) {
      first ??= await consumer.peekAsync({ signal });
      return first !== null;
    },
    take(batch, most, bytes) {
      let taken = 0;
      if (first !== null && most > 0) {
        batch.add(first);
        first = null;
        taken++;
      }
      while (taken < most && batch.bytes < bytes) {
        const n = consumer.peekMany(Math.min(most - taken, 256));
        if (n === 0) break;
        const { offsets, lengths } = consumer;
        for (let i = 0; i < n; i++) batch.add(consumer.bytes.subarray(offsets[i]!, offsets[i]! + lengths[i]!));
        taken += n;
      }
      return taken;
    },
    settle: () => consumer.release(),
    close: () => consumer.close(),
  };
}

function queueSource(queue: MpmcQueue): Source {
  const into = new Uint8Array(queue.slotSize);
  let first: Uint8Array | null = null;
  return {
    maxMessage: queue.slotSize,
    holdsUntilSettled: false,
    async wait(signal) {
      first ??= await queue.popAsync({ signal });
      return first !== null;
    },
    take(batch, most, bytes) {
      let taken = 0;
      if (first !== null && most > 0) {
        batch.add(first);
        first = null;
        taken++;
      }
      for (let m: Uint8Array | null; taken < most && batch.bytes < bytes && (m = queue.tryPop(into)) !== null; taken++) batch.add(m);
      return taken;
    },
    settle: () => undefined,
    close: () => undefined,
  };
}

function broadcastSource(reader: BroadcastReader, slotSize: number): Source {
  const into = new Uint8Array(slotSize);
  let first: Uint8Array | null = null;
  return {
    maxMessage: slotSize,
    holdsUntilSettled: false,
    async wait(signal) {
      first ??= (await reader.readAsync({ signal }))?.data.slice() ?? null;
      return first !== null;
    },
    take(batch, most, bytes) {
      let taken = 0;
      if (first !== null && most > 0) {
        batch.add(first);
        first = null;
        taken++;
      }
      for (let m; taken < most && batch.bytes < bytes && (m = reader.tryRead(into)) !== null; taken++) batch.add(m.data);
      return taken;
    },
    settle: () => undefined,
    close: () => reader.close(),
  };
}

function ringSink(producer: SpscProducer): Sink {
  return {
    maxMessage: producer.maxMessage,
    moved: () => producer.moved,
    tryWrite: (message) => producer.trySend(message),
    async write(message, signal) {
      while (!(await producer.sendAsync(message, { signal })));
    },
    close: () => producer.close(),
  };
}

function queueSink(queue: MpmcQueue): Sink {
  return {
    maxMessage: queue.slotSize,
    tryWrite(message) {
      if (message.length !== queue.slotSize) throw new ShmError({ code: 'EMSGSIZE', message: `a bridged message of ${message.length} bytes does not fit the queue's ${queue.slotSize}-byte slots; bridge into a queue of the sender's slot size, or into a ring` });
      return queue.tryPush(message);
    },
    async write(message, signal) {
      while (!(await queue.pushAsync(message, { signal })));
    },
    close: () => undefined,
  };
}
