// Bundles tsc's declarations (build/types, not shipped) into one file per
// module format: TypeScript reads dist/index.d.mts as the types of
// index.mjs and dist/index.d.cts as those of index.cjs, so neither an ESM
// nor a CommonJS project sees the other format's declarations.
import { dts } from 'rollup-plugin-dts';

export default {
  input: 'build/types/index.d.ts',
  external: (id) => id.startsWith('node:'),
  plugins: [dts({ respectExternal: true })],
  output: [
    { file: 'dist/index.d.mts', format: 'es' },
    { file: 'dist/index.d.cts', format: 'es' },
  ],
};
