// write and verify: a test pattern over a whole segment, by the Wasm core,
// in steps so that a progress bar can follow (and stop where a check fails).
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
const STEP = 16 * 1024 * 1024;

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

/** Runs `step` over the segment in STEPs; the first bad offset, or -1. */
function inSteps(size: number, label: string, step: (offset: number, length: number) => number): number {
  const progress = progressBar(label, size);
  for (let offset = 0; offset < size; offset += STEP) {
    const bad = step(offset, Math.min(STEP, size - offset));
    if (bad >= 0) {
      progress?.stop(bad, `stopped at offset ${bad}`);
      return bad;
    }
    progress?.update(Math.min(offset + STEP, size));
  }
  progress?.finish();
  return -1;
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
    inSteps(seg.size, 'write', (offset, length) => {
      seg.writePattern(pattern, { offset, length });
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
    const bad = inSteps(seg.size, 'verify', (offset, length) => seg.verifyPattern(pattern, { offset, length }));
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
