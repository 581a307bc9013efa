// Node's source of the core: build/core.wasm (dist/core.wasm in the bundle), read from disk once per thread.
import { readFileSync } from 'node:fs';
import { coreModule, provideCoreModule } from './core-module.js';
import { coreWasmUrl } from './wasm-location.js';

provideCoreModule(() => new WebAssembly.Module(readFileSync(coreWasmUrl)));

export { coreModule };
