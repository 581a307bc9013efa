// codegen: the C header for the struct types a schema module exports.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { StructType } from '../../struct/struct.js';
import { cHeader } from '../../struct/c-header.js';
import { JSON_OPTION, type Command } from '../command.js';
import { printJson, printLine } from '../output.js';
import { loadSchema } from '../schema-loader.js';
import { usageError } from '../usage-error.js';

export const codegen: Command = {
  name: 'codegen',
  summary: 'a C header for the struct types a schema module exports',
  usage: ['codegen SCHEMA [--out FILE.h] [--json]'],
  description: 'Loads SCHEMA (.js, .mjs, or .ts with tsx installed in the project) and writes the C header\n' +
    'of every struct type it exports (made with struct() of this shmkit) to stdout or FILE.h.\n' +
    'With --json (which needs --out): the file and the structs written.',
  options: {
    out: { type: 'string', value: 'FILE.h', description: 'write the header to this file instead of stdout' },
    ...JSON_OPTION,
  },
  examples: ['shmkit codegen schema.ts --out sensor.h', 'shmkit codegen schema.mjs > sensor.h'],
  async run({ positionals, flags }) {
    const [file, ...extra] = positionals;
    if (file === undefined || extra.length > 0) usageError('codegen needs one schema module: shmkit codegen schema.mjs [--out types.h]');
    if (flags.json && flags.out === undefined) usageError('--json reports the file written: give --out FILE.h too (without it the header itself is the output)');
    const schema = resolve(file);
    const types = Object.values(await loadSchema(schema)).filter((v): v is StructType => v instanceof StructType);
    if (types.length === 0) usageError(`${file} exports no struct types (made with struct() from this same shmkit package)`);
    const header = cHeader(types);
    if (typeof flags.out !== 'string') {
      process.stdout.write(header);
      return 0;
    }
    writeFileSync(flags.out, header);
    if (flags.json) printJson({ out: resolve(flags.out), structs: types.map((t) => t.name) });
    else printLine(`wrote ${types.length} struct${types.length === 1 ? '' : 's'} (${types.map((t) => t.name).join(', ')}) to ${flags.out}`);
    return 0;
  },
};
