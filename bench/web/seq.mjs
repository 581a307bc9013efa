// The bench's 64-byte messages carry their sequence number in their first
// four bytes (little-endian), so every receiver can check order and loss.

export function stampAt(bytes, at, seq) {
  bytes[at] = seq;
  bytes[at + 1] = seq >> 8;
  bytes[at + 2] = seq >> 16;
  bytes[at + 3] = seq >> 24;
  return bytes;
}

export const stamp = (bytes, seq) => stampAt(bytes, 0, seq);
export const seqAt = (bytes, at) => bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24);
export const seqOf = (bytes) => seqAt(bytes, 0);
