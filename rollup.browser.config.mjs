// Builds dist/browser.mjs, shmkit/browser: one ESM file that carries the
// release core (base64) and loads no koffi and no node:*; and its types,
// dist/browser.d.ts, in one declaration file.
import { readFileSync } from 'node:fs';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const input = 'host/browser/index.ts';

// host/browser/core-wasm.ts is a placeholder; in the bundle it holds the bytes.
const inlineCore = {
  name: 'inline-core-wasm',
  load(id) {
    if (!id.endsWith('browser/core-wasm.ts')) return null;
    const base64 = readFileSync('build/core.wasm').toString('base64');
    return `export const coreWasmBase64 = ${JSON.stringify(base64)};\n`;
  },
};

// A browser bundle that reached for Node or the FFI is a build error, not a
// runtime surprise on someone's page.
const refuseNode = {
  name: 'refuse-node',
  resolveId(source, importer) {
    if (source.startsWith('node:') || source === 'koffi' || /\/(linux|api|arena|cli)\//.test(source)) {
      this.error(`shmkit/browser must not import '${source}' (from ${importer})`);
    }
    return null;
  },
};

export default [
  {
    input,
    plugins: [refuseNode, inlineCore, typescript({ tsconfig: './tsconfig.json', declaration: false, outDir: 'dist', noEmitOnError: true })],
    output: { file: 'dist/browser.mjs', format: 'es', sourcemap: true },
  },
  {
    input,
    plugins: [dts({ tsconfig: './tsconfig.json' })],
    output: { file: 'dist/browser.d.ts', format: 'es' },
  },
];
