// write and verify: a test pattern over a whole segment, by the Wasm core,
// with a progress bar that follows it (and stops where a check fails).
import type { PatternName } from '../../api/segment.js';
import type { Posix } from '../../api/posix.js';
import { SysV } from '../../api/sysv.js';
import { formatKey } from '../../errors.js';
import { JSON_OPTION, TARGET_OPTIONS, TARGET_USAGE, type Command, type Parsed } from '../command.js';
import { bytesWithHuman } from '../format.js';
import { bytesJson } from '../json-shapes.js';
import { printJson, printLine, printMessage } from '../output.js';
import { progressBar } from '../progress.js';
import { describeTarget, parseTarget } from '../target.js';
import { openTarget } from '../target-io.js';
import { usageError } from '../usage-error.js';

const PATTERNS: readonly PatternName[] = ['mod256'];

const PATTERN_OPTIONS = {
  ...TARGET_OPTIONS,
  pattern: { type: 'string', value: 'NAME', description: 'the pattern: mod256 (byte i holds i mod 256), the default' },
  ...JSON_OPTION,
} as const;

function patternOf(parsed: Parsed): PatternName {
  const pattern = parsed.flags.pattern ?? 'mod256';
  const known = PATTERNS.find((name) => name === pattern);
  if (known === undefined) usageError(`unknown --pattern '${String(pattern)}' (known: ${PATTERNS.join(', ')})`);
  return known;
}

/** Which segment, in the JSON form. */
function identity(seg: SysV | Posix) {
  return seg instanceof SysV ? { kind: 'sysv' as const, key: formatKey(seg.key), id: seg.id } : { kind: 'posix' as const, name: seg.name };
}

type OnProgress = (done: number) => void;

/** Runs `job` with a progress bar fed by the API's onProgress (which stops where a check fails); the first bad offset, or -1. */
function withProgress(size: number, label: string, job: (onProgress: OnProgress) => number): number {
  const progress = progressBar(label, size);
  const bad = job((done) => progress?.update(done));
  if (bad >= 0) progress?.stop(bad, `stopped at offset ${bad}`);
  else progress?.finish();
  return bad;
}

export const write: Command = {
  name: 'write',
  summary: 'fill a segment with a test pattern',
  usage: [`write ${TARGET_USAGE} [--pattern mod256] [--json]`],
  description: 'Writes the pattern over every byte of the segment (byte i = i mod 256), in the Wasm core.\nA progress bar shows on stderr when it is a terminal and the segment is 64 MiB or more.',
  options: PATTERN_OPTIONS,
  examples: ['shmkit write --key 0x1234', 'shmkit write /telemetry --json'],
  run(parsed) {
    const pattern = patternOf(parsed);
    const target = parseTarget(parsed);
    using seg = openTarget(target, false);
    withProgress(seg.size, 'write', (onProgress) => {
      seg.writePattern(pattern, { onProgress });
      return -1;
    });
    if (parsed.flags.json) printJson({ ...identity(seg), pattern, size: bytesJson(seg.size) });
    else printLine(`wrote pattern ${pattern} over ${bytesWithHuman(seg.size)} of ${describeTarget(target)}`);
    return 0;
  },
};

export const verify: Command = {
  name: 'verify',
  summary: 'check that a segment holds a test pattern',
  usage: [`verify ${TARGET_USAGE} [--pattern mod256] [--json]`],
  description: 'Checks every byte against the pattern, in the Wasm core, through a read-only attachment.\nExit status 1 at the first byte that differs, with its offset.',
  options: PATTERN_OPTIONS,
  examples: ['shmkit verify --id 5', 'shmkit verify /telemetry --json'],
  run(parsed) {
    const pattern = patternOf(parsed);
    const target = parseTarget(parsed);
    using seg = openTarget(target, true);
    const bad = withProgress(seg.size, 'verify', (onProgress) => seg.verifyPattern(pattern, { onProgress }));
    const found = bad >= 0 ? seg.reader.getUint8(bad) : null;
    const expected = bad >= 0 ? bad & 255 : null;
    if (parsed.flags.json) {
      printJson({ ...identity(seg), pattern, size: bytesJson(seg.size), ok: bad < 0, offset: bad < 0 ? null : bytesJson(bad), expected, found });
    } else if (bad < 0) {
      printLine(`verified ${bytesWithHuman(seg.size)} of ${describeTarget(target)}: every byte holds pattern ${pattern}`);
    }
    if (bad >= 0) {
      const hex = (byte: number) => '0x' + byte.toString(16).padStart(2, '0');
      printMessage(`shmkit verify: ${describeTarget(target)} differs at offset ${bad} (0x${bad.toString(16)}): expected ${hex(expected!)}, found ${hex(found!)}`);
    }
    return bad < 0 ? 0 : 1;
  },
};
