// dump: a hex dump of a range in the layout of xxd, through a read-only attachment.
import { TARGET_OPTIONS, TARGET_USAGE, type Command } from '../command.js';
import { hexLines } from '../hexdump.js';
import { writeChunk } from '../output.js';
import { parseTarget } from '../target.js';
import { openTarget } from '../target-io.js';
import { usageError } from '../usage-error.js';
import { parseSize } from '../values.js';

const DEFAULT_LENGTH = 256;
// Lines per write: a long dump holds one batch at a time and stops as soon as its reader goes.
const LINES_PER_WRITE = 4096;

export const dump: Command = {
  name: 'dump',
  summary: 'hex dump of a range, like xxd',
  usage: [`dump ${TARGET_USAGE} [--offset SIZE] [--length SIZE]`],
  description: 'Prints bytes as xxd does: offset, 16 bytes in groups of two, and their ASCII.\nThe range is cut at the end of the segment.',
  options: {
    ...TARGET_OPTIONS,
    offset: { type: 'string', value: 'SIZE', description: 'first byte (default 0), like 4096, 0x1000, 64K' },
    length: { type: 'string', value: 'SIZE', description: `bytes to show (default ${DEFAULT_LENGTH})` },
  },
  examples: ['shmkit dump /telemetry --offset 0x100 --length 64', 'shmkit dump --key 0x1234 --length 1M | less'],
  async run(parsed) {
    const offset = typeof parsed.flags.offset === 'string' ? parseSize(parsed.flags.offset, 'offset') : 0;
    const wanted = typeof parsed.flags.length === 'string' ? parseSize(parsed.flags.length, 'length') : DEFAULT_LENGTH;
    const target = parseTarget(parsed);
    using seg = openTarget(target, true);
    if (offset >= seg.size) usageError(`--offset ${offset} is past the end: the segment has ${seg.size} bytes`);
    const length = Math.min(wanted, seg.size - offset);
    let batch: string[] = [];
    for (const line of hexLines(seg.reader, offset, length)) {
      batch.push(line);
      if (batch.length === LINES_PER_WRITE) {
        await writeChunk(batch.join('\n') + '\n');
        batch = [];
      }
    }
    if (batch.length > 0) await writeChunk(batch.join('\n') + '\n');
    return 0;
  },
};
