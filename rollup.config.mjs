// Builds dist/: the library as ESM and CJS, the CLI, and core.wasm beside them.
import { readFileSync } from 'node:fs';
import typescript from '@rollup/plugin-typescript';

const external = (id) => id.startsWith('node:') || id === 'koffi';

// In the bundle, core.wasm sits next to the code instead of in build/.
const coreWasmBesideBundle = {
  name: 'core-wasm-beside-bundle',
  transform(code, id) {
    if (!id.endsWith('core/wasm-location.ts')) return null;
    return { code: "export const coreWasmUrl = new URL('./core.wasm', import.meta.url);\n", map: null };
  },
  generateBundle() {
    if (this.getModuleIds && [...this.getModuleIds()].some((id) => id.endsWith('core/wasm-location.ts'))) {
      this.emitFile({ type: 'asset', fileName: 'core.wasm', source: readFileSync('build/core.wasm') });
    }
  },
};

const plugins = () => [
  coreWasmBesideBundle,
  typescript({ tsconfig: './tsconfig.json', declaration: false, outDir: 'dist', noEmitOnError: true }),
];

export default [
  {
    input: 'host/index.ts',
    external,
    plugins: plugins(),
    output: [
      { file: 'dist/index.mjs', format: 'es', sourcemap: true },
      { file: 'dist/index.cjs', format: 'cjs', sourcemap: true, exports: 'named' },
    ],
  },
  {
    input: 'host/cli/main.ts',
    external,
    plugins: plugins(),
    output: { file: 'dist/cli.mjs', format: 'es', banner: '#!/usr/bin/env node', sourcemap: true },
  },
];
