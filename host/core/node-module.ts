import { readFileSync } from 'node:fs';
import { coreWasmUrl } from './wasm-location.js';

let cached: WebAssembly.Module | undefined;

/** The compiled core, read from disk once per thread. */
export function coreModule(): WebAssembly.Module {
  return (cached ??= new WebAssembly.Module(readFileSync(coreWasmUrl)));
}
