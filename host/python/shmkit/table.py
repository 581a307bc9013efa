"""Records in shared memory, read and written through a Layout: a `Table`
of `count` records (or one struct), each a `Record` whose fields are
attributes; `table.array` is the same bytes as a NumPy structured array,
no copy made."""
from __future__ import annotations

import struct as _struct
from typing import Any, Iterator, Mapping

from .errors import invalid_argument, shm_error
from .layout import _SCALARS, Aligned, Array, Enum, Layout, Scalar, String


def _read(view: memoryview, offset: int, kind: Any) -> Any:
    if isinstance(kind, Aligned):
        return _read(view, offset, kind.inner)
    if isinstance(kind, Scalar):
        return _struct.unpack_from("<" + _SCALARS[kind.name][1], view, offset)[0]
    if isinstance(kind, Enum):
        value = _struct.unpack_from("<" + _SCALARS[kind.base][1], view, offset)[0]
        return next((name for name, v in kind.members if v == value), value)  # an unknown value stays a number
    if isinstance(kind, String):
        raw = bytes(view[offset : offset + kind.capacity])
        return raw.split(b"\0", 1)[0].decode("utf-8", "replace")
    if isinstance(kind, Array):
        step = kind.element.size
        return [_read(view, offset + i * step, kind.element) for i in range(kind.length)]
    return Record(view, offset, kind)


def _write(view: memoryview, offset: int, kind: Any, value: Any, name: str) -> None:
    if isinstance(kind, Aligned):
        return _write(view, offset, kind.inner, value, name)
    try:
        if isinstance(kind, Scalar):
            if kind.name == "bool" and not isinstance(value, bool):
                raise invalid_argument(f"field {name}: give True or False: {value!r}")
            _struct.pack_into("<" + _SCALARS[kind.name][1], view, offset, value)
        elif isinstance(kind, Enum):
            number = dict(kind.members).get(value, value) if isinstance(value, str) else value
            if isinstance(value, str) and value not in dict(kind.members):
                raise invalid_argument(f"field {name}: {value!r} is no member of enum {kind.name} ({', '.join(m for m, _ in kind.members)})")
            _struct.pack_into("<" + _SCALARS[kind.base][1], view, offset, number)
        elif isinstance(kind, String):
            encoded = value.encode() if isinstance(value, str) else None
            if encoded is None or len(encoded) >= kind.capacity:
                raise invalid_argument(f"field {name}: give text of at most {kind.capacity - 1} UTF-8 bytes: {value!r}")
            view[offset : offset + kind.capacity] = encoded + bytes(kind.capacity - len(encoded))
        elif isinstance(kind, Array):
            items = list(value)
            if len(items) != kind.length:
                raise invalid_argument(f"field {name}: give {kind.length} elements, not {len(items)}")
            for i, item in enumerate(items):
                _write(view, offset + i * kind.element.size, kind.element, item, f"{name}[{i}]")
        else:
            Record(view, offset, kind).update(value)
    except _struct.error as error:
        raise invalid_argument(f"field {name}: {value!r} does not fit: {error}") from None


class Record:
    """One record, in place: `record.x`, `record.x = 1.5`, `dict(record)`."""

    __slots__ = ("_view", "_offset", "_layout")

    def __init__(self, view: memoryview, offset: int, layout: Layout) -> None:
        object.__setattr__(self, "_view", view)
        object.__setattr__(self, "_offset", offset)
        object.__setattr__(self, "_layout", layout)

    def __getattr__(self, name: str) -> Any:
        one = self._layout.field(name)
        return _read(self._view, self._offset + one.offset, one.type)

    def __setattr__(self, name: str, value: Any) -> None:
        if self._view.readonly:
            raise shm_error("EACCES", "this record is in a read-only attachment")
        one = self._layout.field(name)
        _write(self._view, self._offset + one.offset, one.type, value, name)

    def keys(self) -> list[str]:
        return [f.name for f in self._layout.fields]

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)

    def update(self, values: Mapping[str, Any]) -> None:
        """Sets the fields given (a mapping, or another Record)."""
        if not hasattr(values, "keys"):
            raise invalid_argument(f"struct {self._layout.name}: give its fields as a mapping: {values!r}")
        for name in values.keys():
            setattr(self, name, values[name])

    def to_dict(self) -> dict:
        """Every field, nested structs as dicts too."""
        return {name: _plain(getattr(self, name)) for name in self.keys()}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, (Record, dict)) and self.to_dict() == (other.to_dict() if isinstance(other, Record) else other)

    def __repr__(self) -> str:
        return f"{self._layout.name}({', '.join(f'{k}={v!r}' for k, v in self.to_dict().items())})"


def _plain(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class Table:
    """`count` records of `layout` at the start of `view` (a struct is a table of one)."""

    def __init__(self, view: memoryview, layout: Layout, count: int) -> None:
        if count * layout.size > len(view):
            raise invalid_argument(f"{count} records of {layout.size} bytes do not fit in {len(view)} bytes")
        self.view = view
        self.layout = layout
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> Record:
        if not isinstance(index, int) or isinstance(index, bool):
            raise invalid_argument(f"a record index is a whole number: {index!r}")
        if index < 0:
            index += self.count
        if not 0 <= index < self.count:
            raise IndexError(f"record {index} of a table of {self.count}")
        return Record(self.view, index * self.layout.size, self.layout)

    def __setitem__(self, index: int, values: Mapping[str, Any]) -> None:
        self[index].update(values)

    def __iter__(self) -> Iterator[Record]:
        return (self[i] for i in range(self.count))

    @property
    def array(self) -> Any:
        """The records as a NumPy structured array over the shared bytes (no copy)."""
        import numpy

        return numpy.frombuffer(self.view, dtype=self.layout.dtype, count=self.count)

    def __repr__(self) -> str:
        return f"<Table of {self.count} {self.layout.name}>"
