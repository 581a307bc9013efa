// The NATS bridge against a real nats-server (JetStream on, loopback, a
// temporary store): process A → ring → bridge → NATS → bridge → ring →
// process B, with every party its own process, counting every message at
// both ends; bridges killed with SIGKILL and a server restarted mid-stream.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openOrCreate } from '../host/api/open-or-create.js';
import { Posix } from '../host/api/posix.js';
import { openBridge } from '../host/bridge/index.js';
import { CLI, fixtureStart } from './helpers/processes.js';
import { NatsServer } from './helpers/nats-server.js';
import { freshName, trackPosix } from './helpers/resources.js';
import { SEGMENT_SIZE } from './fixtures/bridge-party.js';

type Line = Record<string, unknown>;

/** A party process: its JSON lines as they come. */
class Party {
  readonly child: ChildProcess;
  readonly lines: Line[] = [];
  #waiters: Array<() => void> = [];
  stderr = '';

  constructor(args: string[], netns?: string) {
    const start = fixtureStart('bridge-party.ts', {});
    const node = [process.execPath, ...start.args, ...args];
    this.child = netns
      ? spawn('ip', ['netns', 'exec', netns, ...node], { ...start.options, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(node[0]!, node.slice(1), { ...start.options, stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.lines.push(JSON.parse(line) as Line);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.child.stderr!.on('data', (chunk) => (this.stderr += chunk));
    this.child.once('exit', () => {
      for (const wake of this.#waiters.splice(0)) wake();
    });
    parties.add(this);
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** The first line `test` accepts, waiting up to `ms`. */
  async line(test: (l: Line) => boolean, what: string, ms = 120_000): Promise<Line> {
    const end = Date.now() + ms;
    for (;;) {
      const found = this.lines.find(test);
      if (found) return found;
      const error = this.lines.find((l) => 'error' in l);
      if (error || this.exited || Date.now() > end) {
        throw new Error(`waiting for ${what}: ${error ? JSON.stringify(error) : this.exited ? 'the party exited' : 'timed out'}\n${this.stderr.slice(-2000)}`);
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }
}

const parties = new Set<Party>();
const server = new NatsServer();

const bridge = suite('NATS bridge');

bridge.before(async () => {
  await server.start();
});

bridge.after.each(async () => {
  for (const p of parties) await p.stop('SIGKILL');
  parties.clear();
});

bridge.after(async () => {
  await server.stop();
});

function segments(): [string, string] {
  return [trackPosix(freshName('bridge-a')), trackPosix(freshName('bridge-b'))];
}

function removeSegments(names: string[]): void {
  for (const name of names) {
    try {
      Posix.remove(name);
    } catch { /* already gone */ }
  }
}

const bridgeArgs = (options: Record<string, unknown>) => ['bridge', JSON.stringify({ nats: { servers: server.url }, ...options })];

bridge('options are checked before anything connects or acquires a role', async () => {
  const name = trackPosix(freshName('bridge-opts'));
  const seg = openOrCreate({ kind: 'posix', name, size: SEGMENT_SIZE });
  try {
    const ring = seg.ring('r', 1 << 16);
    const closedPort = { servers: 'nats://127.0.0.1:1' }; // nothing listens: an attempt to connect would fail differently
    const cases: Array<[string, Record<string, unknown>]> = [
      ['unknown key', { channel: ring, direction: 'out', subject: 'a.b', nats: closedPort, colour: 'red' }],
      ['bad direction', { channel: ring, direction: 'sideways', subject: 'a.b', nats: closedPort }],
      ['wildcard subject', { channel: ring, direction: 'out', subject: 'a.*', nats: closedPort }],
      ['unknown nats key', { channel: ring, direction: 'out', subject: 'a.b', nats: { ...closedPort, maxReconnectAttempts: 3 } }],
      ['ring through JetStream without a checkpoint', { channel: ring, direction: 'in', subject: 'a.b', nats: closedPort, jetstream: { stream: 'S' } }],
      ['broadcast inward', { channel: seg.broadcast('b', { slots: 16, slotSize: 64 }), direction: 'in', subject: 'a.b', nats: closedPort }],
      ['batch too large', { channel: ring, direction: 'out', subject: 'a.b', nats: closedPort, batch: { messages: 1e9 } }],
      ['not a channel', { channel: {}, direction: 'out', subject: 'a.b', nats: closedPort }],
    ];
    for (const [what, options] of cases) {
      const error = await openBridge(options as never).then(() => null, (e: { code?: string }) => e);
      assert.is(error?.code, 'EINVAL', what);
    }
    assert.is(ring.acquireConsumer().closed, false, 'no role was taken by a refused bridge');
    const refused = await openBridge({ channel: ring, direction: 'in', subject: 'a.b', nats: closedPort }).then(() => null, (e: { code?: string; message: string }) => e);
    assert.is(refused?.code, 'ECONNREFUSED');
  } finally {
    seg.close();
    removeSegments([name]);
  }
});

bridge('a checkpoint another process scribbled on is refused (ECORRUPT), at open and where a count is read', async () => {
  const name = trackPosix(freshName('bridge-checkpoint'));
  const seg = openOrCreate({ kind: 'posix', name, size: SEGMENT_SIZE });
  try {
    const ring = seg.ring('r', 1 << 16);
    const words = (() => {
      const bytes = seg.findOrCreate('r.nats', { bytes: 80, align: 8 });
      return new BigUint64Array(bytes.buffer, bytes.byteOffset, 10);
    })();
    const options = { channel: ring, direction: 'out' as const, subject: 'test.checkpoint', nats: { servers: server.url }, jetstream: { stream: 'CHECKPOINT' }, checkpoint: { segment: seg, name: 'r' } };
    words.fill(0xdeadbeefn);
    const refused = await openBridge(options).then(() => null, (e: { code?: string }) => e);
    assert.is(refused?.code, 'ECORRUPT', 'a wrong magic');
    words.fill(0n); // fresh: the bridge writes magic and key
    const fine = await openBridge(options);
    await fine.close();
    words[3] = 1n << 40n; // outPending: far more than a batch can hold
    const scribbled = await openBridge(options);
    const stopped = await scribbled.done.then(() => null, (e: { code?: string }) => e);
    assert.is(stopped?.code, 'ECORRUPT', 'an impossible batch count');
    await scribbled.close().catch(() => undefined);
  } finally {
    seg.close();
    removeSegments([name]);
  }
});

bridge('core NATS: 1,000,000 messages from A to B in order and whole, in far fewer publishes', async () => {
  const [a, b] = segments();
  const count = 1_000_000;
  try {
    const consumer = new Party(['consume', b, 'in', String(count)]);
    const inward = new Party(bridgeArgs({ segment: b, ring: 'in', direction: 'in', subject: 'test.core' }));
    await inward.line((l) => l.ready === true, 'the inward bridge');
    const outward = new Party(bridgeArgs({ segment: a, ring: 'out', direction: 'out', subject: 'test.core' }));
    await outward.line((l) => l.ready === true, 'the outward bridge');
    const producer = new Party(['produce', a, 'out', String(count)]);
    await producer.line((l) => l.sent === count, 'the producer');
    const seen = await consumer.line((l) => 'received' in l, 'the consumer');
    assert.equal(seen, { received: count, repeated: 0, bad: 0, skipped: 0 });
    await outward.stop();
    await inward.stop();
    const out = (await outward.line((l) => 'stats' in l, 'outward stats')).stats as Record<string, number>;
    const into = (await inward.line((l) => 'stats' in l, 'inward stats')).stats as Record<string, number>;
    assert.is(out.sent, count);
    assert.ok(out.batches * 10 <= count, `${out.batches} publishes for ${count} messages`);
    assert.is(into.written, count);
    assert.is(into.lost, 0);
  } finally {
    removeSegments([a, b]);
  }
});

/** A → out-bridge → JetStream → in-bridge → B, with `disturb` run once B has seen `after` messages. */
async function jetstreamRun(count: number, after: number, disturb: (restart: Record<string, () => Promise<void>>) => Promise<void>): Promise<void> {
  const [a, b] = segments();
  const stream = `S${Date.now() % 1e6}`;
  const subject = `test.js.${stream}`;
  const outArgs = bridgeArgs({ segment: a, ring: 'out', direction: 'out', subject, jetstream: { stream }, checkpoint: true });
  const inArgs = bridgeArgs({ segment: b, ring: 'in', direction: 'in', subject, jetstream: { stream, durable: 'b', ackWaitMs: 1000 }, checkpoint: true });
  try {
    const consumer = new Party(['consume', b, 'in', String(count)]);
    let outward = new Party(outArgs);
    await outward.line((l) => l.ready === true, 'the outward bridge');
    let inward = new Party(inArgs);
    await inward.line((l) => l.ready === true, 'the inward bridge');
    const producer = new Party(['produce', a, 'out', String(count)]);
    await consumer.line((l) => typeof l.progress === 'number' && l.progress >= after, `B past ${after}`);
    await disturb({
      outward: async () => {
        await outward.stop('SIGKILL');
        outward = new Party(outArgs);
        await outward.line((l) => l.ready === true, 'the outward bridge again');
      },
      inward: async () => {
        await inward.stop('SIGKILL');
        inward = new Party(inArgs);
        await inward.line((l) => l.ready === true, 'the inward bridge again');
      },
    });
    await producer.line((l) => l.sent === count, 'the producer');
    const seen = await consumer.line((l) => 'received' in l, 'the consumer');
    assert.equal(seen, { received: count, repeated: 0, bad: 0, skipped: 0 }, 'B saw each message once, in order');
  } finally {
    removeSegments([a, b]);
  }
}

bridge('JetStream: both bridges killed with SIGKILL mid-stream; B sees every message exactly once', async () => {
  await jetstreamRun(300_000, 60_000, async (restart) => {
    await restart.outward!();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await restart.inward!();
  });
});

bridge('JetStream: the server restarts mid-stream; the bridges reconnect and nothing is lost or repeated', async () => {
  await jetstreamRun(200_000, 40_000, async () => {
    await server.stop({ keepStore: true });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server.start();
  });
});

bridge('a batch of another record layout is refused with ELAYOUT', async () => {
  const [a, b] = segments();
  try {
    const inward = new Party(bridgeArgs({ segment: b, ring: 'in', direction: 'in', subject: 'test.layout' }));
    await inward.line((l) => l.ready === true, 'the inward bridge');
    const outward = new Party(bridgeArgs({ segment: a, ring: 'out', record: true, direction: 'out', subject: 'test.layout' }));
    await outward.line((l) => l.ready === true, 'the outward bridge');
    new Party(['produce', a, 'out', '10', 'record']);
    const refusal = await inward.line((l) => 'error' in l, 'the refusal').catch((e: Error) => ({ error: e.message }));
    assert.is(refusal.error, 'ELAYOUT', JSON.stringify(refusal));
  } finally {
    removeSegments([a, b]);
  }
});

async function until(test: () => boolean, what: string, ms = 60_000): Promise<void> {
  for (const end = Date.now() + ms; !test(); await new Promise((resolve) => setTimeout(resolve, 20))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

bridge('an MPMC queue both ways, and a broadcast outward, keep order and bytes', async () => {
  const name = trackPosix(freshName('bridge-kinds'));
  const seg = openOrCreate({ kind: 'posix', name, size: SEGMENT_SIZE });
  const nats = { servers: server.url };
  const open: Array<{ close(): Promise<void> }> = [];
  try {
    const from = seg.queue('from', { slots: 1024, slotSize: 64 });
    const to = seg.queue('to', { slots: 1024, slotSize: 64 });
    open.push(await openBridge({ channel: to, direction: 'in', subject: 'test.queue', nats }));
    open.push(await openBridge({ channel: from, direction: 'out', subject: 'test.queue', nats }));
    const count = 20_000;
    let popped = 0;
    const message = new Uint8Array(64);
    const receiving = (async () => {
      for (; popped < count; popped++) {
        const m = await to.popAsync({ timeoutMs: 30_000 });
        assert.ok(m !== null, `message ${popped} came`);
        assert.is(new DataView(m!.buffer, m!.byteOffset).getUint32(0, true), popped);
        assert.is(m![63], popped & 255);
      }
    })();
    for (let i = 0; i < count; i++) {
      new DataView(message.buffer).setUint32(0, i, true);
      message[63] = i & 255;
      if (!from.tryPush(message)) await from.pushAsync(message);
    }
    await receiving;
    assert.is(popped, count);

    const ticks = seg.broadcast('ticks', { slots: 256, slotSize: 64, mode: 'backpressure' });
    const ring = seg.ring('ticks-in', 1 << 16);
    const consumer = ring.acquireConsumer();
    open.push(await openBridge({ channel: ring, direction: 'in', subject: 'test.ticks', nats }));
    open.push(await openBridge({ channel: ticks, direction: 'out', subject: 'test.ticks', nats }));
    const writer = ticks.acquireWriter();
    for (let i = 0; i < 1000; i++) {
      message[0] = i & 255;
      while (!writer.tryPublish(message)) await new Promise((resolve) => setImmediate(resolve));
    }
    for (let i = 0; i < 1000; i++) {
      const m = await consumer.receiveAsync({ timeoutMs: 30_000 });
      assert.ok(m !== null && m[0] === (i & 255), `tick ${i}`);
    }
    writer.close();
    consumer.close();
  } finally {
    for (const b of open) await b.close().catch(() => undefined);
    seg.close();
    removeSegments([name]);
  }
});

bridge('shmkit bridge (CLI): forwards until SIGINT, then drains and prints its counters', async () => {
  const [a, b] = segments();
  const segA = openOrCreate({ kind: 'posix', name: a, size: SEGMENT_SIZE });
  const segB = openOrCreate({ kind: 'posix', name: b, size: SEGMENT_SIZE });
  let inward: { close(): Promise<void> } | undefined;
  try {
    const producer = segA.ring('r', 1 << 16).acquireProducer();
    const consumer = segB.ring('r', 1 << 16).acquireConsumer();
    inward = await openBridge({ channel: segB.ring('r', 1 << 16), direction: 'in', subject: 'test.cli', nats: { servers: server.url } });
    const cli = spawn(process.execPath, [CLI, 'bridge', 'out', a, '--channel', 'r', '--ring', '64KiB', '--subject', 'test.cli', '--server', server.url, '--stats', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (chunk) => (stdout += chunk));
    cli.stderr.on('data', (chunk) => (stderr += chunk));
    await until(() => stderr.includes('SIGINT or SIGTERM to stop'), 'the CLI bridge to start');
    for (let i = 0; i < 1000; i++) {
      const m = new Uint8Array(16).fill(i & 255);
      if (!producer.trySend(m)) await producer.sendAsync(m);
    }
    for (let i = 0; i < 1000; i++) {
      const m = await consumer.receiveAsync({ timeoutMs: 30_000 });
      assert.ok(m !== null && m.length === 16 && m[15] === (i & 255), `message ${i}`);
    }
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    cli.kill('SIGINT');
    assert.is(await exited, 0, stderr);
    const last = JSON.parse(stdout.trim().split('\n').pop()!) as { sent: number; batches: number };
    assert.is(last.sent, 1000);
    assert.ok(last.batches >= 1 && last.batches <= 1000);
    assert.not.match(stdout + stderr, /password|token/i);
    producer.close();
    consumer.close();
  } finally {
    await inward?.close().catch(() => undefined);
    segA.close();
    segB.close();
    removeSegments([a, b]);
  }
});

// Two hosts as far as the network goes: namespaces joined by a veth pair, each
// bridge in its own, the server in the second. (Shared memory is still one
// machine's: each host's ring is its own segment.)
const NS = [`shmkit-a-${process.pid}`, `shmkit-b-${process.pid}`] as const;
const VETH = [`shka${process.pid % 100000}`, `shkb${process.pid % 100000}`] as const;
const ADDRESS = ['10.213.77.1', '10.213.77.2'] as const;

function ip(...args: string[]): boolean {
  return spawnSync('ip', args, { stdio: 'ignore' }).status === 0;
}

function makeHosts(): boolean {
  if (!ip('netns', 'add', NS[0])) return false;
  const ok = ip('netns', 'add', NS[1]) && ip('link', 'add', VETH[0], 'type', 'veth', 'peer', 'name', VETH[1])
    && [0, 1].every((k) => ip('link', 'set', VETH[k]!, 'netns', NS[k]!) && ip('-n', NS[k]!, 'addr', 'add', `${ADDRESS[k]}/30`, 'dev', VETH[k]!)
      && ip('-n', NS[k]!, 'link', 'set', VETH[k]!, 'up') && ip('-n', NS[k]!, 'link', 'set', 'lo', 'up'));
  if (!ok) removeHosts();
  return ok;
}

function removeHosts(): void {
  for (const ns of NS) ip('netns', 'del', ns); // takes its end of the veth pair with it
}

bridge('two hosts (network namespaces, a veth pair): A → bridge on host 1 → NATS on host 2 → bridge → B', async () => {
  if (!makeHosts()) {
    console.log('  (network namespaces are not available here: ran on one host only)');
    return;
  }
  const remote = new NatsServer({ address: ADDRESS[1], netns: NS[1] });
  const [a, b] = segments();
  try {
    await remote.start();
    const count = 100_000;
    const nats = { servers: remote.url };
    const consumer = new Party(['consume', b, 'in', String(count)]);
    const inward = new Party(['bridge', JSON.stringify({ segment: b, ring: 'in', direction: 'in', subject: 'test.hosts', nats })], NS[1]);
    await inward.line((l) => l.ready === true, 'the bridge on host 2');
    const outward = new Party(['bridge', JSON.stringify({ segment: a, ring: 'out', direction: 'out', subject: 'test.hosts', nats })], NS[0]);
    await outward.line((l) => l.ready === true, 'the bridge on host 1');
    new Party(['produce', a, 'out', String(count)]);
    assert.equal(await consumer.line((l) => 'received' in l, 'the consumer'), { received: count, repeated: 0, bad: 0, skipped: 0 });
    const unreachable = spawnSync(process.execPath, ['-e', `require('net').connect(${remote.port}, '${ADDRESS[1]}').on('error', (e) => { console.log(e.code); process.exit(0) }).on('connect', () => { console.log('connected'); process.exit(0) })`], { encoding: 'utf8' });
    assert.not.equal(unreachable.stdout.trim(), 'connected', 'the server is not reachable from outside the two hosts');
  } finally {
    for (const p of parties) await p.stop('SIGKILL');
    await remote.stop();
    removeHosts();
    removeSegments([a, b]);
  }
});

bridge.run();
