// What a command declares about itself: its options (which the parser
// enforces), and the usage, description and example that its help prints.

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** The value's placeholder in help (string options): SIZE, K, /NAME. */
  value?: string;
  description: string;
}

export type Flags = Record<string, string | boolean | undefined>;

export interface Parsed {
  positionals: string[];
  flags: Flags;
}

export interface Command {
  name: string;
  aliases?: readonly string[];
  /** One line for the list of commands. */
  summary: string;
  /** Forms of the command line, each without the leading 'shmkit '. */
  usage: readonly string[];
  /** What it does, in a few lines. */
  description: string;
  options: Readonly<Record<string, OptionSpec>>;
  examples: readonly string[];
  /** Exit status: 0 done, 1 a check failed (the command prints why). */
  run(parsed: Parsed): number | Promise<number>;
}

/** The options that name one TARGET, shared by the commands that take one. */
export const TARGET_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  key: { type: 'string', value: 'K', description: 'a System V key (decimal or 0x hex)' },
  id: { type: 'string', value: 'ID', description: 'a System V id (shmid)' },
  path: { type: 'string', value: 'P', description: 'the System V key ftok(3) makes from an existing path' },
  proj: { type: 'string', value: 'N', description: "ftok's project id with --path, 0-255 (default 1)" },
};

export const TARGET_USAGE = '(--key K | --id ID | --path P [--proj N] | /NAME)';

export const JSON_OPTION: Readonly<Record<string, OptionSpec>> = {
  json: { type: 'boolean', description: 'print the result as JSON on stdout (the forms: README, "JSON output")' },
};

/** Options every command takes; main handles them. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  help: { type: 'boolean', description: 'show this help' },
  debug: { type: 'boolean', description: 'show the stack of an error' },
};
