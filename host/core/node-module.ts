// The compiled core for the Node host: read from core.wasm beside the code
// on first use, unless the program supplied it first (a bundle that inlines
// the file, which then is nowhere on disk).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ShmError, invalidArgument } from '../errors.js';
import { coreModule, provideCoreModule } from './core-module.js';
import { instantiateCore } from './core.js';
import { coreWasmLocation } from './wasm-location.js';
import type { WasmModule } from './wasm-types.js';

interface LoadedCore {
  readonly module: WasmModule;
  /** The bytes it was compiled from, when known: a second identical provideCore is then harmless. */
  readonly bytes?: Uint8Array;
}

let current: LoadedCore | undefined;

// SHMKIT_CORE=checked loads the checked build (assertions on, aborts as
// ECOREABORT errors) from beside the release one. Every thread of a process
// must load the same build: their statics lie at different addresses.
const BUILDS: Record<string, string> = { release: 'core.wasm', checked: 'core.checked.wasm' };

// The Node host's source of the core for the portable layers: what
// provideCore supplied, or core.wasm beside the code, read once per thread.
provideCoreModule(() => (current ??= readBesideCode()).module);

export { coreModule };

/**
 * Supplies the core for this thread: the bytes of `shmkit/core.wasm` (what
 * a bundler inlines, e.g. esbuild's `--loader:.wasm=binary`) or the compiled
 * module. Call it before the first arena, segment or struct; a worker thread
 * that uses shmkit calls it too (a WebAssembly.Module can be posted to it).
 */
export function provideCore(core: WasmModule | ArrayBuffer | ArrayBufferView): void {
  const given = compile(core);
  if (current) {
    if (sameCore(current, given)) return;
    throw new ShmError({
      code: 'EBUSY',
      message: 'provideCore: this thread already uses a core (an arena, segment or struct was made before); ' +
        'call provideCore once, before anything else of shmkit',
    });
  }
  try {
    // Instantiating on a one-page memory checks the imports and the ABI version, and touches nothing.
    instantiateCore(given.module, new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }));
  } catch (error) {
    invalidArgument(`provideCore: that module is not the core of this shmkit version (${(error as Error).message}); ` +
      'pass shmkit/core.wasm from the same shmkit install');
  }
  current = given;
}

function compile(core: unknown): LoadedCore {
  if (core instanceof WebAssembly.Module) return { module: core };
  let view: Uint8Array;
  if (core instanceof ArrayBuffer || core instanceof SharedArrayBuffer) view = new Uint8Array(core);
  else if (ArrayBuffer.isView(core)) view = new Uint8Array(core.buffer, core.byteOffset, core.byteLength);
  else invalidArgument(`provideCore needs the bytes of shmkit/core.wasm or a WebAssembly.Module: got ${describe(core)}`);
  const bytes = view.slice(); // private: later changes to the caller's buffer cannot change the core
  try {
    return { module: new WebAssembly.Module(bytes), bytes };
  } catch (error) {
    invalidArgument(`provideCore: those ${bytes.length} bytes are not a WebAssembly module (${(error as Error).message}); ` +
      'pass the contents of shmkit/core.wasm');
  }
}

function sameCore(a: LoadedCore, b: LoadedCore): boolean {
  if (a.module === b.module) return true;
  if (!a.bytes || !b.bytes || a.bytes.length !== b.bytes.length) return false;
  return a.bytes.every((byte, i) => byte === b.bytes![i]);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return value.constructor?.name ?? 'an object';
}

function readBesideCode(): LoadedCore {
  const build = process.env.SHMKIT_CORE || 'release';
  if (!Object.hasOwn(BUILDS, build)) {
    invalidArgument(`SHMKIT_CORE must be 'release' or 'checked' (or unset): SHMKIT_CORE=${JSON.stringify(build)}`);
  }
  const release = coreWasmLocation();
  if (!release) throw coreNotFound('this code cannot tell which file it runs from', 'ENOENT');
  const location = new URL(BUILDS[build]!, release);
  const path = location.protocol === 'file:' ? fileURLToPath(location) : location.href;
  let bytes;
  try {
    bytes = readFileSync(location);
  } catch (error) {
    if (build !== 'release') {
      throw new ShmError({ code: 'ENOENT', path, cause: error, message: `the ${build} core is missing at ${path}; build it with \`npm run build:core\` (dist/ ships only the release core)` });
    }
    throw coreNotFound((error as Error).message, (error as NodeJS.ErrnoException).code ?? 'ENOENT', path, error);
  }
  try {
    return { module: new WebAssembly.Module(bytes), bytes };
  } catch (error) {
    throw coreNotFound(`${path} is damaged: ${(error as Error).message}`, 'ECORRUPT', path, error);
  }
}

function coreNotFound(why: string, code: string, path?: string, cause?: unknown): ShmError {
  return new ShmError({
    code,
    syscall: 'open',
    ...(path === undefined ? {} : { path }),
    message: `shmkit could not read its Wasm core, core.wasm (${why}). ` +
      'In a bundle, inline it and hand it over before the first arena, segment or struct: ' +
      "`import core from 'shmkit/core.wasm'` (esbuild: --loader:.wasm=binary), then `provideCore(core)`; " +
      'or copy node_modules/shmkit/dist/core.wasm next to the bundle. From a checkout, run `npm run build`.',
    cause,
  });
}
