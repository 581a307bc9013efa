// Builds dist/, flat, so core.wasm is beside every file that holds code:
//   index.cjs + shmkit.cjs   the one implementation Node runs, CommonJS
//   cli.cjs                  the CLI, sharing shmkit.cjs with the library
//   index.mjs                Node's ES module face over index.cjs: a process
//                            that both imports and requires shmkit gets one
//                            set of classes and one arena
//   index.bundler.mjs        the implementation as an ES module, for bundlers
//                            (the `module` condition): a bundle holds one copy
//   index.d.mts, index.d.cts declarations for each module format
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import typescript from '@rollup/plugin-typescript';
import dts from 'rollup-plugin-dts';

const external = (id) => id.startsWith('node:') || id === 'koffi' || id.startsWith('@nats-io/');

const HOST = resolve('host') + '/';
const shmkitOutsideBridge = {
  name: 'shmkit-outside-bridge',
  resolveId(id, importer) {
    if (importer === undefined || !id.startsWith('.')) return null;
    const path = resolve(dirname(importer), id);
    return path.startsWith(HOST) && !path.startsWith(HOST + 'bridge/') ? { id: 'shmkit', external: true } : null;
  },
};

const SOURCE_CORE_PATH = "'../../build/core.wasm'";

// From source, core.wasm is in build/; in dist/ it sits beside the code.
const coreWasmBeside = {
  name: 'core-wasm-beside',
  buildStart() {
    this.emitFile({ type: 'asset', fileName: 'core.wasm', source: readFileSync('build/core.wasm') });
  },
  transform(code, id) {
    if (!id.endsWith('core/wasm-location.ts')) return null;
    if (!code.includes(SOURCE_CORE_PATH)) this.error(`${id} no longer names ${SOURCE_CORE_PATH}; update rollup.config.mjs`);
    return code.replace(SOURCE_CORE_PATH, "'./core.wasm'");
  },
};

// Named exports spelt out: Node's guess at a CommonJS module's names is a
// heuristic, and a missing name would be a SyntaxError for the importer.
const esmFaceOverCjs = {
  name: 'esm-face-over-cjs',
  generateBundle(_options, bundle) {
    for (const entry of ['index', 'bridge']) {
      const names = bundle[`${entry}.cjs`].exports.filter((name) => name !== 'default');
      const source = [
        `// shmkit${entry === 'index' ? '' : '/' + entry} as an ES module for Node: the implementation of require('shmkit${entry === 'index' ? '' : '/' + entry}'), so that`,
        '// importing and requiring shmkit in one process gives the same classes and one arena.',
        `import shmkit from './${entry}.cjs';`,
        '',
        `export const {\n${names.map((name) => `  ${name},`).join('\n')}\n} = shmkit;`,
        '',
      ].join('\n');
      this.emitFile({ type: 'asset', fileName: `${entry}.mjs`, source });
    }
  },
};

const compile = () => [
  coreWasmBeside,
  typescript({ tsconfig: './tsconfig.json', declaration: false, outDir: 'dist', noEmitOnError: true }),
];

export default [
  {
    input: { index: 'host/index.ts', bridge: 'host/bridge/index.ts', cli: 'host/cli/main.ts' },
    external,
    plugins: [...compile(), esmFaceOverCjs],
    output: {
      dir: 'dist',
      format: 'cjs',
      exports: 'named',
      entryFileNames: '[name].cjs',
      chunkFileNames: 'shmkit.cjs',
      // Every module the entries share in one chunk, so dist/ holds one
      // implementation file whichever entries a program loads.
      manualChunks: (id) => (id.startsWith(HOST) && !id.startsWith(HOST + 'cli/') && !id.startsWith(HOST + 'bridge/') ? 'shmkit' : undefined),
      banner: (chunk) => (chunk.name === 'cli' ? '#!/usr/bin/env node' : ''),
    },
  },
  {
    input: 'host/index.ts',
    external,
    plugins: compile(),
    output: { file: 'dist/index.bundler.mjs', format: 'es' },
  },
  {
    input: 'host/index.ts',
    external,
    plugins: [dts({ tsconfig: './tsconfig.json' })],
    output: [{ file: 'dist/index.d.mts' }, { file: 'dist/index.d.cts' }],
  },
  {
    // The bridge's declarations name shmkit's own classes (rings, segments)
    // through 'shmkit', so a ring from one is a ring to the other: copied
    // in, their #private fields would make them two unrelated types.
    input: 'host/bridge/index.ts',
    external,
    plugins: [shmkitOutsideBridge, dts({ tsconfig: './tsconfig.json' })],
    output: [{ file: 'dist/bridge.d.mts' }, { file: 'dist/bridge.d.cts' }],
  },
];
