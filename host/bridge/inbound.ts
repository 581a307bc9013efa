// NATS → channel: each NATS message is a batch (wire.ts); its messages are
// written into the channel in order, waiting while it is full. With core
// NATS the bridge subscribes, and gaps in a sender's numbering are counted
// as lost. With JetStream it pulls from a durable consumer only as fast as
// the channel takes messages, acknowledges a batch once all of it is in the
// channel, and (into a ring, with a checkpoint) skips what a killed bridge
// had already written, so a redelivered batch is seen once.
import type { Msg, Subscription } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, type Consumer, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { ShmError } from '../errors.js';
import type { Checkpoint } from './checkpoint.js';
import type { Connection } from './connection.js';
import type { Counters } from './counters.js';
import type { Sink } from './endpoints.js';
import { pause } from './timing.js';
import { HEADER_BATCH, HEADER_LAYOUT, decodeBatch, parseBatchId } from './wire.js';

export interface JetStreamIn {
  client: JetStreamClient;
  manager: JetStreamManager;
  stream: string;
  durable: string;
  ackWaitMs: number;
}

export interface Inbound {
  /** The subscription (core NATS) or durable consumer (JetStream), made by inboundFeed(). */
  feed: Subscription | Consumer;
  sink: Sink;
  connection: Connection;
  subject: string;
  layout: string | undefined;
  jetstream: JetStreamIn | undefined;
  checkpoint: Checkpoint | undefined;
  counters: Counters;
  signal: AbortSignal;
}

/** Most JetStream messages (batches) one pull asks for: the channel's room decides the pace. */
const FETCH_BATCHES = 64;
const FETCH_EXPIRES_MS = 1000;

export async function runInbound(i: Inbound): Promise<void> {
  if (i.checkpoint) i.checkpoint.inStart(i.sink.moved!());
  const expected = new Map<string, number>(); // sender → the next message index it will send
  const deliver = async (m: Msg | JsMsg, seq: number | undefined) => {
    const layout = m.headers?.get(HEADER_LAYOUT) || undefined;
    if (layout !== i.layout) {
      throw new ShmError({ code: 'ELAYOUT', message: `a batch on "${m.subject}" carries ${layout ? `records of layout ${layout}` : 'raw bytes'}, this channel takes ${i.layout ? `records of layout ${i.layout}` : 'raw bytes'}; bridge channels of one struct type (or both raw)` });
    }
    const id = parseBatchId(m.headers?.get(HEADER_BATCH) || undefined);
    const messages = decodeBatch(m.data, id.count, i.sink.maxMessage);
    i.counters.received += messages.length;
    const next = expected.get(id.sender);
    if (next !== undefined && id.first > next) i.counters.lost += id.first - next;
    if (next === undefined || id.first + id.count > next) expected.set(id.sender, id.first + id.count);
    const done = seq === undefined || !i.checkpoint ? 0 : i.checkpoint.inAlreadyDone(seq, messages.length);
    i.counters.duplicates += done;
    for (let k = done; k < messages.length; k++) {
      i.checkpoint?.inCommitting(seq!, k + 1, i.sink.moved!());
      if (!i.sink.tryWrite(messages[k]!)) await i.sink.write(messages[k]!, i.signal); // waits only while the channel is full
      i.checkpoint?.inCommitted();
      i.counters.written++;
    }
  };
  if (i.jetstream) await pullStored(i, i.feed as Consumer, deliver);
  else await subscribed(i, i.feed as Subscription, deliver);
}

/**
 * What the inward bridge reads, made before it counts as open: a core
 * subscription the server has registered (a message published before that
 * would go to nobody), or the durable consumer.
 */
export async function inboundFeed(connection: Connection, subject: string, js: JetStreamIn | undefined): Promise<Subscription | Consumer> {
  if (js) return durableConsumer(subject, js);
  const subscription = connection.nc.subscribe(subject);
  await connection.nc.flush();
  return subscription;
}

async function subscribed(i: Inbound, subscription: Subscription, deliver: (m: Msg, seq: undefined) => Promise<void>): Promise<void> {
  const stop = () => void subscription.drain().catch(() => subscription.unsubscribe()); // what the client holds is still written
  i.signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const m of subscription) await deliver(m, undefined);
  } finally {
    i.signal.removeEventListener('abort', stop);
  }
}

async function pullStored(i: Inbound, consumer: Consumer, deliver: (m: JsMsg, seq: number) => Promise<void>): Promise<void> {
  while (!i.signal.aborted) {
    try {
      const batches = await consumer.fetch({ max_messages: FETCH_BATCHES, expires: FETCH_EXPIRES_MS });
      for await (const m of batches) {
        await deliver(m, m.seq);
        m.ack(); // after the whole batch is in the channel: a crash before it brings the batch again
        if (i.signal.aborted) break;
      }
    } catch (error) {
      if (error instanceof ShmError) throw error;
      if (i.signal.aborted) return;
      i.counters.retries++;
      await pause(100);
      await i.connection.whenUp();
    }
  }
}

async function durableConsumer(subject: string, js: JetStreamIn): Promise<Consumer> {
  for (let wait = 100, tries = 1; ; wait = Math.min(2 * wait, 2000), tries++) {
    try {
      await js.manager.consumers.add(js.stream, {
        durable_name: js.durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
        filter_subject: subject, ack_wait: nanos(js.ackWaitMs),
        // One batch unacknowledged at a time keeps delivery in stream order even across a
        // crash: nothing newer comes before the batch a killed bridge left unacknowledged.
        // The checkpoint relies on that order, and the batch is large enough to keep the pace.
        max_ack_pending: 1,
      });
      return await js.client.consumers.get(js.stream, js.durable);
    } catch (error) {
      if (/stream not found/i.test(String((error as Error).message))) {
        throw new ShmError({ code: 'ENOENT', message: `JetStream has no stream "${js.stream}"; create it (the outward bridge does, with jetstream.create), or name the right one`, cause: error });
      }
      if (tries === 10) throw new ShmError({ code: 'ETIMEDOUT', message: `JetStream did not make the durable consumer "${js.durable}" on stream "${js.stream}": ${(error as Error).message}`, cause: error });
      await pause(wait);
    }
  }
}
