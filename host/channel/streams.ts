// Node stream adapters for an SPSC ring (Node-only: node:stream), so a ring
// plugs into pipeline(). Chunks travel as messages: the writable splits a
// chunk longer than maxMessage, so the reader sees the same bytes, not
// necessarily the same chunk boundaries. Back-pressure is the ring's: the
// writable waits (without blocking the event loop) while the ring is full,
// and the readable reads only while Node asks for more.
import { Readable, Writable } from 'node:stream';
import type { SpscConsumer } from './spsc-consumer.js';
import type { SpscProducer } from './spsc-producer.js';

/**
 * A Writable that sends each chunk through `producer`. Ending it closes the
 * producer, which the reading side sees as end-of-stream; destroying it
 * closes the producer too.
 */
export function ringWritable(producer: SpscProducer): Writable {
  const abort = new AbortController();
  const send = async (chunk: Uint8Array): Promise<void> => {
    for (let at = 0; at < chunk.length; at += producer.maxMessage) {
      const piece = chunk.subarray(at, at + producer.maxMessage);
      if (!producer.trySend(piece)) await producer.sendAsync(piece, { signal: abort.signal });
    }
  };
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      send(chunk).then(() => done(), done);
    },
    final(done) {
      producer.close();
      done();
    },
    destroy(error, done) {
      abort.abort();
      producer.close();
      done(error);
    },
  });
}

/**
 * A Readable of the messages `consumer` receives (copies, as Buffers). It
 * ends when the producer closes and every message was read; a producer that
 * died errors it (EPIPE, reason 'peer-died'). Destroying it closes the consumer.
 */
export function ringReadable(consumer: SpscConsumer): Readable {
  const abort = new AbortController();
  const asBuffer = (message: Uint8Array) => Buffer.from(message.buffer, message.byteOffset, message.length);
  // Node may call read() again while a wait is pending (any push lets it):
  // a second wait would race the first, and their messages could be pushed
  // out of order. So while one waits, read() leaves the next push to it.
  let waiting = false;
  return new Readable({
    read() {
      if (waiting) return;
      // What is there already goes at once; then one wait, whose result
      // (a message, or null at the end) is pushed when it comes.
      for (let message; (message = consumer.tryReceive()) !== null;) {
        if (!this.push(asBuffer(message))) return;
      }
      waiting = true;
      consumer.receiveAsync({ signal: abort.signal }).then(
        (message) => {
          waiting = false;
          this.push(message === null ? null : asBuffer(message));
        },
        (error: Error) => {
          waiting = false;
          this.destroy(error);
        },
      );
    },
    destroy(error, done) {
      abort.abort();
      consumer.close();
      done(error);
    },
  });
}
