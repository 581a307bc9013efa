// Real child processes for cross-process tests.
import { spawn, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { FIXTURES, ROOT } from './paths.js';
import { readableBundle, readableRoot } from './readable-copy.js';

export { FIXTURES, ROOT };

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
  const start = fixtureStart(name, options);
  return run(process.execPath, [...start.args, ...args], start.options);
}

/**
 * How to start fixture `name` with `options`: from the checkout with tsx,
 * or, for a child that runs as another user (who may not be able to read
 * the checkout), from a bundle that user can read, in its directory.
 */
export function fixtureStart(name: string, options: SpawnOptions): { args: string[]; options: SpawnOptions } {
  if (options.uid === undefined || options.uid === process.getuid?.()) {
    return { args: ['--import', 'tsx', FIXTURES + name], options: { cwd: ROOT, ...options } };
  }
  return { args: [readableBundle('tests/fixtures/' + name)], options: { ...options, cwd: readableRoot() } };
}

/** The built CLI, where package.json's `bin` says it is. */
export const CLI = ROOT + (JSON.parse(readFileSync(ROOT + 'package.json', 'utf8')) as { bin: { shmkit: string } }).bin.shmkit.replace(/^\.\//, '');

/** Runs the built CLI, as a user would. */
export function runCli(args: string[], options: SpawnOptions = {}): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args], options);
}

/** Options that make a child run as the unprivileged user nobody (65534). */
export const asNobody: SpawnOptions = { uid: 65534, gid: 65534 };

/** `text` as one word of a /bin/sh command line, whatever it holds (spaces in a checkout's path). */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
