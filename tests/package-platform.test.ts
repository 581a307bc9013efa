// shmkit installed on another platform: a preload makes process.platform
// 'darwin' before shmkit loads. The OS-free parts import and work (struct
// schemas, cHeader, CoreMemory, the CLI's codegen); every OS call is an
// ENOTSUP ShmError naming the platform.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { packedProject, type PackedProject } from './helpers/packed-project.js';
import { cleanup, freshKey } from './helpers/resources.js';

const platform = suite('package on another platform');
let project: PackedProject;
let asDarwin: string[];

platform.before(async () => {
  project = await packedProject('platform');
  asDarwin = ['--require', project.write('as-darwin.cjs', "Object.defineProperty(process, 'platform', { value: 'darwin' });\n")];
  project.write('check.cjs', `
    exports.check = (shmkit, key) => {
      const fs = require('node:fs');
      const Sensor = shmkit.struct('Sensor', { id: 'u32', value: 'f64', name: shmkit.string(8) });
      const module = new WebAssembly.Module(fs.readFileSync(require.resolve('shmkit/core.wasm')));
      const memory = new shmkit.CoreMemory({ maxBytes: 16 * 65536, module });
      const table = new shmkit.Table(Sensor, { memory, offset: memory.claimUnits(65536, 1).offset, count: 4, writable: true });
      table.set(1, { id: 7, value: 2.5, name: 'boiler' });
      const refusals = [];
      for (const call of [
        () => shmkit.SysV.create({ key, size: 4096 }),
        () => shmkit.Memfd.create({ size: 4096 }),
        () => shmkit.Posix.open('/shmkit-platform-test'),
        () => shmkit.Arena.default,
      ]) {
        try { call(); refusals.push('no error'); } catch (e) { refusals.push(e instanceof shmkit.ShmError ? e.code + ': ' + e.message : String(e)); }
      }
      console.log(JSON.stringify({
        size: Sensor.size,
        header: shmkit.cHeader([Sensor]).includes('char name[8];'),
        stored: table.get(1),
        refusals,
        koffiLoaded: Object.keys(require.cache).some((path) => path.includes('/node_modules/koffi/')),
      }));
    };
  `);
});
platform.after(cleanup);

function assertDarwinOutcome(stdout: string): void {
  const outcome = JSON.parse(stdout);
  assert.is(outcome.size, 24);
  assert.is(outcome.header, true);
  assert.equal(outcome.stored, { id: 7, value: 2.5, name: 'boiler' });
  for (const refusal of outcome.refusals as string[]) {
    assert.match(refusal, /^ENOTSUP: shmkit's Linux host supports x86-64 and aarch64 Linux; this is darwin\//);
  }
  assert.is(outcome.refusals.length, 4);
  assert.is(outcome.koffiLoaded, false, 'koffi loads only for an OS call, and none got that far');
}

platform('CJS: require works; OS calls are ENOTSUP naming darwin', async () => {
  const file = project.write('darwin.cjs', `require('./check.cjs').check(require('shmkit'), ${freshKey()});\n`);
  const result = await project.node([...asDarwin, file]);
  assert.is(result.code, 0, result.stderr);
  assertDarwinOutcome(result.stdout);
});

platform('ESM: import works the same', async () => {
  const file = project.write('darwin.mjs', `
    import * as shmkit from 'shmkit';
    import { createRequire } from 'node:module';
    createRequire(import.meta.url)('./check.cjs').check(shmkit, ${freshKey()});
  `);
  const result = await project.node([...asDarwin, file]);
  assert.is(result.code, 0, result.stderr);
  assertDarwinOutcome(result.stdout);
});

platform('the CLI: codegen works, an OS command says ENOTSUP', async () => {
  project.write('schema.mjs', "import { struct } from 'shmkit';\nexport const Point = struct('Point', { x: 'f64', y: 'f64' });\n");
  const codegen = await project.node([...asDarwin, 'node_modules/.bin/shmkit', 'codegen', 'schema.mjs']);
  assert.is(codegen.code, 0, codegen.stderr);
  assert.match(codegen.stdout, 'struct Point {');
  const ls = await project.node([...asDarwin, 'node_modules/.bin/shmkit', 'ls']);
  assert.is(ls.code, 1);
  assert.match(ls.stderr, /^shmkit: ENOTSUP: .*this is darwin\//);
});

platform.run();
