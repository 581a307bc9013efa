// openBridge(): one channel, one NATS subject, one direction. The options
// are checked before anything connects or acquires a role.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { invalidArgument } from '../errors.js';
import { checkOptions, describeValue } from '../core/validate.js';
import { ManagedSegment } from '../format/managed.js';
import { Broadcast } from '../channel/broadcast.js';
import { SpscRing } from '../channel/spsc-ring.js';
import { Checkpoint } from './checkpoint.js';
import { Connection, checkNatsOptions, type NatsOptions } from './connection.js';
import { type Counters, zeroCounters } from './counters.js';
import { type Channel, isChannel, sinkOf, sourceOf } from './endpoints.js';
import { inboundFeed, runInbound } from './inbound.js';
import { type BatchLimits, runOutbound } from './outbound.js';
import { formatLayout, MAX_BATCH_MESSAGES } from './wire.js';

export interface JetStreamOptions {
  /** The stream that holds the subject. */
  stream: string;
  /** Inward: the durable consumer's name (default "shmkit-bridge"). */
  durable?: string;
  /** Outward: create the stream if it is missing (default true). */
  create?: boolean;
  /** Inward: how long JetStream waits for an ack before it delivers again, ms (default 5000). */
  ackWaitMs?: number;
  /** Outward, on create: how long JetStream remembers message ids, ms (default 120000). */
  duplicateWindowMs?: number;
}

export interface BridgeOptions {
  /** An SPSC ring, an MPMC queue, or (outward only) a broadcast. */
  channel: Channel;
  /** 'out': the channel's messages go to NATS; 'in': NATS's come into the channel. */
  direction: 'out' | 'in';
  subject: string;
  /** Connect options for the NATS client (servers, credentials, tls …). */
  nats?: NatsOptions;
  /** Delivery through JetStream (at least once, and once with a checkpoint); without it, core NATS (at most once). */
  jetstream?: JetStreamOptions;
  /** Where a ring's bridge keeps its place, so a restart neither loses nor repeats: the ring's segment and name. */
  checkpoint?: { segment: ManagedSegment; name: string };
  /** Outward batching (defaults: 1024 messages, 256 KiB, no added delay). */
  batch?: Partial<BatchLimits>;
  /** How often a `stats` event comes, ms (default 1000). */
  statsIntervalMs?: number;
}

export interface BridgeStats extends Counters {
  direction: 'out' | 'in';
  subject: string;
  /** Whether the NATS connection is up now. */
  connected: boolean;
  reconnects: number;
}

const OPTION_KEYS = ['channel', 'direction', 'subject', 'nats', 'jetstream', 'checkpoint', 'batch', 'statsIntervalMs'];
const JETSTREAM_KEYS = ['stream', 'durable', 'create', 'ackWaitMs', 'duplicateWindowMs'];
const BATCH_KEYS = ['messages', 'bytes', 'delayMs'];
const SUBJECT = /^[^\s*>.]+(\.[^\s*>.]+)*$/;
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** A running bridge: `stats` events, `stats()`, and close() to drain and stop. */
export class Bridge extends EventEmitter {
  readonly #counters: Counters;
  readonly #connection: Connection;
  readonly #options: BridgeOptions;
  readonly #stop = new AbortController();
  readonly #timer: NodeJS.Timeout;
  /** Settles when the bridge stopped: after close(), when the channel ended (outward), or on an error it cannot go past. */
  readonly done: Promise<void>;

  /** @internal */
  constructor(options: BridgeOptions, connection: Connection, counters: Counters, run: (signal: AbortSignal) => Promise<void>) {
    super();
    this.#options = options;
    this.#connection = connection;
    this.#counters = counters;
    this.#timer = setInterval(() => this.emit('stats', this.stats()), options.statsIntervalMs ?? 1000).unref();
    this.done = run(this.#stop.signal).finally(() => clearInterval(this.#timer));
    this.done.catch(() => undefined); // seen by whoever awaits done or close()
  }

  stats(): BridgeStats {
    return {
      direction: this.#options.direction, subject: this.#options.subject, ...this.#counters,
      connected: this.#connection.up, reconnects: this.#connection.reconnects,
    };
  }

  /** Stops taking new messages, publishes or writes what it holds, drains the connection. */
  async close(): Promise<void> {
    this.#stop.abort();
    try {
      await this.done;
    } finally {
      if (!this.#connection.nc.isClosed()) await this.#connection.nc.drain().catch(() => this.#connection.nc.close());
    }
  }
}

/** Starts a bridge between `channel` and a NATS subject (see BridgeOptions). */
export async function openBridge(options: BridgeOptions): Promise<Bridge> {
  const o = checkBridgeOptions(options);
  const ring = o.channel instanceof SpscRing;
  const layout = formatLayout(ring ? ((o.channel as SpscRing).record?.hash ?? 0n) : 0n);
  const checkpoint = o.checkpoint && o.jetstream ? Checkpoint.of(o.checkpoint.segment, o.checkpoint.name) : undefined;
  const connection = await Connection.open(o.nats ?? {}, `shmkit-bridge ${o.direction} ${o.subject}`);
  const counters = zeroCounters();
  try {
    if (o.direction === 'out') {
      const limits: BatchLimits = { messages: 1024, bytes: 256 << 10, delayMs: 0, ...o.batch };
      const js = o.jetstream ? jetstream(connection.nc) : undefined;
      if (o.jetstream && o.jetstream.create !== false) await ensureStream(connection, o.jetstream, o.subject);
      const source = sourceOf(o.channel);
      const runId = randomBytes(8).toString('hex');
      return new Bridge(o, connection, counters, (signal) => runOutbound({
        source, connection, subject: o.subject, layout, limits, jetstream: js, checkpoint, runId, counters, signal,
      }).finally(() => source.close()));
    }
    const js = o.jetstream ? {
      client: jetstream(connection.nc), manager: await jetstreamManager(connection.nc), stream: o.jetstream.stream,
      durable: o.jetstream.durable ?? 'shmkit-bridge', ackWaitMs: o.jetstream.ackWaitMs ?? 5000,
    } : undefined;
    const feed = await inboundFeed(connection, o.subject, js);
    const sink = sinkOf(o.channel);
    return new Bridge(o, connection, counters, (signal) => runInbound({
      feed, sink, connection, subject: o.subject, layout, jetstream: js, checkpoint, counters, signal,
    }).finally(() => sink.close()));
  } catch (error) {
    await connection.nc.close();
    throw error;
  }
}

async function ensureStream(connection: Connection, js: JetStreamOptions, subject: string): Promise<void> {
  const manager = await jetstreamManager(connection.nc);
  try {
    await manager.streams.info(js.stream);
  } catch {
    await manager.streams.add({ name: js.stream, subjects: [subject], duplicate_window: nanos(js.duplicateWindowMs ?? 120_000) });
  }
}

function checkBridgeOptions(options: BridgeOptions): BridgeOptions {
  const o = checkOptions<BridgeOptions>(options, OPTION_KEYS, 'openBridge');
  if (!isChannel(o.channel)) invalidArgument(`openBridge: channel must be an SPSC ring, an MPMC queue or a broadcast: got ${describeValue(o.channel)}`);
  if (o.direction !== 'out' && o.direction !== 'in') invalidArgument(`openBridge: direction must be 'out' (channel → NATS) or 'in' (NATS → channel): got ${describeValue(o.direction)}`);
  if (typeof o.subject !== 'string' || !SUBJECT.test(o.subject)) invalidArgument(`openBridge: subject must be a NATS subject without wildcards, like "plant.frames": got ${describeValue(o.subject)}`);
  checkNatsOptions(o.nats);
  if (o.jetstream !== undefined) {
    const js = checkOptions<JetStreamOptions>(o.jetstream, JETSTREAM_KEYS, 'openBridge jetstream');
    if (typeof js.stream !== 'string' || !NAME.test(js.stream)) invalidArgument(`openBridge: jetstream.stream must be a stream name (letters, digits, _ and -): got ${describeValue(js.stream)}`);
    if (js.durable !== undefined && (typeof js.durable !== 'string' || !NAME.test(js.durable))) invalidArgument(`openBridge: jetstream.durable must be a consumer name (letters, digits, _ and -): got ${describeValue(js.durable)}`);
    if (js.create !== undefined && typeof js.create !== 'boolean') invalidArgument('openBridge: jetstream.create must be true or false');
    for (const key of ['ackWaitMs', 'duplicateWindowMs'] as const) {
      if (js[key] !== undefined && !(Number.isInteger(js[key]) && js[key]! >= 100)) invalidArgument(`openBridge: jetstream.${key} must be a whole number of ms ≥ 100: got ${describeValue(js[key])}`);
    }
  }
  if (o.checkpoint !== undefined) {
    const c = checkOptions<{ segment: ManagedSegment; name: string }>(o.checkpoint, ['segment', 'name'], 'openBridge checkpoint');
    if (!(c.segment instanceof ManagedSegment) || typeof c.name !== 'string' || c.name === '') invalidArgument('openBridge: checkpoint must be { segment, name }: the ring\'s formatted segment and its name');
  }
  if (o.checkpoint && !(o.channel instanceof SpscRing)) invalidArgument('openBridge: a checkpoint is kept for SPSC rings only (a queue or broadcast has several parties, so one bridge cannot tell what it alone moved)');
  if (o.jetstream && o.channel instanceof SpscRing && !o.checkpoint) invalidArgument('openBridge: a ring bridged through JetStream needs checkpoint: { segment, name }, so a restarted bridge neither loses nor repeats a message');
  if (o.batch !== undefined) {
    const b = checkOptions<Partial<BatchLimits>>(o.batch, BATCH_KEYS, 'openBridge batch');
    if (b.messages !== undefined && !(Number.isInteger(b.messages) && b.messages >= 1 && b.messages <= MAX_BATCH_MESSAGES)) invalidArgument(`openBridge: batch.messages must be from 1 to ${MAX_BATCH_MESSAGES}: got ${describeValue(b.messages)}`);
    if (b.bytes !== undefined && !(Number.isInteger(b.bytes) && b.bytes >= 1024)) invalidArgument(`openBridge: batch.bytes must be a whole number ≥ 1024: got ${describeValue(b.bytes)}`);
    if (b.delayMs !== undefined && !(typeof b.delayMs === 'number' && b.delayMs >= 0 && b.delayMs <= 1000)) invalidArgument(`openBridge: batch.delayMs must be from 0 to 1000: got ${describeValue(b.delayMs)}`);
  }
  if (o.statsIntervalMs !== undefined && !(Number.isInteger(o.statsIntervalMs) && o.statsIntervalMs >= 10)) invalidArgument(`openBridge: statsIntervalMs must be a whole number ≥ 10: got ${describeValue(o.statsIntervalMs)}`);
  if (o.direction === 'in' && o.channel instanceof Broadcast) invalidArgument('openBridge: a broadcast is bridged outward only (it has one writer, and its readers are the ones to feed); bridge into a ring or a queue');
  return o;
}
