// The protocol conformance program (assembly/conformance/, built to
// build/conformance.wasm) under every WASI runtime at hand: node:wasi,
// @bjorn3/browser_wasi_shim in Node, wasmtime through its Python package
// (installed into build/wasi-venv from host/wasi/requirements.txt), and any
// wasmtime, wasmer or wasmedge on PATH, and the shim again in Chromium
// (demo/web/wasi.html). Each must pass every property and print the very
// same bytes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { WASI as NodeWasi } from 'node:wasi';
import * as browserShim from '@bjorn3/browser_wasi_shim';
import { build } from 'esbuild';
import {
  browserShimHost, conformanceArgs, readVerdict, runConformance, type ConformanceRun, type WasiCommandHost,
} from '../host/wasi/conformance.js';
import { chromiumMissing, startIsolatedBrowser } from './helpers/chromium.js';
import { ROOT, run } from './helpers/processes.js';
import { cleanup, trackPath } from './helpers/resources.js';

const PROGRAM = join(ROOT, 'build/conformance.wasm');
const REQUIREMENTS = join(ROOT, 'host/wasi/requirements.txt');
const VENV = join(ROOT, 'build/wasi-venv');
const SEEDS = [20261202, 7];
// A hang guard only: the page answers in about a second.
const PAGE_ANSWER_MS = 60_000;
const module = new WebAssembly.Module(readFileSync(PROGRAM));

/** node:wasi writes to real descriptors: a temporary file each for stdout and stderr. */
function nodeWasiHost(args: string[]): WasiCommandHost {
  const dir = trackPath(mkdtempSync(join(tmpdir(), 'shmkit-wasi-')));
  const outPath = join(dir, 'stdout');
  const errPath = join(dir, 'stderr');
  const stdout = openSync(outPath, 'w');
  const stderr = openSync(errPath, 'w');
  const wasi = new NodeWasi({ version: 'preview1', args, env: {}, stdout, stderr, returnOnExit: true });
  const closeAll = () => [stdout, stderr].forEach((fd) => closeSync(fd));
  return {
    imports: (wasi.getImportObject() as { wasi_snapshot_preview1: WebAssembly.ModuleImports }).wasi_snapshot_preview1,
    start: (instance) => {
      try {
        return wasi.start(instance);
      } finally {
        closeAll();
      }
    },
    output: () => readFileSync(outPath, 'utf8'),
    errors: () => readFileSync(errPath, 'utf8'),
  };
}

/** The Python interpreter of a venv with the pinned wasmtime, made on first use; or why there is none. */
async function wasmtimePython(): Promise<{ python: string } | { skipped: string }> {
  const python = join(VENV, 'bin/python');
  const marker = join(VENV, 'installed-requirements.txt');
  const wanted = readFileSync(REQUIREMENTS, 'utf8');
  if (existsSync(python) && existsSync(marker) && readFileSync(marker, 'utf8') === wanted) return { python };
  const venv = await run('python3', ['-m', 'venv', '--clear', VENV]);
  if (venv.code !== 0) return { skipped: `python3 -m venv failed: ${venv.stderr.trim().slice(-300)}` };
  const pip = await run(join(VENV, 'bin/pip'), ['install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS]);
  if (pip.code !== 0) return { skipped: `pip could not install ${wanted.trim()}: ${pip.stderr.trim().slice(-300)}` };
  writeFileSync(marker, wanted);
  return { python };
}

// Command-line runtimes and how each passes the program its arguments.
const CLI_RUNTIMES: Array<[string, (program: string, args: string[]) => string[]]> = [
  ['wasmtime', (program, args) => ['run', '-W', 'threads=y', program, ...args.slice(1)]],
  ['wasmer', (program, args) => ['run', program, '--', ...args.slice(1)]],
  ['wasmedge', (program, args) => ['--enable-threads', program, ...args.slice(1)]],
];

function onPath(command: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((entry) => entry.startsWith('/'));
  return dirs.map((entry) => join(entry, command)).find((path) => existsSync(path));
}

// node:wasi's run of a seed, the output every other runtime must print.
const references = new Map<number, ConformanceRun>();
function reference(seed: number): ConformanceRun {
  let run = references.get(seed);
  if (!run) references.set(seed, (run = runConformance(module, nodeWasiHost(conformanceArgs(seed)))));
  return run;
}

function assertPassed(name: string, result: ConformanceRun): void {
  assert.is(result.failures.length, 0, `${name}:\n${result.failures.join('\n')}`);
  assert.is(result.exitCode, 0, `${name}: exit status`);
  assert.ok(result.passed >= 11, `${name}: ${result.passed} properties passed`);
}

const conformance = suite('wasi conformance: the protocol tests inside Wasm');
conformance.after.each(cleanup);

for (const seed of SEEDS) {
  conformance(`seed ${seed}: node:wasi and @bjorn3/browser_wasi_shim pass every property with the same output`, () => {
    const byNode = reference(seed);
    assertPassed('node:wasi', byNode);
    assert.match(byNode.output, new RegExp(`^shmkit core conformance, seed ${seed}\\n`));
    const byShim = runConformance(module, browserShimHost(browserShim, conformanceArgs(seed)));
    assertPassed('@bjorn3/browser_wasi_shim', byShim);
    assert.is(byShim.output, byNode.output, 'same bytes as under node:wasi');
  });
}

conformance('wasmtime (PyPI package, pinned) passes every property with the output node:wasi printed', async () => {
  const found = await wasmtimePython();
  if ('skipped' in found) {
    console.log(`  skipped wasmtime-py: ${found.skipped}`);
    return;
  }
  const seed = SEEDS[0]!;
  const result = await run(found.python, [join(ROOT, 'host/wasi/run_command.py'), PROGRAM, ...conformanceArgs(seed).slice(1)]);
  const verdict = readVerdict(result.stdout, result.code ?? -1, result.stderr.trim());
  assertPassed('wasmtime-py', verdict);
  assert.is(verdict.output, reference(seed).output, 'same bytes as under node:wasi');
});

conformance('command-line WASI runtimes on PATH (wasmtime, wasmer, wasmedge) print the same output', async () => {
  const seed = SEEDS[0]!;
  for (const [name, argv] of CLI_RUNTIMES) {
    const path = onPath(name);
    if (!path) {
      console.log(`  skipped ${name}: not on PATH`);
      continue;
    }
    const result = await run(path, argv(PROGRAM, conformanceArgs(seed)));
    const verdict = readVerdict(result.stdout, result.code ?? -1, result.stderr.trim());
    assertPassed(name, verdict);
    assert.is(verdict.output, reference(seed).output, `${name}: same bytes as under node:wasi`);
  }
});

/** A folder with the program and a browser build of host/wasi/conformance.ts, as demo/web/wasi/page.mjs loads them. */
async function browserProgramFolder(): Promise<string> {
  const dir = trackPath(mkdtempSync(join(tmpdir(), 'shmkit-wasi-web-')));
  await build({ entryPoints: [join(ROOT, 'host/wasi/conformance.ts')], outfile: join(dir, 'conformance.mjs'), format: 'esm', platform: 'browser', logLevel: 'silent' });
  copyFileSync(PROGRAM, join(dir, 'conformance.wasm'));
  return dir;
}

const missingChromium = chromiumMissing();
(missingChromium ? conformance.skip : conformance)('Chromium: @bjorn3/browser_wasi_shim on a page prints what node:wasi printed, byte for byte', async () => {
  const chromium = await startIsolatedBrowser({
    '/': join(ROOT, 'demo/web'),
    '/wasi-shim/': join(ROOT, 'node_modules/@bjorn3/browser_wasi_shim/dist'),
    '/wasi-program/': await browserProgramFolder(),
  });
  try {
    for (const seed of SEEDS) {
      const { page, errors } = await chromium.open(`wasi.html?seed=${seed}`);
      await page.waitForFunction(() => (window as { wasiResult?: unknown }).wasiResult !== undefined, null, { timeout: PAGE_ANSWER_MS });
      const result = await page.evaluate(() => (window as unknown as { wasiResult: ConformanceRun & { error?: string } }).wasiResult);
      assert.is(result.error, undefined, `the page failed: ${result.error}`);
      assertPassed(`Chromium, seed ${seed}`, result);
      assert.is(result.output, reference(seed).output, `Chromium, seed ${seed}: same bytes as under node:wasi`);
      assert.equal(errors, [], 'no page errors');
      await page.close();
    }
  } finally {
    await chromium.close();
  }
});
if (missingChromium) console.warn(`wasi-conformance: Chromium SKIPPED, ${missingChromium}`);

conformance('a run that ends before its summary line is a failure, with what it said on stderr', () => {
  const cut = readVerdict('shmkit core conformance, seed 1\nok   spsc ring (10 operations)\n', -1, 'RuntimeError: unreachable');
  assert.is(cut.passed, 0);
  assert.is(cut.failed, 1);
  assert.match(cut.failures[0]!, /ended before its summary line \(exit status -1\): RuntimeError: unreachable/);
});

conformance.run();
