// Bulk moves between a table of records and one packed column: gather reads
// field k of every record into a dense array, scatter writes it back. These
// are the bulk encode/decode paths; the host checks every range first.

/** dst[i] = field at src + i*stride, for elements of `size` bytes. */
export function gather(src: usize, stride: usize, size: usize, count: usize, dst: usize): void {
  switch (<u32>size) {
    case 1: for (let i: usize = 0; i < count; i++) store<u8>(dst + i, load<u8>(src + i * stride)); break;
    case 2: for (let i: usize = 0; i < count; i++) store<u16>(dst + (i << 1), load<u16>(src + i * stride)); break;
    case 4: for (let i: usize = 0; i < count; i++) store<u32>(dst + (i << 2), load<u32>(src + i * stride)); break;
    case 8: for (let i: usize = 0; i < count; i++) store<u64>(dst + (i << 3), load<u64>(src + i * stride)); break;
    default: for (let i: usize = 0; i < count; i++) memory.copy(dst + i * size, src + i * stride, size);
  }
}

/** Field at dst + i*stride = src[i], for elements of `size` bytes. */
export function scatter(dst: usize, stride: usize, size: usize, count: usize, src: usize): void {
  switch (<u32>size) {
    case 1: for (let i: usize = 0; i < count; i++) store<u8>(dst + i * stride, load<u8>(src + i)); break;
    case 2: for (let i: usize = 0; i < count; i++) store<u16>(dst + i * stride, load<u16>(src + (i << 1))); break;
    case 4: for (let i: usize = 0; i < count; i++) store<u32>(dst + i * stride, load<u32>(src + (i << 2))); break;
    case 8: for (let i: usize = 0; i < count; i++) store<u64>(dst + i * stride, load<u64>(src + (i << 3))); break;
    default: for (let i: usize = 0; i < count; i++) memory.copy(dst + i * stride, src + i * size, size);
  }
}
