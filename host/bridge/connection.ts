// The NATS connection of a bridge: connect options passed through to the
// client (credentials and TLS included; nothing here logs them), endless
// reconnects with exponential backoff, and whether it is up now: the client
// drops what is published while it is disconnected, so the bridge holds
// its messages until the connection is back.
import { connect } from '@nats-io/transport-node';
import type { ConnectionOptions, NatsConnection } from '@nats-io/transport-node';
import { ShmError, invalidArgument } from '../errors.js';

/** The client's connect options a bridge passes on (see the `@nats-io/transport-node` docs). */
export const NATS_OPTION_KEYS = [
  'servers', 'name', 'user', 'pass', 'token', 'authenticator', 'tls', 'timeout', 'pingInterval', 'maxPingOut',
  'reconnectTimeWait', 'reconnectJitter', 'reconnectJitterTLS', 'inboxPrefix', 'noEcho', 'ignoreClusterUpdates',
] as const;

export type NatsOptions = Pick<ConnectionOptions, (typeof NATS_OPTION_KEYS)[number]>;

const BACKOFF_FIRST_MS = 100;
const BACKOFF_MOST_MS = 5000;

export class Connection {
  readonly nc: NatsConnection;
  #up = true;
  #attempts = 0;
  #reconnects = 0;
  #waiters: Array<() => void> = [];

  private constructor(nc: NatsConnection) {
    this.nc = nc;
    void this.#watch();
  }

  static async open(options: NatsOptions, bridgeName: string): Promise<Connection> {
    let self: Connection | undefined;
    const backoff = () => Math.min(BACKOFF_MOST_MS, BACKOFF_FIRST_MS * 2 ** Math.min(16, self ? self.#attempts : 0));
    try {
      const nc = await connect({
        name: bridgeName, ...options, maxReconnectAttempts: -1, reconnectDelayHandler: backoff, waitOnFirstConnect: false,
      });
      self = new Connection(nc);
      return self;
    } catch (error) {
      throw new ShmError({ code: 'ECONNREFUSED', message: `the bridge could not reach NATS at ${describeServers(options.servers)}: ${(error as Error).message}; is nats-server running there, and are the credentials right?`, cause: error });
    }
  }

  /** Whether messages published now reach the server. */
  get up(): boolean {
    return this.#up;
  }

  get reconnects(): number {
    return this.#reconnects;
  }

  /** Resolves once the connection is up (at once when it is). */
  whenUp(): Promise<void> {
    return this.#up ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }

  async #watch(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') this.#up = false;
      else if (status.type === 'reconnecting') this.#attempts++;
      else if (status.type === 'reconnect') {
        this.#up = true;
        this.#attempts = 0;
        this.#reconnects++;
        for (const wake of this.#waiters.splice(0)) wake();
      }
    }
    this.#up = false;
    for (const wake of this.#waiters.splice(0)) wake(); // closed: nobody waits forever
  }
}

/** Server URLs for messages, without any user:password@ they may hold. */
export function describeServers(servers: string | string[] | undefined): string {
  const list = servers === undefined ? ['127.0.0.1:4222'] : Array.isArray(servers) ? servers : [servers];
  return list.map((s) => String(s).replace(/\/\/[^@/]*@/, '//')).join(', ');
}

export function checkNatsOptions(options: unknown): NatsOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) invalidArgument('bridge: nats must be an object of connect options');
  for (const key of Object.keys(options)) {
    if (!(NATS_OPTION_KEYS as readonly string[]).includes(key)) invalidArgument(`bridge: unknown nats option "${key}"; known: ${NATS_OPTION_KEYS.join(', ')} (reconnects are the bridge's own: endless, with backoff)`);
  }
  return options as NatsOptions;
}
