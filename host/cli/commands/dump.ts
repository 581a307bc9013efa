import { invalidArgument } from '../../errors.js';
import { TARGET_OPTIONS, parseSize, parseTarget, type Parsed } from '../args.js';
import { hexLines } from '../hexdump.js';
import { openTarget } from '../target-io.js';

export const dumpOptions = [...TARGET_OPTIONS, 'offset', 'length'] as const;

const DEFAULT_LENGTH = 256;

/** Hex dump of a range, read through a read-only attachment. */
export function dump(parsed: Parsed): number {
  const target = parseTarget(parsed, 'dump');
  using seg = openTarget(target, true);
  const offset = parsed.flags.offset === undefined ? 0 : parseSize(parsed.flags.offset, 'offset');
  if (offset >= seg.size) invalidArgument(`dump: --offset ${offset} is past the end (size ${seg.size})`);
  const length = Math.min(
    parsed.flags.length === undefined ? DEFAULT_LENGTH : parseSize(parsed.flags.length, 'length'),
    seg.size - offset,
  );
  const out: string[] = [];
  for (const line of hexLines(seg.reader, offset, length)) {
    out.push(line);
    if (out.length === 4096) process.stdout.write(out.splice(0).join('\n') + '\n');
  }
  if (out.length > 0) process.stdout.write(out.join('\n') + '\n');
  return 0;
}
