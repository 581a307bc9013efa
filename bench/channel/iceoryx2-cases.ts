// iceoryx2 beside shmkit: bench/peers/iceoryx2 (our Rust program over the
// `iceoryx2` crate, built by bench/peers/run.ts into build/peers-target),
// two processes over iceoryx2's publish-subscribe with the same 64-byte
// messages and the same work as c-cases.ts and shmkit-cases.ts. Each run
// gets its own iceoryx2 root path (in the run's private directory) and file
// prefix; whatever iceoryx2 leaves in /dev/shm under that prefix is removed
// after the run, and at exit.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { C_ADAPTIVE, C_FUTEX, C_SPIN, C_STREAM_CHUNK, C_STREAM_RING } from './c-cases.js';
import { onCleanup, privateDir, type Case, type CaseModule, type Settings } from './case.js';
import { MESSAGE } from './node-cases.js';

/** The Cargo project and where bench/peers/run.ts builds it. */
export const IOX_MANIFEST = fileURLToPath(new URL('../peers/iceoryx2/Cargo.toml', import.meta.url));
export const IOX_TARGET_DIR = fileURLToPath(new URL('../../build/peers-target/', import.meta.url));
export const IOX_BINARY = join(IOX_TARGET_DIR, 'release', 'shmkit-iceoryx2-bench');
/** The iceoryx2 crate's version, as pinned (exactly) in the Cargo project. */
export const IOX_VERSION = /^iceoryx2\s*=\s*"=([^"]+)"/m.exec(readFileSync(IOX_MANIFEST, 'utf8'))?.[1] ?? '?';

const PEER = 'iceoryx2 (Rust) publish-subscribe';
export const IOX_SPIN = `${PEER}, busy-wait`;
export const IOX_LISTENER = `${PEER}, blocking (Listener)`;
export const IOX_WAITSET = `${PEER}, blocking (WaitSet)`;
export const IOX_SPIN_WAITSET = `${PEER}, spin 2000 then WaitSet`;
export const IOX_ONE = `${PEER}, loan + send per message`;
export const IOX_STREAM = `${PEER}, ${C_STREAM_CHUNK >> 10} KiB samples`;
export const IOX_STREAM_LARGE = `${PEER}, 1 MiB samples`;

/** Subscriber queue of the message case: 4096 × 64 bytes, the payload of the C ring's 256 KiB. */
export const IOX_MESSAGE_BUFFER = 4096;
/** Samples in flight in the stream cases: 1 MiB, the C and shmkit stream ring's size. */
const STREAM_LARGE = 1 << 20;
const streamBuffer = (chunk: number) => Math.max(2, C_STREAM_RING / chunk);

const SHM = '/dev/shm';
/** Every file prefix of this process's runs starts with this (unix socket paths are short: keep it so). */
const PREFIX = `shmkit${process.pid}_`;
let runs = 0;

function removeShm(prefix: string): void {
  let names: string[];
  try {
    names = readdirSync(SHM);
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith(prefix)) rmSync(join(SHM, name), { force: true });
}

let cleanupInstalled = false;
function iceoryx2Root(): string {
  const root = join(privateDir(), 'iox');
  if (!cleanupInstalled) {
    cleanupInstalled = true;
    mkdirSync(root, { recursive: true });
    onCleanup(() => removeShm(PREFIX)); // registered after privateDir's: runs before the directory goes
  }
  return root;
}

/** One run of the binary with a fresh prefix; its files in /dev/shm removed afterwards, however it ended. */
function runBinary(args: string[]): Promise<number[]> {
  const root = iceoryx2Root();
  const prefix = `${PREFIX}${++runs}_`;
  return new Promise<number[]>((resolve, reject) => {
    const child = execFile(IOX_BINARY, [root, prefix, ...args], { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      kill();
      removeShm(prefix);
      if (error) {
        reject(new Error(`${IOX_BINARY} ${args.join(' ')}: ${error.message}${stderr}`));
        return;
      }
      try {
        resolve((JSON.parse(stdout) as { nsPerOp: number[] }).nsPerOp);
      } catch {
        reject(new Error(`${IOX_BINARY} ${args.join(' ')}: not JSON: ${stdout.slice(0, 200)}`));
      }
    });
    // Its child (the second process) is killed by the binary on error and watches its parent; this is for Ctrl-C and crashes of ours.
    const kill = onCleanup(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      removeShm(prefix);
    });
  });
}

export const iceoryx2Cases: CaseModule = {
  peers: {},
  cases(settings: Settings): Case[] {
    if (!existsSync(IOX_BINARY)) {
      console.error(`(iceoryx2 rows skipped: ${IOX_BINARY} is not built; npm run bench:peers builds it)`);
      return [];
    }
    const { seconds, repeats } = settings;
    const make = (name: string, kind: Case['kind'], note: string, args: string[], extra: Partial<Case> = {}): Case => ({
      name, kind, family: 'c', note, ...extra,
      run: async () => ({ name, nsPerOp: await runBinary(args) }),
    });
    const stream = (name: string, chunk: number) => make(name, 'stream',
      `same service settings with [u8] samples of ${chunk >> 10} KiB (${streamBuffer(chunk)} in the subscriber's queue: ${(chunk * streamBuffer(chunk)) >> 20} MiB): each loaned, filled from a source buffer (write_from_slice), sent; the subscriber copies each out into a destination buffer`,
      ['stream', String(settings.streamBytes), String(repeats), String(chunk), String(streamBuffer(chunk))]);
    return [
      make(IOX_SPIN, 'latency', `iceoryx2 ${IOX_VERSION} ipc::Service, two processes, two publish-subscribe services of [u8; ${MESSAGE}] (history 0, queue 1, safe overflow): loan_uninit + write_payload + send, then spin on receive(); the peer spins on receive(), copies the message into its own loaned sample and sends it`, ['pingpong', 'spin', String(seconds), String(repeats)], { limit: C_SPIN }),
      make(IOX_LISTENER, 'latency', 'as above, and every send is followed by notify() on an event service beside it; a side with nothing to receive sleeps in Listener::timed_wait (iceoryx2 0.10 events: unix datagram socket)', ['pingpong', 'listener', String(seconds), String(repeats)], { limit: C_FUTEX }),
      make(IOX_WAITSET, 'latency', 'as above, but a side with nothing to receive sleeps in WaitSet::wait_and_process_once on its listener (epoll), as iceoryx2\'s event-based examples wait', ['pingpong', 'waitset', String(seconds), String(repeats)], { limit: C_FUTEX }),
      make(IOX_SPIN_WAITSET, 'latency', 'as above, but a side with nothing to receive first spins on receive() up to 2000 times (the spin phase of the C spin-then-futex row), then sleeps in the WaitSet; every send still calls notify()', ['pingpong', 'spin-waitset', String(seconds), String(repeats)], { limit: C_ADAPTIVE }),
      make(IOX_ONE, 'throughput', `one service of [u8; ${MESSAGE}] (subscriber queue ${IOX_MESSAGE_BUFFER} samples, no overflow, publisher RetryUntilDelivered): loan_uninit + write_payload + send per message; the subscriber receive()s each and checks its sequence number; a repeat ends when all have arrived`, ['msgs', String(seconds), String(repeats), String(IOX_MESSAGE_BUFFER)]),
      stream(IOX_STREAM, C_STREAM_CHUNK),
      stream(IOX_STREAM_LARGE, STREAM_LARGE),
    ];
  },
};
