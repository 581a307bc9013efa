// npm start: the parent makes a shared segment, a separately spawned child
// process writes into it, and the parent reads the result through the Wasm
// core, for System V, POSIX and memfd memory. Everything is removed after.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Arena, Memfd, Posix, SysV, cHeader, listAll, openOrCreate } from 'shmkit';
import { COUNTERS, Counter, MAGIC, PATTERN_START, ROUNDS, SIZE } from './layout.mjs';
import { channelDemo } from './channel/run.mjs';
import { DEFAULT_CONSUMERS, MAX_CONSUMERS } from './channel/records.mjs';

const child = fileURLToPath(new URL('./child.mjs', import.meta.url));
const made = []; // cleanup actions, run even on failure or Ctrl-C

// npm start -- --consumers N: how many consumer processes part 5 feeds.
function consumersOption(argv) {
  const at = argv.indexOf('--consumers');
  if (at === -1) return DEFAULT_CONSUMERS;
  const n = Number(argv[at + 1]);
  if (!Number.isInteger(n) || n < 1 || n > MAX_CONSUMERS) {
    console.error(`--consumers takes a whole number from 1 to ${MAX_CONSUMERS}: got ${argv[at + 1] ?? 'nothing'}`);
    process.exit(2);
  }
  return n;
}
const consumers = consumersOption(process.argv.slice(2));

function cleanup() {
  for (const undo of made.splice(0).reverse()) {
    try { undo(); } catch { /* already gone */ }
  }
}
process.on('SIGINT', () => { cleanup(); process.exit(130); });

function runChild(args, extraFd) {
  const stdio = ['ignore', 'inherit', 'inherit'];
  if (extraFd !== undefined) stdio.push(extraFd);
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, ...args], { stdio });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`child failed: ${signal ?? code}`))));
  });
}

function check(segment) {
  const magic = segment.reader.getUint32(0, true);
  const bad = segment.verifyPattern('mod256', { offset: PATTERN_START });
  const crc = segment.crc32();
  console.log(`    parent: offset 0 holds 0x${magic.toString(16)}; pattern over ${SIZE - PATTERN_START} bytes ${bad < 0 ? 'verified' : `broken at ${bad}`} by the Wasm core; crc32 0x${crc.toString(16).padStart(8, '0')}`);
  if (magic !== MAGIC || bad >= 0) throw new Error('the parent did not see what the child wrote');
}

async function sysv() {
  const segment = SysV.create({ private: true, size: SIZE, mode: 0o600 });
  made.push(() => segment.close(), () => segment.remove());
  console.log(`\n1. System V: shmget(IPC_PRIVATE, ${SIZE}) -> id ${segment.id}, attached at arena offset 0x${segment.offset.toString(16)}`);
  await runChild(['sysv', String(segment.id)]);
  check(segment);
  return segment;
}

async function posix() {
  const name = `/shmkit-demo-${process.pid}`;
  const segment = Posix.create(name, { size: SIZE, exclusive: true });
  made.push(() => segment.close(), () => segment.remove());
  console.log(`\n2. POSIX: shm_open('${name}', O_CREAT|O_EXCL) + ftruncate + mmap, arena offset 0x${segment.offset.toString(16)}`);
  await runChild(['posix', name]);
  check(segment);
  return segment;
}

async function memfd() {
  const segment = Memfd.create({ size: SIZE, name: 'shmkit-demo' });
  made.push(() => segment.close());
  console.log(`\n3. Anonymous: memfd_create + mmap, fd ${segment.fd} handed to the child as its fd 3`);
  await runChild(['memfd'], segment.fd);
  check(segment);
  return segment;
}

async function counters() {
  const name = `/shmkit-demo-counters-${process.pid}`;
  const segment = openOrCreate({ kind: 'posix', name, size: 1 << 16 });
  made.push(() => segment.close(), () => Posix.remove(name));
  const table = segment.create('counters', { table: Counter, count: COUNTERS });
  for (let i = 0; i < COUNTERS; i++) table.set(i, { hits: 0, lastPid: 0, label: `counter ${i}` });
  segment.mutex('lock');
  console.log(`\n4. A self-describing segment ${name}: a table of ${COUNTERS} C structs (${Counter.size} bytes each) and a robust mutex, both named objects`);
  await Promise.all([runChild(['counters', name]), runChild(['counters', name])]);
  const hits = [...table.readColumn('hits')];
  const total = hits.reduce((a, b) => a + b, 0);
  console.log(`    parent: hits per counter ${hits.join(', ')}; total ${total} of ${2 * ROUNDS} (none lost: every increment held the lock)`);
  if (total !== 2 * ROUNDS) throw new Error('increments were lost');
  console.log(`    objects: ${segment.list().map((o) => `${o.name} (${o.kind})`).join(', ')}; the C view of a counter:`);
  console.log(cHeader([Counter]).split('\n').filter((line) => /^(struct|  |})/.test(line)).map((line) => `      ${line}`).join('\n'));
}

try {
  console.log(`shmkit demo: one shared WebAssembly.Memory (the arena), segments mapped into it, children writing from other processes.`);
  const [s, p] = [await sysv(), await posix(), await memfd()];
  await counters();
  await channelDemo(made, consumers);
  console.log('\nWhat the host sees now (shmkit ls):');
  for (const entry of listAll().filter((e) => e.id === s.id || e.name === p.name)) {
    const what = entry.kind === 'sysv' ? `sysv id ${entry.id}` : `posix ${entry.name}`;
    console.log(`    ${what.padEnd(34)} ${String(entry.size).padStart(8)} bytes  mode ${entry.mode.toString(8)}  nattch ${entry.nattch ?? '-'}`);
  }
  console.log(`\narena: ${Arena.default.usedBytes / 1024} KiB of windows in use`);
} catch (error) {
  console.error(`demo failed: ${error.message}`);
  process.exitCode = 1;
} finally {
  cleanup();
  console.log('removed everything the demo made.');
}
