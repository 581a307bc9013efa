// The TypeScript side of a schema: what its values read as, what its writes
// accept, what its accessors hold and which columns it has, derived from the
// field types the schema was declared with. Types only: the runtime checks
// every value anyway (values.ts); these let the compiler refuse what it can
// see is wrong (a misspelt field, a string for a number).
import type { ArrayRef, StructRef } from './accessors.js';
import type { StructType } from './struct.js';
import type { Column } from './table.js';
import type {
  AlignedType, ArrayType, EnumType, FieldType, FieldValue, PrimitiveName, PrimitiveType, StringType, StructTypeLike,
} from './types.js';

/** A schema's fields: name → field type (or a primitive's name). */
export type StructFields = Record<string, FieldType | PrimitiveName>;

/**
 * True for a field typed only as FieldType (from a schema built as a plain
 * Record, say): it says no more than the runtime checks, and without this
 * the recursion through AlignedType<FieldType> would never end.
 */
export type Untyped<T> = [FieldType] extends [T] ? true : false;

/** True for a struct type whose field names TypeScript does not know (StructType itself). */
export type Loose<Fields extends StructFields> = string extends keyof Fields ? true : false;

type FieldsOf<S extends StructType> = S extends StructType<infer Fields> ? Fields : never;

type PrimitiveValue<Name extends PrimitiveName> = Name extends 'i64' | 'u64' ? bigint : Name extends 'bool' ? boolean : number;

/**
 * What a field of type `T` reads as: 64-bit integers as bigint, other
 * numbers as number, bool as boolean, char[N] as string, an enum as its
 * member's name (or the number, when another program stored one that is not
 * a member), arrays as arrays, nested structs as records.
 */
export type ValueOf<T extends FieldType | PrimitiveName> = Untyped<T> extends true ? FieldValue
  : T extends PrimitiveName ? PrimitiveValue<T>
  : T extends PrimitiveType<infer Name> ? PrimitiveValue<Name>
  : T extends StringType ? string
  : T extends EnumType<infer Member> ? Member | number
  : T extends AlignedType<infer Inner> ? ValueOf<Inner>
  : T extends ArrayType<infer Element> ? ValueOf<Element>[]
  : T extends StructType ? RecordOf<T>
  : FieldValue;

/**
 * What a write of a field of type `T` takes: as ValueOf, but arrays may be
 * read-only or typed arrays, so a record read can be written back as it is.
 */
export type InputOf<T extends FieldType | PrimitiveName> = Untyped<T> extends true ? unknown
  : T extends PrimitiveName ? PrimitiveValue<T>
  : T extends PrimitiveType<infer Name> ? PrimitiveValue<Name>
  : T extends StringType ? string
  : T extends EnumType<infer Member> ? Member | number
  : T extends AlignedType<infer Inner> ? InputOf<Inner>
  : T extends ArrayType<infer Element> ? readonly InputOf<Element>[] | (ArrayBufferView & ArrayLike<InputOf<Element>>)
  : T extends StructType ? RecordInput<T>
  : unknown;

/** A record of struct type `S` decoded into a plain object (`table.get(i)`). */
export type RecordOf<S extends StructType> = S extends StructType<infer Fields>
  ? Loose<Fields> extends true ? Record<string, FieldValue> : { -readonly [K in keyof Fields]: ValueOf<Fields[K]> }
  : never;

/** A whole record of struct type `S` to write (`table.set(i, record)`): every field, no other. */
export type RecordInput<S extends StructType> = S extends StructType<infer Fields>
  ? Loose<Fields> extends true ? Record<string, unknown> : { -readonly [K in keyof Fields]: InputOf<Fields[K]> }
  : never;

/** What an accessor's field holds: an accessor for nested structs, an ArrayRef for arrays, else the value. */
export type AccessorOf<T extends FieldType | PrimitiveName> = Untyped<T> extends true ? unknown
  : T extends AlignedType<infer Inner> ? AccessorOf<Inner>
  : T extends ArrayType<infer Element> ? ArrayRef<Element>
  : T extends StructType ? StructRef<T>
  : ValueOf<T>;

// Nested structs and arrays are reached through their accessor; a
// whole-value write goes through its $assign or set() instead.
type InPlace<T> = T extends AlignedType<infer Inner> ? InPlace<Inner> : T extends ArrayType | StructTypeLike ? true : false;

/** The field properties of an accessor of a struct with `Fields`. */
export type FieldAccessors<Fields extends StructFields> = Loose<Fields> extends true ? { [field: string]: unknown }
  : { -readonly [K in keyof Fields as InPlace<Fields[K]> extends true ? never : K]: AccessorOf<Fields[K]> }
  & { readonly [K in keyof Fields as InPlace<Fields[K]> extends true ? K : never]: AccessorOf<Fields[K]> };

/** The typed array each primitive's column comes in (an enum's is its base's; bools are bytes). */
export interface ColumnArrays {
  i8: Int8Array; u8: Uint8Array; i16: Int16Array; u16: Uint16Array; i32: Int32Array; u32: Uint32Array;
  i64: BigInt64Array; u64: BigUint64Array; f32: Float32Array; f64: Float64Array; bool: Uint8Array;
}

// The primitive a column of a field of type T is stored as; never when T cannot be a column.
type ColumnPrimitive<T> = Untyped<T> extends true ? PrimitiveName
  : T extends PrimitiveName ? T
  : T extends PrimitiveType<infer Name> ? Name
  : T extends EnumType<string, infer Base> ? Base
  : T extends AlignedType<infer Inner> ? ColumnPrimitive<Inner>
  : never;

// What writeColumn takes for a field of type T: what readColumn gives back too (bools as 0 or 1, enums as numbers).
type ColumnValueOf<T> = Untyped<T> extends true ? number | bigint | boolean | string
  : T extends EnumType<infer Member> ? Member | number
  : T extends AlignedType<infer Inner> ? ColumnValueOf<Inner>
  : ColumnPrimitive<T> extends 'i64' | 'u64' ? bigint
  : ColumnPrimitive<T> extends 'bool' ? boolean | number
  : number;

/** The fields of `S` that readColumn and writeColumn take: numbers, bools and enums. */
export type ColumnName<S extends StructType> = Loose<FieldsOf<S>> extends true ? string
  : { [K in keyof FieldsOf<S> & string]: [ColumnPrimitive<FieldsOf<S>[K]>] extends [never] ? never : K }[keyof FieldsOf<S> & string];

/** The typed array readColumn gives for field `Name` of `S`. */
export type ColumnOf<S extends StructType, Name extends string> = Loose<FieldsOf<S>> extends true ? Column
  : ColumnArrays[ColumnPrimitive<FieldsOf<S>[Name]>];

/** One value writeColumn takes for field `Name` of `S`. */
export type ColumnValue<S extends StructType, Name extends string> = Loose<FieldsOf<S>> extends true ? number | bigint | boolean | string
  : ColumnValueOf<FieldsOf<S>[Name]>;
