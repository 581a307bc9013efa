// Where core.wasm is, relative to this module. The rollup build rewrites
// this file so that the bundle looks next to itself (dist/core.wasm).
export const coreWasmUrl = new URL('../../build/core.wasm', import.meta.url);
