// A demo worker: a producer or a consumer of records, over shmkit (an MPMC
// queue in the shared arena, statistics merged under a shmkit Mutex) or over
// postMessage (MessagePorts between workers, with the same bound on records
// in flight as the queue has slots).
import * as shm from '/shmkit/browser.mjs';
import { FLUSH_EVERY, RECORD_BYTES, Tally, recordValue, types, writeRecord } from './records.mjs';
import { serveJob } from './spawn-worker.mjs';

const WAIT = { timeoutMs: 60_000 };
const { Stats } = types(shm);

serveJob((job) => (job.transport === 'shmkit' ? shmkitRole(job) : postMessageRole(job)));

// ---- shmkit ---------------------------------------------------------------

function shmkitRole({ role, arena, segment, shape, index, messages }) {
  const seg = shm.joinArena(arena).openSegment(segment);
  const queue = seg.queue('records', shape);
  const lock = seg.mutex('stats-lock');
  const stats = seg.findOrCreate('stats', Stats);
  const underLock = (body) => {
    if (lock.lockSync(WAIT) !== 'acquired') throw new Error('the stats lock timed out');
    try {
      body();
    } finally {
      lock.unlock();
    }
  };
  postMessage({ ready: true });
  if (!seg.event('start').waitSync(WAIT)) throw new Error('the start event never came');
  try {
    return role === 'producer' ? produce(queue, stats, underLock, index, messages) : consume(queue, stats, underLock);
  } finally {
    seg.close();
  }
}

function produce(queue, stats, underLock, index, messages) {
  const record = new Uint8Array(RECORD_BYTES);
  const view = new DataView(record.buffer);
  let sent = 0;
  let sentSum = 0;
  const flush = () => underLock(() => {
    stats.sent += sent;
    stats.sentSum += sentSum;
    sent = sentSum = 0;
  });
  for (let seq = 0; seq < messages; seq++) {
    writeRecord(view, index, seq);
    if (!queue.pushSync(record, WAIT)) throw new Error('pushSync timed out');
    sentSum += recordValue(index, seq) >>> 0;
    if (++sent === FLUSH_EVERY) flush();
  }
  flush();
  return {};
}

function consume(queue, stats, underLock) {
  const record = new Uint8Array(RECORD_BYTES);
  const view = new DataView(record.buffer);
  const tally = new Tally();
  let damaged = 0;
  while (queue.popSync({ ...WAIT, into: record }) !== null) {
    if (!tally.add(view)) damaged++;
    if (tally.received === FLUSH_EVERY) underLock(() => tally.flushInto(stats));
  }
  if (!queue.ended) throw new Error('popSync timed out before the queue ended');
  underLock(() => tally.flushInto(stats));
  return { damaged };
}

// ---- postMessage ----------------------------------------------------------

// A producer keeps at most this many records unacknowledged per consumer
// (the shmkit queue holds as many); consumers acknowledge in steps.
const WINDOW = 4096;
const ACK_EVERY = 512;
const REPORT_MS = 100;

function postMessageRole(job) {
  return job.role === 'producer' ? postMessageProducer(job) : postMessageConsumer(job);
}

async function postMessageProducer({ ports, index, messages }) {
  const inFlight = ports.map(() => 0);
  let wake;
  for (const [i, port] of ports.entries()) {
    port.onmessage = ({ data }) => {
      inFlight[i] -= data.ack;
      wake?.();
    };
  }
  await started();
  const record = new Uint8Array(RECORD_BYTES);
  const view = new DataView(record.buffer);
  let sentSum = 0;
  for (let seq = 0; seq < messages; seq++) {
    const to = seq % ports.length;
    while (inFlight[to] >= WINDOW) await new Promise((resolve) => (wake = resolve));
    writeRecord(view, index, seq);
    ports[to].postMessage(record); // a structured clone of the 64 bytes
    inFlight[to]++;
    sentSum += recordValue(index, seq) >>> 0;
  }
  for (const port of ports) port.postMessage({ end: true });
  return { sent: messages, sentSum };
}

async function postMessageConsumer({ ports }) {
  const tally = new Tally();
  let damaged = 0;
  let open = ports.length;
  const report = setInterval(() => postMessage({ tally: tally.take() }), REPORT_MS);
  await new Promise((resolve) => {
    for (const port of ports) {
      let unacked = 0;
      port.onmessage = ({ data }) => {
        if (data.end) {
          if (--open === 0) resolve();
          return;
        }
        if (!tally.add(new DataView(data.buffer, data.byteOffset, data.byteLength))) damaged++;
        if (++unacked === ACK_EVERY) {
          port.postMessage({ ack: unacked });
          unacked = 0;
        }
      };
    }
    postMessage({ ready: true });
  });
  clearInterval(report);
  return { damaged, tally: tally.take() };
}

function started() {
  return new Promise((resolve) => {
    onmessage = ({ data }) => data.start && resolve();
    postMessage({ ready: true });
  });
}
