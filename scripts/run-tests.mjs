#!/usr/bin/env node
// Runs every uvu suite under tests/ and ends with the plain line
// "N passed, N failed" that CI reads. uvu's own summary is passed through.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';

const files = readdirSync('tests').filter((name) => name.endsWith('.test.ts')).sort();
const only = process.argv.slice(2);
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;

let passed = 0;
let failed = 0;
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
  process.stdout.write(`-- ${file}: ${ok} passed, ${bad} failed\n`);
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
