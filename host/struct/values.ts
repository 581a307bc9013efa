// Reading and writing one value of any field type at a byte offset of a
// DataView, checked on write: a value that does not fit is an error, never
// truncated or wrapped. Little-endian, as on x86-64 and aarch64.
import { ShmError } from '../errors.js';
import { rejectPrimitive, show, type FieldType, type FieldValue, type PrimitiveType, type StringType } from './types.js';
import type { StructType } from './struct.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });
// With the u flag a valid pair is one code point, so only a lone half matches.
const LONE_SURROGATE = /\p{Surrogate}/u;

export function fieldError(path: string, problem: string): ShmError {
  return new ShmError({ code: 'EINVAL', message: `${path}: ${problem}` });
}

function readPrimitive(view: DataView, at: number, type: PrimitiveType): number | bigint | boolean {
  switch (type.name) {
    case 'i8': return view.getInt8(at);
    case 'u8': return view.getUint8(at);
    case 'i16': return view.getInt16(at, true);
    case 'u16': return view.getUint16(at, true);
    case 'i32': return view.getInt32(at, true);
    case 'u32': return view.getUint32(at, true);
    case 'i64': return view.getBigInt64(at, true);
    case 'u64': return view.getBigUint64(at, true);
    case 'f32': return view.getFloat32(at, true);
    case 'f64': return view.getFloat64(at, true);
    case 'bool': return view.getUint8(at) !== 0;
  }
}

/** Stores a value already checked to fit. */
function storePrimitive(view: DataView, at: number, type: PrimitiveType, value: number | bigint | boolean): void {
  switch (type.name) {
    case 'i8': view.setInt8(at, value as number); break;
    case 'u8': view.setUint8(at, value as number); break;
    case 'i16': view.setInt16(at, value as number, true); break;
    case 'u16': view.setUint16(at, value as number, true); break;
    case 'i32': view.setInt32(at, value as number, true); break;
    case 'u32': view.setUint32(at, value as number, true); break;
    case 'i64': view.setBigInt64(at, value as bigint, true); break;
    case 'u64': view.setBigUint64(at, value as bigint, true); break;
    case 'f32': view.setFloat32(at, value as number, true); break;
    case 'f64': view.setFloat64(at, value as number, true); break;
    case 'bool': view.setUint8(at, value ? 1 : 0); break;
  }
}

function readString(view: DataView, at: number, type: StringType): string {
  // Copy out first: TextDecoder does not take views of shared memory.
  const raw = new Uint8Array(view.buffer, view.byteOffset + at, type.capacity);
  const end = raw.indexOf(0);
  return decoder.decode(raw.slice(0, end < 0 ? type.capacity : end));
}

/** The UTF-8 bytes of a string that fits the field, or an error naming why not. */
function stringBytes(type: StringType, value: unknown, path: string): Uint8Array {
  if (typeof value !== 'string') throw fieldError(path, `expected a string, got ${show(value)}`);
  // TextEncoder would silently turn a lone surrogate into U+FFFD.
  if (LONE_SURROGATE.test(value)) throw fieldError(path, `${show(value)} has a lone surrogate, which UTF-8 cannot hold`);
  const bytes = encoder.encode(value);
  if (bytes.includes(0)) throw fieldError(path, 'a string field cannot hold NUL characters');
  if (bytes.length > type.capacity - 1) {
    throw fieldError(path, `${show(value)} is ${bytes.length} UTF-8 bytes; char[${type.capacity}] holds at most ${type.capacity - 1} (and the terminating NUL)`);
  }
  return bytes;
}

function storeString(view: DataView, at: number, type: StringType, bytes: Uint8Array): void {
  const target = new Uint8Array(view.buffer, view.byteOffset + at, type.capacity);
  target.set(bytes);
  target.fill(0, bytes.length);
}

export function readValue(view: DataView, at: number, type: FieldType): FieldValue {
  switch (type.kind) {
    case 'primitive': return readPrimitive(view, at, type);
    case 'string': return readString(view, at, type);
    case 'aligned': return readValue(view, at, type.inner);
    case 'enum': {
      const raw = readPrimitive(view, at, type.base) as number;
      return type.byValue.get(raw) ?? raw;
    }
    case 'array': {
      const out: FieldValue[] = [];
      for (let i = 0; i < type.length; i++) out.push(readValue(view, at + i * type.element.size, type.element));
      return out;
    }
    case 'struct': {
      const out: Record<string, FieldValue> = {};
      for (const field of (type as StructType).fields) out[field.name] = readValue(view, at + field.offset, field.type);
      return out;
    }
  }
}

/** Checks every part of `value` first, then writes: a bad value leaves the bytes as they were. */
export function writeValue(view: DataView, at: number, type: FieldType, value: unknown, path: string): void {
  checkValue(type, value, path);
  storeValue(view, at, type, value);
}

function checkValue(type: FieldType, value: unknown, path: string): void {
  switch (type.kind) {
    case 'primitive': {
      const why = rejectPrimitive(type, value);
      if (why) throw fieldError(path, why);
      return;
    }
    case 'string':
      stringBytes(type, value, path);
      return;
    case 'aligned':
      return checkValue(type.inner, value, path);
    case 'enum':
      if (typeof value === 'string' ? type.members.has(value) : typeof value === 'number' && type.byValue.has(value)) return;
      throw fieldError(path, `expected one of ${[...type.members.keys()].join(', ')} (enum ${type.name}), got ${show(value)}`);
    case 'array':
      if (!Array.isArray(value) && !ArrayBuffer.isView(value)) throw fieldError(path, `expected an array of ${type.length}, got ${show(value)}`);
      if ((value as ArrayLike<unknown>).length !== type.length) {
        throw fieldError(path, `expected ${type.length} elements, got ${(value as ArrayLike<unknown>).length}`);
      }
      for (let i = 0; i < type.length; i++) checkValue(type.element, (value as ArrayLike<unknown>)[i], `${path}[${i}]`);
      return;
    case 'struct': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fieldError(path, `expected an object, got ${show(value)}`);
      const struct = type as StructType;
      for (const key of Object.keys(value)) {
        if (!struct.fields.some((f) => f.name === key)) throw fieldError(path, `struct ${struct.name} has no field '${key}'`);
      }
      for (const field of struct.fields) {
        const v = (value as Record<string, unknown>)[field.name];
        if (v === undefined) throw fieldError(`${path}.${field.name}`, 'missing (every field of a record must be given)');
        checkValue(field.type, v, `${path}.${field.name}`);
      }
      return;
    }
  }
}

function storeValue(view: DataView, at: number, type: FieldType, value: unknown): void {
  switch (type.kind) {
    case 'primitive': return storePrimitive(view, at, type, value as number | bigint | boolean);
    case 'string': return storeString(view, at, type, stringBytes(type, value, ''));
    case 'aligned': return storeValue(view, at, type.inner, value);
    case 'enum': return storePrimitive(view, at, type.base, typeof value === 'string' ? type.members.get(value)! : (value as number));
    case 'array':
      for (let i = 0; i < type.length; i++) storeValue(view, at + i * type.element.size, type.element, (value as ArrayLike<unknown>)[i]);
      return;
    case 'struct':
      for (const field of (type as StructType).fields) storeValue(view, at + field.offset, field.type, (value as Record<string, unknown>)[field.name]);
  }
}
