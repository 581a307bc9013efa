// FNV-1a, 64-bit: the layout hash stored beside every named object. Not a
// security hash; it detects that two programs disagree about a layout.

const FNV_OFFSET: u64 = 0xcbf29ce484222325;
const FNV_PRIME: u64 = 0x100000001b3;

/** Hash of [addr, addr+len), written as a little-endian u64 to `out`. */
export function fnv1a64(addr: usize, len: usize, out: usize): void {
  let h = FNV_OFFSET;
  for (let i: usize = 0; i < len; i++) {
    h = (h ^ <u64>load<u8>(addr + i)) * FNV_PRIME;
  }
  store<u64>(out, h);
}
