// The classic `shmwrite` test pattern: byte i of a segment holds i mod 256.
// `offset` is the position of `addr` within the segment, so a large segment
// can be filled or verified in chunks (the host reports progress between them).

// Pattern bytes for positions offset .. offset+15.
// @ts-ignore: decorator
@inline function patternVector(offset: usize): v128 {
  const base = i8x16.splat(<i8>offset);
  return i8x16.add(base, i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

export function patternFill(addr: usize, len: usize, offset: usize): void {
  let i: usize = 0;
  const step = i8x16.splat(16);
  let expected = patternVector(offset);
  for (; i + 16 <= len; i += 16) {
    v128.store(addr + i, expected);
    expected = i8x16.add(expected, step);
  }
  for (; i < len; i++) store<u8>(addr + i, <u8>(offset + i));
}

/** How many bytes from `addr` hold the pattern: `len` when all of them do. */
export function patternMatchLength(addr: usize, len: usize, offset: usize): usize {
  let i: usize = 0;
  const step = i8x16.splat(16);
  let expected = patternVector(offset);
  for (; i + 16 <= len; i += 16) {
    if (v128.any_true(v128.xor(v128.load(addr + i), expected))) break;
    expected = i8x16.add(expected, step);
  }
  for (; i < len; i++) {
    if (load<u8>(addr + i) != <u8>(offset + i)) return i;
  }
  return len;
}
