// Where the running shmkit code lives, in every form it ships in: an ES
// module (import.meta.url), CommonJS, or a user's CJS bundle, which has no
// import.meta but has __filename. Both core.wasm and koffi are found from here.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { ShmError } from '../errors.js';

/** URL of the file this code runs from; undefined when the runtime gives neither form. */
export function moduleUrl(): string | undefined {
  if (typeof import.meta.url === 'string') return import.meta.url;
  return typeof __filename === 'string' ? pathToFileURL(__filename).href : undefined;
}

let required: NodeRequire | undefined;

/** require() as this file would call it: resolves koffi where a dependency of shmkit is installed. */
export function moduleRequire(): NodeRequire {
  if (required) return required;
  const url = moduleUrl();
  if (url === undefined) {
    throw new ShmError({
      code: 'ENOTSUP',
      message: 'shmkit cannot tell which file it runs from (neither import.meta.url nor __filename is set), ' +
        'so it cannot load koffi; bundle shmkit as an ES module or a CommonJS file for Node',
    });
  }
  return (required = createRequire(url));
}
