#!/usr/bin/env node
// npm run bench:python: bench/python/run.py in the Python host's venv, with
// the benchmark's own pins (iceoryx2) added to it.
import { spawnSync } from 'node:child_process';
import { pythonEnv } from '../../scripts/python-env.mjs';

const python = pythonEnv();
const here = (name) => new URL(name, import.meta.url).pathname;
const pip = spawnSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', here('./requirements.txt')], { stdio: 'inherit' });
if (pip.status !== 0) process.exit(pip.status ?? 1);
const run = spawnSync(python, [here('./run.py')], { stdio: 'inherit' });
process.exit(run.status ?? 1);
