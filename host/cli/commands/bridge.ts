// bridge: a channel of a formatted segment forwarded to a NATS subject, or a
// subject into a channel, until SIGINT or SIGTERM (which drain it first).
import { readFileSync } from 'node:fs';
import type { BridgeOptions, BridgeStats, NatsOptions } from '../../bridge/index.js';
import { ManagedSegment } from '../../format/managed.js';
import { JSON_OPTION, TARGET_OPTIONS, TARGET_USAGE, type Command, type Flags } from '../command.js';
import { printLine, printMessage } from '../output.js';
import { parseTarget } from '../target.js';
import { openTarget } from '../target-io.js';
import { usageError } from '../usage-error.js';
import { parseSize } from '../values.js';

const FORMAT_WAIT_MS = 1000;

export const bridge: Command = {
  name: 'bridge',
  summary: 'forward a channel to a NATS subject, or a subject into a channel',
  usage: [`bridge (out | in) ${TARGET_USAGE} --channel NAME (--ring CAPACITY | --queue SLOTSxSIZE | --broadcast SLOTSxSIZE) --subject S [--server URL] [--jetstream STREAM [--durable NAME]] [--stats] [--json]`],
  description: [
    "out: the channel's messages go to the subject, batched; in: the subject's batches come into the channel.",
    'With --jetstream, delivery is at least once, and for a ring exactly once across a killed bridge',
    '(its place is kept in the segment, as the object NAME.nats); without, core NATS, at most once,',
    'with losses counted. Credentials come from the environment, never the command line:',
    'NATS_USER and NATS_PASSWORD, or NATS_TOKEN. Runs until SIGINT or SIGTERM, which drain it.',
  ].join('\n'),
  options: {
    ...TARGET_OPTIONS,
    channel: { type: 'string', value: 'NAME', description: 'the channel in the segment' },
    ring: { type: 'string', value: 'CAPACITY', description: 'the channel is an SPSC ring of this capacity' },
    queue: { type: 'string', value: 'SLOTSxSIZE', description: 'the channel is an MPMC queue of this shape' },
    broadcast: { type: 'string', value: 'SLOTSxSIZE', description: 'the channel is a broadcast of this shape (out only)' },
    mode: { type: 'string', value: 'MODE', description: "the broadcast's mode: lossy (default) or backpressure" },
    subject: { type: 'string', value: 'S', description: 'the NATS subject' },
    server: { type: 'string', value: 'URL', description: 'the NATS server (default nats://127.0.0.1:4222)' },
    jetstream: { type: 'string', value: 'STREAM', description: 'go through this JetStream stream (out makes it if missing)' },
    durable: { type: 'string', value: 'NAME', description: "in: the durable consumer's name (default shmkit-bridge)" },
    'batch-messages': { type: 'string', value: 'N', description: 'out: at most N messages per NATS message (default 1024)' },
    'batch-delay-ms': { type: 'string', value: 'MS', description: 'out: how long a batch that is not full may wait for more (default 0)' },
    'tls-ca': { type: 'string', value: 'FILE', description: "the CA that signed the server's certificate" },
    'tls-cert': { type: 'string', value: 'FILE', description: 'a client certificate (with --tls-key)' },
    'tls-key': { type: 'string', value: 'FILE', description: "the client certificate's key" },
    stats: { type: 'boolean', description: 'print the counters every second (on stderr; with --json as JSON lines on stdout)' },
    ...JSON_OPTION,
  },
  examples: [
    'shmkit bridge out /plant --channel frames --ring 1MiB --subject plant.frames --jetstream PLANT',
    'shmkit bridge in /plant --channel frames --ring 1MiB --subject plant.frames --jetstream PLANT --stats',
  ],
  async run(parsed) {
    const [direction, ...rest] = parsed.positionals;
    if (direction !== 'out' && direction !== 'in') usageError(`say which way first: 'shmkit bridge out …' (channel → NATS) or 'shmkit bridge in …' (NATS → channel); got ${direction === undefined ? 'nothing' : `'${direction}'`}`);
    const { flags } = parsed;
    const name = required(flags, 'channel');
    const subject = required(flags, 'subject');
    const nats = natsOptions(flags);
    const jetstream = typeof flags.jetstream === 'string' ? { stream: flags.jetstream, ...(typeof flags.durable === 'string' ? { durable: flags.durable } : {}) } : undefined;
    const batch = {
      ...(typeof flags['batch-messages'] === 'string' ? { messages: parseSize(flags['batch-messages'], 'batch-messages', 1) } : {}),
      ...(typeof flags['batch-delay-ms'] === 'string' ? { delayMs: Number(flags['batch-delay-ms']) } : {}),
    };
    const managed = new ManagedSegment(openTarget(parseTarget({ positionals: rest, flags }), false), { timeoutMs: FORMAT_WAIT_MS });
    try {
      const channel = openChannel(managed, name, flags);
      const options: BridgeOptions = { channel, direction, subject, nats, batch, ...(jetstream ? { jetstream } : {}) };
      if (jetstream && 'capacity' in channel) options.checkpoint = { segment: managed, name };
      const { openBridge } = await import('../../bridge/index.js'); // the NATS client loads only for this command
      const running = await openBridge(options);
      const report = (s: BridgeStats) => (flags.json ? printLine(JSON.stringify(s)) : printMessage(describe(s)));
      if (flags.stats) running.on('stats', report);
      const stop = () => void running.close().catch(() => undefined);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      printMessage(`shmkit bridge ${direction}: ${name} ${direction === 'out' ? '→' : '←'} ${subject}${jetstream ? ` (JetStream ${jetstream.stream})` : ''}; SIGINT or SIGTERM to stop`);
      try {
        await running.done;
      } finally {
        await running.close().catch(() => undefined);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        report(running.stats());
      }
      return 0;
    } finally {
      managed.close();
    }
  },
};

function required(flags: Flags, flag: string): string {
  const value = flags[flag];
  if (typeof value !== 'string' || value === '') usageError(`--${flag} is required`);
  return value;
}

function openChannel(managed: ManagedSegment, name: string, flags: Flags) {
  const given = (['ring', 'queue', 'broadcast'] as const).filter((kind) => typeof flags[kind] === 'string');
  if (given.length !== 1) usageError('give the channel\'s kind and shape: --ring CAPACITY, --queue SLOTSxSIZE or --broadcast SLOTSxSIZE');
  const kind = given[0]!;
  if (kind === 'ring') return managed.ring(name, parseSize(flags.ring as string, 'ring', 1));
  const shape = /^(\w+)x(\w+)$/i.exec(flags[kind] as string);
  if (!shape) usageError(`--${kind} must be SLOTSxSIZE, like 1024x64: got '${String(flags[kind])}'`);
  const slots = parseSize(shape[1]!, kind, 1);
  const slotSize = parseSize(shape[2]!, kind, 1);
  if (kind === 'queue') return managed.queue(name, { slots, slotSize });
  const mode = flags.mode === undefined ? 'lossy' : flags.mode;
  if (mode !== 'lossy' && mode !== 'backpressure') usageError(`--mode must be lossy or backpressure: got '${String(mode)}'`);
  return managed.broadcast(name, { slots, slotSize, mode });
}

// Secrets from the environment: a command line is visible to every user in ps.
function natsOptions(flags: Flags): NatsOptions {
  const env = process.env;
  const tls = typeof flags['tls-ca'] === 'string' || typeof flags['tls-cert'] === 'string'
    ? {
      ...(typeof flags['tls-ca'] === 'string' ? { ca: readFileSync(flags['tls-ca'], 'utf8') } : {}),
      ...(typeof flags['tls-cert'] === 'string' ? { cert: readFileSync(flags['tls-cert'], 'utf8'), key: readFileSync(required(flags, 'tls-key'), 'utf8') } : {}),
    }
    : undefined;
  return {
    servers: typeof flags.server === 'string' ? flags.server : 'nats://127.0.0.1:4222',
    ...(env.NATS_USER ? { user: env.NATS_USER, pass: env.NATS_PASSWORD ?? '' } : {}),
    ...(env.NATS_TOKEN ? { token: env.NATS_TOKEN } : {}),
    ...(tls ? { tls } : {}),
  };
}

function describe(s: BridgeStats): string {
  const moved = s.direction === 'out' ? `${s.sent} sent in ${s.batches} batches` : `${s.received} received, ${s.written} written`;
  return `${s.direction} ${s.subject}: ${moved}, ${s.duplicates} duplicates dropped, ${s.lost} lost, ${s.retries} retries, ${s.reconnects} reconnects, ${s.connected ? 'connected' : 'DISCONNECTED'}`;
}
