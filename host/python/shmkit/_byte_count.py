"""Byte counts as people write them (the Node host's host/byte-count.ts
reads the same forms): 4096, 0x1000, 64K or 1M; K, M, G, T count 1024s,
KB, MB, GB, TB 1000s."""
from __future__ import annotations

import re
from typing import Optional

_FORM = re.compile(r"^(?:0x([0-9a-f]+)|(\d+)\s*(?:([kmgt])(i?b)?)?)$", re.IGNORECASE)
_POWERS = {"k": 1, "m": 2, "g": 3, "t": 4}


def parse_byte_count(text: str) -> Optional[int]:
    """The bytes `text` names, or None when it is no byte count."""
    match = _FORM.match(text.strip())
    if not match:
        return None
    hex_digits, digits, suffix, unit = match.groups()
    if hex_digits is not None:
        return int(hex_digits, 16)
    base = 1000 if unit and unit.lower() == "b" else 1024
    return int(digits) * base ** (_POWERS[suffix.lower()] if suffix else 0)
