// The built package as a dependent sees it: what the tarball holds, where
// package.json points, and ESM and CJS loading dist/.
import { existsSync, readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { run, ROOT } from './helpers/processes.js';

const pkg = suite('package');

const manifest = JSON.parse(readFileSync(ROOT + 'package.json', 'utf8'));

// Everything the tarball may hold; anything else (assembly/, source maps,
// one declaration file per source) is unused at runtime and fails this test.
const TARBALL = [
  'LICENSE',
  'README.md',
  'dist/bridge.cjs',
  'dist/bridge.d.cts',
  'dist/bridge.d.mts',
  'dist/bridge.mjs',
  'dist/browser.d.ts',
  'dist/browser.mjs',
  'dist/cli.cjs',
  'dist/core.wasm',
  'dist/index.bundler.mjs',
  'dist/index.cjs',
  'dist/index.d.cts',
  'dist/index.d.mts',
  'dist/index.mjs',
  'dist/shmkit.cjs',
  'package.json',
];
// The library is built twice for Node (CJS, ESM for bundlers) and typed
// twice, plus the browser bundle with the core inlined; about 1.72 MB
// unpacked, 0.47 MB packed today (the live-user table, gc and creation
// notes grew it). The bound catches a stray source map or dependency.
const MAX_UNPACKED_BYTES = 1_850_000;
const MAX_PACKED_BYTES = 500_000;

const useIt = `
  const seg = shmkit.Memfd.create({ size: 100000 });
  seg.writePattern('mod256');
  const ok = seg.verifyPattern('mod256') === -1 && seg.crc32() === ${0xaacf4fc9 >>> 0} ? 'ok' : 'bad';
  seg.close();
  console.log(ok, typeof shmkit.SysV.create, typeof shmkit.ShmError);
`;

pkg('ESM import of "shmkit" loads dist/ and its core.wasm', async () => {
  const result = await run(process.execPath, ['--input-type=module', '-e', `import * as shmkit from 'shmkit';${useIt}`]);
  assert.is(result.stdout.trim(), 'ok function function', result.stderr);
});

pkg('CJS require("shmkit") works too', async () => {
  const result = await run(process.execPath, ['-e', `const shmkit = require('shmkit');${useIt}`]);
  assert.is(result.stdout.trim(), 'ok function function', result.stderr);
});

pkg('the tarball holds exactly the allowed files, within the size bound', async () => {
  const packed = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts']);
  assert.is(packed.code, 0, packed.stderr);
  const [report] = JSON.parse(packed.stdout) as [{ size: number; unpackedSize: number; files: { path: string }[] }];
  const paths = report.files.map((file) => file.path);
  assert.equal([...paths].sort(), TARBALL);
  // Every file package.json points a dependent at is in the tarball.
  const targets = (value: unknown): string[] => (typeof value === 'string' ? [value] : Object.values(value as object).flatMap(targets));
  for (const target of targets([manifest.exports, manifest.bin, manifest.main, manifest.module, manifest.types])) {
    assert.ok(target.endsWith('/') || paths.includes(target.replace(/^\.\//, '')), `${target} is exported but not packed`);
  }
  assert.ok(report.unpackedSize <= MAX_UNPACKED_BYTES, `unpacked ${report.unpackedSize} bytes > ${MAX_UNPACKED_BYTES}`);
  assert.ok(report.size <= MAX_PACKED_BYTES, `packed ${report.size} bytes > ${MAX_PACKED_BYTES}`);
});

pkg('exports: types first in each format, a bundler build, core.wasm; bin runs', async () => {
  const entry = manifest.exports['.'];
  assert.equal(Object.keys(entry), ['module', 'import', 'require']);
  for (const condition of Object.values(entry) as Record<string, string>[]) {
    assert.equal(Object.keys(condition), ['types', 'default']);
    for (const file of Object.values(condition)) assert.ok(existsSync(ROOT + file), `${file} missing`);
  }
  assert.is(entry.import.types.endsWith('.d.mts') && entry.require.types.endsWith('.d.cts'), true);
  assert.is(manifest.exports['./core.wasm'], './dist/core.wasm');
  assert.ok(existsSync(ROOT + manifest.bin.shmkit), `${manifest.bin.shmkit} missing`);
  const help = await run(process.execPath, [ROOT + manifest.bin.shmkit, 'help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, 'usage: shmkit');
});

pkg('metadata: MIT with its LICENSE, where the project lives, no os/cpu restriction', () => {
  assert.is(manifest.license, 'MIT');
  const license = readFileSync(ROOT + 'LICENSE', 'utf8');
  assert.match(license, /^MIT License\n\nCopyright \(c\) 2026 the shmkit authors\n/);
  assert.is(manifest.repository.url, 'git+https://github.com/shmkit/shmkit.git');
  assert.match(manifest.homepage, /^https:\/\/github\.com\/shmkit\/shmkit/);
  assert.is(manifest.bugs.url, 'https://github.com/shmkit/shmkit/issues');
  assert.ok(manifest.keywords.length > 0);
  // The OS-free parts (and the browser and WASI entries) install anywhere;
  // the Linux host says ENOTSUP at its first OS call instead.
  assert.is(manifest.os, undefined);
  assert.is(manifest.cpu, undefined);
  assert.is(manifest.engines.node, '>=20');
  assert.is(manifest.scripts.prepare, undefined, 'a prepare script runs at install from git and makes npm warn');
});

pkg.run();
