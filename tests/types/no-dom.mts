// Type-checked by tests/types.test.ts in projects without the DOM lib.
import { Arena, CoreMemory } from 'shmkit';

// The program really has no WebAssembly types (@types/node declares none),
// so shmkit's declarations compile without them.
// @ts-expect-error Cannot find namespace 'WebAssembly'
export type NoGlobal = WebAssembly.Memory;

const memory = Arena.default.memory;
export const buffer: ArrayBuffer = memory.buffer;
export const pages: number = memory.grow(0);
export const adopted: Arena = Arena.adopt(memory);
export const joined = new CoreMemory({ maxBytes: 1 << 20, module: {}, memory });
export const version: unknown = Arena.default.core.CORE_ABI_VERSION.value;
