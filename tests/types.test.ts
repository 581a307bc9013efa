// The built declarations as a dependent's TypeScript sees them: a temporary
// project with node_modules/shmkit linked to this checkout runs tsc over the
// fixtures in tests/types/ under the setups users have (ESM under node16,
// nodenext and bundler resolution, CommonJS, no DOM lib, the DOM lib), all
// strict and with skipLibCheck off, so an error inside dist/*.d.ts counts.
// The fixtures mark what must not compile with @ts-expect-error: one run
// checks both sides.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, run } from './helpers/processes.js';
import { cleanup, trackPath } from './helpers/resources.js';

const types = suite('types of the built package');

const FIXTURES = join(ROOT, 'tests/types');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

interface Setup {
  name: string;
  /** Options over @tsconfig/node20 (lib es2023, strict, module nodenext, moduleResolution node16). */
  options: Record<string, unknown>;
  packageType: 'module' | 'commonjs';
  fixtures: readonly string[];
  /** The declaration file TypeScript must pick: the one for the module format the fixtures are. */
  declarations: 'index.d.mts' | 'index.d.cts';
  dom: boolean;
}

const ESM = { packageType: 'module', fixtures: ['records.mts', 'no-dom.mts'], declarations: 'index.d.mts', dom: false } as const;
const CJS = { packageType: 'commonjs', fixtures: ['require.cts'], declarations: 'index.d.cts', dom: false } as const;

const SETUPS: Setup[] = [
  { name: 'esm-node16', options: { module: 'node16', moduleResolution: 'node16' }, ...ESM },
  { name: 'esm-nodenext', options: { module: 'nodenext', moduleResolution: 'nodenext' }, ...ESM },
  { name: 'esm-bundler', options: { module: 'esnext', moduleResolution: 'bundler' }, ...ESM },
  { name: 'cjs-node16', options: { module: 'node16', moduleResolution: 'node16' }, ...CJS },
  { name: 'esm-dom', options: { lib: ['es2023', 'dom'] }, ...ESM, fixtures: ['records.mts', 'dom.mts'], dom: true },
];

let project = '';

types.before(() => {
  for (const file of ['dist/index.d.mts', 'dist/index.d.cts']) {
    assert.ok(existsSync(join(ROOT, file)), `${file} is missing: run \`npm run build\` first`);
  }
  project = trackPath(mkdtempSync(join(tmpdir(), 'shmkit-types-')));
  const modules = join(project, 'node_modules');
  mkdirSync(join(modules, '@types'), { recursive: true });
  mkdirSync(join(modules, '@tsconfig'));
  symlinkSync(ROOT, join(modules, 'shmkit'), 'dir');
  symlinkSync(join(ROOT, 'node_modules/@types/node'), join(modules, '@types/node'), 'dir');
  symlinkSync(join(ROOT, 'node_modules/@tsconfig/node20'), join(modules, '@tsconfig/node20'), 'dir');
});

types.after(cleanup);

for (const setup of SETUPS) {
  types(`${setup.name}: the fixtures compile, and what they mark does not`, async () => {
    const dir = join(project, setup.name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `types-${setup.name}`, private: true, type: setup.packageType }));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      extends: '@tsconfig/node20/tsconfig.json',
      compilerOptions: { ...setup.options, strict: true, skipLibCheck: false, noEmit: true },
      files: setup.fixtures,
    }));
    for (const fixture of setup.fixtures) copyFileSync(join(FIXTURES, fixture), join(dir, fixture));

    const result = await run(process.execPath, [TSC, '-p', dir, '--listFiles'], { cwd: dir });
    const output = `${result.stdout}${result.stderr}`;
    assert.not.match(output, /error TS\d+/, output);
    assert.is(result.code, 0, output);

    const files = result.stdout.split('\n');
    const loaded = (name: string) => files.some((file) => file.endsWith(`/${name}`));
    const other = setup.declarations === 'index.d.mts' ? 'index.d.cts' : 'index.d.mts';
    assert.ok(loaded(`dist/${setup.declarations}`), `tsc did not read dist/${setup.declarations}:\n${output}`);
    assert.not.ok(loaded(`dist/${other}`), `tsc read dist/${other}, the other format's declarations`);
    assert.is(loaded('lib.dom.d.ts'), setup.dom, setup.dom ? 'the DOM lib was asked for' : 'something pulled in the DOM lib');
  });
}

types.run();
