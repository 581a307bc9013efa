#!/usr/bin/env node
// npm run bench:python: bench/python/run.py in the Python host's venv.
import { spawnSync } from 'node:child_process';
import { pythonEnv } from '../../scripts/python-env.mjs';

const run = spawnSync(pythonEnv(), [new URL('./run.py', import.meta.url).pathname], { stdio: 'inherit' });
process.exit(run.status ?? 1);
