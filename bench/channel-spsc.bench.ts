// Messages per second of 64-byte messages between two Node processes:
// shmkit's SPSC ring one message per call (send / receive) and batched
// (claimMany then one commit, peekMany then one release), next to a unix socket
// with one write per message and packed (many messages per write).
// Run: node --import tsx bench/channel-spsc.bench.ts
//
// This process consumes and times; the producer is this same file started
// as `--peer <case> <segment or socket path> <count>`. A run is timed from
// the 'go' sent to the producer to the last message read.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openOrCreate, Posix } from '../host/index.js';
import { median, table, type Sample } from './measure.js';

const SELF = fileURLToPath(import.meta.url);
const SIZE = 64;
const BATCH = 64; // messages per commit / release in the batched case
const PACK = 1024; // messages per socket write in the packed case
const CAPACITY = 1 << 20;
const REPEATS = Number(process.env.REPEATS ?? 5);
const SCALE = Number(process.env.SCALE ?? 1);
const COUNTS = { 'shmkit one per call': 2_000_000, 'shmkit batched': 10_000_000, 'unix socket, write per message': 300_000, 'unix socket, packed': 5_000_000 };
type Case = keyof typeof COUNTS;

const segmentName = `/shmkit-bench-spsc-${process.pid}`;

async function peer(kind: Case, target: string, count: number): Promise<void> {
  const payload = new Uint8Array(SIZE).fill(7);
  const go = once(process.stdin, 'data');
  if (kind.startsWith('shmkit')) {
    const m = openOrCreate({ kind: 'posix', name: target, size: CAPACITY * 2 });
    const producer = m.ring('ring', CAPACITY).acquireProducer();
    process.stdout.write('ready\n');
    await go;
    if (kind === 'shmkit batched') {
      const { bytes, offsets } = producer;
      for (let i = 0; i < count;) {
        const n = producer.claimMany(Math.min(BATCH, count - i), SIZE);
        for (let k = 0; k < n; k++) bytes.set(payload, offsets[k]!);
        producer.commit();
        i += n;
      }
    } else {
      for (let i = 0; i < count; i++) if (!producer.trySend(payload)) producer.sendSync(payload);
    }
    producer.close();
    m.close();
    return;
  }
  const socket = createConnection(target);
  await once(socket, 'connect');
  process.stdout.write('ready\n');
  await go;
  const packed = kind === 'unix socket, packed';
  const chunk = packed ? Buffer.alloc(SIZE * PACK, 7) : Buffer.from(payload);
  for (let i = 0; i < count; i += packed ? PACK : 1) {
    if (!socket.write(chunk)) await once(socket, 'drain');
  }
  socket.end();
  await once(socket, 'close');
}

/** Starts the producer; resolves once it is ready, with a function that lets it go. */
async function startPeer(kind: Case, target: string, count: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--peer', kind, target, String(count)], { stdio: ['pipe', 'pipe', 'inherit'] });
  await once(child.stdout!, 'data');
  // Resolves once 'go' is written: the shmkit consumer then blocks this thread.
  const go = () => new Promise<void>((resolve) => child.stdin!.write('go\n', () => resolve()));
  return { go, exited: once(child, 'exit') };
}

async function runShmkit(kind: Case, count: number): Promise<number> {
  const m = openOrCreate({ kind: 'posix', name: segmentName, size: CAPACITY * 2 });
  const consumer = m.ring('ring', CAPACITY).acquireConsumer();
  const producer = await startPeer(kind, segmentName, count);
  const start = process.hrtime.bigint();
  await producer.go();
  let read = 0;
  if (kind === 'shmkit batched') {
    while (read < count) {
      let got = consumer.peekMany(BATCH * 4);
      if (got === 0) {
        if (consumer.receiveSync() === null) break;
        got = 1;
      } else consumer.release();
      read += got;
    }
  } else {
    while (read < count && (consumer.tryReceive() ?? consumer.receiveSync()) !== null) read++;
  }
  const ns = Number(process.hrtime.bigint() - start);
  await producer.exited;
  consumer.close();
  m.close();
  if (read !== count) throw new Error(`${kind}: read ${read} of ${count}`);
  return ns;
}

async function runSocket(kind: Case, count: number): Promise<number> {
  const path = join(tmpdir(), `shmkit-bench-${process.pid}.sock`);
  const server = createServer();
  server.listen(path);
  await once(server, 'listening');
  const connected = once(server, 'connection') as Promise<[Socket]>;
  const producer = await startPeer(kind, path, count);
  const [socket] = await connected;
  let bytes = 0;
  const done = new Promise<bigint>((resolve) => socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes >= count * SIZE) resolve(process.hrtime.bigint());
  }));
  const start = process.hrtime.bigint();
  void producer.go();
  const ns = Number((await done) - start);
  await producer.exited;
  server.close();
  return ns;
}

async function main(): Promise<void> {
  const samples: Sample[] = [];
  try {
    for (const kind of Object.keys(COUNTS) as Case[]) {
      const count = Math.round(COUNTS[kind] * SCALE);
      const run = kind.startsWith('shmkit') ? runShmkit : runSocket;
      await run(kind, Math.min(count, 100_000)); // warm-up
      const nsPerOp: number[] = [];
      for (let r = 0; r < REPEATS; r++) nsPerOp.push((await run(kind, count)) / count);
      samples.push({ name: kind, nsPerOp });
    }
  } finally {
    Posix.remove(segmentName);
  }
  console.log(table(`64-byte messages between two Node processes (${REPEATS} runs; batch ${BATCH}, pack ${PACK})`, samples, 'unix socket, write per message'));
  console.log('| case | median M msgs/s |\n| --- | ---: |');
  for (const s of samples) console.log(`| ${s.name} | ${(1000 / median(s.nsPerOp)).toFixed(2)} |`);
}

if (process.argv[2] === '--peer') {
  await peer(process.argv[3] as Case, process.argv[4]!, Number(process.argv[5]));
  process.exit(0); // stdin, read for 'go', would keep it alive
}
else await main();
