#!/usr/bin/env node
// The Python host's environment: build/python-venv with the pinned
// requirements (host/python/requirements.txt) and host/python installed
// editable on top. Made once, and again whenever the pins or the package
// metadata change. Run directly, it prints the interpreter's path.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PYTHON_HOST = join(ROOT, 'host/python');
const VENV = join(ROOT, 'build/python-venv');
const INPUTS = [join(PYTHON_HOST, 'requirements.txt'), join(PYTHON_HOST, 'pyproject.toml')];

function step(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: ROOT });
  if (result.status !== 0) {
    const why = (result.stderr || result.stdout || String(result.error)).trim().slice(-600);
    throw new Error(`${[command, ...args].join(' ')} failed: ${why}\nInstall python3 with its venv module (Debian: python3-venv) and make PyPI reachable.`);
  }
}

/** The venv's python, made (or brought up to date) first. */
export function pythonEnv() {
  const python = join(VENV, 'bin/python');
  const marker = join(VENV, 'installed-inputs.txt');
  const wanted = INPUTS.map((path) => readFileSync(path, 'utf8')).join('\n');
  if (existsSync(python) && existsSync(marker) && readFileSync(marker, 'utf8') === wanted) return python;
  step('python3', ['-m', 'venv', '--clear', VENV]);
  const pip = [join(VENV, 'bin/pip'), '--quiet', '--disable-pip-version-check'];
  step(pip[0], [...pip.slice(1), 'install', '-r', INPUTS[0]]);
  step(pip[0], [...pip.slice(1), 'install', '--no-deps', '-e', PYTHON_HOST]);
  writeFileSync(marker, wanted);
  return python;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(`${pythonEnv()}\n`);
