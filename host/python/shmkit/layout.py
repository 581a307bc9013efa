"""C struct layouts, as docs/ABI.md section 5.4 writes them down: declared in
Python (`struct`, `string`, `array`, `enum`, `aligned`, laid out by the
core's `layoutStruct`), or parsed from the text a segment stores beside a
struct or table. Either way the canonical text, and so the layout hash, is
byte for byte the Node host's; `Layout.dtype` is the NumPy structured dtype
of one record."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Union

from .errors import invalid_argument, shm_error

# name: (size, struct-module code, NumPy code)
_SCALARS = {
    "i8": (1, "b", "i1"), "u8": (1, "B", "u1"), "i16": (2, "h", "<i2"), "u16": (2, "H", "<u2"),
    "i32": (4, "i", "<i4"), "u32": (4, "I", "<u4"), "i64": (8, "q", "<i8"), "u64": (8, "Q", "<u8"),
    "f32": (4, "f", "<f4"), "f64": (8, "d", "<f8"), "bool": (1, "?", "?"),
}
_ENUM_BASES = ("u8", "i8", "u16", "i16", "u32", "i32")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_MAX_DEPTH = 32
_MAX_SIZE = 0x7FFFFFFF


@dataclass(frozen=True)
class Scalar:
    name: str

    @property
    def size(self) -> int:
        return _SCALARS[self.name][0]

    align = size

    @property
    def describe(self) -> str:
        return self.name


@dataclass(frozen=True)
class String:
    """char[capacity]: UTF-8 text of at most capacity - 1 bytes, NUL-terminated."""

    capacity: int

    @property
    def size(self) -> int:
        return self.capacity

    align = 1

    @property
    def describe(self) -> str:
        return f"char[{self.capacity}]"


@dataclass(frozen=True)
class Enum:
    name: str
    base: str
    members: tuple[tuple[str, int], ...]

    @property
    def size(self) -> int:
        return _SCALARS[self.base][0]

    align = size

    @property
    def describe(self) -> str:
        return f"enum {self.name}:{self.base}{{{','.join(f'{m}={v}' for m, v in self.members)}}}"


@dataclass(frozen=True)
class Array:
    element: "Type"
    length: int

    @property
    def size(self) -> int:
        return self.element.size * self.length

    @property
    def align(self) -> int:
        return self.element.align

    @property
    def describe(self) -> str:
        # C order, outermost first: an array of T[4] is T[n][4].
        inner = self.element.describe
        cut = re.search(r"(\[\d+\])*\Z", inner).start()  # type: ignore[union-attr]
        return f"{inner[:cut]}[{self.length}]{inner[cut:]}"


@dataclass(frozen=True)
class Aligned:
    inner: "Type"
    alignment: int

    @property
    def size(self) -> int:
        return self.inner.size

    @property
    def align(self) -> int:
        return max(self.inner.align, self.alignment)

    @property
    def describe(self) -> str:
        return f"{self.inner.describe}@align({self.alignment})"


@dataclass(frozen=True)
class Field:
    name: str
    type: "Type"
    offset: int


@dataclass(frozen=True)
class Layout:
    """A struct: its fields with their offsets, size and alignment."""

    name: str
    fields: tuple[Field, ...]
    size: int
    align: int
    packed: bool = False

    @property
    def describe(self) -> str:
        body = ";".join(f"{f.name}:{f.type.describe}@{f.offset}" for f in self.fields)
        return f"struct {self.name}{{{body}}}size={self.size},align={self.align}{',packed' if self.packed else ''}"

    @property
    def hash(self) -> int:
        """FNV-1a 64 of the description: what a directory entry stores."""
        value = 0xCBF29CE484222325
        for byte in self.describe.encode():
            value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
        return value

    def field(self, name: str) -> Field:
        for one in self.fields:
            if one.name == name:
                return one
        raise invalid_argument(f"struct {self.name} has no field {name!r} (fields: {', '.join(f.name for f in self.fields)})")

    @property
    def dtype(self) -> Any:
        """The NumPy structured dtype of one record: explicit offsets and
        itemsize, little-endian; char[N] as bytes ('S' N), enums as their integers."""
        import numpy

        return numpy.dtype(_dtype_spec(self))


Type = Union[Scalar, String, Enum, Array, Aligned, Layout]


def _dtype_spec(layout: Layout) -> dict:
    return {
        "names": [f.name for f in layout.fields],
        "formats": [_numpy_format(f.type) for f in layout.fields],
        "offsets": [f.offset for f in layout.fields],
        "itemsize": layout.size,
    }


def _numpy_format(kind: Type) -> Any:
    import numpy

    if isinstance(kind, Aligned):
        return _numpy_format(kind.inner)
    if isinstance(kind, Scalar):
        return _SCALARS[kind.name][2]
    if isinstance(kind, Enum):
        return _SCALARS[kind.base][2]
    if isinstance(kind, String):
        return f"S{kind.capacity}"
    if isinstance(kind, Array):
        dims = []
        while isinstance(kind, Array):  # C's T[2][3] is one (T, (2, 3)) subarray
            dims.append(kind.length)
            kind = kind.element
        return (_numpy_format(kind), tuple(dims))
    return numpy.dtype(_dtype_spec(kind))


# Declaring.


def string(capacity: int) -> String:
    """char[capacity], for text of at most capacity - 1 UTF-8 bytes."""
    return String(_count(capacity, "string capacity"))


def array(element: Union[str, Type], length: int) -> Array:
    resolved = _resolve(element, "array")
    if isinstance(resolved, Aligned):
        raise invalid_argument("array: C cannot over-align array elements; put aligned() around the whole array")
    _count(length, "array length")
    if resolved.size * length > _MAX_SIZE:
        raise invalid_argument(f"array: {length} × {resolved.size} bytes is larger than 2 GiB")
    return Array(resolved, length)


def enum(name: str, members: Mapping[str, int], base: str = "i32") -> Enum:
    """An enum stored as an integer (u8 … i32)."""
    _identifier(name, "enum name")
    if base not in _ENUM_BASES:
        raise invalid_argument(f"enum {name}: base must be one of {', '.join(_ENUM_BASES)}: base={base!r}")
    size = _SCALARS[base][0]
    low, high = (0, 2 ** (8 * size) - 1) if base.startswith("u") else (-(2 ** (8 * size - 1)), 2 ** (8 * size - 1) - 1)
    pairs = []
    for member, value in dict(members).items():
        _identifier(member, f"enum {name} member")
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise invalid_argument(f"enum {name}: {member}={value!r} does not fit {base}")
        pairs.append((member, value))
    if not pairs:
        raise invalid_argument(f"enum {name} needs at least one member")
    return Enum(name, base, tuple(pairs))


def aligned(kind: Union[str, Type], alignment: int) -> Aligned:
    """The same type with a stricter alignment, like C's _Alignas."""
    resolved = _resolve(kind, "aligned")
    if isinstance(alignment, bool) or not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1) or alignment > 4096:
        raise invalid_argument(f"aligned: alignment must be a power of two up to 4096: {alignment!r}")
    if isinstance(resolved, Aligned):
        return Aligned(resolved.inner, max(alignment, resolved.alignment))
    return Aligned(resolved, alignment)


def struct(name: str, fields: Mapping[str, Union[str, Type]], *, packed: bool = False, align: Optional[int] = None) -> Layout:
    """Declares a struct with the platform's C layout (computed by the core):
    `struct("Point", {"x": "f64", "y": "f64", "tag": string(8)})`."""
    _identifier(name, "struct name")
    if not isinstance(packed, bool):
        raise invalid_argument(f"struct {name}: packed must be True or False")
    explicit = 0 if align is None else align
    if isinstance(explicit, bool) or not isinstance(explicit, int) or explicit < 0 or explicit & (explicit - 1) or explicit > 4096:
        raise invalid_argument(f"struct {name}: align must be a power of two up to 4096: align={align!r}")
    if not isinstance(fields, Mapping) or not fields:
        raise invalid_argument(f"struct {name} needs fields, as a mapping of name to type")
    entries = []
    for member, kind in fields.items():
        _identifier(member, f"struct {name} field name")
        resolved = _resolve(kind, f"struct {name} field {member!r}")
        if packed and _contains_aligned(resolved):
            raise invalid_argument(f"struct {name}: field {member!r} asks for an alignment, which a packed struct cannot give")
        entries.append((member, resolved))
    offsets, size, alignment = _core_layout(name, [kind for _, kind in entries], packed, explicit)
    return Layout(name, tuple(Field(m, k, o) for (m, k), o in zip(entries, offsets)), size, alignment, packed)


def _core_layout(name: str, kinds: list, packed: bool, explicit: int) -> tuple[list[int], int, int]:
    from ._arena import Arena

    arena = Arena.default()
    C = arena.C
    result_at = len(kinds) * C["MEMBER_SIZE"]
    at = arena.scratch(result_at + C["RESULT_SIZE"])
    for i, kind in enumerate(kinds):
        element, count = kind, 1
        while isinstance(element, Array):  # an array member is its innermost element, counted out
            count *= element.length
            element = element.element
        record = at + i * C["MEMBER_SIZE"]
        arena.write(record + C["MEMBER_ELEMENT_SIZE"], element.size.to_bytes(4, "little"))
        arena.write(record + C["MEMBER_ALIGN"], element.align.to_bytes(4, "little"))
        arena.write(record + C["MEMBER_COUNT"], count.to_bytes(4, "little"))
    status = arena.t.layoutStruct(at, len(kinds), int(packed), explicit, at + result_at)
    if status != C["LAYOUT_OK"]:
        why = {C["LAYOUT_BAD_ALIGN"]: "an alignment is not a power of two", C["LAYOUT_TOO_LARGE"]: "it is larger than 2 GiB",
               C["LAYOUT_EMPTY"]: "it has no fields"}.get(status, f"layout failed ({status})")
        raise invalid_argument(f"struct {name}: {why}")
    offsets = [arena.u32(at + i * C["MEMBER_SIZE"] + C["MEMBER_OFFSET"]) for i in range(len(kinds))]
    return offsets, arena.u32(at + result_at + C["RESULT_STRUCT_SIZE"]), arena.u32(at + result_at + C["RESULT_STRUCT_ALIGN"])


def _resolve(kind: Union[str, Type], where: str) -> Type:
    if isinstance(kind, str):
        if kind not in _SCALARS:
            raise invalid_argument(f"{where}: unknown type {kind!r} (known: {', '.join(_SCALARS)}, or string(n), array(t, n), enum(), aligned(), struct())")
        return Scalar(kind)
    if not isinstance(kind, (Scalar, String, Enum, Array, Aligned, Layout)):
        raise invalid_argument(f"{where}: a field type is a type name or made by string(), array(), enum(), aligned() or struct(): {kind!r}")
    return kind


def _contains_aligned(kind: Type) -> bool:
    if isinstance(kind, Aligned):
        return True
    if isinstance(kind, Array):
        return _contains_aligned(kind.element)
    return isinstance(kind, Layout) and any(_contains_aligned(f.type) for f in kind.fields)


def _identifier(name: Any, what: str) -> str:
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise invalid_argument(f"{what} must be an identifier (letters, digits, _): {name!r}")
    return name


def _count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_SIZE:
        raise invalid_argument(f"{what} must be a whole number ≥ 1: {value!r}")
    return value


# Parsing what a segment stores: untrusted text, every number bounded.


class _Parser:
    def __init__(self, text: str, where: str) -> None:
        self.text, self.at, self.where = text, 0, where

    def fail(self, why: str) -> Exception:
        return shm_error("ELAYOUT", f"{self.where}: its stored layout cannot be read ({why}, at character {self.at}): {self.text[:120]!r}")

    def expect(self, token: str) -> None:
        if not self.text.startswith(token, self.at):
            raise self.fail(f"expected {token!r}")
        self.at += len(token)

    def name(self) -> str:
        match = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(self.text, self.at)
        if not match:
            raise self.fail("expected a name")
        self.at = match.end()
        return match.group()

    def number(self, signed: bool = False) -> int:
        match = re.compile(r"-?\d{1,10}" if signed else r"\d{1,10}").match(self.text, self.at)
        if not match:
            raise self.fail("expected a number")
        self.at = match.end()
        value = int(match.group())
        if not signed and value > _MAX_SIZE:
            raise self.fail("a number out of range")
        return value

    def struct(self, depth: int) -> Layout:
        if depth > _MAX_DEPTH:
            raise self.fail(f"structs nested deeper than {_MAX_DEPTH}")
        self.expect("struct ")
        name = self.name()
        self.expect("{")
        fields = []
        while True:
            member = self.name()
            self.expect(":")
            kind = self.type(depth)
            self.expect("@")
            fields.append(Field(member, kind, self.number()))
            if self.text.startswith(";", self.at):
                self.at += 1
                continue
            break
        self.expect("}size=")
        size = self.number()
        self.expect(",align=")
        alignment = self.number()
        packed = self.text.startswith(",packed", self.at)
        if packed:
            self.at += len(",packed")
        if alignment < 1 or alignment & (alignment - 1) or size % alignment:
            raise self.fail(f"struct {name}: align={alignment} with size={size}")
        if len({one.name for one in fields}) != len(fields):
            raise self.fail(f"struct {name}: two fields share a name")
        for one in fields:
            if one.offset + one.type.size > size or (not packed and one.offset % one.type.align):
                raise self.fail(f"struct {name}: field {one.name} at {one.offset} ({one.type.size} bytes) does not fit or is misaligned")
        return Layout(name, tuple(fields), size, alignment, packed)

    def type(self, depth: int) -> Type:
        if self.text.startswith("struct ", self.at):
            base: Type = self.struct(depth + 1)
        elif self.text.startswith("enum ", self.at):
            self.at += len("enum ")
            name = self.name()
            self.expect(":")
            integer = self.name()
            if integer not in _ENUM_BASES:
                raise self.fail(f"enum {name} stored as {integer}")
            self.expect("{")
            members = []
            while True:
                member = self.name()
                self.expect("=")
                members.append((member, self.number(signed=True)))
                if self.text.startswith(",", self.at):
                    self.at += 1
                    continue
                break
            self.expect("}")
            width = 8 * _SCALARS[integer][0]
            low, high = (0, 2**width - 1) if integer.startswith("u") else (-(2 ** (width - 1)), 2 ** (width - 1) - 1)
            if len({m for m, _ in members}) != len(members) or not all(low <= v <= high for _, v in members):
                raise self.fail(f"enum {name}: members repeated, or values that do not fit {integer}")
            base = Enum(name, integer, tuple(members))
        else:
            scalar = self.name()
            if scalar != "char" and scalar not in _SCALARS:
                raise self.fail(f"unknown type {scalar!r}")
            base = Scalar(scalar) if scalar != "char" else Scalar("u8")
            if scalar == "char":
                dims = self.dims()
                if not dims:
                    raise self.fail("char without a length")
                kind: Type = String(dims[-1])
                for length in reversed(dims[:-1]):
                    kind = Array(kind, length)
                return self.alignment(kind)
        kind = base
        for length in reversed(self.dims()):
            kind = Array(kind, length)
            if kind.size > _MAX_SIZE:
                raise self.fail("an array larger than 2 GiB")
        return self.alignment(kind)

    def dims(self) -> list[int]:
        dims = []
        while self.text.startswith("[", self.at):
            self.at += 1
            length = self.number()
            if length < 1:
                raise self.fail("an array of no elements")
            dims.append(length)
            self.expect("]")
            if len(dims) > _MAX_DEPTH:  # each dimension nests one Array: bounded, or reading it recurses without end
                raise self.fail(f"more than {_MAX_DEPTH} array dimensions")
        return dims

    def alignment(self, kind: Type) -> Type:
        if self.text.startswith("@align(", self.at):
            self.at += len("@align(")
            value = self.number()
            self.expect(")")
            if value < 1 or value & (value - 1) or value > 4096:
                raise self.fail(f"@align({value})")
            return Aligned(kind, value)
        return kind


def parse(text: str, where: str = "a layout") -> Layout:
    """The struct a stored layout description describes. ELAYOUT when the
    text breaks the grammar or its offsets do not fit; it is checked, never trusted."""
    if not isinstance(text, str) or len(text) > 1 << 20:
        raise shm_error("ELAYOUT", f"{where}: a layout description is text of at most 1 MiB")
    parser = _Parser(text, where)
    layout = parser.struct(0)
    if parser.at != len(text):
        raise parser.fail("text after the struct")
    return layout
