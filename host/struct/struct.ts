// struct(): a schema whose C ABI layout the Wasm core computes, with its
// canonical description and layout hash.
import { ShmError, invalidArgument } from '../errors.js';
import { coreConstants, type CoreConstant } from '../core/core.js';
import { layoutCore } from '../core/layout-core.js';
import {
  checkIdentifier, resolveType, type FieldType, type StructTypeLike,
} from './types.js';
import type { StructFields } from './inferred.js';

export interface StructOptions {
  /** No padding at all, like __attribute__((packed)). */
  packed?: boolean;
  /** A stricter alignment for the whole struct, like __attribute__((aligned(n))). */
  align?: number;
}

export interface Field {
  readonly name: string;
  readonly type: FieldType;
  readonly offset: number;
}

// What the core's layout results mean, by the names it exports them under (assembly/struct/layout.ts).
const LAYOUT_ERRORS = {
  LAYOUT_BAD_ALIGN: 'an alignment is not a power of two',
  LAYOUT_TOO_LARGE: 'the struct is larger than 2 GiB',
  LAYOUT_EMPTY: 'a struct needs at least one field',
} as const satisfies Partial<Record<CoreConstant, string>>;


// Keys the schema's field types for TypeScript alone: no such property exists at run time.
declare const schema: unique symbol;

/** A struct type; `Fields` is the schema it was declared with, from which its records' TypeScript types follow. */
export class StructType<Fields extends StructFields = StructFields> implements StructTypeLike {
  declare readonly [schema]?: Fields;
  readonly kind = 'struct' as const;
  readonly name: string;
  readonly fields: readonly Field[];
  readonly size: number;
  readonly align: number;
  readonly packed: boolean;
  readonly explicitAlign: number;
  /** Canonical description: names, types, offsets, size; what the hash covers. */
  readonly describe: string;
  /** FNV-1a 64 of `describe`, stored with every named object of this type. */
  readonly hash: bigint;
  readonly #byName: Map<string, Field>;

  constructor(name: string, fields: Fields, options: StructOptions | null = {}) {
    options ??= {};
    if (typeof options !== 'object') invalidArgument(`struct ${String(name)}: options must be an object`);
    this.name = checkIdentifier(name, 'struct name');
    if (fields === null || typeof fields !== 'object') invalidArgument(`struct ${name}: fields must be an object of name: type`);
    // A misspelt option (say `pack`) would silently give another layout.
    const unknown = Object.keys(options ?? {}).filter((key) => key !== 'packed' && key !== 'align');
    if (unknown.length) invalidArgument(`struct ${name}: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (options: packed, align)`);
    const packed = options.packed ?? false;
    const explicitAlign = options.align ?? 0;
    if (typeof packed !== 'boolean') invalidArgument(`struct ${name}: packed must be true or false`);
    const entries = Object.entries(fields).map(([field, type]) => {
      checkIdentifier(field, `struct ${name} field name`);
      const resolved = resolveType(type, `struct ${name} field '${field}'`);
      if (packed && containsAligned(resolved)) {
        invalidArgument(`struct ${name}: field '${field}' asks for an alignment, which a packed struct cannot give`);
      }
      return [field, resolved] as const;
    });
    if (entries.length === 0) invalidArgument(`struct ${name} needs at least one field`);

    const { offsets, size, align } = computeLayout(name, entries.map(([, t]) => t), packed, explicitAlign);
    this.fields = Object.freeze(entries.map(([field, type], i) => Object.freeze({ name: field, type, offset: offsets[i]! })));
    this.#byName = new Map(this.fields.map((f) => [f.name, f]));
    this.size = size;
    this.align = align;
    this.packed = packed;
    this.explicitAlign = explicitAlign;
    const body = this.fields.map((f) => `${f.name}:${f.type.describe}@${f.offset}`).join(';');
    this.describe = `struct ${name}{${body}}size=${size},align=${align}${packed ? ',packed' : ''}`;
    this.hash = hashText(this.describe);
    Object.freeze(this);
  }

  field(name: keyof Fields & string): Field {
    const found = this.#byName.get(name);
    if (!found) invalidArgument(`struct ${this.name} has no field '${name}' (fields: ${this.fields.map((f) => f.name).join(', ')})`);
    return found;
  }
}

/**
 * Declares a struct type with the platform's C layout. Its records are
 * typed from `fields`: `struct('P', { x: 'f64', id: 'u64' })` reads as
 * `{ x: number; id: bigint }`.
 */
export function struct<Fields extends StructFields>(name: string, fields: Fields, options?: StructOptions): StructType<Fields> {
  return new StructType(name, fields, options);
}

function containsAligned(type: FieldType): boolean {
  return type.kind === 'aligned' || (type.kind === 'array' && containsAligned(type.element));
}

// The rules live in the core (assembly/struct/layout.ts); the host only
// stages the member records and reads the answer.
function computeLayout(name: string, types: FieldType[], packed: boolean, explicitAlign: number) {
  if (explicitAlign !== 0 && (!Number.isInteger(explicitAlign) || explicitAlign < 1 || (explicitAlign & (explicitAlign - 1)) !== 0 || explicitAlign > 4096)) {
    invalidArgument(`struct ${name}: align must be a power of two up to 4096: align=${String(explicitAlign)}`);
  }
  const core = layoutCore();
  const abi = coreConstants(core.core);
  const resultAt = types.length * abi.MEMBER_SIZE;
  const bytes = resultAt + abi.RESULT_SIZE;
  const at = core.scratch(bytes);
  const view = new DataView(core.memory.buffer, at, bytes);
  types.forEach((type, i) => {
    const { element, count } = arrayShape(type);
    view.setUint32(i * abi.MEMBER_SIZE + abi.MEMBER_ELEMENT_SIZE, element.size, true);
    view.setUint32(i * abi.MEMBER_SIZE + abi.MEMBER_ALIGN, element.align, true);
    view.setUint32(i * abi.MEMBER_SIZE + abi.MEMBER_COUNT, count, true);
  });
  const status = core.core.layoutStruct(at, types.length, packed ? 1 : 0, explicitAlign, at + resultAt);
  if (status !== abi.LAYOUT_OK) {
    const error = (Object.keys(LAYOUT_ERRORS) as (keyof typeof LAYOUT_ERRORS)[]).find((key) => abi[key] === status);
    throw new ShmError({ code: 'EINVAL', message: `struct ${name}: ${error ? LAYOUT_ERRORS[error] : `layout failed (${status})`}` });
  }
  return {
    offsets: types.map((_, i) => view.getUint32(i * abi.MEMBER_SIZE + abi.MEMBER_OFFSET, true)),
    size: view.getUint32(resultAt + abi.RESULT_STRUCT_SIZE, true),
    align: view.getUint32(resultAt + abi.RESULT_STRUCT_ALIGN, true),
  };
}

// An array member is `count` elements of its innermost non-array type's
// size and alignment; nested arrays multiply out.
function arrayShape(type: FieldType): { element: FieldType; count: number } {
  let count = 1;
  let element = type;
  while (element.kind === 'array') {
    count *= element.length;
    element = element.element;
  }
  return { element, count };
}

const encoder = new TextEncoder();

/** FNV-1a 64 of a text, computed by the core. */
function hashText(text: string): bigint {
  const core = layoutCore();
  const bytes = encoder.encode(text);
  const at = core.scratch(bytes.length + 8);
  core.bytes(at, bytes.length).set(bytes);
  core.core.fnv1a64(at, bytes.length, at + bytes.length);
  return new DataView(core.memory.buffer).getBigUint64(at + bytes.length, true);
}
