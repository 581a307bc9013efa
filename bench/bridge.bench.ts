// Messages between two machines' worth of processes through NATS, on
// loopback: A → ring → shmkit bridge → NATS → shmkit bridge → ring → B,
// against what a NATS user would otherwise write (one nc.publish() per
// message, one subscriber). Every party is its own process; a real
// nats-server (Debian's) carries everything.
//
// Run: npm run bench:bridge [-- --rounds N --count N]
// Writes bench/results/bridge.md and bench/results/bridge.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Posix } from '../host/index.js';
import { NatsServer } from '../tests/helpers/nats-server.js';
import { median, quantile, runMain } from './measure.js';
import { RESULTS_DIR, resultRow, writeResults, type ResultRow } from './results.js';

const PARTY = fileURLToPath(new URL('./bridge/party.ts', import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const ROUNDS = flag('rounds', 3);
const COUNT = flag('count', 500_000);
const PACED_RATE = 10_000;
const PACED_SECONDS = 2;

type Line = Record<string, unknown>;
const children = new Set<ChildProcess>();
const segmentNames = new Set<string>();
const server = new NatsServer();

function party(role: string, ...rest: string[]): { child: ChildProcess; line: (test: (l: Line) => boolean) => Promise<Line> } {
  const child = spawn(process.execPath, ['--import', 'tsx', PARTY, role, ...rest], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const lines: Line[] = [];
  const waiting: Array<() => void> = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    lines.push(JSON.parse(text) as Line);
    for (const wake of waiting.splice(0)) wake();
  });
  child.once('exit', () => { for (const wake of waiting.splice(0)) wake(); });
  const line = async (test: (l: Line) => boolean): Promise<Line> => {
    for (;;) {
      const found = lines.find(test);
      if (found) return found;
      const error = lines.find((l) => 'error' in l);
      if (error || child.exitCode !== null) throw new Error(`bench party ${role} failed: ${JSON.stringify(error ?? { exit: child.exitCode })}`);
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };
  return { child, line };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface Run {
  msgsPerSecond: number;
  latenciesUs: number[];
  batches?: number;
}

let runs = 0;
async function viaBridge(count: number, rate: number, jetstream: boolean): Promise<Run> {
  const id = `${process.pid}-${++runs}`;
  const [a, b] = [`/shmkit-bench-bridge-a-${id}`, `/shmkit-bench-bridge-b-${id}`];
  segmentNames.add(a).add(b);
  const subject = `bench.bridge.${runs}`;
  const nats = { servers: server.url };
  const js = jetstream ? { stream: `BENCH${runs}` } : undefined;
  const receiver = party('ring-recv', b, 'r', String(count));
  await receiver.line((l) => l.ready === true);
  const outward = party('bridge', JSON.stringify({ segment: a, ring: 'r', direction: 'out', subject, nats, ...(js ? { jetstream: js } : {}) }));
  await outward.line((l) => l.ready === true);
  const inward = party('bridge', JSON.stringify({ segment: b, ring: 'r', direction: 'in', subject, nats, ...(js ? { jetstream: { ...js, durable: 'bench' } } : {}) }));
  await inward.line((l) => l.ready === true);
  party('ring-send', a, 'r', String(count), String(rate));
  const got = await receiver.line((l) => 'count' in l);
  await stop(outward.child);
  const outLine = await outward.line((l) => 'stats' in l);
  const stats = outLine.stats as { batches: number };
  await stop(inward.child);
  if (process.env.BRIDGE_BENCH_CPU) console.error('cpu ms: out', outLine.cpuMs, 'in', (await inward.line((l) => 'stats' in l)).cpuMs, 'recv', got.cpuMs);
  for (const name of [a, b]) Posix.remove(name);
  segmentNames.delete(a);
  segmentNames.delete(b);
  return { msgsPerSecond: (got.count as number) / (got.seconds as number), latenciesUs: got.latenciesUs as number[], batches: stats.batches };
}

async function plainNats(count: number, rate: number): Promise<Run> {
  const subject = `bench.plain.${++runs}`;
  const receiver = party('nats-recv', server.url, subject, String(count));
  await receiver.line((l) => l.ready === true);
  party('nats-send', server.url, subject, String(count), String(rate));
  const got = await receiver.line((l) => 'count' in l);
  if (got.count !== count) throw new Error(`the plain NATS subscriber got ${String(got.count)} of ${count} messages (a slow consumer, dropped by the server)`);
  return { msgsPerSecond: count / (got.seconds as number), latenciesUs: got.latenciesUs as number[] };
}

const PLAIN = 'NATS client, one publish() per message';
const CORE = 'shmkit ring → bridge → NATS → bridge → ring';
const STORED = 'shmkit ring → bridge → JetStream → bridge → ring';

async function main(): Promise<void> {
  await server.start();
  const throughput = new Map<string, number[]>([[PLAIN, []], [CORE, []], [STORED, []]]);
  const paced = new Map<string, { p50: number[]; p99: number[] }>([[PLAIN, { p50: [], p99: [] }], [CORE, { p50: [], p99: [] }], [STORED, { p50: [], p99: [] }]]);
  const batches: number[] = [];
  const cases: Array<[string, (count: number, rate: number) => Promise<Run>]> = [
    [PLAIN, plainNats], [CORE, (c, r) => viaBridge(c, r, false)], [STORED, (c, r) => viaBridge(c, r, true)],
  ];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, run] of cases) {
      console.error(`round ${round}/${ROUNDS}: ${name}: ${COUNT} messages flat out, then ${PACED_RATE} msgs/s for ${PACED_SECONDS} s`);
      const flat = await run(COUNT, 0);
      throughput.get(name)!.push(flat.msgsPerSecond);
      if (name === CORE) batches.push(COUNT / flat.batches!);
      const slow = await run(PACED_RATE * PACED_SECONDS, PACED_RATE);
      paced.get(name)!.p50.push(quantile(slow.latenciesUs, 0.5));
      paced.get(name)!.p99.push(quantile(slow.latenciesUs, 0.99));
    }
  }
  const rows: ResultRow[] = [];
  const lines = [
    '## NATS bridge: 64-byte messages between processes through a nats-server on loopback', '',
    `${ROUNDS} rounds, interleaved; each: ${COUNT} messages as fast as the sender can, then ${PACED_RATE} msgs/s for ${PACED_SECONDS} s (latency: from the sender's clock before send to the receiver's after receive, one clock for the machine). Medians over the rounds. nats-server from Debian; every party its own process.`, '',
    '| case | msgs/s (median) | min–max | × plain NATS | latency p50 at 10k/s, µs | p99 at 10k/s, µs |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  const plain = median(throughput.get(PLAIN)!);
  for (const [name] of cases) {
    const t = throughput.get(name)!;
    const p = paced.get(name)!;
    rows.push(resultRow('throughput', name, 'msgs/s', 'higher', t), resultRow('latency p50 at 10k msgs/s', name, 'µs', 'lower', p.p50), resultRow('latency p99 at 10k msgs/s', name, 'µs', 'lower', p.p99));
    lines.push(`| ${name} | ${Math.round(median(t))} | ${Math.round(Math.min(...t))}–${Math.round(Math.max(...t))} | ${(median(t) / plain).toFixed(2)}× | ${median(p.p50).toFixed(0)} | ${median(p.p99).toFixed(0)} |`);
  }
  const ratio = median(throughput.get(CORE)!) / plain;
  const p99 = median(paced.get(CORE)!.p99);
  lines.push('', '### Goals (issue 14), in this run',
    `- bridge throughput ≥ 5× a per-message publisher: ${ratio.toFixed(2)}× (${Math.round(median(throughput.get(CORE)!))} ÷ ${Math.round(plain)} msgs/s): ${ratio >= 5 ? 'met' : '**NOT met**'}`,
    `- bridge latency under 1 ms at 10k msgs/s: p99 ${p99.toFixed(0)} µs (p50 ${median(paced.get(CORE)!.p50).toFixed(0)} µs): ${p99 < 1000 ? 'met' : '**NOT met**'}`,
    `- messages per NATS publish through the bridge, flat out: ${median(batches).toFixed(0)}`, '');
  writeFileSync(`${RESULTS_DIR}bridge.md`, lines.join('\n'));
  console.log(lines.join('\n'));
  writeResults('bridge', rows, { rounds: ROUNDS, count: COUNT, pacedRate: PACED_RATE, pacedSeconds: PACED_SECONDS });
}

runMain(main, () => {
  for (const child of children) child.kill('SIGKILL');
  for (const name of segmentNames) {
    try {
      Posix.remove(name);
    } catch { /* gone */ }
  }
  void server.stop();
});
