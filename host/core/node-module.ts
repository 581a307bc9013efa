import { readFileSync } from 'node:fs';
import { ShmError, invalidArgument } from '../errors.js';
import { coreWasmUrl } from './wasm-location.js';

let cached: WebAssembly.Module | undefined;

// SHMKIT_CORE=checked loads the checked build (assertions on, aborts as
// ECOREABORT errors) from beside the release one. Every thread of a process
// must load the same build: their statics lie at different addresses.
const BUILDS: Record<string, string> = { release: 'core.wasm', checked: 'core.checked.wasm' };

/** The compiled core, read from disk once per thread. */
export function coreModule(): WebAssembly.Module {
  return (cached ??= new WebAssembly.Module(readCore()));
}

function readCore(): Buffer<ArrayBuffer> {
  const build = process.env.SHMKIT_CORE || 'release';
  if (!Object.hasOwn(BUILDS, build)) {
    invalidArgument(`SHMKIT_CORE must be 'release' or 'checked' (or unset): SHMKIT_CORE=${JSON.stringify(build)}`);
  }
  const url = new URL(BUILDS[build]!, coreWasmUrl);
  try {
    return readFileSync(url);
  } catch (error) {
    throw new ShmError({
      code: 'ENOENT',
      message: `the ${build} core is missing at ${url.pathname}; build it with \`npm run build:core\` (dist/ ships only the release core)`,
      path: url.pathname,
      cause: error,
    });
  }
}
