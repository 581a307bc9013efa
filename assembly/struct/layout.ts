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

export const MEMBER_SIZE: usize = 16;
const M_SIZE: usize = 0;
const M_ALIGN: usize = M_SIZE + 4;
const M_COUNT: usize = M_ALIGN + 4;
const M_OFFSET: usize = M_COUNT + 4;

export const RESULT_SIZE: usize = 8;
const R_SIZE: usize = 0;
const R_ALIGN: usize = R_SIZE + 4;

export const LAYOUT_OK: i32 = 0;
export const LAYOUT_BAD_ALIGN: i32 = -1;   // an alignment is not a power of two
export const LAYOUT_TOO_LARGE: i32 = -2;   // the struct passes 2^31 bytes
export const LAYOUT_EMPTY: i32 = -3;       // no members (C forbids empty structs)

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
    const size = load<u32>(m + M_SIZE);
    const align = load<u32>(m + M_ALIGN);
    if (!isPowerOfTwo(align)) return LAYOUT_BAD_ALIGN;
    const memberAlign: u32 = packed ? 1 : align;
    offset = alignUp(offset, memberAlign);
    store<u32>(m + M_OFFSET, <u32>offset);
    offset += <u64>size * <u64>load<u32>(m + M_COUNT);
    if (offset > 0x7fffffff) return LAYOUT_TOO_LARGE;
    if (memberAlign > structAlign) structAlign = memberAlign;
  }
  if (explicitAlign > structAlign) structAlign = explicitAlign;
  const size = alignUp(offset, structAlign);
  if (size > 0x7fffffff) return LAYOUT_TOO_LARGE;
  store<u32>(result + R_SIZE, <u32>size);
  store<u32>(result + R_ALIGN, structAlign);
  return LAYOUT_OK;
}
