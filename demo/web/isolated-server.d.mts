// Types of isolated-server.mjs, for the TypeScript tests and benches that start it.
export interface IsolatedServer {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  close(): Promise<void>;
}

export function startIsolatedServer(options: { mounts: Record<string, string>; port?: number; host?: string }): Promise<IsolatedServer>;
