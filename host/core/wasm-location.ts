// Where core.wasm is, relative to the code: build/ when running from source;
// the rollup build rewrites CORE_WASM_PATH so that dist/ looks beside itself.
import { moduleUrl } from './module-url.js';

const CORE_WASM_PATH = '../../build/core.wasm';

/** URL of core.wasm next to this code; undefined when the code cannot tell where it is. */
export function coreWasmLocation(): URL | undefined {
  const here = moduleUrl();
  return here === undefined ? undefined : new URL(CORE_WASM_PATH, here);
}
