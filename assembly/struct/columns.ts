// Bulk moves between a table of records and one packed column: gather reads
// field k of every record into a dense array, scatter writes it back. These
// are the bulk encode/decode paths; the host checks every range first.
// Pointers advance by addition (no multiply in the loop) and the common
// 4- and 8-byte cases move four elements per iteration.

/** dst[i] = field at src + i*stride, for elements of `size` bytes. */
export function gather(src: usize, stride: usize, size: usize, count: usize, dst: usize): void {
  const end = dst + count * size;
  if (size == 8) {
    const stride4 = stride << 2;
    for (; dst + 32 <= end; dst += 32, src += stride4) {
      store<u64>(dst, load<u64>(src));
      store<u64>(dst + 8, load<u64>(src + stride));
      store<u64>(dst + 16, load<u64>(src + (stride << 1)));
      store<u64>(dst + 24, load<u64>(src + stride * 3));
    }
    for (; dst < end; dst += 8, src += stride) store<u64>(dst, load<u64>(src));
  } else if (size == 4) {
    const stride4 = stride << 2;
    for (; dst + 16 <= end; dst += 16, src += stride4) {
      store<u32>(dst, load<u32>(src));
      store<u32>(dst + 4, load<u32>(src + stride));
      store<u32>(dst + 8, load<u32>(src + (stride << 1)));
      store<u32>(dst + 12, load<u32>(src + stride * 3));
    }
    for (; dst < end; dst += 4, src += stride) store<u32>(dst, load<u32>(src));
  } else if (size == 2) {
    for (; dst < end; dst += 2, src += stride) store<u16>(dst, load<u16>(src));
  } else if (size == 1) {
    for (; dst < end; dst += 1, src += stride) store<u8>(dst, load<u8>(src));
  } else {
    for (; dst < end; dst += size, src += stride) memory.copy(dst, src, size);
  }
}

/** Field at dst + i*stride = src[i], for elements of `size` bytes. */
export function scatter(dst: usize, stride: usize, size: usize, count: usize, src: usize): void {
  const end = src + count * size;
  if (size == 8) {
    const stride4 = stride << 2;
    for (; src + 32 <= end; src += 32, dst += stride4) {
      store<u64>(dst, load<u64>(src));
      store<u64>(dst + stride, load<u64>(src + 8));
      store<u64>(dst + (stride << 1), load<u64>(src + 16));
      store<u64>(dst + stride * 3, load<u64>(src + 24));
    }
    for (; src < end; src += 8, dst += stride) store<u64>(dst, load<u64>(src));
  } else if (size == 4) {
    const stride4 = stride << 2;
    for (; src + 16 <= end; src += 16, dst += stride4) {
      store<u32>(dst, load<u32>(src));
      store<u32>(dst + stride, load<u32>(src + 4));
      store<u32>(dst + (stride << 1), load<u32>(src + 8));
      store<u32>(dst + stride * 3, load<u32>(src + 12));
    }
    for (; src < end; src += 4, dst += stride) store<u32>(dst, load<u32>(src));
  } else if (size == 2) {
    for (; src < end; src += 2, dst += stride) store<u16>(dst, load<u16>(src));
  } else if (size == 1) {
    for (; src < end; src += 1, dst += stride) store<u8>(dst, load<u8>(src));
  } else {
    for (; src < end; src += size, dst += stride) memory.copy(dst, src, size);
  }
}
