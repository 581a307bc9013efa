// Struct schemas with the platform's C layout, accessors in place, tables
// with core-driven column moves, and the matching C header.
export { struct, StructType, type StructOptions, type Field } from './struct.js';
export {
  string, array, enumOf, aligned, primitives, type FieldType, type FieldValue, type PrimitiveName,
  type PrimitiveType, type StringType, type ArrayType, type EnumType, type EnumBase, type AlignedType, type StructTypeLike,
} from './types.js';
export type {
  StructFields, ValueOf, InputOf, RecordOf, RecordInput, AccessorOf, ColumnArrays, ColumnName, ColumnOf, ColumnValue,
} from './inferred.js';
export { structAt, ArrayRef, type StructRef } from './accessors.js';
export { Table, type Column, type TableLocation } from './table.js';
export { cHeader, type CHeaderOptions } from './c-header.js';
