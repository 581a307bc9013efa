// The JSON form of what the commands report. One rule, whatever the value:
// integers the kernel or the segment format keeps in 64 bits (byte sizes and
// offsets, attachment and page counts, limits) are decimal strings; keys,
// modes and layout hashes are the strings the text output shows ("0x00001234",
// "0640", "0x…" 16 digits); dates are ISO 8601 strings; a field that does not
// apply is null. Other integers (ids, uids, gids, pids, counts) are numbers.
import { formatKey } from '../errors.js';
import type { ListEntry } from '../api/list.js';
import type { PosixStat } from '../api/posix.js';
import type { SysVStat } from '../api/sysv.js';
import type { ObjectInfo } from '../format/directory.js';
import { formatHash, formatMode } from './format.js';

/** `stat --json` of a System V segment (and what create and set report). */
export function sysvStatJson(stat: SysVStat) {
  return { kind: 'sysv' as const, ...stat, key: formatKey(stat.key), mode: formatMode(stat.mode) };
}

/** `stat --json` of a POSIX object (and what create and set report). */
export function posixStatJson(stat: PosixStat) {
  return { kind: 'posix' as const, ...stat, mode: formatMode(stat.mode) };
}

/** One entry of `ls --json`. */
export function listEntryJson(entry: ListEntry) {
  return { ...entry, key: entry.key === null ? null : formatKey(entry.key), mode: formatMode(entry.mode) };
}

/** One object of `objects --json`. */
export function objectJson(object: ObjectInfo) {
  return { ...object, offset: bytesJson(object.offset), size: bytesJson(object.size), layoutHash: formatHash(object.layoutHash) };
}

/** A byte count or offset that the API holds as a number, in its JSON form. */
export function bytesJson(bytes: number): string {
  return String(bytes);
}
