// Loading a schema module for codegen. JavaScript loads as it is; Node 20
// cannot strip TypeScript types, so a .ts schema needs tsx's loader, taken
// from the user's project (an optional peer dependency of shmkit).
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ShmError } from '../errors.js';
import { usageError } from './usage-error.js';

const JAVASCRIPT = ['.js', '.mjs', '.cjs'];
const TYPESCRIPT = ['.ts', '.mts', '.cts'];

/** tsx's ESM loader entry, resolved from the first of `folders` that has it. */
function findTsxLoader(folders: readonly string[]): string | undefined {
  for (const from of folders.map((folder) => join(folder, 'package.json'))) {
    try {
      return createRequire(from).resolve('tsx/esm');
    } catch {
      // not installed there
    }
  }
  return undefined;
}

async function registerTypeScript(schema: string): Promise<void> {
  const folders = [...new Set([dirname(schema), process.cwd()])]; // the user's project: the schema's, or the one we run in
  const loader = findTsxLoader(folders);
  if (loader === undefined) {
    throw new ShmError({
      code: 'ENOENT', path: schema,
      message: `${schema} is TypeScript, which Node ${process.versions.node} cannot load by itself, and no tsx was found from ${folders.join(' or ')}: ` +
        'install it in the project (npm install --save-dev tsx), or pass the schema as a .js or .mjs module',
    });
  }
  try {
    await import(pathToFileURL(loader).href); // registers tsx's loader for the imports that follow
  } catch (error) {
    throw new ShmError({ code: 'ENOTSUP', path: schema, cause: error, message: `tsx (${loader}) could not register its loader: ${(error as Error).message}` });
  }
}

/** The schema's exports. */
export async function loadSchema(schema: string): Promise<Record<string, unknown>> {
  const extension = extname(schema).toLowerCase();
  if (TYPESCRIPT.includes(extension)) await registerTypeScript(schema);
  else if (!JAVASCRIPT.includes(extension)) usageError(`${schema} is not a schema module: give a .js, .mjs or .ts file`);
  try {
    return (await import(pathToFileURL(schema).href)) as Record<string, unknown>;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const missing = e.code === 'ERR_MODULE_NOT_FOUND';
    throw new ShmError({
      code: missing ? 'ENOENT' : 'EINVAL', path: schema, cause: error,
      message: `${schema} did not load: ${e.message}${missing ? '' : ' (--debug shows where)'}`,
    });
  }
}
