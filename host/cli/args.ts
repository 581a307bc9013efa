// Parsing a command's arguments against the options it declares. Every
// mistake is a UsageError in the command line's own terms (flags, values).
import { parseArgs } from 'node:util';
import { GLOBAL_OPTIONS, type Command, type Flags, type Parsed } from './command.js';
import { didYouMean } from './suggest.js';
import { usageError } from './usage-error.js';

// A value may start with '-' only as a negative number (keys can be negative in C).
const NEGATIVE_NUMBER = /^-\d/;

/** Whether argv asks for help (-h or --help before any '--'). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

export function parse(argv: string[], command: Command): Parsed {
  const specs = { ...command.options, ...GLOBAL_OPTIONS };
  const options = Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, { type: spec.type }]));
  // Not strict: the tokens are checked here, with messages that say what to type.
  const { tokens } = parseArgs({ args: argv, options, allowPositionals: true, strict: false, tokens: true });
  const flags: Flags = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const spec = specs[token.name];
    if (spec === undefined || token.rawName !== `--${token.name}`) {
      usageError(`unknown option ${token.rawName}${didYouMean(token.name, Object.keys(command.options), '--')}`);
    }
    if (flags[token.name] !== undefined) usageError(`${token.rawName} is given twice`);
    if (spec.type === 'boolean') {
      if (token.value !== undefined) usageError(`${token.rawName} takes no value (got '${token.value}')`);
      flags[token.name] = true;
      continue;
    }
    const value = token.value;
    if (value === undefined || (!token.inlineValue && value.startsWith('-') && !NEGATIVE_NUMBER.test(value))) {
      usageError(`${token.rawName} needs a value: ${token.rawName} ${spec.value ?? 'VALUE'}`);
    }
    flags[token.name] = value;
  }
  return { positionals, flags };
}
