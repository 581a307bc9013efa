// A temporary project where `shmkit` is this checkout's built package, and
// the sandbox its README examples run in: fresh IPC, mount and pid
// namespaces (unshare(1)) with a /dev/shm of their own, so what an example
// leaves behind is seen, is its own, and goes with the namespaces.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './paths.js';
import { CLI, shellQuote } from './processes.js';

const HELPERS = join(ROOT, 'tests/helpers');
/** Long enough for any example on a loaded machine; only a hang reaches it. */
const HANG_MS = 120_000;

export interface SandboxRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  /** What the example left: processes, /dev/shm entries, System V objects, files in its directory. */
  leftovers: string[];
  /** The files that the Node and Python processes it started ran (itself included). */
  started: string[];
}

export class ReadmeProject {
  readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'shmkit-readme-'));
    writeFileSync(join(this.dir, 'package.json'), JSON.stringify({ name: 'readme-examples', private: true, type: 'module' }));
    mkdirSync(join(this.dir, 'node_modules/.bin'), { recursive: true });
    // The package's `exports` then lead to dist/, as for an installed copy.
    symlinkSync(ROOT, join(this.dir, 'node_modules/shmkit'));
    // Types for the TypeScript examples.
    symlinkSync(join(ROOT, 'node_modules/@types'), join(this.dir, 'node_modules/@types'));
    // What npm makes of the package's `bin` (without making the built bin executable in the checkout).
    const cli = join(this.dir, 'node_modules/.bin/shmkit');
    writeFileSync(cli, `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(CLI)} "$@"\n`);
    chmodSync(cli, 0o755);
  }

  /** Saves `code` as the project's file `name`. */
  write(name: string, code: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, code);
    return path;
  }

  /**
   * Runs `command` in the sandbox, from an empty directory that is also its
   * TMPDIR, and reports what it printed and left behind.
   */
  run(label: string, command: string[]): Promise<SandboxRun> {
    const work = join(this.dir, 'work', label);
    mkdirSync(work, { recursive: true });
    const leftoversFile = join(this.dir, `${label}.leftovers`);
    const startedFile = join(this.dir, `${label}.started`);
    writeFileSync(startedFile, '');
    const unshare = ['--ipc', '--mount', '--pid', '--fork', '--kill-child', '--mount-proc'];
    if (process.getuid?.() !== 0) unshare.push('--map-root-user'); // namespaces of an unprivileged user's own
    const env = {
      ...process.env,
      TMPDIR: work,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require=${JSON.stringify(join(HELPERS, 'readme-record-run.cjs'))}`,
      SHMKIT_README_RUNS: startedFile,
      // Python processes note their scripts too (readme-python/sitecustomize.py).
      PYTHONPATH: join(HELPERS, 'readme-python'),
    };
    return new Promise((resolve, reject) => {
      const child = spawn('unshare', [...unshare, '--', '/bin/sh', join(HELPERS, 'readme-sandbox.sh'), leftoversFile, ...command], {
        cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: HANG_MS, killSignal: 'SIGKILL',
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        const leftovers = lines(leftoversFile);
        for (const entry of readdirSync(work)) leftovers.push(`a file in its directory (its TMPDIR): ${entry}`);
        resolve({ code, signal, output, leftovers, started: lines(startedFile) });
      });
    });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function lines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean);
  } catch {
    return []; // the sandbox never got to write it: its exit status says why
  }
}

