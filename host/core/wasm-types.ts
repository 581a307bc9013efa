// The WebAssembly types that shmkit's public declarations name. Node's own
// types (@types/node 20) declare no WebAssembly namespace; only the DOM lib
// does. So each type here is the global one when the program has it (DOM
// users get the very type their WebAssembly API takes and gives) and
// otherwise the members shmkit's callers use, so the declarations compile
// under a Node-only `lib` too.
type GlobalWebAssembly = typeof globalThis extends { WebAssembly: infer W } ? W : {};
type InstanceOf<Name extends string, Fallback> = GlobalWebAssembly extends { [K in Name]: { prototype: infer T } } ? T : Fallback;

/** `WebAssembly.Memory` (a shared one, for shmkit's memories). */
export type WasmMemory = InstanceOf<'Memory', { readonly buffer: ArrayBuffer; grow(delta: number): number }>;
/** `WebAssembly.Module`: a compiled module, opaque. */
export type WasmModule = InstanceOf<'Module', object>;
/** `WebAssembly.Global`. */
export type WasmGlobal = InstanceOf<'Global', { value: unknown; valueOf(): unknown }>;
