// In-place accessors: for each struct type a class whose prototype has one
// getter/setter per field, reading and writing the shared bytes directly.
// Primitive fields get specialised closures (a DataView call plus a range
// check) so V8 can inline them; other kinds go through values.ts.
import { ShmError } from '../errors.js';
import { ReadOnlyView } from '../core/read-only-view.js';
import { rejectPrimitive, type ArrayType, type FieldType, type FieldValue, type PrimitiveType } from './types.js';
import type { Field, StructType } from './struct.js';
import type { AccessorOf, FieldAccessors, InputOf, RecordInput, RecordOf, ValueOf } from './inferred.js';
import { fieldError, readValue, writeValue } from './values.js';

// A type literal, not an interface: only those let a typed accessor pass where the loose one (an index signature) is asked for.
/** What every accessor has besides its fields; `$`-names never clash with C identifiers. */
export type StructRefMembers<S extends StructType = StructType> = {
  readonly $type: S;
  /** The bytes (a ReadOnlyView for a read-only attachment). */
  readonly $view: DataView | ReadOnlyView;
  /** Byte offset of the struct in `$view`; move it to walk a table without new objects. */
  $offset: number;
  /** Every field, decoded into a plain object. */
  $toObject(): RecordOf<S>;
  /** Writes every field (all must be given); checks all before writing any. */
  $assign(value: RecordInput<S>): void;
};

/**
 * A struct of type `S` in place: its fields are properties, typed from the
 * schema (nested structs and arrays are accessors of their own, reached
 * read-only; write them through their $assign or set()).
 */
export type StructRef<S extends StructType = StructType> = StructRefMembers<S> & (S extends StructType<infer Fields> ? FieldAccessors<Fields> : never);

export type RefClass = new (offset: number) => StructRef;

// One class per (view, type, access): the view sits on the prototype as a
// constant, which V8 folds into the accessors (measured: a third faster
// than loading it from each object).
const classes = new WeakMap<DataView, Map<StructType, { writable?: RefClass; readOnly?: RefClass }>>();

/** The struct of `type` at `offset` of `view`; without setters when read-only. */
export function structAt<S extends StructType>(type: S, view: DataView, offset: number, writable: boolean): StructRef<S> {
  if (!Number.isInteger(offset) || offset < 0 || offset + type.size > view.byteLength) {
    throw new ShmError({ code: 'EINVAL', message: `struct ${type.name} (${type.size} bytes) at offset ${offset} does not fit in ${view.byteLength} bytes` });
  }
  return new (refClass(type, writable, view))(offset) as StructRef<S>;
}

export function refClass(type: StructType, writable: boolean, view: DataView): RefClass {
  let byType = classes.get(view);
  if (!byType) classes.set(view, (byType = new Map()));
  let entry = byType.get(type);
  if (!entry) byType.set(type, (entry = {}));
  const key = writable ? 'writable' : 'readOnly';
  return (entry[key] ??= buildClass(type, writable, view));
}

function buildClass(type: StructType, writable: boolean, view: DataView): RefClass {
  const Ref = class {
    declare $type: StructType;
    declare $view: DataView | ReadOnlyView;
    $offset: number;
    constructor(offset: number) {
      this.$offset = offset;
    }
    $toObject(): Record<string, FieldValue> {
      return readValue(view, this.$offset, type) as Record<string, FieldValue>;
    }
    $assign(value: Record<string, unknown>): void {
      if (!writable) throw readOnlyError(type.name);
      writeValue(view, this.$offset, type, value, type.name);
    }
  };
  Object.defineProperty(Ref.prototype, '$type', { value: type });
  // The view is a constant on the prototype, which V8 folds into every
  // accessor (measured: twice as fast as a closure variable for reads).
  Object.defineProperty(Ref.prototype, VIEW, { value: view });
  // A read-only attachment must not hand out a writable DataView: a store
  // into its pages would kill the process.
  Object.defineProperty(Ref.prototype, '$view', { value: writable ? view : new ReadOnlyView(view) });
  for (const field of type.fields) {
    Object.defineProperty(Ref.prototype, field.name, {
      get: getter(type, field, writable, view),
      set: writable ? setter(type, field, view) : undefined,
      enumerable: true,
    });
  }
  return Ref as unknown as RefClass;
}

function readOnlyError(what: string): ShmError {
  return new ShmError({ code: 'EACCES', message: `${what} is in a read-only attachment; attach read-write to change it` });
}

const VIEW = Symbol('view');
type Internal = StructRef & { [VIEW]: DataView };
type Getter = (this: Internal) => unknown;
type Setter = (this: Internal, value: unknown) => void;

function getter(type: StructType, field: Field, writable: boolean, view: DataView): Getter {
  const off = field.offset;
  const t = field.type;
  if (t.kind === 'primitive') {
    switch (t.name) {
      case 'i8': return function () { return this[VIEW].getInt8(this.$offset + off); };
      case 'u8': return function () { return this[VIEW].getUint8(this.$offset + off); };
      case 'i16': return function () { return this[VIEW].getInt16(this.$offset + off, true); };
      case 'u16': return function () { return this[VIEW].getUint16(this.$offset + off, true); };
      case 'i32': return function () { return this[VIEW].getInt32(this.$offset + off, true); };
      case 'u32': return function () { return this[VIEW].getUint32(this.$offset + off, true); };
      case 'i64': return function () { return this[VIEW].getBigInt64(this.$offset + off, true); };
      case 'u64': return function () { return this[VIEW].getBigUint64(this.$offset + off, true); };
      case 'f32': return function () { return this[VIEW].getFloat32(this.$offset + off, true); };
      case 'f64': return function () { return this[VIEW].getFloat64(this.$offset + off, true); };
      case 'bool': return function () { return this[VIEW].getUint8(this.$offset + off) !== 0; };
    }
  }
  const inner = t.kind === 'aligned' ? t.inner : t;
  if (inner.kind === 'struct') {
    const Nested = refClass(inner as StructType, writable, view);
    return function () { return new Nested(this.$offset + off); };
  }
  if (inner.kind === 'array') {
    const path = `${type.name}.${field.name}`;
    return function () { return new ArrayRef(view, this.$offset + off, inner, writable, path); };
  }
  return function () { return readValue(view, this.$offset + off, inner); };
}

function setter(type: StructType, field: Field, view: DataView): Setter {
  const off = field.offset;
  const t = field.type;
  const path = `${type.name}.${field.name}`;
  if (t.kind === 'primitive') {
    const fail = (value: unknown) => fieldError(path, rejectPrimitive(t, value) ?? 'bad value');
    // Integer checks test typeof first: a bigint in `v & 0xff` throws a TypeError, not our EINVAL.
    switch (t.name) {
      case 'i8': return function (v) { if (typeof v !== 'number' || (v << 24 >> 24) !== v) throw fail(v); this[VIEW].setInt8(this.$offset + off, v as number); };
      case 'u8': return function (v) { if (typeof v !== 'number' || (v & 0xff) !== v) throw fail(v); this[VIEW].setUint8(this.$offset + off, v as number); };
      case 'i16': return function (v) { if (typeof v !== 'number' || (v << 16 >> 16) !== v) throw fail(v); this[VIEW].setInt16(this.$offset + off, v as number, true); };
      case 'u16': return function (v) { if (typeof v !== 'number' || (v & 0xffff) !== v) throw fail(v); this[VIEW].setUint16(this.$offset + off, v as number, true); };
      case 'i32': return function (v) { if (typeof v !== 'number' || (v | 0) !== v) throw fail(v); this[VIEW].setInt32(this.$offset + off, v as number, true); };
      case 'u32': return function (v) { if (typeof v !== 'number' || (v >>> 0) !== v) throw fail(v); this[VIEW].setUint32(this.$offset + off, v as number, true); };
      case 'i64': return function (v) { if (typeof v !== 'bigint' || BigInt.asIntN(64, v) !== v) throw fail(v); this[VIEW].setBigInt64(this.$offset + off, v, true); };
      case 'u64': return function (v) { if (typeof v !== 'bigint' || BigInt.asUintN(64, v) !== v) throw fail(v); this[VIEW].setBigUint64(this.$offset + off, v, true); };
      case 'f32': return function (v) { if (typeof v !== 'number') throw fail(v); this[VIEW].setFloat32(this.$offset + off, v, true); };
      case 'f64': return function (v) { if (typeof v !== 'number') throw fail(v); this[VIEW].setFloat64(this.$offset + off, v, true); };
      case 'bool': return function (v) { if (typeof v !== 'boolean') throw fail(v); this[VIEW].setUint8(this.$offset + off, v ? 1 : 0); };
    }
  }
  return function (v) { writeValue(view, this.$offset + off, t, v, path); };
}

// An array's element types seen through `infer`: TypeScript then relates two
// ArrayRefs by their elements alone, so an ArrayRef of points passes where
// any ArrayRef is asked for.
type ElementAccessor<Element> = [Element] extends [infer E extends FieldType] ? AccessorOf<E> : never;
type ElementValue<Element> = [Element] extends [infer E extends FieldType] ? ValueOf<E> : never;
type ElementInput<Element> = [Element] extends [infer E extends FieldType] ? InputOf<E> : never;

/** A fixed array field in place: get(i), set(i, v), length, iteration; typed by its `Element` type. */
export class ArrayRef<Element extends FieldType = FieldType> {
  readonly #view: DataView;
  readonly #offset: number;
  readonly #type: ArrayType<Element>;
  readonly #writable: boolean;
  /** The field this array is, for error messages (`Rec.grid[1]`). */
  readonly #path: string;

  constructor(view: DataView, offset: number, type: ArrayType<Element>, writable: boolean, path: string) {
    this.#view = view;
    this.#offset = offset;
    this.#type = type;
    this.#writable = writable;
    this.#path = path;
  }

  get length(): number {
    return this.#type.length;
  }

  get(index: number): ElementAccessor<Element> {
    const at = this.#at(index);
    const element: FieldType = this.#type.element;
    if (element.kind === 'struct') return new (refClass(element as StructType, this.#writable, this.#view))(at) as ElementAccessor<Element>;
    if (element.kind === 'array') return new ArrayRef(this.#view, at, element, this.#writable, `${this.#path}[${index}]`) as ElementAccessor<Element>;
    return readValue(this.#view, at, element) as ElementAccessor<Element>;
  }

  set(index: number, value: ElementInput<Element>): void {
    if (!this.#writable) throw readOnlyError(`${this.#path}[${index}]`);
    writeValue(this.#view, this.#at(index), this.#type.element, value, `${this.#path}[${index}]`);
  }

  toArray(): ElementValue<Element>[] {
    return readValue(this.#view, this.#offset, this.#type) as ElementValue<Element>[];
  }

  *[Symbol.iterator](): IterableIterator<ElementAccessor<Element>> {
    for (let i = 0; i < this.#type.length; i++) yield this.get(i);
  }

  #at(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.#type.length) {
      throw new ShmError({ code: 'EINVAL', message: `${this.#path}: index ${index} is outside the array of ${this.#type.length}` });
    }
    return this.#offset + index * this.#type.element.size;
  }
}

export type { PrimitiveType };
