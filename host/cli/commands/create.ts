import { invalidArgument, formatKey } from '../../errors.js';
import { Posix } from '../../api/posix.js';
import { SysV } from '../../api/sysv.js';
import { parseInteger, parseMode, parseSize, type Parsed } from '../args.js';

export const createOptions = ['key', 'path', 'proj', 'private', 'size', 'mode', 'exclusive', 'hugetlb', 'noreserve'] as const;

/** create sysv (--key K | --path P [--proj N] | --private) --size N …, or create posix /name --size N … */
export function create({ positionals, flags }: Parsed): number {
  const [kind, name, ...extra] = positionals;
  if (extra.length > 0) invalidArgument(`create: unexpected '${extra[0]}'`);
  const size = parseSize(flags.size, 'size');
  const mode = flags.mode === undefined ? 0o600 : parseMode(flags.mode);
  const exclusive = Boolean(flags.exclusive);
  if (kind === 'sysv') {
    if (name !== undefined) invalidArgument(`create sysv takes --key, --path or --private, not '${name}'`);
    const seg = SysV.create({
      key: flags.key === undefined ? undefined : parseInteger(flags.key, 'key'),
      path: flags.path === undefined ? undefined : String(flags.path),
      proj: flags.proj === undefined ? undefined : parseInteger(flags.proj, 'proj'),
      private: flags.private ? true : undefined,
      size, mode, exclusive,
      hugetlb: Boolean(flags.hugetlb), noreserve: Boolean(flags.noreserve),
    });
    seg.close();
    console.log(`${seg.created ? 'created' : 'exists:'} System V segment key ${formatKey(seg.key)} id ${seg.id} (${size} bytes, mode ${mode.toString(8).padStart(4, '0')})`);
    return 0;
  }
  if (kind === 'posix') {
    for (const only of ['key', 'path', 'proj', 'private', 'hugetlb', 'noreserve']) {
      if (flags[only] !== undefined) invalidArgument(`create posix does not take --${only}`);
    }
    if (name === undefined) invalidArgument('create posix needs a name like /my-segment');
    const seg = Posix.create(name, { size, mode, exclusive });
    seg.close();
    console.log(`${seg.created ? 'created' : 'exists:'} POSIX object ${name} (${size} bytes, mode ${mode.toString(8).padStart(4, '0')})`);
    return 0;
  }
  invalidArgument(`create needs a kind: 'create sysv …' or 'create posix /name …'${kind ? `, not '${kind}'` : ''}`);
}
