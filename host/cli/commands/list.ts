// list: every System V segment (like `ipcs -m`), every POSIX object in
// /dev/shm, and the semaphores of both kinds.
import { listAll, type ListEntry } from '../../api/list.js';
import { formatKey } from '../../errors.js';
import { JSON_OPTION, type Command } from '../command.js';
import { formatMode, table, userName, when } from '../format.js';
import { listEntryJson } from '../json-shapes.js';
import { printJson, printLine } from '../output.js';
import { usageError } from '../usage-error.js';

function status(entry: ListEntry): string {
  return [entry.removed ? 'dest' : '', entry.locked ? 'locked' : ''].filter(Boolean).join(',');
}

function users(entry: ListEntry): string {
  if (entry.format === null) return '?';
  const state = entry.orphaned === true ? 'orphaned' : '';
  const pids = entry.users === null ? (entry.format === 'raw' ? 'raw' : entry.format) : entry.users.join(',') || '-';
  return [pids, state].filter(Boolean).join(' ');
}

function section(title: string, header: string[], rows: string[][]): string {
  return `${title}\n${rows.length === 0 ? '  (none)' : table(header, rows)}`;
}

export const list: Command = {
  name: 'list',
  aliases: ['ls'],
  summary: 'every System V segment, POSIX object and semaphore',
  usage: ['list [--json]', 'ls [--json]'],
  description: 'Lists the System V segments (as ipcs -m does), the POSIX objects in /dev/shm, the\nSystem V semaphore sets and the POSIX named semaphores. For segments, the users column\nshows the live users of shmkit-formatted ones (pids) and marks orphans (no user alive;\nfor raw ones, what the kernel tells). With --json, one array of entries that all have\nevery field (null where a field does not apply to the kind).',
  options: JSON_OPTION,
  examples: ['shmkit ls', "shmkit ls --json | jq '.[] | select(.kind == \"sysv\") | .key'"],
  run({ positionals, flags }) {
    if (positionals.length > 0) usageError(`list takes no arguments (got '${positionals[0]}')`);
    const entries = listAll();
    if (flags.json) {
      printJson(entries.map(listEntryJson));
      return 0;
    }
    const of = (kind: ListEntry['kind']) => entries.filter((e) => e.kind === kind);
    printLine([
      section('System V segments', ['key', 'shmid', 'owner', 'mode', 'bytes', 'nattch', 'cpid', 'lpid', 'status', 'users'],
        of('sysv').map((e) => [
          formatKey(e.key!), String(e.id), userName(e.uid), formatMode(e.mode), String(e.size),
          String(e.nattch), String(e.cpid), String(e.lpid), status(e), users(e),
        ])),
      section('POSIX shared memory (/dev/shm)', ['name', 'owner', 'mode', 'bytes', 'users'],
        of('posix').map((e) => [e.name!, userName(e.uid), formatMode(e.mode), String(e.size), users(e)])),
      section('System V semaphore sets', ['key', 'semid', 'owner', 'mode', 'nsems', 'last-op', 'changed'],
        of('sysv-sem').map((e) => [formatKey(e.key!), String(e.id), userName(e.uid), formatMode(e.mode), String(e.nsems), when(e.otime), when(e.ctime)])),
      section('POSIX named semaphores (/dev/shm/sem.*)', ['name', 'owner', 'mode', 'value'],
        of('posix-sem').map((e) => [e.name!, userName(e.uid), formatMode(e.mode), e.value === null ? '?' : String(e.value)])),
    ].join('\n\n'));
    return 0;
  },
};
