// objects: the directory of a shmkit-formatted segment, through a read-only attachment.
import { ManagedSegment } from '../../format/managed.js';
import { JSON_OPTION, TARGET_OPTIONS, TARGET_USAGE, type Command } from '../command.js';
import { formatHash, table } from '../format.js';
import { objectJson } from '../json-shapes.js';
import { printJson, printLine } from '../output.js';
import { parseTarget } from '../target.js';
import { openTarget } from '../target-io.js';

// A segment still being formatted by another process is waited for this long.
const FORMAT_WAIT_MS = 1000;

export const objects: Command = {
  name: 'objects',
  summary: 'the named objects of a shmkit-formatted segment',
  usage: [`objects ${TARGET_USAGE} [--json]`],
  description: 'Lists the directory of a segment that shmkit formatted (openOrCreate, ManagedSegment):\nname, kind, offset, size, alignment, records and layout hash of every object.',
  options: { ...TARGET_OPTIONS, ...JSON_OPTION },
  examples: ['shmkit objects /plant', 'shmkit objects --key 0x1234 --json'],
  run(parsed) {
    using managed = new ManagedSegment(openTarget(parseTarget(parsed), true), { timeoutMs: FORMAT_WAIT_MS });
    const list = managed.list();
    if (parsed.flags.json) {
      printJson({ creatorPid: managed.creatorPid, objects: list.map(objectJson) });
      return 0;
    }
    printLine(`shmkit segment formatted by pid ${managed.creatorPid}, ${list.length} object${list.length === 1 ? '' : 's'}`);
    if (list.length) {
      printLine(table(['name', 'kind', 'offset', 'bytes', 'align', 'records', 'layout hash'],
        list.map((o) => [o.name, o.kind, String(o.offset), String(o.size), String(o.align), o.kind === 'table' ? String(o.count) : '-', formatHash(o.layoutHash) ?? '-'])));
    }
    return 0;
  },
};
