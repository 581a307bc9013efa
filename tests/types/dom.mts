// Type-checked by tests/types.test.ts in a project with the DOM lib: shmkit's
// WebAssembly types are then the global ones, in both directions.
import { Arena, CoreMemory } from 'shmkit';

export const memory: WebAssembly.Memory = Arena.default.memory;
export const adopted: Arena = Arena.adopt(new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true }));
declare const compiled: WebAssembly.Module;
export const joined = new CoreMemory({ maxBytes: 1 << 20, module: compiled, memory });
export const instance = new WebAssembly.Instance(compiled, { env: { memory: joined.memory } });
export const version: number = joined.core.CORE_ABI_VERSION.value;
// @ts-expect-error a module is not a memory
Arena.adopt(compiled);
