// Names retired for the try / Sync / Async convention keep working for one
// release. Each tells its caller once, through process.emitWarning where
// there is a process: these layers also run in browsers, which have none.
// The record is module state, so once per name in each thread.
import { ShmError } from '../errors.js';

const warned = new Set<string>();

interface WarningProcess {
  emitWarning(warning: string, options: { type: string; code: string }): void;
}

/** The DeprecationWarning code every renamed shmkit method emits. */
export const RENAMED_WARNING_CODE = 'SHMKIT_RENAMED';

/** Emits one DeprecationWarning for `oldName` (e.g. 'SpscProducer.send'), naming the method to call instead. */
export function warnRenamed(oldName: string, newName: string, note = ''): void {
  if (warned.has(oldName)) return;
  warned.add(oldName);
  const host = (globalThis as { process?: Partial<WarningProcess> }).process;
  if (typeof host?.emitWarning !== 'function') return;
  host.emitWarning(`${oldName}() is deprecated and goes in the next release: use ${newName}()${note ? ` (${note})` : ''}`, { type: 'DeprecationWarning', code: RENAMED_WARNING_CODE });
}

/**
 * What the retired hold and read forms did when their timeout passed; the
 * forms that replace them return null instead. They keep throwing, so code
 * written for them never runs a `using` block without the lock it asked for.
 */
export function retiredTimeout(what: string, replacement: string): never {
  throw new ShmError({ code: 'ETIMEDOUT', message: `timed out waiting for ${what}; ${replacement}() returns null on a timeout instead of throwing` });
}
