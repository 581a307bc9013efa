import { arenaStateEnd } from "./arena";

// CRC-32 (ISO-HDLC, the one zlib, PNG and Python's zlib.crc32 compute),
// slicing-by-8. The tables are computed into memory rather than emitted as a
// data segment: data segments are re-applied by every instantiation, and the
// values are the same for every instance, so recomputing is harmless.
//
//   CRC_TABLES = align64(arenaStateEnd())
//   ┌───────────────────────────────┐ +0
//   │ table 0: 256 × u32            │  classic byte-at-a-time table
//   ├───────────────────────────────┤ +1024
//   │ table k: 256 × u32 (k = 1..7) │  table k = table 0 advanced k bytes
//   └───────────────────────────────┘ +8192

const POLY: u32 = 0xedb88320;
const TABLE_BYTES: usize = 256 * 4;
const TABLE_COUNT: usize = 8;

// @ts-ignore: decorator
@inline function tables(): usize {
  return (arenaStateEnd() + 63) & ~<usize>63;
}

// @ts-ignore: decorator
@inline function entry(table: usize, index: u32): u32 {
  return load<u32>(tables() + table * TABLE_BYTES + (<usize>index << 2));
}

export function checksumTablesEnd(): usize {
  return tables() + TABLE_COUNT * TABLE_BYTES;
}

export function checksumInit(): void {
  const base = tables();
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? POLY ^ (c >>> 1) : c >>> 1;
    store<u32>(base + (<usize>n << 2), c);
  }
  for (let t: usize = 1; t < TABLE_COUNT; t++) {
    for (let n: u32 = 0; n < 256; n++) {
      const prev = entry(t - 1, n);
      store<u32>(base + t * TABLE_BYTES + (<usize>n << 2), (prev >>> 8) ^ entry(0, prev & 0xff));
    }
  }
}

/** Continues a CRC-32 over [addr, addr+len); start with crc = 0. */
export function crc32(addr: usize, len: usize, crc: u32): u32 {
  let c = ~crc;
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) {
    const lo = load<u32>(addr + i) ^ c;
    const hi = load<u32>(addr + i + 4);
    c = entry(7, lo & 0xff) ^ entry(6, (lo >>> 8) & 0xff) ^
        entry(5, (lo >>> 16) & 0xff) ^ entry(4, lo >>> 24) ^
        entry(3, hi & 0xff) ^ entry(2, (hi >>> 8) & 0xff) ^
        entry(1, (hi >>> 16) & 0xff) ^ entry(0, hi >>> 24);
  }
  for (; i < len; i++) c = entry(0, (c ^ load<u8>(addr + i)) & 0xff) ^ (c >>> 8);
  return ~c;
}
