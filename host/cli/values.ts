// Option values as a person types them: sizes with suffixes, integers in
// decimal or hex, octal modes. Each refusal names the flag and an example.
import { BYTE_COUNT_FORMS, parseByteCount } from '../byte-count.js';
import { usageError } from './usage-error.js';

/** A byte count (see parseByteCount) of at least `least`, or a usage error naming the flag. */
export function parseSize(text: string, flag: string, least = 0): number {
  const value = parseByteCount(text);
  if (Number.isNaN(value)) usageError(`--${flag} must be a number of bytes ${BYTE_COUNT_FORMS}, at most 2^53 - 1: got '${text}'`);
  if (value < least) usageError(`--${flag} must be at least ${least}: got '${text}'`);
  return value;
}

/** An integer in decimal (possibly negative) or 0x hex, from `min` to `max`. */
function parseInteger(text: string, flag: string, min: number, max: number): number {
  const value = /^-?\d+$/.test(text) ? Number(text) : /^0x[0-9a-f]+$/i.test(text) ? parseInt(text.slice(2), 16) : NaN;
  if (Number.isNaN(value)) usageError(`--${flag} must be an integer, decimal or 0x hex: got '${text}'`);
  if (!(value >= min && value <= max)) usageError(`--${flag} must be from ${min} to ${max}: got '${text}'`);
  return value;
}

/** A System V key: 32 bits, signed as C code may write it or unsigned as ipcs prints it. Returned unsigned. */
export function parseKey(text: string): number {
  return parseInteger(text, 'key', -0x80000000, 0xffffffff) >>> 0;
}

export function parseId(text: string): number {
  return parseInteger(text, 'id', 0, 0x7fffffff);
}

export function parseProj(text: string): number {
  return parseInteger(text, 'proj', 0, 255);
}

/** A numeric user or group id. */
export function parseOwnerId(text: string, flag: 'uid' | 'gid'): number {
  return parseInteger(text, flag, 0, 0xfffffffe);
}

/** Permission bits, always octal: 600, 0600 or 0o600. */
export function parseMode(text: string): number {
  const match = /^(?:0o?)?([0-7]{1,3})$/i.exec(text);
  if (!match) usageError(`--mode must be octal permission bits like 600 or 0640: got '${text}'`);
  return parseInt(match[1]!, 8);
}
