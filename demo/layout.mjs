// What parent and child agree on: a little-endian u32 magic at offset 0, the
// mod256 test pattern from PATTERN_START to the end; and, for part 4, a
// table of counters in a self-describing segment.
import { struct, string } from 'shmkit';
export const MAGIC = 0xdeadbeef;
export const PATTERN_START = 64;
export const SIZE = 1 << 20;

export const Counter = struct('Counter', { hits: 'u32', lastPid: 'i32', label: string(16) });
export const COUNTERS = 4;
export const ROUNDS = 20000;
