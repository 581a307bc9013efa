// What parent and child agree on: a little-endian u32 magic at offset 0, the
// mod256 test pattern from PATTERN_START to the end.
export const MAGIC = 0xdeadbeef;
export const PATTERN_START = 64;
export const SIZE = 1 << 20;
