// Real child processes for cross-process tests.
import { spawn, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, collecting its output. */
export function run(command: string, args: string[], options: SpawnOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, ...options, stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => (stdout += chunk));
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs a TypeScript fixture from tests/fixtures in a new node process. */
export function runFixture(name: string, args: string[] = [], options: SpawnOptions = {}): Promise<RunResult> {
  return run(process.execPath, ['--import', 'tsx', FIXTURES + name, ...args], options);
}

/** Runs the built CLI (dist/cli.cjs), as a user would. */
export function runCli(args: string[], options: SpawnOptions = {}): Promise<RunResult> {
  return run(process.execPath, [ROOT + 'dist/cli.cjs', ...args], options);
}

/** Options that make a child run as the unprivileged user nobody (65534). */
export const asNobody: SpawnOptions = { uid: 65534, gid: 65534 };
