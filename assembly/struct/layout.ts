// C ABI struct layout (x86-64 and aarch64 System V psABI): each member at the
// next multiple of its alignment, the struct aligned to its strictest member,
// its size rounded up to that alignment (trailing padding). `packed` drops
// all padding (GCC's __attribute__((packed))); an explicit alignment raises
// the struct's alignment (_Alignas / __attribute__((aligned(N)))).
//
// The host describes a struct as an array of member records and the core
// fills in the offsets:
//
//   member record (MEMBER_SIZE = 16 bytes), one per member, in order
//   ┌───────────────────────────────┐ +0
//   │ size   u32  bytes of one elem │
//   │ align  u32  its alignment     │ +4   power of two
//   │ count  u32  elements (arrays) │ +8   1 for a plain member
//   │ offset u32  written by core   │ +12
//   └───────────────────────────────┘ +16
//
//   result record (RESULT_SIZE = 8 bytes)
//   ┌───────────────────────────────┐ +0
//   │ size   u32  sizeof(struct)    │
//   │ align  u32  alignof(struct)   │ +4
//   └───────────────────────────────┘ +8

export const MEMBER_ELEMENT_SIZE: usize = 0;
export const MEMBER_ALIGN: usize = MEMBER_ELEMENT_SIZE + 4;
export const MEMBER_COUNT: usize = MEMBER_ALIGN + 4;
export const MEMBER_OFFSET: usize = MEMBER_COUNT + 4;
export const MEMBER_SIZE: usize = MEMBER_OFFSET + 4;

export const RESULT_STRUCT_SIZE: usize = 0;
export const RESULT_STRUCT_ALIGN: usize = RESULT_STRUCT_SIZE + 4;
export const RESULT_SIZE: usize = RESULT_STRUCT_ALIGN + 4;

export const LAYOUT_OK: i32 = 0;
export const LAYOUT_BAD_ALIGN: i32 = -1;   // an alignment is not a power of two
export const LAYOUT_TOO_LARGE: i32 = -2;   // the struct passes 2^31 bytes
export const LAYOUT_EMPTY: i32 = -3;       // no members (C forbids empty structs)
/** Largest struct, in bytes. */
export const LAYOUT_MAX_SIZE: u32 = 0x7fffffff;

// @ts-ignore: decorator
@inline function isPowerOfTwo(value: u32): bool {
  return value != 0 && (value & (value - 1)) == 0;
}

// @ts-ignore: decorator
@inline function alignUp(value: u64, align: u64): u64 {
  return (value + align - 1) & ~(align - 1);
}

/**
 * Lays out `count` members described at `members`; writes each offset and
 * the struct's size and alignment to `result`. `explicitAlign` is 0 or the
 * alignment asked for the whole struct.
 */
export function layoutStruct(members: usize, count: u32, packed: bool, explicitAlign: u32, result: usize): i32 {
  if (count == 0) return LAYOUT_EMPTY;
  if (explicitAlign != 0 && !isPowerOfTwo(explicitAlign)) return LAYOUT_BAD_ALIGN;
  let offset: u64 = 0;
  let structAlign: u32 = 1;
  for (let i: u32 = 0; i < count; i++) {
    const m = members + <usize>i * MEMBER_SIZE;
    const size = load<u32>(m + MEMBER_ELEMENT_SIZE);
    const align = load<u32>(m + MEMBER_ALIGN);
    if (!isPowerOfTwo(align)) return LAYOUT_BAD_ALIGN;
    const memberAlign: u32 = packed ? 1 : align;
    offset = alignUp(offset, memberAlign);
    store<u32>(m + MEMBER_OFFSET, <u32>offset);
    offset += <u64>size * <u64>load<u32>(m + MEMBER_COUNT);
    if (offset > <u64>LAYOUT_MAX_SIZE) return LAYOUT_TOO_LARGE;
    if (memberAlign > structAlign) structAlign = memberAlign;
  }
  if (explicitAlign > structAlign) structAlign = explicitAlign;
  const size = alignUp(offset, structAlign);
  if (size > <u64>LAYOUT_MAX_SIZE) return LAYOUT_TOO_LARGE;
  store<u32>(result + RESULT_STRUCT_SIZE, <u32>size);
  store<u32>(result + RESULT_STRUCT_ALIGN, structAlign);
  return LAYOUT_OK;
}
