// A table of structs in place, with bulk column moves done by the core:
// readColumn gathers one field of every record into a dense typed array,
// writeColumn scatters one back. These are the bulk encode/decode paths.
import { ShmError, invalidArgument } from '../errors.js';
import type { CoreMemory } from '../core/core-memory.js';
import { refClass, type RefClass, type StructRef } from './accessors.js';
import type { Field, StructType } from './struct.js';
import type { ColumnName, ColumnOf, ColumnValue, RecordInput, RecordOf } from './inferred.js';
import { rejectPrimitive, type FieldType, type PrimitiveType } from './types.js';
import { fieldError, readValue, writeValue } from './values.js';

export type Column =
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array | Float32Array | Float64Array;

type ColumnConstructor = { new (length: number): Column; new (buffer: ArrayBufferLike, offset: number, length: number): Column };

const COLUMN_TYPES: Record<PrimitiveType['name'], ColumnConstructor> = {
  i8: Int8Array, u8: Uint8Array, i16: Int16Array, u16: Uint16Array, i32: Int32Array, u32: Uint32Array,
  i64: BigInt64Array, u64: BigUint64Array, f32: Float32Array, f64: Float64Array, bool: Uint8Array,
} as Record<PrimitiveType['name'], ColumnConstructor>;

// Columns move through scratch space in chunks of this many bytes.
const CHUNK_BYTES = 1 << 20;

export interface TableLocation {
  /** The core memory holding the table (an arena, or a plain core memory). */
  memory: CoreMemory;
  /** Byte offset of record 0 in that memory. */
  offset: number;
  count: number;
  writable: boolean;
}

/** A table of records of struct type `S`, typed from its schema. */
export class Table<S extends StructType = StructType> {
  readonly type: S;
  readonly length: number;
  readonly writable: boolean;
  readonly #memory: CoreMemory;
  readonly #offset: number;
  readonly #view: DataView;
  readonly #Ref: RefClass;

  constructor(type: S, location: TableLocation) {
    const { memory, offset, count, writable } = location;
    if (!Number.isSafeInteger(count) || count < 0) invalidArgument(`table of ${type.name}: count must be a whole number: count=${String(count)}`);
    if (offset % type.align !== 0) invalidArgument(`table of ${type.name}: offset ${offset} is not a multiple of its alignment ${type.align}`);
    this.type = type;
    this.length = count;
    this.writable = writable;
    this.#memory = memory;
    this.#offset = offset;
    this.#view = new DataView(memory.memory.buffer, offset, type.size * count);
    this.#Ref = refClass(type, writable, this.#view);
  }

  /** Record `index` in place (a new accessor object each call). */
  at(index: number): StructRef<S> {
    return new this.#Ref(this.#byteOffset(index)) as StructRef<S>;
  }

  /**
   * One accessor to move along the table without allocating:
   * `const c = t.cursor(); for (...) { c.$offset = i * t.type.size; … }`.
   */
  cursor(): StructRef<S> {
    return new this.#Ref(0) as StructRef<S>;
  }

  /** Record `index` decoded into a plain object. */
  get(index: number): RecordOf<S> {
    return readValue(this.#view, this.#byteOffset(index), this.type) as RecordOf<S>;
  }

  /** Writes record `index` whole; every field is checked before any byte changes. */
  set(index: number, record: RecordInput<S>): void {
    this.#assertWritable();
    writeValue(this.#view, this.#byteOffset(index), this.type, record, `${this.type.name}[${index}]`);
  }

  /**
   * Every field `name` of records [start, start+count), gathered by the core
   * into `into` (a typed array of the field's type, reused across calls) or
   * a new one. An `into` from memory.allocateArray is filled in place.
   */
  readColumn<Name extends ColumnName<S>>(name: Name, start = 0, count = this.length - start, into?: ColumnOf<S, Name>): ColumnOf<S, Name> {
    const { field, primitive } = this.#column(name);
    this.#range(start, count);
    const Ctor = COLUMN_TYPES[primitive.name];
    if (into !== undefined && (!(into instanceof Ctor) || into.length < count)) {
      invalidArgument(`readColumn '${name}': into must be a ${Ctor.name} of at least ${count} elements`);
    }
    const out: Column = into ?? new Ctor(count);
    const size = primitive.size;
    const firstSource = this.#offset + start * this.type.size + field.offset;
    if (this.#memory.owns(out)) { // it lives in the memory: gather straight into it
      this.#memory.core.gather(firstSource, this.type.size, size, count, out.byteOffset);
      return out as ColumnOf<S, Name>;
    }
    const per = Math.max(1, Math.floor(CHUNK_BYTES / size));
    const scratch = this.#memory.scratch(Math.min(count, per) * size);
    for (let done = 0; done < count; done += per) {
      const n = Math.min(per, count - done);
      const src = this.#offset + (start + done) * this.type.size + field.offset;
      this.#memory.core.gather(src, this.type.size, size, n, scratch);
      out.set(new Ctor(this.#memory.memory.buffer, scratch, n) as never, done);
    }
    return out as ColumnOf<S, Name>;
  }

  /**
   * Writes `values` into field `name` of records start, start+1, …; checked
   * first, then scattered by the core (straight from `values` when it came
   * from memory.allocateArray).
   */
  writeColumn<Name extends ColumnName<S>>(name: Name, values: ArrayLike<ColumnValue<S, Name>>, start = 0): void {
    this.#assertWritable();
    const { field, primitive } = this.#column(name);
    const count = values.length;
    this.#range(start, count);
    const Ctor = COLUMN_TYPES[primitive.name];
    const column = this.#checkedColumn(field, primitive, values, Ctor);
    const size = primitive.size;
    const firstTarget = this.#offset + start * this.type.size + field.offset;
    if (this.#memory.owns(column)) { // it lives in the memory: scatter straight from it
      this.#memory.core.scatter(firstTarget, this.type.size, size, count, column.byteOffset);
      return;
    }
    const per = Math.max(1, Math.floor(CHUNK_BYTES / size));
    const scratch = this.#memory.scratch(Math.min(count, per) * size);
    for (let done = 0; done < count; done += per) {
      const n = Math.min(per, count - done);
      new Ctor(this.#memory.memory.buffer, scratch, n).set(column.subarray(done, done + n) as never);
      const dst = this.#offset + (start + done) * this.type.size + field.offset;
      this.#memory.core.scatter(dst, this.type.size, size, n, scratch);
    }
  }

  // A typed array of the field's own type passes as it is (its values fit by
  // construction, bools and enums aside); anything else is checked value by value.
  #checkedColumn(field: Field, primitive: PrimitiveType, values: ArrayLike<unknown>, Ctor: ColumnConstructor): Column {
    const type = unwrap(field.type);
    const path = (i: number) => `${this.type.name}.${field.name}[${i}]`;
    if (values instanceof Ctor && type.kind === 'primitive' && type.name !== 'bool') return values as Column;
    const column = new Ctor(values.length);
    for (let i = 0; i < values.length; i++) {
      let v = values[i];
      if (type.kind === 'enum') {
        if (typeof v === 'string' ? !type.members.has(v) : !type.byValue.has(v as number)) {
          throw fieldError(path(i), `expected one of ${[...type.members.keys()].join(', ')} (enum ${type.name}), got ${String(v)}`);
        }
        if (typeof v === 'string') v = type.members.get(v);
      } else if (primitive.name === 'bool') {
        if (v !== true && v !== false && v !== 0 && v !== 1) throw fieldError(path(i), `expected true or false, got ${String(v)}`);
        v = v ? 1 : 0;
      } else {
        const why = rejectPrimitive(primitive, v);
        if (why) throw fieldError(path(i), why);
      }
      (column as unknown as unknown[])[i] = v;
    }
    return column;
  }

  #column(name: string): { field: Field; primitive: PrimitiveType } {
    const field = (this.type as StructType).field(name);
    const type = unwrap(field.type);
    const primitive = type.kind === 'primitive' ? type : type.kind === 'enum' ? type.base : undefined;
    if (!primitive) invalidArgument(`column '${name}' of ${this.type.name} is ${field.type.describe}; columns are numbers, bools and enums`);
    return { field, primitive };
  }

  #range(start: number, count: number): void {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(count) || start < 0 || count < 0 || start + count > this.length) {
      throw new ShmError({ code: 'EINVAL', message: `records ${start}..${start + count} are outside the table of ${this.length}` });
    }
  }

  #byteOffset(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new ShmError({ code: 'EINVAL', message: `record ${index} is outside the table of ${this.length} ${this.type.name}` });
    }
    return index * this.type.size;
  }

  #assertWritable(): void {
    if (!this.writable) throw new ShmError({ code: 'EACCES', message: `the table of ${this.type.name} is in a read-only attachment` });
  }
}

function unwrap(type: FieldType): FieldType {
  return type.kind === 'aligned' ? type.inner : type;
}
