// ESM and CJS in one process, from an installed tarball: `import 'shmkit'`
// and `require('shmkit')` reach one implementation (the same classes, one
// arena) in either order; the CLI sees a user's schema module's classes;
// TypeScript finds declarations for each format.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from './helpers/processes.js';
import { packedProject, type PackedProject } from './helpers/packed-project.js';
import { cleanup } from './helpers/resources.js';

const formats = suite('package formats');
let project: PackedProject;

formats.before(async () => {
  project = await packedProject('formats');
  // Compares what each format gave; prints one JSON line.
  project.write('compare.cjs', `
    exports.compare = (first, second) => {
      const names = Object.keys(first).sort();
      const differing = names.filter((name) => first[name] !== second[name]);
      const a = first.Memfd.create({ size: 65536 });
      const b = second.Memfd.create({ size: 65536 });
      let error;
      try { second.Memfd.create({ size: -1 }); } catch (e) { error = e; }
      const result = {
        sameNames: names.join() === Object.keys(second).sort().join(),
        differing,
        crossInstanceof: a instanceof second.Segment && b instanceof first.Segment && error instanceof first.ShmError,
        oneArena: first.Arena.default === second.Arena.default && a.bytes.buffer === b.bytes.buffer,
        usedBytes: first.Arena.default.usedBytes >= 2 * 65536,
        header: first.cHeader([second.struct('Point', { x: 'f64', y: 'f64' })]).includes('Point'),
        listed: Array.isArray(first.listAll()) && Array.isArray(second.listAll()),
      };
      a.close();
      b.close();
      console.log(JSON.stringify(result));
    };
  `);
});
formats.after(cleanup);

const EXPECTED = { sameNames: true, differing: [], crossInstanceof: true, oneArena: true, usedBytes: true, header: true, listed: true };

formats('require, then import: one implementation, one arena', async () => {
  const file = project.write('require-first.cjs', `
    const required = require('shmkit');
    import('shmkit').then((imported) => require('./compare.cjs').compare(required, imported));
  `);
  const result = await project.node([file]);
  assert.is(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout), EXPECTED);
});

formats('import, then require: the same', async () => {
  const file = project.write('import-first.mjs', `
    import * as imported from 'shmkit';
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    require('./compare.cjs').compare(imported, require('shmkit'));
  `);
  const result = await project.node([file]);
  assert.is(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout), EXPECTED);
});

formats('a second copy of shmkit in the process (a bundle beside the dependency) does not crash koffi', async () => {
  const file = project.write('two-copies.mjs', `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const installed = require('shmkit');
    const bundled = await import('./node_modules/shmkit/dist/index.bundler.mjs');
    console.log(JSON.stringify([bundled.SysV !== installed.SysV, installed.listAll().length === bundled.listAll().length]));
  `);
  const result = await project.node([file]);
  assert.is(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout), [true, true]);
});

formats('the CLI reads schema modules of either format with its own classes', async () => {
  project.write('schema.mjs', "import { struct } from 'shmkit';\nexport const Point = struct('Point', { x: 'f64', y: 'f64' });\n");
  project.write('schema.cjs', "const { struct } = require('shmkit');\nexports.Pair = struct('Pair', { a: 'u32', b: 'u32' });\n");
  for (const [schema, name] of [['schema.mjs', 'Point'], ['schema.cjs', 'Pair']]) {
    const result = await project.node(['node_modules/.bin/shmkit', 'codegen', schema!]);
    assert.is(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`struct ${name} \\{`));
  }
});

formats('TypeScript finds declarations for each format (nodenext)', async () => {
  project.write('consumer.mts', "import { Memfd, type Segment } from 'shmkit';\nexport const open = (): Segment => Memfd.create({ size: 4096 });\n");
  project.write('consumer.cts', "import shmkit = require('shmkit');\nexport const open = (): shmkit.Segment => shmkit.Memfd.create({ size: 4096 });\n");
  const result = await project.node([
    ROOT + 'node_modules/typescript/bin/tsc', '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext',
    '--target', 'es2022', '--lib', 'es2022,esnext.disposable', '--types', 'node', '--typeRoots', ROOT + 'node_modules/@types',
    '--skipLibCheck', 'consumer.mts', 'consumer.cts',
  ]);
  assert.is(result.code, 0, result.stdout + result.stderr);
});

formats.run();
