import { ManagedSegment } from '../../format/managed.js';
import { TARGET_OPTIONS, parseTarget, type Parsed } from '../args.js';
import { table, toJson } from '../format.js';
import { openTarget } from '../target-io.js';

export const objectsOptions = [...TARGET_OPTIONS, 'json'] as const;

/** The directory of a shmkit-formatted segment, read through a read-only attachment. */
export function objects(parsed: Parsed): number {
  using managed = new ManagedSegment(openTarget(parseTarget(parsed, 'objects'), true), { timeoutMs: 1000 });
  const list = managed.list();
  if (parsed.flags.json) {
    console.log(toJson({ creatorPid: managed.creatorPid, objects: list }));
    return 0;
  }
  console.log(`shmkit segment formatted by pid ${managed.creatorPid}, ${list.length} object${list.length === 1 ? '' : 's'}`);
  if (list.length) {
    console.log(table(['name', 'kind', 'offset', 'bytes', 'align', 'records', 'layout hash'],
      list.map((o) => [o.name, o.kind, String(o.offset), String(o.size), String(o.align), o.kind === 'table' ? String(o.count) : '-', o.layoutHash ? o.layoutHash.toString(16).padStart(16, '0') : '-'])));
  }
  return 0;
}
