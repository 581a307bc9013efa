// What the live-user table costs (`npm run bench:lifetime`): opening and
// closing a formatted segment, which registers and leaves, beside mapping
// the same POSIX object raw (what a program without shmkit's format does);
// then the same join with many other live processes in the table, the
// first join after dead users (it frees their slots), and one gc pass.
// Writes bench/results/lifetime.json and lifetime.md.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { ManagedSegment, Posix, collectOrphans, openOrCreate } from '../host/index.js';
import { pidNamespaceOf, startTicksOf } from '../host/linux/process-identity.js';
import { measure, runMain, table, type Sample } from './measure.js';
import { RESULTS_DIR, sampleRows, writeResults } from './results.js';
import { cleanUp, installCleanup, onCleanup } from './cleanup.js';

const REPEATS = 15;
const CYCLES = 200;
const SIZE = 1 << 20;

async function main(): Promise<void> {
  installCleanup();
  const name = `/shmkit-bench-lifetime-${process.pid}`;
  const holder = openOrCreate({ kind: 'posix', name, size: SIZE, userSlots: 256 });
  onCleanup(() => Posix.remove(name));
  onCleanup(() => holder.close());

  const cycle = (ops: number, body: () => void) => () => {
    for (let i = 0; i < ops; i++) body();
  };
  const open: Sample[] = [];
  open.push(measure('Posix.open + close (raw mapping)', CYCLES, REPEATS, cycle(CYCLES, () => Posix.open(name).close())));
  open.push(measure('ManagedSegment: join + leave (2 users)', CYCLES, REPEATS, cycle(CYCLES, () => new ManagedSegment(Posix.open(name)).close())));
  open.push(measure('openOrCreate (by name) + close', CYCLES, REPEATS, cycle(CYCLES, () => openOrCreate({ kind: 'posix', name, size: SIZE }).close())));

  // Other users are live processes (sleep), registered under their real
  // identities: every join judges each of them through /proc.
  const core = holder.segment.arena.core;
  const owner = {};
  const d = holder.segment.arena.descriptors.take(owner);
  onCleanup(() => holder.segment.arena.descriptors.release(owner, d));
  core.formatOpen(d, holder.segment.offset, holder.segment.size);
  const namespace = pidNamespaceOf('self');
  for (const others of [16, 64]) {
    const sleepers = Array.from({ length: others }, () => spawn('sleep', ['600'], { stdio: 'ignore' }));
    const stop = onCleanup(() => sleepers.forEach((child) => child.kill('SIGKILL')));
    const slots = sleepers.map((child) => {
      const token = core.userTokenOf(child.pid!, startTicksOf(child.pid!)!);
      return [core.userJoin(d, token, namespace, BigInt(Date.now())), token] as const;
    });
    open.push(measure(`ManagedSegment: join + leave (${others} other live processes)`, CYCLES / 4, REPEATS, cycle(CYCLES / 4, () => new ManagedSegment(Posix.open(name)).close())));
    for (const [slot, token] of slots) core.userRelease(d, slot, token);
    stop();
  }

  // 64 slots of a process that has exited: the next joiner frees them all.
  const gone = spawnSync('true').pid;
  const plantDead = () => {
    const planted: [number, bigint][] = [];
    for (let start = 1n; start <= 64n; start++) {
      const token = core.userTokenOf(gone, start);
      planted.push([core.userJoin(d, token, namespace, BigInt(Date.now())), token]);
    }
    return planted;
  };
  const dead: Sample[] = [];
  dead.push(measure('plant 64 dead users, release them (core calls only)', 1, REPEATS * 4, () => {
    for (const [slot, token] of plantDead()) core.userRelease(d, slot, token);
  }));
  dead.push(measure('plant 64 dead users, then join + leave (frees them)', 1, REPEATS * 4, () => {
    plantDead();
    new ManagedSegment(Posix.open(name)).close();
  }));

  const gc: Sample[] = [];
  gc.push(measure('Posix.list() (every name in /dev/shm)', 1, REPEATS, () => void Posix.list()));
  gc.push(measure('collectOrphans({ prefix }) over one segment in use', 1, REPEATS, () => void collectOrphans({ prefix: name })));

  const toUs = (samples: Sample[]) => samples.map((s) => ({ name: s.name, nsPerOp: s.nsPerOp.map((ns) => ns / 1000) }));
  const tables = [
    ['open and close, one process (µs per cycle)', toUs(open), open[0]!.name],
    ['dead users freed by the next joiner (µs)', toUs(dead), dead[0]!.name],
    ['gc (µs per pass)', toUs(gc), gc[0]!.name],
  ] as const;
  const markdown = tables.map(([title, samples, baseline]) => table(title, [...samples], baseline).replaceAll('ns/op', 'µs')).join('\n');
  console.log(markdown);
  writeFileSync(`${RESULTS_DIR}lifetime.md`, `${markdown}\n`);
  writeResults('lifetime', tables.flatMap(([title, samples]) => sampleRows(title, 'µs', [...samples])), { repeats: REPEATS, cycles: CYCLES, size: SIZE });
}

runMain(main, cleanUp);
