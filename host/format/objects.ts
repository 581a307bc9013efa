// What a directory entry opens as: raw bytes, a struct, a table (checked
// against the spec the caller gives), or a primitive made and initialised
// under the directory lock.
import { ShmError } from '../errors.js';
import { structAt, type StructRef } from '../struct/accessors.js';
import { StructType } from '../struct/struct.js';
import { Table } from '../struct/table.js';
import type { Place } from '../sync/place.js';
import { firstDifference } from './describe-diff.js';
import type { BytesSpec, Directory, KindName, ObjectInfo, ObjectSpec } from './directory.js';

/** What a primitive's entry records besides its kind and size: the layout it carries, the parameter it was made with. */
export interface PrimitiveExtra {
  layout?: StructType | undefined;
  param?: { value: number; asked: boolean; what: (value: number) => string };
}

/** What a data object's opener may be asked for: a spec, or a table of any count, or bytes of any size. */
export type OpenSpec = ObjectSpec | { table: StructType } | Partial<BytesSpec>;

function mismatch(dir: Directory, name: string, why: string): ShmError {
  return new ShmError({ code: 'ELAYOUT', message: `${dir.segment.description}, object '${name}': ${why}`, objectName: name });
}

// The entry in `slot`; ENOENT when it went between its lookup and now.
function liveInfo(dir: Directory, slot: number, name: string): ObjectInfo {
  const info = dir.info(slot);
  if (!info) throw new ShmError({ code: 'ENOENT', message: `${dir.segment.description}: object '${name}' was removed meanwhile`, objectName: name });
  return info;
}

/** Opens slot `slot` as `spec` asks, checking kind and layout first. */
export function openObject(dir: Directory, slot: number, name: string, spec: OpenSpec): StructRef | Table | Uint8Array {
  const info = liveInfo(dir, slot, name);
  const wanted: KindName = spec instanceof StructType ? 'struct' : 'table' in spec ? 'table' : 'bytes';
  if (info.kind !== wanted) throw mismatch(dir, name, `it is ${info.kind === 'bytes' ? 'raw bytes' : `a ${info.kind}`}, not ${wanted === 'bytes' ? 'raw bytes' : `a ${wanted}`}`);
  const { arena, readOnly } = dir.segment;
  const offset = dir.base + info.offset;
  const writable = !readOnly;
  if (spec instanceof StructType || 'table' in spec) {
    const type = spec instanceof StructType ? spec : spec.table;
    if (info.layoutHash !== type.hash) throw mismatch(dir, name, `its layout differs: ${firstDifference(info.layout ?? '', type.describe)}`);
    if (spec instanceof StructType) {
      if (info.size < type.size) throw dir.corrupt(name);
      return structAt(type, new DataView(arena.memory.buffer, offset, info.size), 0, writable);
    }
    if ('count' in spec && spec.count !== undefined && spec.count !== info.count) throw mismatch(dir, name, `it holds ${info.count} records, not ${spec.count}`);
    if (info.count * type.size > info.size) throw dir.corrupt(name);
    return new Table(type, { memory: arena, offset, count: info.count, writable });
  }
  if (spec.bytes !== undefined && spec.bytes !== info.size) throw mismatch(dir, name, `it is ${info.size} bytes, not ${spec.bytes}`);
  if (!writable) throw new ShmError({ code: 'EACCES', message: `${dir.segment.description}, object '${name}': raw bytes of a read-only attachment are read through segment.reader (offset ${info.offset})`, objectName: name });
  return arena.bytes(offset, info.size);
}

// Made and initialised under the directory lock, and looked up under it,
// so nobody ever sees a primitive between creation and initialisation.
// The parameter a primitive was made with (kept in its entry's count) is
// compared when the caller asked for one, so opening never silently
// gives a different object than asked for.
/** The named primitive of `kind`, opened, or made with `create` when missing. */
export function openPrimitive<T>(dir: Directory, name: string, kind: KindName, size: number, create: (place: Place) => T, open: (place: Place) => T, extra: PrimitiveExtra = {}): T {
  dir.assertWritable(`use a ${kind} in`);
  const { layout, param } = extra;
  return dir.withLock(() => {
    const found = dir.find(name);
    const slot = found >= 0 ? found : dir.createLocked(name, { bytes: size, kind, layout, count: param?.value ?? 0 });
    const info = liveInfo(dir, slot, name);
    if (info.kind !== kind || info.size !== size) throw mismatch(dir, name, `it is ${info.kind === 'bytes' ? 'raw bytes' : `a ${info.kind}`} of ${info.size} bytes, not a ${kind} of ${size}`);
    if (layout && info.layoutHash !== layout.hash) {
      throw mismatch(dir, name, info.layout ? `its records' layout differs: ${firstDifference(info.layout, layout.describe)}` : `it carries raw bytes, not records of ${layout.name}`);
    }
    if (param?.asked && info.count !== param.value) throw mismatch(dir, name, `it is ${param.what(info.count)}, not ${param.what(param.value)}`);
    const offset = dir.base + info.offset;
    const place = { memory: dir.segment.arena, offset, end: offset + info.size, host: dir.segment.waitHost };
    if (found >= 0) return open(place);
    try {
      return create(place);
    } catch (error) {
      dir.dropLocked(slot); // a refused creation leaves no entry behind
      throw error;
    }
  });
}
