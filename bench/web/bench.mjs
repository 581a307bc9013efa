// The web bench's page: every case once per round, rounds interleaved so
// drift spreads over all cases; the first round is a warm-up and is dropped.
// Publishes window.benchResults for bench/web/run.ts.
//   ?rounds=N (default 5), ?scale=F multiplies every message count (0.05 for a smoke run)
import * as shm from '/shmkit/browser.mjs';
import { spawnWorker } from '/demo/spawn-worker.mjs';
import { seqOf, stamp, stampAt } from './seq.mjs';

const query = new URLSearchParams(location.search);
const ROUNDS = Number(query.get('rounds') ?? 5);
const SCALE = Number(query.get('scale') ?? 1);
const CAPACITY = 1 << 16; // ring data bytes: ~900 records of 64 bytes
const WAIT = { timeoutMs: 60_000 };
const n = (count) => Math.max(10, Math.round(count * SCALE));

const arena = new shm.PlainArena({ maxBytes: 64 << 20 });
let serial = 0;

/** A bench worker on `job`: { worker, ready, answer }. */
const spawn = (job, transfer = [], onMessage) => spawnWorker(new URL('./bench-worker.mjs', import.meta.url), job, transfer, onMessage);

/** A fresh segment with the named rings, and the job fields a worker needs to open them. */
function rings(...names) {
  const segment = `bench-${++serial}`;
  const seg = arena.createSegment(segment, { size: 1 << 20 });
  const made = Object.fromEntries(names.map((name) => [name, seg.ring(name, CAPACITY)]));
  return { seg, made, job: { arena: arena.share(), segment, capacity: CAPACITY } };
}

async function withWorkers(workers, body) {
  try {
    return await body();
  } finally {
    for (const w of workers) w.worker.terminate();
  }
}

// Round trips from the page over something with postMessage; `listen` hands its answers to a function: µs each.
async function pageRoundTrips(target, listen, count, transfer) {
  let answered;
  listen((data) => answered(data));
  const reused = new Uint8Array(64);
  const start = performance.now();
  for (let seq = 0; seq < count; seq++) {
    const back = new Promise((resolve) => (answered = resolve));
    const message = stamp(transfer ? new Uint8Array(64) : reused, seq);
    target.postMessage(message, transfer ? [message.buffer] : []);
    if (seqOf(await back) !== seq) throw new Error(`round trip ${seq} came back wrong`);
  }
  return ((performance.now() - start) * 1000) / count;
}

// Messages from the page, one call each, until the worker has counted them all: messages/s.
async function pageSends(target, counter, count, transfer) {
  await counter.ready;
  const reused = new Uint8Array(64);
  const start = performance.now();
  for (let seq = 0; seq < count; seq++) {
    const message = stamp(transfer ? new Uint8Array(64) : reused, seq);
    target.postMessage(message, transfer ? [message.buffer] : []);
  }
  if ((await counter.answer) !== count) throw new Error('the count is off');
  return count / ((performance.now() - start) / 1000);
}

const CASES = [
  // ---- round trips, page ↔ worker ----
  { group: 'roundtrip', path: 'page ↔ worker', name: 'Worker.postMessage (structured clone)', baseline: true,
    run: () => workerRoundTripsFromPage(n(2000), false) },
  { group: 'roundtrip', path: 'page ↔ worker', name: 'Worker.postMessage (transfer)',
    run: () => workerRoundTripsFromPage(n(2000), true) },
  { group: 'roundtrip', path: 'page ↔ worker', name: 'MessageChannel (structured clone)',
    run: () => {
      const { port1, port2 } = new MessageChannel();
      const w = spawn({ job: 'echo-port', port: port2, transfer: false }, [port2]);
      return withWorkers([w], () => pageRoundTrips(port1, (f) => (port1.onmessage = ({ data }) => f(data)), n(2000), false));
    } },
  { group: 'roundtrip', path: 'page ↔ worker', name: 'shmkit SPSC ring, busy-wait (both spin on tryPeek)', shmkit: true,
    run: () => shmkitPageRoundTrips(n(100_000), 'poll', true) },
  { group: 'roundtrip', path: 'page ↔ worker', name: 'shmkit SPSC ring, page spins on tryPeek, worker receiveSync', shmkit: true,
    run: () => shmkitPageRoundTrips(n(20_000), 'poll', false) },
  { group: 'roundtrip', path: 'page ↔ worker', name: 'shmkit SPSC ring, page awaits receiveAsync, worker receiveSync', shmkit: true,
    run: () => shmkitPageRoundTrips(n(5_000), 'await', false) },
  // ---- round trips, worker ↔ worker ----
  { group: 'roundtrip', path: 'worker ↔ worker', name: 'MessageChannel (structured clone)', baseline: true,
    run: () => workerPortRoundTrips(n(2000), false) },
  { group: 'roundtrip', path: 'worker ↔ worker', name: 'MessageChannel (transfer)',
    run: () => workerPortRoundTrips(n(2000), true) },
  { group: 'roundtrip', path: 'worker ↔ worker', name: 'shmkit SPSC ring, busy-wait (both spin on tryPeek)', shmkit: true,
    run: () => shmkitWorkerRoundTrips(n(100_000), true) },
  { group: 'roundtrip', path: 'worker ↔ worker', name: 'shmkit SPSC ring, receiveSync both sides', shmkit: true,
    run: () => shmkitWorkerRoundTrips(n(20_000), false) },
  { group: 'roundtrip', path: 'worker ↔ worker', name: 'shmkit SPSC ring, receiveSync({ spin: 20000 }) both sides', shmkit: true,
    run: () => shmkitWorkerRoundTrips(n(20_000), false, 20_000) },
  // ---- messages/s, page → worker ----
  { group: 'throughput', path: 'page → worker', name: 'Worker.postMessage (structured clone)', baseline: true,
    run: () => { const c = spawn({ job: 'count-post', count: n(100_000) }); return withWorkers([c], () => pageSends(c.worker, c, n(100_000), false)); } },
  { group: 'throughput', path: 'page → worker', name: 'Worker.postMessage (transfer)',
    run: () => { const c = spawn({ job: 'count-post', count: n(100_000) }); return withWorkers([c], () => pageSends(c.worker, c, n(100_000), true)); } },
  { group: 'throughput', path: 'page → worker', name: 'MessageChannel (structured clone)',
    run: () => {
      const { port1, port2 } = new MessageChannel();
      const c = spawn({ job: 'count-port', port: port2, count: n(100_000) }, [port2]);
      return withWorkers([c], () => pageSends(port1, c, n(100_000), false));
    } },
  { group: 'throughput', path: 'page → worker', name: 'shmkit SPSC ring, one send() per message', shmkit: true,
    run: () => shmkitPageSends(n(1_000_000), false) },
  { group: 'throughput', path: 'page → worker', name: 'shmkit SPSC ring, sendPacked (256 per call)', shmkit: true,
    run: () => shmkitPageSends(n(2_000_000), true) },
  // ---- messages/s, worker → worker ----
  { group: 'throughput', path: 'worker → worker', name: 'MessageChannel (structured clone)', baseline: true,
    run: () => workerPortSends(n(100_000), false) },
  { group: 'throughput', path: 'worker → worker', name: 'MessageChannel (transfer)',
    run: () => workerPortSends(n(100_000), true) },
  { group: 'throughput', path: 'worker → worker', name: 'shmkit SPSC ring, sendSync / receiveSync per message', shmkit: true,
    run: () => {
      const count = n(1_000_000);
      const { seg, job } = rings('flow');
      const counter = spawn({ ...job, job: 'ring-count', ring: 'flow', count });
      return withWorkers([counter], async () => {
        await counter.ready;
        const start = performance.now();
        const sender = spawn({ ...job, job: 'ring-send', ring: 'flow', count });
        return withWorkers([sender], async () => {
          if ((await counter.answer) !== count) throw new Error('the count is off');
          return count / ((performance.now() - start) / 1000);
        });
      }).finally(() => seg.close());
    } },
];

function shmkitWorkerRoundTrips(count, busy, spin) {
  const { seg, job } = rings('ping', 'pong');
  const echo = spawn({ ...job, job: 'ring-echo', from: 'ping', to: 'pong', count, busy, spin });
  return withWorkers([echo], async () => {
    await echo.ready;
    const pinger = spawn({ ...job, job: 'ring-ping', from: 'pong', to: 'ping', count, busy, spin });
    return withWorkers([pinger], () => pinger.answer);
  }).finally(() => seg.close());
}

function workerRoundTripsFromPage(count, transfer) {
  let handler;
  const w = spawn({ job: 'echo-post', transfer }, [], (data) => handler(data));
  return withWorkers([w], () => pageRoundTrips(w.worker, (f) => (handler = f), count, transfer));
}

async function shmkitPageRoundTrips(count, how, busy) {
  const { seg, made, job } = rings('ping', 'pong');
  const tx = made.ping.acquireProducer();
  const rx = made.pong.acquireConsumer();
  const echo = spawn({ ...job, job: 'ring-echo', from: 'ping', to: 'pong', count, busy });
  try {
    return await withWorkers([echo], async () => {
      await echo.ready;
      const message = new Uint8Array(64);
      const start = performance.now();
      for (let seq = 0; seq < count; seq++) {
        while (!tx.trySend(stamp(message, seq))); // the ring has room: the worker answered the last one
        let back;
        if (how === 'poll') {
          while ((back = rx.tryPeek()) === null); // a page may spin; it may not block
        } else {
          back = await rx.receiveAsync(WAIT);
        }
        if (back === null || seqOf(back) !== seq) throw new Error(`round trip ${seq} came back wrong`);
        if (how === 'poll') rx.release();
      }
      const us = ((performance.now() - start) * 1000) / count;
      await echo.answer;
      return us;
    });
  } finally {
    tx.close();
    rx.close();
    seg.close();
  }
}

async function shmkitPageSends(count, packed) {
  const { seg, made, job } = rings('flow');
  const tx = made.flow.acquireProducer();
  const counter = spawn({ ...job, job: 'ring-count', ring: 'flow', count, batched: packed });
  try {
    return await withWorkers([counter], async () => {
      await counter.ready;
      const message = new Uint8Array(64);
      const batch = new Uint8Array(256 * 64);
      const start = performance.now();
      if (packed) {
        for (let seq = 0; seq < count; ) {
          const size = Math.min(256, count - seq);
          for (let i = 0; i < size; i++) stampAt(batch, i * 64, seq + i);
          let at = 0;
          while (at < size) at += tx.sendPacked(batch.subarray(at * 64, size * 64), 64); // spins while the ring is full
          seq += size;
        }
      } else {
        for (let seq = 0; seq < count; seq++) while (!tx.trySend(stamp(message, seq)));
      }
      if ((await counter.answer) !== count) throw new Error('the count is off');
      return count / ((performance.now() - start) / 1000);
    });
  } finally {
    tx.close();
    seg.close();
  }
}

function workerPortRoundTrips(count, transfer) {
  const { port1, port2 } = new MessageChannel();
  const echo = spawn({ job: 'echo-port', port: port2, transfer }, [port2]);
  const pinger = spawn({ job: 'ping-port', port: port1, count, transfer }, [port1]);
  return withWorkers([echo, pinger], () => pinger.answer);
}

function workerPortSends(count, transfer) {
  const { port1, port2 } = new MessageChannel();
  const counter = spawn({ job: 'count-port', port: port2, count }, [port2]);
  return withWorkers([counter], async () => {
    await counter.ready;
    const start = performance.now();
    const sender = spawn({ job: 'send-port', port: port1, count, transfer }, [port1]);
    return withWorkers([sender], async () => {
      if ((await counter.answer) !== count) throw new Error('the count is off');
      return count / ((performance.now() - start) / 1000);
    });
  });
}

const log = (line) => {
  document.getElementById('log').textContent += `${line}\n`;
  console.log(line);
};

async function main() {
  const results = CASES.map(({ group, path, name, shmkit = false, baseline = false }) => ({ group, path, name, shmkit, baseline, unit: group === 'roundtrip' ? 'µs' : 'msgs/s', values: [] }));
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [i, c] of CASES.entries()) {
      const value = await c.run();
      if (round > 0) results[i].values.push(value);
      log(`${round === 0 ? 'warm-up' : `round ${round}/${ROUNDS}`}: ${c.path}, ${c.name}: ${c.group === 'roundtrip' ? `${value.toFixed(2)} µs` : `${(value / 1e6).toFixed(3)} M msgs/s`}`);
    }
  }
  return { env: { userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency, crossOriginIsolated, rounds: ROUNDS, scale: SCALE }, cases: results };
}

main().then(
  (results) => (window.benchResults = results),
  (error) => {
    log(`failed: ${error?.stack ?? error}`);
    window.benchResults = { error: String(error?.stack ?? error) };
  },
);
