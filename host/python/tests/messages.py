"""Test messages both hosts make alike (node/messages.ts is the Node side):
message i is length(i) bytes, byte k of it (i + k) mod 251."""
from __future__ import annotations

import zlib

_PATTERN = bytes(range(251)) * 2


def message_length(i: int, seed: int, most: int) -> int:
    x = ((i + 1) * 2654435761 ^ seed) & 0xFFFFFFFF  # the bits of Math.imul(i + 1, 2654435761) ^ seed
    return (x >> 3) % (most + 1) if x % 7 == 0 else (x >> 3) % 97


def message(i: int, seed: int, most: int) -> bytes:
    length = message_length(i, seed, most)
    start = i % 251
    if length <= 251:
        return _PATTERN[start : start + length]
    whole = _PATTERN[start:] + _PATTERN * (length // 251 + 1)
    return bytes(whole[:length])


def crc_of(data: bytes, crc: int) -> int:
    return zlib.crc32(data, crc)
