// Message bodies that say which message they are: byte j of message `tag`.
// @ts-ignore: decorator
@inline function payloadByte(tag: i32, j: usize): u8 {
  return <u8>((<u32>tag * 7 + <u32>j * 13 + 1) & 0xff);
}

export function fillPayload(address: usize, length: usize, tag: i32): void {
  for (let j: usize = 0; j < length; j++) store<u8>(address + j, payloadByte(tag, j));
}

/** Whether the bytes at `address` are message `tag`'s (reading them all, even when corrupt). */
export function payloadMatches(address: usize, length: usize, tag: i32): bool {
  let same = true;
  for (let j: usize = 0; j < length; j++) same = same && load<u8>(address + j) == payloadByte(tag, j);
  return same;
}
