// Channel → NATS: waits for a message, takes what else is waiting (up to a
// batch's limits, or a little longer when asked), publishes it as one NATS
// message, and only then lets the channel forget it. With JetStream the
// batch is let go once the stream acknowledged storing it; from a ring,
// with a checkpoint, a bridge killed in between sends the same batch with
// the same Nats-Msg-Id again, and JetStream drops the copy.
import { headers, type MsgHdrs } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import { ShmError } from '../errors.js';
import type { Checkpoint } from './checkpoint.js';
import type { Connection } from './connection.js';
import type { Source } from './endpoints.js';
import type { Counters } from './counters.js';
import { BatchWriter, HEADER_BATCH, HEADER_LAYOUT, formatBatchId } from './wire.js';
import { pause, untilAborted } from './timing.js';

/** Core NATS: batches published between two flushes (round trips to the server). */
const FLUSH_EVERY = 16;

export interface BatchLimits {
  /** Most messages per NATS message. */
  messages: number;
  /** About the most payload bytes per NATS message (the server's max_payload caps it). */
  bytes: number;
  /** How long a batch that is not full may wait for more, in ms (0: send what is there). */
  delayMs: number;
}

export interface Outbound {
  source: Source;
  connection: Connection;
  subject: string;
  layout: string | undefined;
  limits: BatchLimits;
  jetstream: JetStreamClient | undefined;
  checkpoint: Checkpoint | undefined;
  /** This run's id, for batches without a checkpoint. */
  runId: string;
  counters: Counters;
  signal: AbortSignal;
}

export async function runOutbound(o: Outbound): Promise<void> {
  const batch = new BatchWriter(Math.min(o.limits.bytes, 1 << 16));
  const bytes = Math.min(o.limits.bytes, o.connection.nc.info?.max_payload ?? o.limits.bytes) / 2; // a take stops once past this, by at most one message: half keeps a payload under both limits
  let { next, resend } = o.checkpoint ? o.checkpoint.outStart(o.source.moved!()) : { next: 0, resend: 0 };
  const sender = o.checkpoint?.key ?? o.runId;
  let unflushed = 0;
  for (;;) {
    if (resend > 0) {
      // The batch a killed bridge published last, at the ring's head: exactly it, under the same id.
      if (o.source.take(batch, resend, Infinity) !== resend) throw new ShmError({ code: 'ECORRUPT', message: `the bridge checkpoint says ${resend} messages were in flight, the ring holds fewer; remove the checkpoint object to start afresh` });
      resend = 0;
    } else {
      if (o.signal.aborted || !(await untilAborted(o.source.wait(o.signal), o.signal))) return;
      o.source.take(batch, o.limits.messages, bytes);
      if (o.limits.delayMs > 0 && batch.count < o.limits.messages && !o.signal.aborted) {
        await pause(o.limits.delayMs);
        o.source.take(batch, o.limits.messages - batch.count, bytes);
      }
    }
    const count = batch.count;
    const h = headers();
    h.set(HEADER_BATCH, formatBatchId({ sender, first: next, count }));
    if (o.layout !== undefined) h.set(HEADER_LAYOUT, o.layout);
    const payload = batch.take();
    if (o.jetstream) {
      o.checkpoint?.outPublishing(count, o.source.moved!());
      await publishStored(o, payload, h, `${sender}:${next}`);
    } else {
      await o.connection.whenUp(); // published while down, it would be dropped without a word
      o.connection.nc.publish(o.subject, payload, { headers: h });
      // The client buffers without bound: a round trip now and then keeps
      // what is in flight bounded, so a slow link backs up into the ring.
      if (++unflushed === FLUSH_EVERY) {
        unflushed = 0;
        await o.connection.nc.flush().catch(() => o.connection.whenUp());
      }
    }
    o.source.settle();
    o.checkpoint?.outReleased();
    next += count;
    o.counters.sent += count;
    o.counters.batches++;
    await pause(0); // lets the client write its buffer out
  }
}

// Until JetStream acknowledges it: a restarting server answers "no responders" for a while.
async function publishStored(o: Outbound, payload: Uint8Array, h: MsgHdrs, msgID: string): Promise<void> {
  for (let wait = 50; ; wait = Math.min(wait * 2, 2000)) {
    try {
      const ack = await o.jetstream!.publish(o.subject, payload, { headers: h, msgID, timeout: 5000 });
      if (ack.duplicate) o.counters.duplicates++;
      return;
    } catch (error) {
      o.counters.retries++;
      if (o.signal.aborted && !o.connection.up) throw new ShmError({ code: 'ECANCELED', message: 'the bridge was closed while NATS was unreachable; the batch in flight stays in the channel (a ring) and goes again on the next start', cause: error });
      await pause(wait);
      await o.connection.whenUp();
    }
  }
}
