// The help texts: one for shmkit, one for each command, built from what the
// commands declare.
import { GLOBAL_OPTIONS, type Command, type OptionSpec } from './command.js';
import { COMMANDS } from './commands/index.js';

const TARGET_TEXT = `TARGET names one object: --key K (decimal or 0x hex), --id ID, --path P [--proj N]
(the key ftok(3) makes; proj 0-255, default 1), or a POSIX name like /name.
SIZE is a number of bytes: 4096, 0x1000, or with a suffix: K, M, G, T count 1024s
(KiB, MiB, GiB, TiB), KB, MB, GB, TB count 1000s.`;

const EXIT_TEXT = 'Exit status: 0 done, 1 failed (the message on stderr says why), 2 wrong usage.';

export function usageLines(command: Command): string {
  return command.usage.map((line, i) => `${i === 0 ? 'usage: ' : '       '}shmkit ${line}`).join('\n');
}

function optionLines(options: Readonly<Record<string, OptionSpec>>): string {
  const rows = Object.entries(options).map(([name, spec]) => [`--${name}${spec.value ? ` ${spec.value}` : ''}`, spec.description] as const);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`).join('\n');
}

export function commandHelp(command: Command): string {
  const takesTarget = 'key' in command.options || Object.values(command.options).some((o) => o.value === 'SIZE');
  return [
    usageLines(command),
    '',
    command.description,
    '',
    'options:',
    optionLines({ ...command.options, help: { type: 'boolean', description: `this help (also: shmkit help ${command.name})` }, debug: GLOBAL_OPTIONS.debug! }),
    '',
    ...(takesTarget ? [TARGET_TEXT, ''] : []),
    `example${command.examples.length > 1 ? 's' : ''}:`,
    ...command.examples.map((e) => `  ${e}`),
    '',
    EXIT_TEXT,
  ].join('\n');
}

export function mainHelp(): string {
  const rows = COMMANDS.map((c) => [[c.name, ...(c.aliases ?? [])].join(', '), c.summary] as const);
  const width = Math.max(...rows.map(([names]) => names.length));
  return [
    'usage: shmkit COMMAND [options]',
    '',
    'Shared memory on this host, System V and POSIX alike: list it, make it, look inside, remove it.',
    '',
    'commands:',
    ...rows.map(([names, summary]) => `  ${names.padEnd(width)}  ${summary}`),
    `  ${'help'.padEnd(width)}  help for a command: shmkit help COMMAND`,
    '',
    TARGET_TEXT,
    '',
    'options:',
    '  -h, --help     help (after a command: that command\'s)',
    '  -V, --version  the version of shmkit',
    '  --debug        show the stack of an error',
    '  --json         (most commands) print the result as JSON',
    '',
    EXIT_TEXT,
  ].join('\n');
}
