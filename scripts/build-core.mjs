#!/usr/bin/env node
// Builds every Wasm file from asconfig.json in one process (asc starts
// slowly): the release core, the checked core (same sources, assertions on)
// and the WASI conformance program that drives the core's protocol code.
// The Python host ships the very same release core as package data.
import { copyFileSync } from 'node:fs';
import asc from 'assemblyscript/asc';

const builds = [
  ['assembly/index.ts', 'release'],
  ['assembly/index.ts', 'checked'],
  ['assembly/conformance/main.ts', 'conformance'],
];

for (const [entry, target] of builds) {
  const { error } = await asc.main([entry, '--config', 'asconfig.json', '--target', target], { stdout: process.stdout, stderr: process.stderr });
  if (error) {
    process.stderr.write(`asc failed on ${entry} (target ${target}): ${error.message}\n`);
    process.exit(1);
  }
}

copyFileSync('build/core.wasm', 'host/python/shmkit/core.wasm');
