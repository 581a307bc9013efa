// The demo page: runs the same producer → consumer workload over shmkit and
// over postMessage, one after the other, with live figures and a chart.
// Publishes what it saw as window.demoResult (the Chromium test reads it).
import * as shm from '/shmkit/browser.mjs';
import { RECORD_BYTES, percentile, types } from './records.mjs';
import { RateChart, formatRate } from './chart.mjs';
import { spawnWorker } from './spawn-worker.mjs';

const SHAPE = { slots: 4096, slotSize: RECORD_BYTES };
const TICK_MS = 100;
const RATE_TICKS = 4;
const COLORS = { shmkit: '#1565c0', postMessage: '#c62828' };
const { Stats } = types(shm);

const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
for (const [id, fallback] of [['producers', 2], ['consumers', 2], ['messages', 200_000]]) $(id).value = query.get(id) ?? fallback;

const chart = new RateChart($('chart'));
const arena = new shm.PlainArena({ maxBytes: 128 << 20 });
let runs = 0;

$('status').textContent = `crossOriginIsolated: ${crossOriginIsolated}; page may block: ${shm.threadCanBlock()}`;
$('controls').addEventListener('submit', (event) => {
  event.preventDefault();
  void runBoth();
});
if (query.has('autostart')) void runBoth();

async function runBoth() {
  $('run').disabled = true;
  $('summary').textContent = '';
  $('summary').className = '';
  window.demoResult = undefined;
  let config;
  try {
    config = { producers: whole('producers'), consumers: whole('consumers'), messages: whole('messages') };
    for (const name of Object.keys(COLORS)) chart.series(name, COLORS[name]);
    const shmkit = await runShmkit(config);
    const postMessage = await runPostMessage(config);
    const speedup = shmkit.messagesPerSecond / postMessage.messagesPerSecond;
    $('summary').textContent = `shmkit moved the records ${speedup.toFixed(1)}× as fast as postMessage`;
    window.demoResult = { crossOriginIsolated, config, shmkit, postMessage, speedup };
  } catch (error) {
    $('summary').textContent = `failed: ${error.message}`;
    $('summary').className = 'bad';
    window.demoResult = { crossOriginIsolated, config, error: String(error?.stack ?? error) };
  } finally {
    $('run').disabled = false;
  }
}

function whole(id) {
  const value = Number($(id).value);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${id} must be a whole number ≥ 1`);
  return value;
}

// ---- shmkit ---------------------------------------------------------------

async function runShmkit({ producers, consumers, messages }) {
  const name = `demo-${++runs}`;
  const seg = arena.createSegment(name, { size: 4 << 20 });
  const workers = [];
  try {
    const queue = seg.queue('records', SHAPE);
    const lock = seg.mutex('stats-lock');
    const stats = seg.findOrCreate('stats', Stats);
    const start = seg.event('start');
    const job = (role, index) => ({ transport: 'shmkit', role, index, messages, shape: SHAPE, arena: arena.share(), segment: name });
    for (let i = 0; i < producers; i++) workers.push(startWorker(job('producer', i)));
    for (let i = 0; i < consumers; i++) workers.push(startWorker(job('consumer', i)));
    await Promise.all(workers.map((w) => w.ready));
    const read = async () => {
      if ((await lock.lockAsync({ timeoutMs: 10_000 })) !== 'acquired') throw new Error('the stats lock timed out');
      try {
        return { sent: stats.sent, sentSum: stats.sentSum, received: stats.received, receivedSum: stats.receivedSum, buckets: stats.buckets.toArray() };
      } finally {
        lock.unlock();
      }
    };
    const clock = startClock('shmkit', read);
    start.set();
    await Promise.all(workers.slice(0, producers).map((w) => w.answer));
    queue.end(); // every record is in: consumers finish the queue, then stop
    const answers = await Promise.all(workers.slice(producers).map((w) => w.answer));
    const seconds = clock.stop();
    return finish('shmkit', { producers, consumers, messages }, await read(), seconds, answers);
  } finally {
    for (const w of workers) w.worker.terminate();
    seg.close();
  }
}

// ---- postMessage ----------------------------------------------------------

async function runPostMessage({ producers, consumers, messages }) {
  const channels = Array.from({ length: producers }, () => Array.from({ length: consumers }, () => new MessageChannel()));
  const workers = [];
  try {
    const tallies = { sent: 0, sentSum: 0, received: 0, receivedSum: 0, buckets: [] };
    const add = (tally) => {
      tallies.received += tally.received;
      tallies.receivedSum += tally.receivedSum;
      tally.buckets.forEach((n, b) => (tallies.buckets[b] = (tallies.buckets[b] ?? 0) + n));
    };
    for (let i = 0; i < producers; i++) {
      const ports = channels[i].map((c) => c.port1);
      workers.push(startWorker({ transport: 'postMessage', role: 'producer', index: i, messages, ports }, ports));
    }
    for (let j = 0; j < consumers; j++) {
      const ports = channels.map((row) => row[j].port2);
      workers.push(startWorker({ transport: 'postMessage', role: 'consumer', index: j, ports }, ports, (data) => add(data.tally)));
    }
    await Promise.all(workers.map((w) => w.ready));
    const clock = startClock('postMessage', async () => tallies);
    for (const w of workers.slice(0, producers)) w.worker.postMessage({ start: true });
    const sent = await Promise.all(workers.slice(0, producers).map((w) => w.answer));
    const answers = await Promise.all(workers.slice(producers).map((w) => w.answer));
    const seconds = clock.stop();
    for (const answer of answers) add(answer.tally);
    for (const answer of sent) {
      tallies.sent += answer.sent;
      tallies.sentSum += answer.sentSum;
    }
    return finish('postMessage', { producers, consumers, messages }, tallies, seconds, answers);
  } finally {
    for (const w of workers) w.worker.terminate();
  }
}

// ---- shared by both runs --------------------------------------------------

/** A demo worker on `job`; its other messages (tallies) go to `onMessage`. */
function startWorker(job, transfer = [], onMessage) {
  return spawnWorker(new URL('./demo-worker.mjs', import.meta.url), job, transfer, onMessage);
}

/** Samples `read()` every tick into the live figures and the chart; stop() answers the seconds since start. */
function startClock(name, read) {
  const t0 = performance.now();
  const recent = [{ t: t0, received: 0 }]; // the rate is taken over the last few ticks: tallies arrive in steps
  let sampling = false;
  const timer = setInterval(async () => {
    if (sampling) return;
    sampling = true;
    try {
      const figures = await read();
      const t = performance.now();
      recent.push({ t, received: figures.received });
      if (recent.length > RATE_TICKS + 1) recent.shift();
      const rate = ((figures.received - recent[0].received) * 1000) / (t - recent[0].t);
      chart.add(name, (t - t0) / 1000, rate);
      show(name, figures, rate);
    } finally {
      sampling = false;
    }
  }, TICK_MS);
  return {
    stop() {
      clearInterval(timer);
      return (performance.now() - t0) / 1000;
    },
  };
}

function show(name, figures, rate) {
  $(`${name}-rate`).textContent = formatRate(rate);
  $(`${name}-count`).textContent = `${figures.received.toLocaleString()} received`;
  $(`${name}-latency`).textContent = `${formatUs(percentile(figures.buckets, 0.5))} / ${formatUs(percentile(figures.buckets, 0.99))}`;
}

function finish(transport, { producers, consumers, messages }, figures, seconds, answers) {
  const expected = producers * messages;
  const damaged = answers.reduce((n, a) => n + (a.damaged ?? 0), 0);
  const result = {
    transport, producers, consumers, expected,
    sent: figures.sent, received: figures.received, sentSum: figures.sentSum, receivedSum: figures.receivedSum, damaged,
    seconds, messagesPerSecond: figures.received / seconds,
    latencyUs: { p50: percentile(figures.buckets, 0.5), p99: percentile(figures.buckets, 0.99) },
    countsMatch: figures.sent === expected && figures.received === expected,
    checksumsMatch: figures.sentSum === figures.receivedSum && damaged === 0,
  };
  show(transport, figures, result.messagesPerSecond);
  $(`${transport}-rate`).textContent = `${formatRate(result.messagesPerSecond)} average`;
  const check = $(`${transport}-check`);
  check.textContent = `${result.countsMatch ? '✓' : '✗'} counts, ${result.checksumsMatch ? '✓' : '✗'} checksums (${seconds.toFixed(2)} s)`;
  check.className = result.countsMatch && result.checksumsMatch ? '' : 'bad';
  return result;
}

function formatUs(us) {
  return us >= 1000 ? `${(us / 1000).toFixed(1)} ms` : `${us.toFixed(0)} µs`;
}
