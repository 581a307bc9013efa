// The built package as a dependent sees it: ESM, CJS and types from dist/.
import { existsSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { run, ROOT } from './helpers/processes.js';

const pkg = suite('package');

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

pkg('types, bin and wasm are where package.json says', async () => {
  const manifest = (await import('../package.json', { with: { type: 'json' } })).default;
  const entry = manifest.exports['.'];
  assert.equal(Object.keys(entry), ['import', 'require']);
  // Each format has its own declarations, listed first: TypeScript takes the first condition that matches.
  for (const format of [entry.import, entry.require]) assert.equal(Object.keys(format), ['types', 'default']);
  for (const file of [entry.import.types, entry.import.default, entry.require.types, entry.require.default, manifest.types, manifest.bin.shmkit, './dist/core.wasm']) {
    assert.ok(existsSync(ROOT + file), `${file} missing`);
  }
  const help = await run(process.execPath, [ROOT + manifest.bin.shmkit, 'help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, 'usage: shmkit');
});

pkg.run();
