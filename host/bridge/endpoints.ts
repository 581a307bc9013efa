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

// A ring's messages are peeked in place and released once NATS has them.
function ringSource(consumer: SpscConsumer): Source {
  return sourceOver({
    maxMessage: consumer.maxMessage, holdsUntilSettled: true, moved: () => consumer.moved,
    next: (signal) => consumer.peekAsync({ signal }), tryNext: () => consumer.tryPeek(),
    settle: () => consumer.release(), close: () => consumer.close(),
  });
}

// A queue's and a broadcast's reads copy a message out and consume it: nothing to settle.
function queueSource(queue: MpmcQueue): Source {
  const into = new Uint8Array(queue.slotSize);
  return sourceOver({
    maxMessage: queue.slotSize, holdsUntilSettled: false,
    next: (signal) => queue.popAsync({ signal }), tryNext: () => queue.tryPop(into),
    settle: () => undefined, close: () => undefined,
  });
}

function broadcastSource(reader: BroadcastReader, slotSize: number): Source {
  const into = new Uint8Array(slotSize);
  return sourceOver({
    maxMessage: slotSize, holdsUntilSettled: false,
    next: async (signal) => (await reader.readAsync({ signal }))?.data ?? null, tryNext: () => reader.tryRead(into)?.data ?? null,
    settle: () => undefined, close: () => reader.close(),
  });
}

interface SourceParts extends Pick<Source, 'maxMessage' | 'holdsUntilSettled' | 'moved' | 'settle' | 'close'> {
  /** The next message, waiting for it (null: the channel ended). */
  next(signal: AbortSignal): Promise<Uint8Array | null>;
  /** The next message if there is one. */
  tryNext(): Uint8Array | null;
}

function sourceOver(parts: SourceParts): Source {
  const { next, tryNext, ...rest } = parts;
  let first: Uint8Array | null = null; // waited for by wait(), taken by the next take()
  return {
    ...rest,
    async wait(signal) {
      first ??= await next(signal);
      return first !== null;
    },
    take(batch, most, bytes) {
      let taken = 0;
      if (first !== null && most > 0) {
        batch.add(first);
        first = null;
        taken++;
      }
      for (let m: Uint8Array | null; taken < most && batch.bytes < bytes && (m = tryNext()) !== null; taken++) batch.add(m);
      return taken;
    },
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
