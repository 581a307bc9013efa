// shmkit: see and manage the host's shared memory, System V and POSIX alike.
// Normal output goes to stdout; errors, usage and progress to stderr. Exit
// status: 0 done, 1 failed, 2 wrong usage.
import { ShmError } from '../errors.js';
import { parse, wantsHelp } from './args.js';
import type { Command } from './command.js';
import { commandNames, findCommand } from './commands/index.js';
import { commandHelp, mainHelp, usageLines } from './help.js';
import { exitQuietlyWhenReaderGoes, printLine, printMessage } from './output.js';
import { didYouMean } from './suggest.js';
import { UsageError } from './usage-error.js';
import { version } from './version.js';

const USAGE_EXIT = 2;
const DEBUG_FLAG = '--debug';
// --debug may come anywhere, before the command too.
const debug = process.argv.includes(DEBUG_FLAG);

function unknownCommand(name: string): number {
  printMessage(`shmkit: unknown command '${name}'${didYouMean(name, commandNames(), '', (n) => findCommand(n)!.name)}\nRun 'shmkit help' for the list of commands.`);
  return USAGE_EXIT;
}

function help(topic: string | undefined): number {
  if (topic === undefined) {
    printLine(mainHelp());
    return 0;
  }
  const command = findCommand(topic);
  if (!command) return unknownCommand(topic);
  printLine(commandHelp(command));
  return 0;
}

/** Runs a command; a UsageError gets the command's usage and exit status 2. */
async function runCommand(command: Command, argv: string[]): Promise<number> {
  try {
    return await command.run(parse(argv, command));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (debug) console.error(error);
    printMessage(`shmkit ${command.name}: ${error.message}\n${usageLines(command)}\nRun 'shmkit help ${command.name}' for the options and an example.`);
    return USAGE_EXIT;
  }
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    printMessage(mainHelp());
    return USAGE_EXIT;
  }
  if (name === '--version' || name === '-V') {
    printLine(`shmkit ${version()}`);
    return 0;
  }
  if (name === 'help' || name === '--help' || name === '-h') return help(rest.find((arg) => !arg.startsWith('-')));
  const command = findCommand(name);
  if (!command) return unknownCommand(name);
  if (wantsHelp(rest)) return help(command.name);
  return await runCommand(command, rest);
}

exitQuietlyWhenReaderGoes();
// No top-level await: the CLI is CommonJS, sharing the library's one implementation.
main(process.argv.slice(2).filter((arg) => arg !== DEBUG_FLAG)).then((code) => {
  process.exitCode = code;
}, (error: unknown) => {
  if (debug) console.error(error);
  if (error instanceof ShmError) {
    printMessage(`shmkit: ${error.code}: ${error.message}`);
    process.exitCode = 1;
  } else {
    printMessage(`shmkit: ${(error as Error).message ?? String(error)}${debug ? '' : ' (run with --debug for details)'}`);
    process.exitCode = 1;
  }
});
