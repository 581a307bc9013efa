// Test messages both hosts make alike (messages.py is the Python side): message i
// is length(i) bytes, byte k of it (i + k) mod 251; lengths sweep small and
// large so the ring wraps at every offset.
import { crc32 } from 'node:zlib';

export function messageLength(i: number, seed: number, most: number): number {
  const x = Math.imul(i + 1, 2654435761) ^ seed;
  return (x >>> 0) % 7 === 0 ? (x >>> 3) % (most + 1) : (x >>> 3) % 97;
}

export function messageBytes(i: number, seed: number, most: number): Uint8Array {
  const out = new Uint8Array(messageLength(i, seed, most));
  for (let k = 0; k < out.length; k++) out[k] = (i + k) % 251;
  return out;
}

export function crcOf(bytes: Uint8Array, crc: number): number {
  return crc32(bytes, crc);
}
