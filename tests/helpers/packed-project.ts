// A fresh project that installs shmkit from its packed tarball, the way a
// user's project would: it sees exactly what the package ships, through the
// package's own exports map. Made once per test file (from the dist/ that
// `npm run build` left), removed by cleanup() even when a test fails.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpawnOptions } from 'node:child_process';
import { ROOT, run, type RunResult } from './processes.js';
import { trackPath } from './resources.js';

export interface PackedProject {
  /** The project's folder; shmkit is in its node_modules. */
  readonly dir: string;
  /** Writes a file into the project and returns its path. */
  write(name: string, text: string): string;
  /** Runs `node ...args` in the project's folder. */
  node(args: string[], options?: SpawnOptions): Promise<RunResult>;
}

async function mustRun(command: string, args: string[], cwd: string): Promise<RunResult> {
  const result = await run(command, args, { cwd });
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.code}):\n${result.stderr}`);
  return result;
}

/** Packs the built package (without rebuilding it) and installs it into a new project. */
export async function packedProject(tag: string): Promise<PackedProject> {
  const dir = trackPath(mkdtempSync(join(tmpdir(), `shmkit-${tag}-`)));
  // --ignore-scripts: no prepack rebuild, which would rewrite dist/ under other running tests.
  const packed = await mustRun('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `shmkit-${tag}`, private: true }));
  await mustRun('npm', ['install', join(dir, filename), '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir);
  return {
    dir,
    write(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    node: (args, options = {}) => run(process.execPath, args, { cwd: dir, ...options }),
  };
}
