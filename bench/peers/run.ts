// npm run bench:peers: shmkit beside the fastest zero-copy IPC there is,
// iceoryx2, in the same run on the same machine with the same 64-byte
// messages. Builds bench/peers/iceoryx2 (our Rust program over the iceoryx2
// crate) with `cargo build --release` into build/peers-target, then runs its
// cases (bench/channel/iceoryx2-cases.ts) interleaved in rounds with the
// matching rows of the channel bench: shmkit's SPSC ring (busy-wait and
// blocking round trips, one send() per message, sendPacked, the stream), the
// C limits and the unix socket those rows are compared with. Writes
// bench/results/peers.md and peers.json and prints the tables.
//
// Run: node --import tsx bench/peers/run.ts [--quick] [--rounds N]
//        [--repeats N] [--seconds S] [--stream-mib N] [--only TEXT]
// (the channel bench's options; see bench/channel.bench.ts)
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cleanUp, installCleanup, othersCpuSeconds, privateDir, type Case, type Kind, type Settings } from '../channel/case.js';
import { cCases, C_ADAPTIVE, C_FUTEX, C_RING_BATCH, C_RING_ONE, C_RING_STREAM, C_SPIN } from '../channel/c-cases.js';
import { iceoryx2Cases, IOX_LISTENER, IOX_MANIFEST, IOX_ONE, IOX_SPIN, IOX_SPIN_WAITSET, IOX_STREAM, IOX_STREAM_LARGE, IOX_TARGET_DIR, IOX_VERSION, IOX_WAITSET } from '../channel/iceoryx2-cases.js';
import { nodeCases, UNIX_LATENCY, UNIX_ONE, UNIX_PACKED, UNIX_STREAM } from '../channel/node-cases.js';
import { fmt, formatBytes, TITLES, value, type Row } from '../channel/report.js';
import { KINDS, options, runLines, runRounds, selectCases } from '../channel/run-cases.js';
import { SHMKIT_BLOCK, SHMKIT_ONE, SHMKIT_PACKED, SHMKIT_SPIN, SHMKIT_STREAM, shmkitCases } from '../channel/shmkit-cases.js';
import { median, runMain } from '../measure.js';

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

/** The channel bench's rows taken into this run, by kind, and the iceoryx2 row each is set against (its "× iceoryx2"). */
const CHANNEL_ROWS: Array<{ kind: Kind; name: string; versus: string }> = [
  { kind: 'latency', name: C_SPIN, versus: IOX_SPIN },
  { kind: 'latency', name: C_FUTEX, versus: IOX_WAITSET },
  { kind: 'latency', name: C_ADAPTIVE, versus: IOX_SPIN_WAITSET },
  { kind: 'latency', name: UNIX_LATENCY, versus: IOX_WAITSET },
  { kind: 'latency', name: SHMKIT_SPIN, versus: IOX_SPIN },
  { kind: 'latency', name: SHMKIT_BLOCK, versus: IOX_SPIN_WAITSET },
  { kind: 'throughput', name: C_RING_ONE, versus: IOX_ONE },
  { kind: 'throughput', name: C_RING_BATCH, versus: IOX_ONE },
  { kind: 'throughput', name: UNIX_ONE, versus: IOX_ONE },
  { kind: 'throughput', name: UNIX_PACKED, versus: IOX_ONE },
  { kind: 'throughput', name: SHMKIT_ONE, versus: IOX_ONE },
  { kind: 'throughput', name: SHMKIT_PACKED, versus: IOX_ONE },
  { kind: 'stream', name: C_RING_STREAM, versus: IOX_STREAM },
  { kind: 'stream', name: UNIX_STREAM, versus: IOX_STREAM },
  { kind: 'stream', name: SHMKIT_STREAM, versus: IOX_STREAM },
];
const IOX_ROWS = [IOX_SPIN, IOX_LISTENER, IOX_WAITSET, IOX_SPIN_WAITSET, IOX_ONE, IOX_STREAM, IOX_STREAM_LARGE];

const UNIT: Record<Kind, string> = { latency: 'µs', throughput: 'M msgs/s', stream: 'GB/s' };
const HEAD: Record<Kind, string> = { latency: 'round trip, median µs', throughput: 'median M msgs/s', stream: 'median GB/s' };
const BETTER: Record<Kind, string> = { latency: 'lower is better', throughput: 'higher is better', stream: 'higher is better' };

/** Runs `file`, its stderr shown as it comes; resolves with that stderr. */
function exec(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env, maxBuffer: 64 << 20 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed:\n${stderr}`));
      else resolve(stderr);
    });
    child.stderr?.pipe(process.stderr);
  });
}

/** `cargo build --release` of bench/peers/iceoryx2 into build/peers-target; seconds it took. Exits non-zero without cargo. */
async function build(): Promise<{ seconds: number; rustc: string; compiled: boolean }> {
  let rustc: string;
  try {
    execFileSync('cargo', ['--version'], { stdio: 'ignore' });
    rustc = execFileSync('rustc', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    console.error('bench:peers needs Rust\'s cargo (and rustc) on PATH to build bench/peers/iceoryx2: see https://rustup.rs');
    process.exit(2);
  }
  const t = performance.now();
  console.error(`building bench/peers/iceoryx2 (iceoryx2 ${IOX_VERSION}) with cargo build --release …`);
  const log = await exec('cargo', ['build', '--release', '--locked', '--manifest-path', IOX_MANIFEST], { ...process.env, CARGO_TARGET_DIR: IOX_TARGET_DIR });
  return { seconds: (performance.now() - t) / 1000, rustc, compiled: /^\s*Compiling /m.test(log) };
}

function label(r: Row): string {
  if (IOX_ROWS.includes(r.name)) return `${r.name} *(iceoryx2)*`;
  if (r.name.startsWith('shmkit')) return `${r.name} **(shmkit)**`;
  if (r.family === 'c') return `${r.name} *(C limit)*`;
  return r.name;
}

function find(rows: Row[], kind: Kind, name: string | undefined): Row | undefined {
  return name === undefined ? undefined : rows.find((r) => r.kind === kind && r.name === name && r.nsPerOp.length > 0);
}

/** Speed of `row` relative to `base` (> 1: faster), from medians. */
function ratio(row: Row, base: Row | undefined): string {
  if (!base || row.nsPerOp.length === 0) return '–';
  if (base === row) return '1×';
  return `${fmt(median(base.nsPerOp) / median(row.nsPerOp))}×`;
}

function versusOf(r: Row): string | undefined {
  return IOX_ROWS.includes(r.name) ? undefined : CHANNEL_ROWS.find((c) => c.kind === r.kind && c.name === r.name)?.versus;
}

function tables(rows: Row[], streamBytes: number): string {
  const out: string[] = [];
  for (const kind of KINDS) {
    const these = rows.filter((r) => r.kind === kind);
    if (these.length === 0) continue;
    const title = kind === 'stream' ? `${TITLES.stream} ${formatBytes(streamBytes)}` : TITLES[kind];
    out.push(`### ${title} (${UNIT[kind]}, ${BETTER[kind]})`, '');
    out.push(`| case | ${HEAD[kind]} | min–max | runs | speed × iceoryx2 | speed × unix socket | speed × C limit |`);
    out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of these) {
      if (r.nsPerOp.length === 0) {
        out.push(`| ${label(r)} | failed: ${(r.error ?? '').replace(/\|/g, '\\|').split('\n')[0]} | | | | | |`);
        continue;
      }
      const values = r.nsPerOp.map((x) => value(kind, x)).sort((a, b) => a - b);
      const versus = versusOf(r);
      out.push(`| ${label(r)} | ${fmt(value(kind, median(r.nsPerOp)))} | ${fmt(values[0]!)}–${fmt(values[values.length - 1]!)} | ${r.nsPerOp.length} | ${versus ? `${ratio(r, find(rows, kind, versus))} (${versus.replace(/^iceoryx2 \(Rust\) publish-subscribe, /, '')})` : '–'} | ${ratio(r, find(rows, kind, r.socket))} | ${ratio(r, find(rows, kind, r.limit))} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

function json(rows: Row[], meta: Record<string, unknown>): string {
  return `${JSON.stringify({
    ...meta,
    rows: rows.map((r) => {
      const samples = r.nsPerOp.map((x) => value(r.kind, x));
      const versus = versusOf(r);
      const base = versus ? find(rows, r.kind, versus) : undefined;
      return {
        name: r.name, kind: r.kind, unit: UNIT[r.kind],
        samples,
        median: samples.length ? value(r.kind, median(r.nsPerOp)) : null,
        min: samples.length ? Math.min(...samples) : null,
        max: samples.length ? Math.max(...samples) : null,
        nsPerOp: r.nsPerOp,
        ...(versus ? { versus, speedVersus: base && r.nsPerOp.length ? median(base.nsPerOp) / median(r.nsPerOp) : null } : {}),
        ...(r.error ? { error: r.error } : {}),
      };
    }),
  }, null, 2)}\n`;
}

async function main(): Promise<void> {
  installCleanup();
  const o = options(process.argv.slice(2));
  const built = await build();
  const started = performance.now();
  const settings: Settings = { seconds: o.seconds, repeats: o.repeats, streamBytes: o.streamBytes, dir: privateDir() };

  const othersBefore = othersCpuSeconds();
  const wanted = (c: Case) => CHANNEL_ROWS.some((w) => w.kind === c.kind && w.name === c.name);
  const found: Case[] = [];
  for (const m of [cCases, nodeCases, shmkitCases]) found.push(...(await m.cases(settings)).filter(wanted));
  const iox = iceoryx2Cases.cases(settings) as Case[];
  if (iox.length === 0) throw new Error('the iceoryx2 binary is missing after the build');
  // Table order within a kind: C limits, the unix socket, shmkit, then iceoryx2.
  const cases = selectCases([...found, ...iox], o.only);
  const rows = await runRounds(cases, o.rounds);

  const seconds = (performance.now() - started) / 1000;
  const { machine, how, loadLine } = runLines(o, seconds, othersBefore, othersCpuSeconds());
  const date = new Date().toISOString().slice(0, 10);
  const notes = cases.filter((c) => c.note).map((c) => `- ${c.kind} / ${c.name}: ${c.note}`);
  const text = [
    `## shmkit beside iceoryx2, 64-byte messages between two processes`,
    '',
    `${machine}; ${date}; whole run ${seconds.toFixed(0)} s, after ${built.seconds.toFixed(0)} s of \`cargo build --release\`${built.compiled ? '' : ' (nothing to rebuild)'}.`,
    `iceoryx2 ${IOX_VERSION} (the \`iceoryx2\` crate, ipc::Service) in bench/peers/iceoryx2, built with ${built.rustc}. The shmkit, C and unix-socket rows are the channel bench's (bench/channel.bench.ts), run interleaved with the iceoryx2 rows.`,
    `${how}. Medians and min–max over every repeat. "speed × iceoryx2" divides the iceoryx2 row's median by this row's (named in brackets: busy-wait rows against busy-wait, rows that always sleep against the WaitSet, rows that spin before they sleep (shmkit's receiveSync, the C spin-then-futex row) against spin 2000 then WaitSet, messages against loan + send per message, streams against 64 KiB samples): above 1 is faster than iceoryx2. "× unix socket" and "× C limit" are the channel bench's ratios.`,
    loadLine,
    '',
    tables(rows, o.streamBytes),
    '<details><summary>What each case does</summary>',
    '',
    ...notes,
    '',
    '</details>',
    '',
  ].join('\n');
  console.log(text);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}peers.md`, text);
  writeFileSync(`${RESULTS}peers.json`, json(rows, {
    generated: new Date().toISOString(),
    machine, how, load: loadLine, seconds,
    iceoryx2: { crate: 'iceoryx2', version: IOX_VERSION, rustc: built.rustc, buildSeconds: built.seconds, compiled: built.compiled },
    options: o,
  }));
  console.error(`wrote bench/results/peers.md and bench/results/peers.json (${seconds.toFixed(0)} s)`);
}

runMain(main, cleanUp);
