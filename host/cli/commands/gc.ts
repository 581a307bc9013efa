// gc: removes the shared memory no live process uses (api/gc.ts).
import { collectOrphans } from '../../api/gc.js';
import { formatKey } from '../../errors.js';
import { JSON_OPTION, type Command } from '../command.js';
import { table } from '../format.js';
import { printJson, printLine } from '../output.js';
import { usageError } from '../usage-error.js';
import { parseKey } from '../values.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** '90s', '15m', '2h', '7d' or '500ms' in milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  if (!match) usageError(`--older-than takes a duration such as 30s, 15m, 2h or 7d: '${text}'`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

export const gc: Command = {
  name: 'gc',
  summary: 'remove orphaned segments',
  usage: ['gc [--dry-run] [--older-than DURATION] [--prefix /NAME] [--key KEY] [--raw] [--json]'],
  description: 'Removes the shmkit-formatted segments whose registered users are all gone, System V and\nPOSIX, never one with a live user or one a process is opening at that moment (openers\nback off while it is condemned). Raw objects go only with --raw, and only when the kernel\nshows them unused (System V: nothing attached, creator and last user gone). Prints every object looked at, with what was done and why.',
  options: {
    'dry-run': { type: 'boolean', description: 'say what would be removed; remove nothing' },
    'older-than': { type: 'string', value: 'DURATION', description: 'only objects untouched this long (30s, 15m, 2h, 7d)' },
    prefix: { type: 'string', value: '/NAME', description: 'only POSIX objects whose name starts so (System V ones are skipped unless --key)' },
    key: { type: 'string', value: 'KEY', description: 'only the System V segment with this key (POSIX ones are skipped unless --prefix)' },
    raw: { type: 'boolean', description: 'also raw objects no process has attached, mapped or open (System V: creator and last user gone too)' },
    ...JSON_OPTION,
  },
  examples: ['shmkit gc --dry-run', 'shmkit gc --older-than 1h --prefix /app-', 'shmkit gc --key 0x5eed --json'],
  run({ positionals, flags }) {
    if (positionals.length > 0) usageError(`gc takes no arguments (got '${positionals[0]}')`);
    const olderThan = flags['older-than'];
    const report = collectOrphans({
      dryRun: flags['dry-run'] === true,
      raw: flags.raw === true,
      olderThanMs: typeof olderThan === 'string' ? parseDuration(olderThan) : undefined,
      prefix: typeof flags.prefix === 'string' ? flags.prefix : undefined,
      key: typeof flags.key === 'string' ? parseKey(flags.key) : undefined,
    });
    if (flags.json) {
      printJson(report.map((e) => ({ ...e, key: e.key === null ? null : formatKey(e.key) })));
      return 0;
    }
    const named = (e: (typeof report)[number]) => e.name ?? `${formatKey(e.key!)} (id ${e.id})`;
    printLine(report.length === 0 ? 'no shared memory objects' : table(['object', 'action', 'why'], report.map((e) => [named(e), e.action, e.why])));
    const removed = report.filter((e) => e.action === 'removed' || e.action === 'would-remove').length;
    printLine(`${removed} ${flags['dry-run'] ? 'would be removed' : 'removed'}, ${report.length - removed} kept`);
    return 0;
  },
};
