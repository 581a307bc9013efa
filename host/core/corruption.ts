// What a host says when the core finds an object's shared bytes broken: a
// ShmError with code ECORRUPT that names the object and the field. The
// handle that saw it stays refused from then on (no silent repair).
import { ShmError, type ShmErrorTarget } from '../errors.js';
import { coreConstant, type CoreExports, type CoreFault } from './core.js';

/** ShmError code for shared bytes that break their layout's rules. */
export const CORRUPT = 'ECORRUPT';

const FIELDS: Record<Exclude<CoreFault, 'FAULT_NONE'>, string> = {
  FAULT_WINDOW: 'its extent (it does not fit in the bytes it was given)',
  FAULT_HEADER: "the segment header's directory capacity, directory offset or heap offset",
  FAULT_DIR_ENTRY: "a directory entry's offset, size, alignment, name length or layout range",
  FAULT_SPSC_CAPACITY: "the ring's capacity word",
  FAULT_SPSC_RECORD: "a record header's type or length",
  FAULT_SPSC_HEAD: "the consumer's head cursor",
  FAULT_SPSC_TAIL: "the producer's tail cursor",
  FAULT_MPMC_GEOMETRY: "the queue's slots, slotSize or stride",
  FAULT_MPMC_CURSOR: "the queue's positions or slot sequences (they never settle)",
  FAULT_BCAST_GEOMETRY: "the channel's slots, slotSize, maxReaders or mode",
  FAULT_BCAST_SLOT: "a slot's stamp (a message overwritten that no writer may overwrite)",
  FAULT_BCAST_CURSOR: "the published count or a reader's cursor",
};

/** The field the core blamed in descriptor `d`, in words. */
export function faultField(core: CoreExports, d: number): string {
  const fault = core.descFault(d) >>> 0;
  for (const [name, field] of Object.entries(FIELDS)) {
    if (coreConstant(core, name as CoreFault) === fault) return field;
  }
  return `a field the core reports as fault ${fault}`;
}

/** The error for corruption found through descriptor `d` of `what` ("the SPSC ring at offset 4096"). */
export function corruption(core: CoreExports, d: number, what: string, target: ShmErrorTarget = {}): ShmError {
  return new ShmError({
    code: CORRUPT,
    message: `${what} is corrupt: ${faultField(core, d)} holds what no shmkit process writes ` +
      '(a process with write access scribbled on it, or it was never this kind of object); ' +
      'this handle refuses further use: remove the object and make it anew',
    ...target,
  });
}
