// Drives tests/fixtures/posix-peer.ts: a second process that maps a segment
// and runs steps, one JSON line each, pausing at `wait` steps for the test.
import { spawn, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fixtureStart, type RunResult } from './processes.js';

export interface Peer {
  /** The next JSON line the peer printed (rejects if it exits first). */
  next(): Promise<any>;
  /** Lets a peer blocked in a `wait` step go on. */
  resume(): void;
  /** Waits for the peer to exit. */
  done(): Promise<RunResult>;
}

export function startPeer(target: string, steps: string[], options: SpawnOptions = {}): Peer {
  const start = fixtureStart('posix-peer.ts', options);
  const child = spawn(process.execPath, [...start.args, target, ...steps], {
    ...start.options, stdio: options.stdio ?? ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const lines: string[] = [];
  const waiting: Array<{ resolve: (v: any) => void; reject: (e: Error) => void }> = [];
  let exited = false;
  const exit = new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      exited = true;
      for (const w of waiting.splice(0)) w.reject(new Error(`peer exited (code ${code}, signal ${signal}) before printing: ${stderr}`));
      resolve({ code, signal, stdout, stderr });
    });
  });
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    stdout += line + '\n';
    const w = waiting.shift();
    if (w) w.resolve(JSON.parse(line));
    else lines.push(line);
  });
  return {
    next() {
      const line = lines.shift();
      if (line !== undefined) return Promise.resolve(JSON.parse(line));
      if (exited) return Promise.reject(new Error(`peer already exited: ${stderr}`));
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    resume() {
      child.stdin!.write('\n');
    },
    done() {
      child.stdin?.end();
      return exit;
    },
  };
}

/** Runs the peer to completion and returns every line it printed, parsed. */
export async function runPeer(target: string, steps: string[], options: SpawnOptions = {}): Promise<{ code: number | null; lines: any[]; stderr: string }> {
  const peer = startPeer(target, steps, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const result = await peer.done();
  const lines = result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return { code: result.code, lines, stderr: result.stderr };
}
