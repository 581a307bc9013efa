// The worker side of the web bench: one job per worker, named by its first
// message. Messages are 64 bytes with their sequence number in the first
// four; a receiver checks it, so a case that loses or reorders fails.
import * as shm from '/shmkit/browser.mjs';
import { serveJob } from '/demo/spawn-worker.mjs';
import { seqAt, seqOf, stamp } from './seq.mjs';

const WAIT = { timeoutMs: 60_000 };

serveJob((job) => JOBS[job.job](job));

function ring(job, name) {
  return shm.joinArena(job.arena).openSegment(job.segment).ring(name, job.capacity);
}

const JOBS = {
  // Sends every message it gets back where it came from, as it came (a transferred buffer goes back transferred).
  'echo-post'({ transfer }) {
    onmessage = ({ data }) => postMessage(data, transfer ? [data.buffer] : []);
  },
  'echo-port'({ port, transfer }) {
    port.onmessage = ({ data }) => port.postMessage(data, transfer ? [data.buffer] : []);
  },

  // Round trips it starts itself, over a port (worker ↔ worker): answers µs per round trip.
  async 'ping-port'({ port, count, transfer }) {
    let answered;
    port.onmessage = ({ data }) => answered(data);
    const reused = new Uint8Array(64);
    const start = performance.now();
    for (let seq = 0; seq < count; seq++) {
      const back = new Promise((resolve) => (answered = resolve));
      const message = stamp(transfer ? new Uint8Array(64) : reused, seq);
      port.postMessage(message, transfer ? [message.buffer] : []);
      if (seqOf(await back) !== seq) throw new Error(`round trip ${seq} came back with another message`);
    }
    return ((performance.now() - start) * 1000) / count;
  },

  // Counts `count` messages in order, then answers.
  'count-post'({ count }) {
    return countMessages((handler) => (onmessage = handler), count);
  },
  'count-port'({ port, count }) {
    return countMessages((handler) => (port.onmessage = handler), count);
  },
  'send-port'({ port, count, transfer }) {
    const reused = new Uint8Array(64);
    for (let seq = 0; seq < count; seq++) {
      const message = stamp(transfer ? new Uint8Array(64) : reused, seq);
      port.postMessage(message, transfer ? [message.buffer] : []);
    }
    return 'sent';
  },

  // shmkit rings. `busy`: spin on tryPeek (a worker that owns a core); otherwise
  // receiveSync (its spin phase, then Atomics.wait), as a worker would usually wait.
  'ring-echo'(job) {
    const rx = ring(job, job.from).acquireConsumer();
    const tx = ring(job, job.to).acquireProducer();
    const next = receiver(rx, job.busy, job.spin);
    postMessage({ ready: true });
    for (let seq = 0; seq < job.count; seq++) {
      const message = next();
      if (seqOf(message) !== seq) throw new Error(`echo ${seq}: another message came`);
      if (!tx.trySend(message) && !tx.sendSync(message, WAIT)) throw new Error('sendSync timed out');
      rx.release();
    }
    rx.close();
    tx.close();
    return 'echoed';
  },
  'ring-ping'(job) {
    const tx = ring(job, job.to).acquireProducer();
    const rx = ring(job, job.from).acquireConsumer();
    const next = receiver(rx, job.busy, job.spin);
    const message = new Uint8Array(64);
    const start = performance.now();
    for (let seq = 0; seq < job.count; seq++) {
      if (!tx.trySend(stamp(message, seq)) && !tx.sendSync(message, WAIT)) throw new Error('sendSync timed out');
      if (seqOf(next()) !== seq) throw new Error(`round trip ${seq} came back wrong`);
      rx.release();
    }
    const us = ((performance.now() - start) * 1000) / job.count;
    rx.close();
    tx.close();
    return us;
  },
  'ring-count'(job) {
    const rx = ring(job, job.ring).acquireConsumer();
    postMessage({ ready: true });
    let seq = 0;
    if (job.batched) {
      // A batch at a time, in place; a blocking receive only when the ring is empty.
      while (seq < job.count) {
        const got = rx.peekMany();
        if (got === 0) {
          const message = rx.receiveSync(WAIT);
          if (message === null || seqOf(message) !== seq++) throw new Error(`message ${seq - 1}: ${message === null ? 'nothing came' : 'out of order'}`);
          continue;
        }
        const { bytes, offsets } = rx;
        for (let i = 0; i < got; i++, seq++) if (seqAt(bytes, offsets[i]) !== seq) throw new Error(`message ${seq} out of order`);
        rx.release();
      }
    } else {
      const next = receiver(rx, false);
      for (; seq < job.count; seq++) {
        if (seqOf(next()) !== seq) throw new Error(`message ${seq} out of order`);
        rx.release();
      }
    }
    rx.close();
    return seq;
  },
  'ring-send'(job) {
    const tx = ring(job, job.ring).acquireProducer();
    const message = new Uint8Array(64);
    for (let seq = 0; seq < job.count; seq++) if (!tx.sendSync(stamp(message, seq), WAIT)) throw new Error('sendSync timed out');
    tx.close();
    return 'sent';
  },
};

/** The next message of `rx`, in place (valid until release): spinning on tryPeek, or peek then receiveSync (with `spin` attempts before it sleeps, when given). */
function receiver(rx, busy, spin) {
  if (busy) {
    return () => {
      let message;
      while ((message = rx.tryPeek()) === null);
      return message;
    };
  }
  return () => {
    const message = rx.tryPeek() ?? rx.receiveSync(spin === undefined ? WAIT : { ...WAIT, spin });
    if (message === null) throw new Error('nothing came');
    return message;
  };
}

function countMessages(listen, count) {
  return new Promise((resolve, reject) => {
    let seq = 0;
    listen(({ data }) => {
      if (seqOf(data) !== seq) reject(new Error(`message ${seq} out of order`));
      if (++seq === count) resolve(seq);
    });
    postMessage({ ready: true });
  });
}
