// C programs built by gcc during a test, in a temp dir removed by cleanup().
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackPath } from './resources.js';

/** Compiles `source` (C11, warnings are errors) and returns the binary's path. */
export function compileC(source: string, name: string, headers: Record<string, string> = {}, flags: string[] = []): string {
  const dir = trackPath(mkdtempSync(join(tmpdir(), `shmkit-${name}-`)));
  for (const [file, text] of Object.entries(headers)) writeFileSync(join(dir, file), text);
  writeFileSync(join(dir, `${name}.c`), source);
  const binary = join(dir, name);
  execFileSync('gcc', ['-std=c11', '-D_GNU_SOURCE', '-O1', '-Wall', '-Werror', '-I', dir, '-o', binary, join(dir, `${name}.c`), ...flags], { stdio: ['ignore', 'ignore', 'pipe'] });
  return binary;
}
