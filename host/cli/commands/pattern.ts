import { invalidArgument } from '../../errors.js';
import type { PatternName } from '../../api/segment.js';
import { TARGET_OPTIONS, parseTarget, type Parsed } from '../args.js';
import { progressBar } from '../progress.js';
import { describeTarget, openTarget } from '../target-io.js';

export const patternOptions = [...TARGET_OPTIONS, 'pattern'] as const;

function patternOf(parsed: Parsed, command: string): PatternName {
  const pattern = parsed.flags.pattern ?? 'mod256';
  if (pattern !== 'mod256') invalidArgument(`${command}: unknown --pattern '${String(pattern)}' (known: mod256)`);
  return pattern;
}

/** Byte i = i mod 256 over the whole segment, written by the Wasm core. */
export function write(parsed: Parsed): number {
  const pattern = patternOf(parsed, 'write');
  const target = parseTarget(parsed, 'write');
  using seg = openTarget(target, false);
  seg.writePattern(pattern, { onProgress: progressBar('write', seg.size) });
  console.log(`wrote pattern ${pattern} over ${seg.size} bytes of ${describeTarget(target)}`);
  return 0;
}

/** Exit 0 if every byte holds the pattern, else 1 with the first bad offset. */
export function verify(parsed: Parsed): number {
  const pattern = patternOf(parsed, 'verify');
  const target = parseTarget(parsed, 'verify');
  using seg = openTarget(target, true);
  const bad = seg.verifyPattern(pattern, { onProgress: progressBar('verify', seg.size) });
  if (bad >= 0) {
    const found = seg.reader.getUint8(bad);
    console.error(`verify: ${describeTarget(target)} differs at offset ${bad} (0x${bad.toString(16)}): expected 0x${(bad & 255).toString(16).padStart(2, '0')}, found 0x${found.toString(16).padStart(2, '0')}`);
    return 1;
  }
  console.log(`verified ${seg.size} bytes of ${describeTarget(target)}: every byte holds pattern ${pattern}`);
  return 0;
}
