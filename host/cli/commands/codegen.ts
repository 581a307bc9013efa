import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { invalidArgument } from '../../errors.js';
import { StructType } from '../../struct/struct.js';
import { cHeader } from '../../struct/c-header.js';
import type { Parsed } from '../args.js';

export const codegenOptions = ['out'] as const;

/** The C header for every struct type a schema module exports. */
export async function codegen({ positionals, flags }: Parsed): Promise<number> {
  const [file, ...extra] = positionals;
  if (!file || extra.length) invalidArgument('codegen needs one schema module: shmkit codegen schema.mjs [--out types.h]');
  const module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  const types = Object.values(module).filter((v): v is StructType => v instanceof StructType);
  if (types.length === 0) {
    invalidArgument(`${file} exports no struct types (made with struct() from this same shmkit package)`);
  }
  const header = cHeader(types);
  if (typeof flags.out === 'string') {
    writeFileSync(flags.out, header);
    console.log(`wrote ${types.length} struct${types.length === 1 ? '' : 's'} to ${flags.out}`);
  } else {
    process.stdout.write(header);
  }
  return 0;
}
