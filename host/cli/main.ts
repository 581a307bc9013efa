// shmkit: see and manage the host's shared memory, System V and POSIX alike.
import { ShmError } from '../errors.js';
import { parse, type Parsed } from './args.js';
import { codegen, codegenOptions } from './commands/codegen.js';
import { create, createOptions } from './commands/create.js';
import { dump, dumpOptions } from './commands/dump.js';
import { info, infoOptions } from './commands/info.js';
import { ls, lsOptions } from './commands/ls.js';
import { objects, objectsOptions } from './commands/objects.js';
import { verify, write, patternOptions } from './commands/pattern.js';
import { rm, rmOptions } from './commands/rm.js';
import { set, setOptions } from './commands/set.js';
import { stat, statOptions } from './commands/stat.js';

const USAGE = `usage: shmkit COMMAND [options]

  ls [--json]                         every System V segment and POSIX object,
                                      semaphore set and named semaphore
  create sysv (--key K | --path P [--proj N] | --private) --size N
              [--mode 0600] [--exclusive] [--hugetlb] [--noreserve]
  create posix /name --size N [--mode 0600] [--exclusive]
  stat TARGET [--json]                status of one segment
  info [--json]                       system limits and usage
  set TARGET [--mode M] [--uid U] [--gid G]
  rm TARGET                           remove (SysV: at the last detach)
  rm --sem TARGET                     remove a semaphore set (--key/--id/--path)
                                      or unlink a named semaphore (/name)
  write TARGET [--pattern mod256]     byte i = i mod 256, by the Wasm core
  verify TARGET [--pattern mod256]    exit 1 at the first byte that differs
  dump TARGET [--offset N] [--length N]   hex dump like xxd
  objects TARGET [--json]             named objects of a shmkit-formatted segment
  codegen SCHEMA.mjs [--out FILE.h]   C header for the struct types a module exports

TARGET: --key K (decimal or 0x hex), --id ID, --path P [--proj N] (ftok,
proj 0-255, default 1), or a POSIX name like /name.
Sizes take K, M, G suffixes. --debug shows the stack of an error.`;

type Command = { run: (parsed: Parsed) => number | Promise<number>; options: readonly string[] };

const COMMANDS: Record<string, Command> = {
  ls: { run: ls, options: lsOptions },
  list: { run: ls, options: lsOptions },
  create: { run: create, options: createOptions },
  stat: { run: stat, options: statOptions },
  info: { run: info, options: infoOptions },
  set: { run: set, options: setOptions },
  rm: { run: rm, options: rmOptions },
  write: { run: write, options: patternOptions },
  verify: { run: verify, options: patternOptions },
  dump: { run: dump, options: dumpOptions },
  objects: { run: objects, options: objectsOptions },
  codegen: { run: codegen, options: codegenOptions },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`shmkit: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  const parsed = parse(rest, command.options, name);
  if (parsed.flags.help) {
    console.log(USAGE);
    return 0;
  }
  return await command.run(parsed);
}

const debug = process.argv.includes('--debug');
// No top-level await: the CLI is CommonJS, sharing the library's one implementation.
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (error: unknown) => {
  if (debug) console.error(error);
  if (error instanceof ShmError) {
    console.error(`shmkit: ${error.code}: ${error.message}`);
    process.exitCode = error.syscall === undefined && error.code === 'EINVAL' ? 2 : 1;
  } else {
    console.error(`shmkit: ${(error as Error).message ?? String(error)}${debug ? '' : ' (run with --debug for details)'}`);
    process.exitCode = 1;
  }
});
