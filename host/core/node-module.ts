import { readFileSync } from 'node:fs';
import { coreWasmUrl } from './wasm-location.js';
import type { WasmModule } from './wasm-types.js';

let cached: WasmModule | undefined;

/** The compiled core, read from disk once per thread. */
export function coreModule(): WasmModule {
  return (cached ??= new WebAssembly.Module(readFileSync(coreWasmUrl)));
}
