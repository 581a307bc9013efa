// create: a System V segment or a POSIX object, or the existing one unless
// --exclusive. What it reports is read back from the kernel: an existing
// segment keeps its own size and mode, whatever was asked.
import { ShmError, formatKey } from '../../errors.js';
import { Posix } from '../../api/posix.js';
import { SysV, type SysVCreateOptions } from '../../api/sysv.js';
import { JSON_OPTION, type Command, type Flags } from '../command.js';
import { bytesWithHuman, formatMode, userName } from '../format.js';
import { posixStatJson, sysvStatJson } from '../json-shapes.js';
import { printJson, printLine } from '../output.js';
import { checkPosixName, parseFtokSource } from '../target.js';
import { usageError } from '../usage-error.js';
import { parseKey, parseMode, parseSize } from '../values.js';

const SYSV_ONLY = ['key', 'path', 'proj', 'private', 'hugetlb', 'noreserve'] as const;

function sysvKeySource(flags: Flags): Pick<SysVCreateOptions, 'key' | 'path' | 'proj' | 'private'> {
  const sources = (['key', 'path', 'private'] as const).filter((name) => flags[name] !== undefined);
  if (sources.length !== 1) {
    usageError(`a System V segment needs exactly one of --key K, --path P [--proj N] or --private${sources.length ? ` (got ${sources.map((s) => `--${s}`).join(', ')})` : ''}`);
  }
  const ftok = parseFtokSource(flags);
  if (flags.private) return { private: true };
  if (ftok) return ftok;
  const key = parseKey(String(flags.key));
  if (key === 0) usageError('--key 0 is IPC_PRIVATE: give --private to make a segment no key names');
  return { key };
}

/** What the command line calls an existing object, to say what to do about it. */
interface Existing {
  what: string;
  /** How the command line names it: `--id 5` or `/name`. */
  target: string;
  mode: number;
}

/**
 * The refusals to join an existing object (another user's, or one with a
 * mode wider than asked) come from the API in its terms; say them in flags.
 */
function joinRefusal(error: unknown, asked: number, existing: (refused: ShmError) => Existing): unknown {
  if (!(error instanceof ShmError) || error.syscall !== undefined || (error.code !== 'EPERM' && error.code !== 'EACCES')) return error;
  const { what, target, mode } = existing(error);
  const remove = `remove it (shmkit rm ${target}) and create it again`;
  const message = error.code === 'EPERM'
    ? `${what} exists and belongs to another user, so it is not joined: whoever made it can read and change what is put there. ` +
      `Give --allow-foreign-owner if that user is trusted, or --exclusive to insist on a new one, or ${remove}`
    : `${what} exists with mode ${formatMode(mode)}, wider than the --mode ${formatMode(asked)} asked, so it is not joined: others may read or change it. ` +
      `Give --mode ${formatMode(mode)} to accept it, narrow it (shmkit set ${target} --mode ${formatMode(asked)}), or ${remove}`;
  return new ShmError({ code: error.code, message, key: error.key, id: error.id, objectName: error.objectName, cause: error });
}

function createSysV(flags: Flags, size: number, mode: number): number {
  const options: SysVCreateOptions = {
    ...sysvKeySource(flags), size, mode,
    exclusive: Boolean(flags.exclusive), allowForeignOwner: Boolean(flags['allow-foreign-owner']),
    hugetlb: Boolean(flags.hugetlb), noreserve: Boolean(flags.noreserve),
  };
  let created: boolean;
  let id: number;
  try {
    using seg = SysV.create(options);
    ({ created, id } = seg);
  } catch (error) {
    throw joinRefusal(error, mode, ({ key, id }) => ({
      what: `System V segment ${formatKey(key!)} (id ${id})`, target: `--id ${id}`, mode: SysV.stat({ id: id! }).mode,
    }));
  }
  const stat = SysV.stat({ id }); // after the detach: what stays behind
  if (flags.json) {
    printJson({ created, ...sysvStatJson(stat) });
  } else {
    printLine(`${created ? 'created' : 'exists:'} System V segment key ${formatKey(stat.key)} id ${stat.id}: ${bytesWithHuman(stat.size)}, mode ${formatMode(stat.mode)}, owner ${userName(stat.uid)}`);
  }
  return 0;
}

function createPosix(name: string, flags: Flags, size: number, mode: number): number {
  const options = { size, mode, exclusive: Boolean(flags.exclusive), allowForeignOwner: Boolean(flags['allow-foreign-owner']) };
  let created: boolean;
  try {
    using seg = Posix.create(name, options);
    created = seg.created;
  } catch (error) {
    throw joinRefusal(error, mode, () => ({ what: `POSIX object ${name}`, target: name, mode: Posix.stat(name).mode }));
  }
  const stat = Posix.stat(name);
  if (flags.json) {
    printJson({ created, ...posixStatJson(stat) });
  } else {
    printLine(`${created ? 'created' : 'exists:'} POSIX object ${name}: ${bytesWithHuman(stat.size)}, mode ${formatMode(stat.mode)}, owner ${userName(stat.uid)}`);
  }
  return 0;
}

export const create: Command = {
  name: 'create',
  summary: 'make a System V segment or a POSIX object',
  usage: [
    'create sysv (--key K | --path P [--proj N] | --private) --size SIZE [options]',
    'create posix /NAME --size SIZE [options]',
  ],
  description: 'Makes the object, or opens the one that exists unless --exclusive, and reports the size,\n' +
    'mode and owner the kernel holds (an existing segment keeps its own). An existing object\n' +
    'owned by another user, or with a mode wider than --mode, is refused.',
  options: {
    key: { type: 'string', value: 'K', description: 'the System V key (decimal or 0x hex)' },
    path: { type: 'string', value: 'P', description: 'make the key with ftok(3) from this existing path' },
    proj: { type: 'string', value: 'N', description: "ftok's project id with --path, 0-255 (default 1)" },
    private: { type: 'boolean', description: 'a segment no key names (IPC_PRIVATE): a new one each time' },
    size: { type: 'string', value: 'SIZE', description: 'bytes, like 4096, 0x1000, 64K, 1M (required)' },
    mode: { type: 'string', value: 'MODE', description: 'octal permission bits (default 0600)' },
    exclusive: { type: 'boolean', description: 'fail if it exists already (EEXIST)' },
    'allow-foreign-owner': { type: 'boolean', description: "join an existing object another user owns or created" },
    hugetlb: { type: 'boolean', description: 'back the segment with huge pages (SHM_HUGETLB)' },
    noreserve: { type: 'boolean', description: 'reserve no swap for it (SHM_NORESERVE)' },
    ...JSON_OPTION,
  },
  examples: [
    'shmkit create sysv --key 0x1234 --size 1M --mode 0640 --exclusive',
    'shmkit create sysv --path /tmp/app --proj 1 --size 64K',
    'shmkit create posix /telemetry --size 16M --json',
  ],
  run({ positionals, flags }) {
    const [kind, name, ...extra] = positionals;
    if (kind !== 'sysv' && kind !== 'posix') {
      usageError(`create needs a kind: 'create sysv …' or 'create posix /NAME …'${kind === undefined ? '' : ` (got '${kind}')`}`);
    }
    if (extra.length > 0) usageError(`unexpected '${extra[0]}'`);
    if (flags.size === undefined) usageError('create needs --size SIZE, like --size 64K');
    const size = parseSize(String(flags.size), 'size', 1);
    const mode = flags.mode === undefined ? 0o600 : parseMode(String(flags.mode));
    if (kind === 'sysv') {
      if (name !== undefined) usageError(`a System V segment is named by --key, --path or --private, not by a name ('${name}')`);
      return createSysV(flags, size, mode);
    }
    const only = SYSV_ONLY.find((flag) => flags[flag] !== undefined);
    if (only !== undefined) usageError(`--${only} is for System V segments, not POSIX objects`);
    if (name === undefined) usageError('a POSIX object needs a name like /my-segment');
    return createPosix(checkPosixName(name), flags, size, mode);
  },
};
