// Private memory for the properties: object windows fenced by canaries,
// and descriptors apart from every window (as a host keeps them).
//
//   ┌────────────┬──────────────────────────────┬────────────┐
//   │ canary     │ window [base, end): the      │ canary     │
//   │ CANARY_SIZE│ object, size bytes           │ CANARY_SIZE│
//   └────────────┴──────────────────────────────┴────────────┘
// The window starts 64-aligned and ends exactly at the object's end, so a
// byte touched past it lands in a canary.
import { DESCRIPTOR_SIZE } from "../descriptor";
import { Rng } from "./prng";

export const CANARY_SIZE: usize = 64;
const ALIGN: usize = 64;

/** Zeroed private bytes, `align`-aligned (the stub runtime never frees: the program is short). */
export function allocate(size: usize, align: usize): usize {
  const raw = heap.alloc(size + align);
  const at = (raw + align - 1) & ~(align - 1);
  memory.fill(at, 0, size);
  return at;
}

/** A descriptor: process-private, outside every window. */
export function descriptor(): usize {
  return allocate(DESCRIPTOR_SIZE, 8);
}

function canaryByte(i: usize, salt: u32): u8 {
  return <u8>((<u32>i * 167 + salt * 31 + 0x5a) & 0xff);
}

export class Window {
  readonly base: usize;
  readonly end: usize;
  private readonly salt: u32;

  constructor(size: usize, salt: u32) {
    // Canary, then the window, then the other canary, with the window 64-aligned.
    const block = allocate(CANARY_SIZE + size + CANARY_SIZE + ALIGN, ALIGN);
    this.base = block + ALIGN;
    this.end = this.base + size;
    this.salt = salt;
    for (let i: usize = 0; i < CANARY_SIZE; i++) {
      store<u8>(this.base - CANARY_SIZE + i, canaryByte(i, salt));
      store<u8>(this.end + i, canaryByte(i + CANARY_SIZE, salt));
    }
  }

  get size(): usize {
    return this.end - this.base;
  }

  /** Whether every canary byte on both sides is as written. */
  canariesIntact(): bool {
    for (let i: usize = 0; i < CANARY_SIZE; i++) {
      if (load<u8>(this.base - CANARY_SIZE + i) != canaryByte(i, this.salt)) return false;
      if (load<u8>(this.end + i) != canaryByte(i + CANARY_SIZE, this.salt)) return false;
    }
    return true;
  }

  /** Whether `length` bytes at `address` lie inside the window. */
  holds(address: usize, length: usize): bool {
    return address >= this.base && address <= this.end && length <= this.end - address;
  }

  /** Writes a hostile value of 1, 4 or 8 bytes at a random place; `headerBytes` of the start are hit half the time. */
  corrupt(rng: Rng, headerBytes: usize): void {
    const span = rng.chance(50) && headerBytes < this.size ? headerBytes : this.size;
    const value = rng.hostileWord();
    const width: usize = rng.chance(20) ? 1 : rng.chance(50) ? 4 : 8;
    const at = this.base + ((<usize>rng.below(<u32>(span - width + 1))) & ~(width - 1));
    if (width == 1) store<u8>(at, <u8>value);
    else if (width == 4) store<u32>(at, <u32>value);
    else store<u64>(at, value);
  }
}
