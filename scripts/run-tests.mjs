#!/usr/bin/env node
// Runs every uvu suite under tests/, then the Python host's pytest suite
// (host/python/tests, in build/python-venv), and ends with the plain line
// "N passed, N failed" that CI reads, counting both. Each runner's own
// summary is passed through, and the output of every failing suite is
// printed again just before that line: CI keeps only the tail of a long log.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { pythonEnv } from './python-env.mjs';

// Enough for uvu's failure report and a stack, short enough that several fit in CI's tail.
const FAILURE_LINES = 80;
const files = readdirSync('tests').filter((name) => name.endsWith('.test.ts')).sort();
const only = process.argv.slice(2);
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;

let passed = 0;
let failed = 0;
const failures = [];
// One process per file: a fatal error in one suite cannot hide the others.
for (const file of selected) {
  const { code, out } = await run(process.execPath, ['--import', 'tsx', 'node_modules/uvu/bin.js', 'tests', `^${file.replace(/\./g, '\\.')}$`]);
  const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const ok = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(out)?.[1] ?? 0);
  let bad = total - ok - skipped;
  if (code !== 0 && bad === 0) bad = 1; // the file crashed before uvu could count
  passed += ok;
  failed += bad;
  if (bad) failures.push({ name: file, out });
  process.stdout.write(`-- ${file}: ${ok} passed, ${bad} failed\n`);
}
// The Python suite runs unless a filter leaves it out ("pytest" selects it).
if (!only.length || only.some((o) => 'pytest'.includes(o) || o.startsWith('host/python'))) {
  let python;
  try {
    python = pythonEnv();
  } catch (error) {
    process.stdout.write(`${error.message}\n`);
  }
  const { code, out } = python
    ? await run(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'host/python/tests', ...only.filter((o) => o.startsWith('host/python'))])
    : { code: 1, out: '' };
  // pytest's last line: "== 3 failed, 40 passed, 1 skipped in 2.1s ==".
  const count = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(out.split('\n').filter(Boolean).at(-1) ?? '')?.[1] ?? 0);
  const ok = count('passed');
  let bad = count('failed') + count('errors?');
  if (code !== 0 && bad === 0) bad = 1; // it could not run, or crashed before counting
  passed += ok;
  failed += bad;
  if (bad) failures.push({ name: 'pytest host/python/tests', out });
  process.stdout.write(`-- pytest host/python/tests: ${ok} passed, ${bad} failed\n`);
}
for (const { name, out } of failures) {
  const lines = out.split('\n');
  const shown = lines.slice(-FAILURE_LINES);
  process.stdout.write(`\n== ${name} failed${lines.length > shown.length ? ` (its last ${shown.length} lines)` : ''} ==\n${shown.join('\n')}\n`);
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.on('close', (code, signal) => resolve({ code: signal ? 1 : code, out }));
  });
}
