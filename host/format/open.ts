// openOrCreate: a formatted shmkit segment over any kind of shared memory,
// in the spirit of Boost.Interprocess's managed segments.
import { invalidArgument } from '../errors.js';
import type { Arena } from '../arena/arena.js';
import { MappedFile } from '../api/mapped-file.js';
import { Memfd } from '../api/memfd.js';
import { Posix } from '../api/posix.js';
import { SysV } from '../api/sysv.js';
import type { Segment } from '../api/segment.js';
import { ManagedSegment, checkManagedOptions, type ManagedOptions } from './managed.js';

interface Common extends ManagedOptions {
  /** Bytes of the whole segment (header and directory included). */
  size: number;
  /** Permission bits when created (default 0o600). */
  mode?: number;
  arena?: Arena;
}

export type OpenOrCreateOptions = Common & (
  | { kind: 'sysv'; key?: number; path?: string; proj?: number }
  | { kind: 'posix'; name: string }
  | { kind: 'file'; path: string }
  | { kind: 'memfd'; name?: string }
);

/**
 * Creates or opens the backing memory, then formats it or joins its format.
 * Any number of processes may race here: one formats, the rest wait.
 */
export function openOrCreate(options: OpenOrCreateOptions): ManagedSegment {
  if (options === null || typeof options !== 'object') invalidArgument('openOrCreate needs options with kind and size');
  const { directorySlots, timeoutMs } = options;
  checkManagedOptions(options);
  const segment = backing(options);
  try {
    return new ManagedSegment(segment, { directorySlots, timeoutMs });
  } catch (error) {
    // Nothing half-made stays behind: remove what this call created.
    if ((segment instanceof SysV || segment instanceof Posix) && segment.created) segment.remove();
    segment.close();
    throw error;
  }
}

function backing(o: OpenOrCreateOptions): Segment {
  const { size, mode, arena } = o;
  switch (o.kind) {
    case 'sysv': return SysV.create({ key: o.key, path: o.path, proj: o.proj, size, mode, arena });
    case 'posix': return Posix.create(o.name, { size, mode, arena });
    case 'file': return MappedFile.open(o.path, { create: true, size, mode, arena });
    case 'memfd': return Memfd.create({ size, name: o.name, arena });
    default: invalidArgument(`openOrCreate: kind must be 'sysv', 'posix', 'file' or 'memfd': kind=${String((o as { kind: unknown }).kind)}`);
  }
}
