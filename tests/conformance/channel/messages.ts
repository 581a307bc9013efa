// Messages whose every byte is implied by their number, so a consumer can
// tell a whole, in-order message from a torn, stale or misplaced one.

/** Message `seq` from `sender`: 8 to 72 bytes, [sender u32][seq u32] then a pattern of both. */
export function numberedMessage(sender: number, seq: number, length = 8 + ((seq * 7) % 65)): Uint8Array {
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, sender, true);
  view.setUint32(4, seq, true);
  for (let i = 8; i < length; i++) bytes[i] = (seq * 31 + sender * 17 + i) & 255;
  return bytes;
}

/** [sender, seq] of a message that is exactly what numberedMessage made, else undefined. */
export function readNumbered(bytes: Uint8Array, length?: number): [number, number] | undefined {
  if (bytes.length < 8) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [sender, seq] = [view.getUint32(0, true), view.getUint32(4, true)];
  const expected = numberedMessage(sender, seq, length);
  if (bytes.length !== expected.length || bytes.some((b, i) => b !== expected[i])) return undefined;
  return [sender, seq];
}
