// A real nats-server for the bridge tests (Debian's package: .ci/run
// installs it), with JetStream, on loopback, its store in a fresh temporary
// directory that stop() removes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NATS_SERVER = '/usr/sbin/nats-server';

export interface NatsServerPlace {
  /** The address it listens on (default 127.0.0.1). */
  address?: string;
  /** A network namespace to run it in (ip netns exec). */
  netns?: string;
}

export class NatsServer {
  readonly storeDir = mkdtempSync(join(tmpdir(), 'shmkit-nats-'));
  readonly #address: string;
  readonly #netns: string | undefined;
  port = -1;
  #child: ChildProcess | undefined;

  constructor(place: NatsServerPlace = {}) {
    this.#address = place.address ?? '127.0.0.1';
    this.#netns = place.netns;
  }

  get url(): string {
    return `nats://${this.#address}:${this.port}`;
  }

  /** Starts it (again, on the same port and store, after stop({ keepStore: true })). */
  async start(): Promise<void> {
    if (!existsSync(NATS_SERVER)) throw new Error(`${NATS_SERVER} is missing: apt-get install nats-server (.ci/run does)`);
    const serverArgs = ['-a', this.#address, '-p', String(this.port), '-js', '-sd', this.storeDir];
    const [command, args] = this.#netns ? ['ip', ['netns', 'exec', this.#netns, NATS_SERVER, ...serverArgs]] : [NATS_SERVER, serverArgs];
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    let log = '';
    this.port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server was not ready within 15 s:\n${log}`)), 15_000);
      child.stderr!.on('data', (chunk) => {
        log += chunk;
        const port = /Listening for client connections on [\d.]+:(\d+)/.exec(log);
        if (port && log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve(Number(port[1]));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited (${code}) before it was ready:\n${log}`));
      });
    });
  }

  /** Stops it (SIGTERM, a clean JetStream shutdown); removes the store unless kept for a restart. */
  async stop({ keepStore = false } = {}): Promise<void> {
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    if (!keepStore) rmSync(this.storeDir, { recursive: true, force: true });
  }
}
