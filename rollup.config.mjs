// Builds dist/: the library as ESM and CJS, the CLI, and core.wasm beside them.
import { readFileSync } from 'node:fs';
import typescript from '@rollup/plugin-typescript';

const external = (id) => id.startsWith('node:') || id === 'koffi';

// In the bundle, core.wasm sits in dist/ instead of build/; rollup turns the
// file reference into a URL relative to whichever chunk holds the code.
const coreWasmBesideBundle = {
  name: 'core-wasm-beside-bundle',
  load(id) {
    if (!id.endsWith('core/wasm-location.ts')) return null;
    const ref = this.emitFile({ type: 'asset', fileName: 'core.wasm', source: readFileSync('build/core.wasm') });
    return `export const coreWasmUrl = new URL(import.meta.ROLLUP_FILE_URL_${ref});\n`;
  },
};

const plugins = () => [
  coreWasmBesideBundle,
  typescript({ tsconfig: './tsconfig.json', declaration: false, outDir: 'dist', noEmitOnError: true }),
];

export default [
  // ESM: the library and the CLI share chunks, so a schema module that
  // imports 'shmkit' and the CLI see the same classes.
  {
    input: { index: 'host/index.ts', cli: 'host/cli/main.ts' },
    external,
    plugins: plugins(),
    output: {
      dir: 'dist',
      format: 'es',
      sourcemap: true,
      entryFileNames: '[name].mjs',
      chunkFileNames: 'chunks/[name]-[hash].mjs',
      banner: (chunk) => (chunk.name === 'cli' ? '#!/usr/bin/env node' : ''),
    },
  },
  {
    input: 'host/index.ts',
    external,
    plugins: plugins(),
    output: { file: 'dist/index.cjs', format: 'cjs', sourcemap: true, exports: 'named' },
  },
];
