// The compiled core this thread instantiates. Each host's entry says where
// it comes from (Node reads build/core.wasm, the browser bundle carries the
// bytes), so the portable layers never load a file themselves.
import { ShmError } from '../errors.js';
import type { WasmModule } from './wasm-types.js';

let source: (() => WasmModule) | undefined;
let compiled: WasmModule | undefined;

/** Tells this thread how to get the core; the first source given is kept (every host ships the same module). */
export function provideCoreModule(load: () => WasmModule): void {
  source ??= load;
}

/** The compiled core, made once per thread from the source a host entry provided. */
export function coreModule(): WasmModule {
  if (compiled) return compiled;
  if (!source) {
    throw new ShmError({ code: 'ENOENT', message: 'no shmkit core is loaded in this thread: import shmkit (Node) or shmkit/browser before defining structs, segments or channels' });
  }
  return (compiled = source());
}
