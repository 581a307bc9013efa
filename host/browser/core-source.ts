// The browser's source of the core: the bytes inlined in the bundle,
// compiled once per thread on first use (the module is small enough for a
// synchronous compile on a page's main thread).
import { ShmError } from '../errors.js';
import { provideCoreModule } from '../core/core-module.js';
import { coreWasmBase64 } from './core-wasm.js';

provideCoreModule(() => {
  if (coreWasmBase64 === undefined) {
    throw new ShmError({ code: 'ENOENT', message: 'this copy of shmkit/browser carries no core: import dist/browser.mjs (built by `npm run build`), not host/browser/index.ts' });
  }
  const text = atob(coreWasmBase64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return new WebAssembly.Module(bytes);
});
