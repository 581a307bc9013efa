// What a Node user would pick today to move messages to another process (or
// thread): a unix domain socket, a pair of pipes, child_process IPC, and,
// in-process, worker_threads postMessage and a SharedArrayBuffer with
// Atomics.wait/notify.
//
// Wire protocol of the throughput and stream cases (parent produces, peer
// consumes): a 16-byte header (u32 mode: 0 = frames, 1 = bytes; u32 0;
// f64 count), then `count` 64-byte messages (each starting with its u32
// sequence number, from 0 in every phase; the peer frames them and checks
// every number) or `count` bytes (the peer only counts them). When the phase
// is complete the peer writes one byte back; the parent's clock stops when
// that byte arrives.
import { once } from 'node:events';
import net, { type Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import koffi from 'koffi';
import { calibrated, dieWithParent, fixed, onCleanup, privateDir, spawnPeer, unlessDead, until, type Case, type CaseModule, type Settings } from './case.js';

export const MESSAGE = 64;
const FRAMES = 0;
const BYTES = 1;
const HEADER = 16;
/** Messages per write in the packed case. */
export const PACKED = 1024;
/** Bytes per write when streaming. */
export const STREAM_CHUNK = 1 << 20; // 64 KiB and 256 KiB writes were slower here
const CHUNK_TEXT = STREAM_CHUNK >= 1 << 20 ? `${STREAM_CHUNK >> 20} MiB` : `${STREAM_CHUNK >> 10} KiB`;

export const UNIX_LATENCY = 'unix socket';
export const UNIX_ONE = 'unix socket, one write per message';
export const UNIX_PACKED = `unix socket, ${PACKED} messages per write`;
export const UNIX_STREAM = 'unix socket';

// ─── the peer's side ─────────────────────────────────────────────────────

/** Frames (or counts) what the parent sends and acknowledges each phase with one byte. */
function sink(input: Readable, output: Writable): void {
  const ack = Buffer.from([1]);
  let left: Buffer | null = null;
  let mode = FRAMES;
  let remaining = 0;
  let inPhase = false;
  let seq = 0;
  input.on('data', (chunk: Buffer) => {
    const buf = left ? Buffer.concat([left, chunk]) : chunk;
    left = null;
    let off = 0;
    const end = buf.length;
    while (off < end) {
      if (!inPhase) {
        if (end - off < HEADER) {
          left = buf.subarray(off);
          return;
        }
        mode = buf.readUInt32LE(off);
        remaining = buf.readDoubleLE(off + 8);
        off += HEADER;
        inPhase = true;
        seq = 0;
      } else if (mode === BYTES) {
        const take = Math.min(remaining, end - off);
        off += take;
        remaining -= take;
      } else {
        let whole = Math.min(remaining, ((end - off) / MESSAGE) | 0);
        remaining -= whole;
        for (; whole > 0; whole--, off += MESSAGE) {
          if (buf.readUInt32LE(off) !== seq) throw new Error(`message ${seq} arrived as ${buf.readUInt32LE(off)}`);
          seq = (seq + 1) >>> 0;
        }
        if (remaining > 0 && off < end) {
          left = buf.subarray(off); // a partial message
          return;
        }
      }
      if (inPhase && remaining === 0) {
        inPhase = false;
        output.write(ack);
      }
    }
  });
  input.on('end', () => output.end());
}

/** Sends every chunk straight back. */
function echo(input: Readable, output: Writable): void {
  input.on('data', (chunk: Buffer) => output.write(chunk));
  input.on('end', () => output.end());
}

/** The peer's ends of the two pipes are its fds 3 (read) and 4 (write). */
function pipeEnds(): [Socket, Socket] {
  return [new net.Socket({ fd: 3, readable: true, writable: false }), new net.Socket({ fd: 4, readable: false, writable: true })];
}

function connect(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path, () => resolve(socket));
    socket.once('error', reject);
  });
}

const peers: CaseModule['peers'] = {
  async 'echo-unix'([path]) {
    await dieWithParent();
    const socket = await connect(path!);
    echo(socket, socket);
  },
  async 'echo-pipe'() {
    await dieWithParent();
    const [input, output] = pipeEnds();
    echo(input, output);
  },
  async 'echo-ipc'() {
    await dieWithParent();
    process.on('message', (message) => process.send!(message));
    process.on('disconnect', () => process.exit(0));
    process.send!('ready');
  },
  async 'sink-unix'([path]) {
    await dieWithParent();
    const socket = await connect(path!);
    sink(socket, socket);
  },
  async 'sink-pipe'() {
    await dieWithParent();
    const [input, output] = pipeEnds();
    sink(input, output);
  },
};

// ─── transports, parent side ─────────────────────────────────────────────

interface Link {
  input: Readable;
  output: Writable & { writableNeedDrain: boolean };
  exited: Promise<void>;
  /** Ends the conversation; resolves when the peer has exited. */
  close(): Promise<void>;
}

let sockets = 0;
async function unixLink(mode: 'echo-unix' | 'sink-unix'): Promise<Link> {
  const path = join(privateDir(), `s${sockets++}.sock`);
  const server = net.createServer();
  const closeServer = onCleanup(() => server.close()); // also unlinks the socket file
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const peer = spawnPeer(mode, [path]);
  const [socket] = await unlessDead(accepted, peer.exited, 'connect');
  closeServer(); // no more connections: the socket file goes now
  const destroy = onCleanup(() => socket.destroy());
  return {
    input: socket,
    output: socket,
    exited: peer.exited,
    async close() {
      socket.end();
      await peer.exited;
      destroy();
    },
  };
}

/** pipe2(O_CLOEXEC): Node has no API for a plain pipe (its child stdio "pipes" are socketpairs). */
const lib = koffi.load('libc.so.6');
const pipe2 = lib.func('int pipe2(int *fds, int flags)');
const closeFd = lib.func('int close(int fd)');
function pipe(): [number, number] {
  const fds = new Int32Array(2);
  if (pipe2(fds, 0o2000000 /* O_CLOEXEC */) !== 0) throw new Error(`pipe2 failed: errno ${koffi.errno()}`);
  return [fds[0]!, fds[1]!];
}

async function pipeLink(mode: 'echo-pipe' | 'sink-pipe'): Promise<Link> {
  const [toPeerRead, toPeerWrite] = pipe();
  const [fromPeerRead, fromPeerWrite] = pipe();
  const closeChildEnds = onCleanup(() => {
    closeFd(toPeerRead);
    closeFd(fromPeerWrite);
  });
  let ours = true; // until the sockets below own them
  onCleanup(() => {
    if (!ours) return;
    closeFd(toPeerWrite);
    closeFd(fromPeerRead);
  });
  // The peer gets them as fds 3 and 4 (spawn dup2()s them, dropping O_CLOEXEC).
  const peer = spawnPeer(mode, [], ['ignore', 'inherit', 'inherit', toPeerRead, fromPeerWrite]);
  await once(peer.child, 'spawn');
  closeChildEnds();
  const input = new net.Socket({ fd: fromPeerRead, readable: true, writable: false });
  const output = new net.Socket({ fd: toPeerWrite, readable: false, writable: true });
  ours = false;
  const destroy = onCleanup(() => { // ...and close them
    input.destroy();
    output.destroy();
  });
  return {
    input,
    output,
    exited: peer.exited,
    async close() {
      output.end();
      await peer.exited;
      destroy();
    },
  };
}

// ─── round trips ─────────────────────────────────────────────────────────

/** n sequential round trips of one 64-byte message over a byte stream. */
function streamPingPong(link: Link): (n: number) => Promise<void> {
  const message = Buffer.alloc(MESSAGE, 0x5a);
  let received = 0;
  let done = 0;
  let target = 0;
  let finish: () => void = () => {};
  link.input.on('data', (chunk: Buffer) => {
    received += chunk.length;
    while (received >= MESSAGE) {
      received -= MESSAGE;
      if (++done === target) finish();
      else link.output.write(message);
    }
  });
  return (n) => unlessDead(new Promise<void>((resolve) => {
    done = 0;
    target = n;
    finish = resolve;
    link.output.write(message);
  }), link.exited, 'round trips');
}

async function latencyOver(settings: Settings, open: () => Promise<Link>): Promise<number[]> {
  const link = await open();
  const nsPerOp = await calibrated(settings, streamPingPong(link));
  await link.close();
  return nsPerOp;
}

async function ipcLatency(settings: Settings): Promise<number[]> {
  const peer = spawnPeer('echo-ipc', [], ['ignore', 'inherit', 'inherit', 'ipc']);
  const child = peer.child;
  await unlessDead(once(child, 'message'), peer.exited, 'ready'); // 'ready'
  const message = 'x'.repeat(MESSAGE); // the default serialization is JSON: a 64-character string
  let done = 0;
  let target = 0;
  let finish: () => void = () => {};
  child.on('message', () => {
    if (++done === target) finish();
    else child.send(message);
  });
  const nsPerOp = await calibrated(settings, (n) => unlessDead(new Promise<void>((resolve) => {
    done = 0;
    target = n;
    finish = resolve;
    child.send(message);
  }), peer.exited, 'round trips'));
  child.disconnect();
  await peer.exited;
  return nsPerOp;
}

function startWorker(source: string, workerData?: unknown): { worker: Worker; exited: Promise<void> } {
  const worker = new Worker(source, { eval: true, workerData });
  onCleanup(() => void worker.terminate());
  const exited = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', () => resolve());
  });
  exited.catch(() => {});
  return { worker, exited };
}

async function workerPostMessage(settings: Settings): Promise<number[]> {
  const { worker, exited } = startWorker(`
    const { parentPort } = require('node:worker_threads');
    parentPort.on('message', (m) => parentPort.postMessage(m));`);
  const message = new Uint8Array(MESSAGE).fill(0x5a); // structured clone copies it each way
  let done = 0;
  let target = 0;
  let finish: () => void = () => {};
  worker.on('message', () => {
    if (++done === target) finish();
    else worker.postMessage(message);
  });
  const nsPerOp = await calibrated(settings, (n) => unlessDead(new Promise<void>((resolve) => {
    done = 0;
    target = n;
    finish = resolve;
    worker.postMessage(message);
  }), exited, 'round trips'));
  await worker.terminate();
  return nsPerOp;
}

// Words of the SAB ping-pong; the ping message at bytes 64..127, the pong at 128..191.
const PING = 0;
const PONG = 1;
const STOP = 2;
const READY = 3;

async function workerAtomics(settings: Settings): Promise<number[]> {
  const sab = new SharedArrayBuffer(256);
  const { exited } = startWorker(`
    const { workerData } = require('node:worker_threads');
    const w = new Int32Array(workerData), bytes = new Uint8Array(workerData), copy = new Uint8Array(${MESSAGE});
    Atomics.store(w, ${READY}, 1);
    for (let last = 0;;) {
      while (Atomics.load(w, ${PING}) === last) Atomics.wait(w, ${PING}, last);
      last = Atomics.load(w, ${PING});
      if (Atomics.load(w, ${STOP})) break;
      copy.set(bytes.subarray(64, 128));
      bytes.set(copy, 128);
      Atomics.store(w, ${PONG}, last);
      Atomics.notify(w, ${PONG}, 1);
    }`, sab);
  const w = new Int32Array(sab);
  const bytes = new Uint8Array(sab);
  await until(() => Atomics.load(w, READY) === 1, 'ready');
  const message = new Uint8Array(MESSAGE).fill(0x5a);
  const reply = new Uint8Array(MESSAGE);
  let seq = 0;
  const nsPerOp = await calibrated(settings, (n) => {
    for (let i = 0; i < n; i++) {
      const next = ++seq;
      bytes.set(message, 64);
      Atomics.store(w, PING, next);
      Atomics.notify(w, PING, 1);
      while (Atomics.load(w, PONG) !== next) Atomics.wait(w, PONG, next - 1);
      reply.set(bytes.subarray(128, 192));
    }
  });
  Atomics.store(w, STOP, 1);
  Atomics.store(w, PING, ++seq);
  Atomics.notify(w, PING, 1);
  await exited;
  return nsPerOp;
}

// ─── throughput and streaming ────────────────────────────────────────────

/** Counts the peer's acknowledgements; `next()` resolves on the next one. */
function acks(link: Link): () => Promise<void> {
  let count = 0;
  let waiting: (() => void) | undefined;
  link.input.on('data', (chunk: Buffer) => {
    count += chunk.length;
    if (waiting && count > 0) {
      count--;
      const w = waiting;
      waiting = undefined;
      w();
    }
  });
  return () => unlessDead(new Promise<void>((resolve) => {
    if (count > 0) {
      count--;
      resolve();
    } else waiting = resolve;
  }), link.exited, 'a phase');
}

function header(mode: number, count: number): Buffer {
  const h = Buffer.alloc(HEADER);
  h.writeUInt32LE(mode, 0);
  h.writeDoubleLE(count, 8);
  return h;
}

const TEMPLATE = Buffer.alloc(MESSAGE * PACKED, 0x5a);

/**
 * n 64-byte messages, `perWrite` to a write (a fresh buffer each, as a user
 * would), the writes dealt round-robin to `links` (each numbers its own
 * messages from 0), honouring back-pressure; resolves when every peer has
 * acknowledged its share.
 */
async function sendMessages(links: Link[], acks: Array<() => Promise<void>>, n: number, perWrite: number): Promise<void> {
  const writes = Math.ceil(n / perWrite);
  links.forEach((link, k) => {
    const mine = Math.max(0, Math.ceil((writes - k) / links.length)); // writes k, k + links, ...
    const short = (writes - 1) % links.length === k ? writes * perWrite - n : 0; // the last write may be short
    link.output.write(header(FRAMES, mine * perWrite - short));
  });
  const seqs = links.map(() => 0);
  for (let w = 0, i = 0; i < n; w++, i += perWrite) {
    const k = w % links.length;
    const out = links[k]!.output;
    const count = Math.min(perWrite, n - i);
    const batch = Buffer.allocUnsafe(count * MESSAGE);
    TEMPLATE.copy(batch, 0, 0, count * MESSAGE);
    for (let j = 0; j < count; j++) batch.writeUInt32LE(seqs[k]++, j * MESSAGE);
    if (!out.write(batch)) await once(out, 'drain');
  }
  await Promise.all(acks.map((ack) => ack()));
}

/** 64-byte messages over one unix socket per consumer process, `perWrite` to a write: ns per message. */
export async function messagesOverUnix(settings: Settings, perWrite: number, consumers = 1): Promise<number[]> {
  const links = await Promise.all(Array.from({ length: consumers }, () => unixLink('sink-unix')));
  const linkAcks = links.map(acks);
  const nsPerOp = await calibrated(settings, (n) => sendMessages(links, linkAcks, n, perWrite), 1024);
  await Promise.all(links.map((link) => link.close()));
  return nsPerOp;
}

const STREAM_SOURCE = Buffer.alloc(STREAM_CHUNK, 0x5a);

/** `bytes` bytes in STREAM_CHUNK writes of one constant buffer, honouring back-pressure. */
async function sendBytes(link: Link, ack: () => Promise<void>, bytes: number): Promise<void> {
  const out = link.output;
  out.write(header(BYTES, bytes));
  for (let left = bytes; left > 0; left -= STREAM_CHUNK) {
    const chunk = left >= STREAM_CHUNK ? STREAM_SOURCE : STREAM_SOURCE.subarray(0, left);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  await ack();
}

async function streamOver(settings: Settings, open: () => Promise<Link>): Promise<number[]> {
  const link = await open();
  const ack = acks(link);
  const bytes = settings.streamBytes;
  const nsPerByte = await fixed(settings, bytes, () => sendBytes(link, ack, Math.min(bytes, 256 << 20)), () => sendBytes(link, ack, bytes));
  await link.close();
  return nsPerByte;
}

// ─── the cases ───────────────────────────────────────────────────────────

export const nodeCases: CaseModule = {
  peers,
  cases(settings: Settings): Case[] {
    const latency = (name: string, note: string, run: () => Promise<number[]>): Case => ({
      name, kind: 'latency', family: 'node', note,
      run: async () => ({ name, nsPerOp: await run() }),
    });
    return [
      latency(UNIX_LATENCY, 'two processes; net.Socket on a unix domain stream socket; the peer echoes each chunk', () => latencyOver(settings, () => unixLink('echo-unix'))),
      latency('pipe (two pipes)', 'two processes; two pipe2() pipes wrapped in net.Socket (fds 3, 4 in the peer); the peer echoes', () => latencyOver(settings, () => pipeLink('echo-pipe'))),
      latency('child_process IPC (process.send)', 'two processes; child.send()/process.send() of a 64-character string (default JSON serialization)', () => ipcLatency(settings)),
      latency('worker_threads postMessage', 'two threads of one process; a 64-byte Uint8Array cloned each way', () => workerPostMessage(settings)),
      latency('worker_threads SAB + Atomics.wait/notify', 'two threads of one process; 64 bytes copied in and out of a SharedArrayBuffer, blocking waits', () => workerAtomics(settings)),
      {
        name: UNIX_ONE, kind: 'throughput', family: 'node',
        note: 'a fresh 64-byte Buffer per socket.write(), back-pressure honoured; the peer frames every message and checks its sequence number',
        run: async () => ({ name: UNIX_ONE, nsPerOp: await messagesOverUnix(settings, 1) }),
      },
      {
        name: UNIX_PACKED, kind: 'throughput', family: 'node',
        note: `${PACKED} messages packed into one ${(PACKED * MESSAGE) >> 10} KiB Buffer per socket.write(); same consumer`,
        run: async () => ({ name: UNIX_PACKED, nsPerOp: await messagesOverUnix(settings, PACKED) }),
      },
      {
        name: UNIX_STREAM, kind: 'stream', family: 'node',
        note: `${CHUNK_TEXT} writes of one buffer; the peer counts bytes`,
        run: async () => ({ name: UNIX_STREAM, nsPerOp: await streamOver(settings, () => unixLink('sink-unix')) }),
      },
      {
        name: 'pipe', kind: 'stream', family: 'node',
        note: `${CHUNK_TEXT} writes into a pipe2() pipe (default 64 KiB pipe buffer); the peer counts bytes`,
        run: async () => ({ name: 'pipe', nsPerOp: await streamOver(settings, () => pipeLink('sink-pipe')) }),
      },
    ];
  },
};
