// Part 5 of the demo: a producer process streams C-struct records through
// shmkit rings to consumer processes, with a live progress line; then the
// same transfer over a unix socket, for comparison.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Posix, openOrCreate } from 'shmkit';
import { RING_BYTES, Reading, SEGMENT_BYTES, Stats } from './records.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const RECORDS = 1_000_000;

function start(script, args, stdout = 'inherit') {
  const child = spawn(process.execPath, [here(script), ...args], { stdio: ['ignore', stdout, 'inherit'] });
  const exited = new Promise((resolve, reject) => child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${script} failed: ${signal ?? code}`)))));
  return { child, exited };
}

const rate = (n, ms) => `${(n / ms / 1000).toFixed(2)} M records/s`;

/** Runs the channel transfer to `consumers` consumer processes (one ring each) and the socket comparison; `made` collects cleanup actions. */
export async function channelDemo(made, consumers) {
  const name = `/shmkit-demo-channel-${process.pid}`;
  const segment = openOrCreate({ kind: 'posix', name, size: SEGMENT_BYTES });
  made.push(() => segment.close(), () => Posix.remove(name));
  for (let i = 0; i < consumers; i++) segment.ring(`ring${i}`, RING_BYTES);
  const stats = segment.create('stats', { table: Stats, count: consumers });
  console.log(`\n5. A channel: a producer process → ${consumers === 1 ? 'a consumer process' : `${consumers} consumer processes`}, ${RECORDS.toLocaleString('en')} records of struct Reading (${Reading.size} bytes) through shmkit rings in ${name}`);

  const children = [];
  const kill = () => children.forEach((c) => c.child.kill('SIGKILL'));
  made.push(kill);
  for (let i = 0; i < consumers; i++) children.push(start('consumer.mjs', [name, String(i)]));
  const began = performance.now();
  children.push(start('producer.mjs', [name, String(RECORDS), String(consumers)]));

  const totals = () => {
    let received = 0;
    let latency = 0;
    let max = 0;
    let disorder = 0;
    for (let i = 0; i < consumers; i++) {
      const s = stats.get(i);
      received += s.received;
      latency += s.latencySumMs;
      max = Math.max(max, s.maxLatencyMs);
      disorder += s.outOfOrder;
    }
    return { received, meanUs: received ? (latency / received) * 1000 : 0, maxUs: max * 1000, disorder };
  };
  let last = { at: began, received: 0 };
  const progress = setInterval(() => {
    const now = performance.now();
    const t = totals();
    const line = `    ${t.received.toLocaleString('en').padStart(9)} received  ${rate(t.received - last.received, now - last.at)}  mean latency ${t.meanUs.toFixed(1)} µs`;
    last = { at: now, received: t.received };
    if (process.stdout.isTTY) process.stdout.write(`\r${line}`);
    else console.log(line);
  }, 250);
  try {
    await Promise.all(children.map((c) => c.exited));
  } finally {
    clearInterval(progress);
    if (process.stdout.isTTY) process.stdout.write('\n');
  }
  const elapsed = performance.now() - began;
  const t = totals();
  if (t.received !== RECORDS || t.disorder !== 0) throw new Error(`channel lost or reordered records: ${t.received} received, ${t.disorder} out of order`);
  console.log(`    shmkit: ${t.received.toLocaleString('en')} records in ${elapsed.toFixed(0)} ms = ${rate(t.received, elapsed)}, in order; mean latency ${t.meanUs.toFixed(1)} µs, max ${t.maxUs.toFixed(0)} µs`);

  const socket = await socketTransfer(made);
  console.log(`    unix socket, one write per record: ${RECORDS.toLocaleString('en')} records in ${socket.ms.toFixed(0)} ms = ${rate(RECORDS, socket.ms)}; mean latency ${socket.meanUs.toFixed(1)} µs`);
  console.log(`    → shmkit moved the same records ${(socket.ms / elapsed).toFixed(1)}× faster (latencies include the time a record waits behind earlier ones: both senders run flat out)`);
}

async function socketTransfer(made) {
  const path = join(tmpdir(), `shmkit-demo-${process.pid}.sock`);
  made.push(() => rmSync(path, { force: true }));
  const receiver = start('socket-peer.mjs', ['receive', path, String(RECORDS)], 'pipe');
  made.push(() => receiver.child.kill('SIGKILL'));
  const lines = [];
  receiver.child.stdout.setEncoding('utf8').on('data', (chunk) => lines.push(...chunk.split('\n').filter(Boolean)));
  await new Promise((resolve) => receiver.child.stdout.once('data', resolve)); // "listening"
  const began = performance.now();
  const sender = start('socket-peer.mjs', ['send', path, String(RECORDS)]);
  made.push(() => sender.child.kill('SIGKILL'));
  await Promise.all([sender.exited, receiver.exited]);
  const ms = performance.now() - began;
  const result = JSON.parse(lines.find((line) => line.startsWith('{')));
  if (result.received !== RECORDS) throw new Error(`the socket delivered ${result.received} records`);
  return { ms, meanUs: (result.latencySumMs / RECORDS) * 1000 };
}
