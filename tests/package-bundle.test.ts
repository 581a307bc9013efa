// Bundling a program that uses shmkit, for Node, with esbuild, as ESM and as
// CJS (koffi stays external: it carries native binaries). The bundle gets its
// core inlined through shmkit/core.wasm and provideCore, or from a core.wasm
// copied beside it; with neither, the error says how to do one or the other.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, run } from './helpers/processes.js';
import { packedProject, type PackedProject } from './helpers/packed-project.js';
import { cleanup } from './helpers/resources.js';

const bundle = suite('package bundle');
let project: PackedProject;

const FORMATS = [['esm', 'mjs'], ['cjs', 'cjs']] as const;

bundle.before(async () => {
  project = await packedProject('bundle');
  mkdirSync(join(project.dir, 'out'));
  // Uses the arena, the core (pattern fill and check) and the schema layer.
  const body = `
    const seg = Memfd.create({ size: 65536 });
    seg.writePattern('mod256');
    console.log(JSON.stringify({ pattern: seg.verifyPattern('mod256'), size: struct('P', { x: 'u8', y: 'f64' }).size }));
    seg.close();
  `;
  project.write('inlined.mjs', `import { Memfd, provideCore, struct } from 'shmkit';\nimport core from 'shmkit/core.wasm';\nprovideCore(core);\n${body}`);
  project.write('plain.mjs', `import { Memfd, struct } from 'shmkit';\n${body}`);
});
bundle.after(cleanup);

async function esbuild(entry: string, format: 'esm' | 'cjs', outfile: string): Promise<void> {
  const result = await run(ROOT + 'node_modules/.bin/esbuild', [
    entry, '--bundle', '--platform=node', '--target=es2022', `--format=${format}`, '--external:koffi',
    '--loader:.wasm=binary', `--outfile=${outfile}`, '--log-level=warning',
  ], { cwd: project.dir });
  assert.is(result.code, 0, result.stderr);
  assert.is(result.stderr, '', 'esbuild warned');
}

const WORKS = { pattern: -1, size: 16 };

for (const [format, extension] of FORMATS) {
  bundle(`${format} bundle with the core inlined runs anywhere, alone`, async () => {
    const outfile = `out/inlined.${extension}`;
    await esbuild('inlined.mjs', format, outfile);
    const result = await project.node([outfile]);
    assert.is(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout), WORKS);
  });
}

bundle('a bundle without its core says how to give it one; with core.wasm beside it, it runs', async () => {
  for (const [format, extension] of FORMATS) {
    const outfile = `out/plain.${extension}`;
    await esbuild('plain.mjs', format, outfile);
    const missing = await project.node([outfile]);
    assert.is(missing.code, 1, format);
    assert.match(missing.stderr, 'ShmError', format);
    assert.match(missing.stderr, `could not read its Wasm core, core.wasm (ENOENT`, format);
    assert.match(missing.stderr, "import core from 'shmkit/core.wasm'", format);
    assert.match(missing.stderr, 'provideCore(core)', format);
    assert.match(missing.stderr, /code: \S*'ENOENT'/, format); // colours may wrap the value
  }
  copyFileSync(join(project.dir, 'node_modules/shmkit/dist/core.wasm'), join(project.dir, 'out/core.wasm'));
  for (const [format, extension] of FORMATS) {
    const beside = await project.node([`out/plain.${extension}`]);
    assert.is(beside.code, 0, beside.stderr);
    assert.equal(JSON.parse(beside.stdout), WORKS, format);
  }
});

bundle('provideCore checks what it is given and refuses a late change', async () => {
  const file = project.write('provide.cjs', `
    const { provideCore, struct, ShmError } = require('shmkit');
    const fs = require('node:fs');
    const bytes = fs.readFileSync(require.resolve('shmkit/core.wasm'));
    const codes = [];
    const attempt = (value) => { try { provideCore(value); codes.push('ok'); } catch (e) { codes.push(e instanceof ShmError ? e.code : String(e)); } };
    attempt('core.wasm');                                  // not bytes
    attempt(new Uint8Array([0, 97, 115, 109, 1, 0, 0]));   // not a module
    attempt(new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))); // a module, not the core
    attempt(bytes);                                        // the core
    struct('T', { a: 'u32' });                             // the core is in use now
    attempt(new Uint8Array(bytes));                        // the same bytes again: harmless
    attempt(new WebAssembly.Module(bytes));                // another core: too late
    console.log(JSON.stringify(codes));
  `);
  const result = await project.node([file]);
  assert.is(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout), ['EINVAL', 'EINVAL', 'EINVAL', 'ok', 'ok', 'EBUSY']);
});

bundle.run();
