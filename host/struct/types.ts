// Schema types: what a field is, how big, how aligned, how C spells it, how
// a value is read, checked and written. Layout (offsets) is computed by the
// Wasm core from these sizes and alignments (see layout.ts).
import { invalidArgument } from '../errors.js';

export type PrimitiveName = 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64' | 'f32' | 'f64' | 'bool';

/** A value read from or written to a field: numbers, bigints (64-bit), booleans, strings, arrays, records. */
export type FieldValue = number | bigint | boolean | string | FieldValue[] | { [field: string]: FieldValue };

interface TypeBase {
  /** Bytes of one value. */
  readonly size: number;
  /** Natural alignment (raised by `aligned`). */
  readonly align: number;
  /** Canonical spelling, part of the layout description and hash. */
  readonly describe: string;
}

export interface PrimitiveType<Name extends PrimitiveName = PrimitiveName> extends TypeBase {
  readonly kind: 'primitive';
  readonly name: Name;
  readonly cType: string;
}

export interface StringType extends TypeBase {
  readonly kind: 'string';
  /** char[capacity]: at most capacity-1 UTF-8 bytes, so C sees a terminated string. */
  readonly capacity: number;
}

export interface ArrayType<Element extends FieldType = FieldType> extends TypeBase {
  readonly kind: 'array';
  readonly element: Element;
  readonly length: number;
}

/** The integer types an enum can be stored as. */
export type EnumBase = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32';

export interface EnumType<Member extends string = string, Base extends EnumBase = EnumBase> extends TypeBase {
  readonly kind: 'enum';
  readonly name: string;
  readonly base: PrimitiveType<Base>;
  /** Member name → value; keyed by any string, so a name from outside can be looked up. */
  readonly members: ReadonlyMap<string, number>;
  /** Value → the first member with it. */
  readonly byValue: ReadonlyMap<number, Member>;
}

export interface AlignedType<Inner extends FieldType = FieldType> extends TypeBase {
  readonly kind: 'aligned';
  readonly inner: Inner;
}

/** A struct type; built by struct() in struct.ts. */
export interface StructTypeLike extends TypeBase {
  readonly kind: 'struct';
  readonly name: string;
}

export type FieldType = PrimitiveType | StringType | ArrayType | EnumType | AlignedType | StructTypeLike;

/** A field type as a schema may spell it: a primitive's name stands for its type. */
export type Resolved<T extends FieldType | PrimitiveName> = T extends PrimitiveName ? PrimitiveType<T> : T;

function primitive<Name extends PrimitiveName>(name: Name, size: number, cType: string): PrimitiveType<Name> {
  return Object.freeze({ kind: 'primitive', name, size, align: size, cType, describe: name });
}

/** The primitive field types, by name. */
export const primitives: { readonly [Name in PrimitiveName]: PrimitiveType<Name> } = Object.freeze({
  i8: primitive('i8', 1, 'int8_t'),
  u8: primitive('u8', 1, 'uint8_t'),
  i16: primitive('i16', 2, 'int16_t'),
  u16: primitive('u16', 2, 'uint16_t'),
  i32: primitive('i32', 4, 'int32_t'),
  u32: primitive('u32', 4, 'uint32_t'),
  i64: primitive('i64', 8, 'int64_t'),
  u64: primitive('u64', 8, 'uint64_t'),
  f32: primitive('f32', 4, 'float'),
  f64: primitive('f64', 8, 'double'),
  bool: primitive('bool', 1, 'bool'),
});

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const C_KEYWORDS = new Set(('auto break case char const continue default do double else enum extern float for goto if inline int long ' +
  'register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while bool true false ' +
  '_Alignas _Alignof _Atomic _Bool _Complex _Generic _Imaginary _Noreturn _Static_assert _Thread_local').split(' '));

/** Names must be C identifiers (the same schema makes a C header). */
export function checkIdentifier(name: unknown, what: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name) || C_KEYWORDS.has(name)) {
    invalidArgument(`${what} must be a C identifier that is not a keyword: ${JSON.stringify(name)}`);
  }
  // A JS object cannot hold '__proto__' as a plain key, so records would lose the field.
  if (name === '__proto__') invalidArgument(`${what} cannot be '__proto__': JavaScript records cannot hold that key`);
  return name;
}

export function resolveType(type: FieldType | PrimitiveName, where: string): FieldType {
  if (typeof type === 'string') {
    const found = (primitives as Record<string, PrimitiveType>)[type];
    if (!found) invalidArgument(`${where}: unknown type '${type}' (known: ${Object.keys(primitives).join(', ')}, or string(n), array(t, n), enumOf, struct)`);
    return found;
  }
  if (type === null || typeof type !== 'object' || typeof (type as FieldType).kind !== 'string') {
    invalidArgument(`${where}: a field type must be a type name or made by string(), array(), enumOf(), aligned() or struct()`);
  }
  return type;
}

function checkCount(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > 0x7fffffff) {
    invalidArgument(`${what} must be a whole number ≥ ${min}: got ${String(value)}`);
  }
  return value;
}

/** char[capacity], holding UTF-8 text of at most capacity-1 bytes and a terminating NUL. */
export function string(capacity: number): StringType {
  checkCount(capacity, 'string capacity', 1);
  return Object.freeze({ kind: 'string', capacity, size: capacity, align: 1, describe: `char[${capacity}]` });
}

/** A fixed array: T[length]. */
export function array<Element extends FieldType | PrimitiveName>(element: Element, length: number): ArrayType<Resolved<Element>> {
  const e = resolveType(element, 'array');
  if (e.kind === 'aligned') invalidArgument('array: C cannot over-align array elements; put aligned() around the whole array');
  checkCount(length, 'array length', 1);
  // The core's layout takes 32-bit element counts; a bigger array would wrap into a wrong layout.
  if (e.size * length > 0x7fffffff) invalidArgument(`array: ${length} × ${e.size} bytes is larger than 2 GiB`);
  // C order: the outer dimension comes first (int16_t m[2][3] is two of int16_t[3]).
  const [, base, dims] = /^(.*?)((?:\[\d+\])*)$/s.exec(e.describe)!;
  return Object.freeze({ kind: 'array', element: e as Resolved<Element>, length, size: e.size * length, align: e.align, describe: `${base}[${length}]${dims}` });
}

/** An enum stored as an integer (u8 … i32); fields read and write member names. */
export function enumOf<Member extends string, Base extends EnumBase = 'i32'>(name: string, members: Record<Member, number>, base: Base = 'i32' as Base): EnumType<Member, Base> {
  checkIdentifier(name, 'enum name');
  const b = primitives[base];
  if (!b) invalidArgument(`enum ${name}: base must be u8, i8, u16, i16, u32 or i32: got ${String(base)}`);
  const map = new Map<string, number>();
  const byValue = new Map<number, Member>();
  for (const [member, value] of Object.entries(members ?? {}) as [Member, number][]) {
    checkIdentifier(member, `enum ${name} member`);
    if (!Number.isInteger(value) || !inRange(b, value)) invalidArgument(`enum ${name}: ${member}=${String(value)} does not fit ${base}`);
    map.set(member, value);
    if (!byValue.has(value)) byValue.set(value, member);
  }
  if (map.size === 0) invalidArgument(`enum ${name} needs at least one member`);
  const spelled = [...map].map(([m, v]) => `${m}=${v}`).join(',');
  return Object.freeze({ kind: 'enum', name, base: b, members: map, byValue, size: b.size, align: b.align, describe: `enum ${name}:${base}{${spelled}}` });
}

/** The same type with a stricter alignment, like C's _Alignas(n). */
export function aligned<Type extends FieldType | PrimitiveName>(type: Type, align: number): AlignedType<Unaligned<Resolved<Type>>> {
  const resolved = resolveType(type, 'aligned');
  if (!Number.isInteger(align) || align <= 0 || (align & (align - 1)) !== 0 || align > 4096) {
    invalidArgument(`aligned: alignment must be a power of two up to 4096: got ${String(align)}`);
  }
  // aligned(aligned(t, a), b) is t aligned to the stricter of a and b: C spells one _Alignas per member.
  if (resolved.kind === 'aligned') return aligned(resolved.inner, Math.max(align, resolved.align)) as AlignedType<Unaligned<Resolved<Type>>>;
  return Object.freeze({ kind: 'aligned', inner: resolved as Unaligned<Resolved<Type>>, size: resolved.size, align: Math.max(resolved.align, align), describe: `${resolved.describe}@align(${align})` });
}

/** What aligned() wraps: an aligned type is never wrapped twice. */
export type Unaligned<T extends FieldType> = T extends AlignedType<infer Inner> ? Inner : T;

const LIMITS: Partial<Record<PrimitiveName, [number, number]>> = {
  i8: [-128, 127], u8: [0, 255], i16: [-32768, 32767], u16: [0, 65535], i32: [-2147483648, 2147483647], u32: [0, 4294967295],
};

function inRange(type: PrimitiveType, value: number): boolean {
  const limits = LIMITS[type.name];
  return limits !== undefined && value >= limits[0] && value <= limits[1];
}

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const U64_MAX = (1n << 64n) - 1n;

/** Why `value` cannot be stored as `type`, or undefined when it can. */
export function rejectPrimitive(type: PrimitiveType, value: unknown): string | undefined {
  switch (type.name) {
    case 'bool':
      return typeof value === 'boolean' ? undefined : `expected true or false, got ${show(value)}`;
    case 'f32':
    case 'f64':
      return typeof value === 'number' ? undefined : `expected a number, got ${show(value)}`;
    case 'i64':
      return typeof value !== 'bigint' ? `expected a bigint, got ${show(value)}`
        : value < I64_MIN || value > I64_MAX ? `${value} is out of range for i64` : undefined;
    case 'u64':
      return typeof value !== 'bigint' ? `expected a bigint, got ${show(value)}`
        : value < 0n || value > U64_MAX ? `${value} is out of range for u64` : undefined;
    default:
      if (typeof value !== 'number' || !Number.isInteger(value)) return `expected an integer, got ${show(value)}`;
      return inRange(type, value) ? undefined : `${value} is out of range for ${type.name} (${LIMITS[type.name]![0]}..${LIMITS[type.name]![1]})`;
  }
}

export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `${typeof value} ${String(value)}`;
}
