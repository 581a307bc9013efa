#!/usr/bin/env python3
"""Finds a named object in a shmkit segment and prints it as JSON.

    python3 read_object.py /dev/shm/NAME OBJECT

Written from docs/ABI.md alone (every number below is one of its constants),
with the standard library only, to show that a program in another language
can read what shmkit leaves in shared memory. A struct or table prints its
records, decoded with the layout description stored beside it; raw bytes
print as hex; any other object prints its directory entry. 64-bit integers
print as strings, since many JSON readers round numbers past 2^53.
It only reads: the mapping is read-only.
"""
import json
import mmap
import struct
import sys

# docs/ABI.md, 5.1: the segment header.
SEGMENT_MAGIC = 0x4B4D4853
FORMAT_VERSION = 4
CACHE_LINE = 64
HEADER_SIZE = 256
H_MAGIC = 0
H_VERSION = 4
H_TOTAL_SIZE = 8
H_DIR_CAPACITY = 20
H_DIR_OFFSET = 24
H_HEAP_OFFSET = 28
H_USER_CAPACITY = 32
H_USER_OFFSET = 36
H_INIT_WORD = 64
H_DIR_GENERATION = 132
MAX_DIR_CAPACITY = 65536
MAX_USER_CAPACITY = 4096
USER_SLOT_SIZE = 16
INIT_READY = 2
INIT_PID_SHIFT = 2

# 5.2: the directory.
ENTRY_SIZE = 128
E_STATE = 0
E_KIND = 4
E_OFFSET = 8
E_SIZE = 16
E_ALIGN = 24
E_NAME_LENGTH = 28
E_LAYOUT_HASH = 32
E_LAYOUT_OFFSET = 40
E_LAYOUT_LENGTH = 48
E_ELEMENT_SIZE = 52
E_COUNT = 56
E_NAME = 64
MAX_NAME = 64
ENTRY_LIVE = 2

# 5.3: kinds.
KIND_BYTES = 1
KIND_STRUCT = 2
KIND_TABLE = 3
KIND_NAMES = {
    KIND_BYTES: 'bytes', KIND_STRUCT: 'struct', KIND_TABLE: 'table', 4: 'mutex', 5: 'semaphore', 6: 'condvar',
    7: 'barrier', 8: 'event', 9: 'once', 10: 'rwlock', 11: 'seqlock', 12: 'spsc', 13: 'mpmc', 14: 'bcast',
}

# 5.4: the layout hash.
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3

# Entries that change while being copied are read again; a writer that never stops is given up on.
READ_TRIES = 64

PRIMITIVES = {
    'i8': 'b', 'u8': 'B', 'i16': 'h', 'u16': 'H', 'i32': 'i', 'u32': 'I',
    'i64': 'q', 'u64': 'Q', 'f32': 'f', 'f64': 'd', 'bool': '?',
}


class NotReadable(Exception):
    """The segment or the object is not one this reader can read."""


def u32(buf, at):
    return struct.unpack_from('<I', buf, at)[0]


def u64(buf, at):
    return struct.unpack_from('<Q', buf, at)[0]


def check_header(seg):
    """The checks of 5.1, in order: the header's facts this reader relies on."""
    if len(seg) < HEADER_SIZE:
        raise NotReadable('smaller than a segment header')
    if u32(seg, H_INIT_WORD) & ((1 << INIT_PID_SHIFT) - 1) != INIT_READY:
        raise NotReadable('not formatted (or still being formatted)')
    if u32(seg, H_MAGIC) != SEGMENT_MAGIC:
        raise NotReadable('no shmkit magic')
    if u32(seg, H_VERSION) != FORMAT_VERSION:
        raise NotReadable(f'format version {u32(seg, H_VERSION)}, this reader knows {FORMAT_VERSION}')
    total = u64(seg, H_TOTAL_SIZE)
    capacity = u32(seg, H_DIR_CAPACITY)
    heap = u32(seg, H_HEAP_OFFSET)
    users = u32(seg, H_USER_CAPACITY)
    line_up = lambda n: (n + CACHE_LINE - 1) & ~(CACHE_LINE - 1)
    expected_users_at = line_up(HEADER_SIZE + capacity * ENTRY_SIZE)
    expected_heap = line_up(expected_users_at + users * USER_SLOT_SIZE)
    if (u32(seg, H_DIR_OFFSET) != HEADER_SIZE or not 1 <= capacity <= MAX_DIR_CAPACITY
            or not 1 <= users <= MAX_USER_CAPACITY or u32(seg, H_USER_OFFSET) != expected_users_at
            or heap != expected_heap or heap >= total or total > len(seg)):
        raise NotReadable('the header is corrupt')
    return total, capacity, heap


def read_entry(seg, slot):
    """A consistent copy of a live entry (5.2), or None when the slot holds no object."""
    at = HEADER_SIZE + slot * ENTRY_SIZE
    for _ in range(READ_TRIES):
        generation = u32(seg, H_DIR_GENERATION)
        if u32(seg, at + E_STATE) != ENTRY_LIVE:
            return None
        copy = bytes(seg[at:at + ENTRY_SIZE])
        if u32(seg, at + E_STATE) == ENTRY_LIVE and u32(seg, H_DIR_GENERATION) == generation:
            return copy
    raise NotReadable(f'directory slot {slot} keeps changing')


def check_entry(entry, total, heap):
    """The entry checks of 5.2: nothing in it is trusted before they pass."""
    offset, size, align = u64(entry, E_OFFSET), u64(entry, E_SIZE), u32(entry, E_ALIGN)
    name_length = u32(entry, E_NAME_LENGTH)
    layout_offset, layout_length = u64(entry, E_LAYOUT_OFFSET), u32(entry, E_LAYOUT_LENGTH)
    sound = (heap <= offset <= total and size <= total - offset
             and align > 0 and align & (align - 1) == 0 and offset % align == 0
             and 1 <= name_length <= MAX_NAME
             and u32(entry, E_ELEMENT_SIZE) * u32(entry, E_COUNT) <= size
             and (layout_offset == 0 if layout_length == 0
                  else heap <= layout_offset <= total and layout_length <= total - layout_offset))
    if not sound:
        raise NotReadable('a directory entry is corrupt')


def find(seg, name):
    total, capacity, heap = check_header(seg)
    wanted = name.encode('utf-8')
    for slot in range(capacity):
        entry = read_entry(seg, slot)
        if entry is None:
            continue
        check_entry(entry, total, heap)
        if entry[E_NAME:E_NAME + u32(entry, E_NAME_LENGTH)] == wanted:
            return entry
    return None


def fnv1a64(data):
    h = FNV_OFFSET
    for byte in data:
        h = ((h ^ byte) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


class Parser:
    """The layout description grammar of 5.4."""

    def __init__(self, text):
        self.text, self.at = text, 0

    def take(self, literal):
        if not self.text.startswith(literal, self.at):
            raise NotReadable(f'layout description: expected {literal!r} at {self.at}')
        self.at += len(literal)

    def word(self):
        start = self.at
        while self.at < len(self.text) and (self.text[self.at].isalnum() or self.text[self.at] == '_'):
            self.at += 1
        return self.text[start:self.at]

    def number(self):
        sign = '-' if self.text.startswith('-', self.at) else ''
        self.at += len(sign)
        digits = self.word()
        if not digits.isdigit():
            raise NotReadable(f'layout description: expected a number at {self.at}')
        return int(sign + digits)

    def struct(self):
        self.take('struct ')
        name = self.word()
        self.take('{')
        members = []
        while True:
            member = self.word()
            self.take(':')
            kind = self.type()
            self.take('@')
            members.append((member, kind, self.number()))
            if self.text.startswith('}', self.at):
                break
            self.take(';')
        self.take('}size=')
        size = self.number()
        self.take(',align=')
        self.number()
        if self.text.startswith(',packed', self.at):
            self.take(',packed')
        return {'struct': name, 'members': members, 'size': size}

    def type(self):
        if self.text.startswith('struct ', self.at):
            kind = self.struct()
        elif self.text.startswith('enum ', self.at):
            self.take('enum ')
            self.word()
            self.take(':')
            base = self.word()
            self.take('{')
            names = {}
            while not self.text.startswith('}', self.at):
                member = self.word()
                self.take('=')
                names[self.number()] = member
                if self.text.startswith(',', self.at):
                    self.take(',')
            self.take('}')
            kind = {'enum': base, 'names': names}
        else:
            kind = {'scalar': self.word()}
        dims = []
        while self.text.startswith('[', self.at):
            self.take('[')
            dims.append(self.number())
            self.take(']')
        if self.text.startswith('@align(', self.at):
            self.take('@align(')
            self.number()
            self.take(')')
        if kind.get('scalar') == 'char':
            if not dims:
                raise NotReadable('layout description: char without a length')
            kind = {'string': dims.pop()}
        for length in reversed(dims):
            kind = {'array': kind, 'length': length}
        return kind


def size_of(kind):
    if 'struct' in kind:
        return kind['size']
    if 'string' in kind:
        return kind['string']
    if 'array' in kind:
        return size_of(kind['array']) * kind['length']
    fmt = PRIMITIVES.get(kind.get('scalar') or kind.get('enum'))
    if fmt is None:
        raise NotReadable(f'layout description: unknown type {kind}')
    return struct.calcsize('<' + fmt)


def decode(kind, buf, at):
    if 'struct' in kind:
        return {name: decode(member, buf, at + offset) for name, member, offset in kind['members']}
    if 'string' in kind:
        raw = bytes(buf[at:at + kind['string']])
        return raw.split(b'\0', 1)[0].decode('utf-8', errors='replace')
    if 'array' in kind:
        step = size_of(kind['array'])
        return [decode(kind['array'], buf, at + i * step) for i in range(kind['length'])]
    base = kind.get('scalar') or kind['enum']
    value = struct.unpack_from('<' + PRIMITIVES[base], buf, at)[0]
    if 'enum' in kind:
        return kind['names'].get(value, value)
    return str(value) if base in ('i64', 'u64') else value


def describe(seg, entry):
    kind = u32(entry, E_KIND)
    offset, size, count = u64(entry, E_OFFSET), u64(entry, E_SIZE), u32(entry, E_COUNT)
    out = {
        'name': entry[E_NAME:E_NAME + u32(entry, E_NAME_LENGTH)].decode('utf-8'),
        'kind': KIND_NAMES.get(kind, f'kind {kind}'),
        'offset': offset, 'size': size, 'align': u32(entry, E_ALIGN), 'count': count,
    }
    layout_length = u32(entry, E_LAYOUT_LENGTH)
    if layout_length:
        layout_offset = u64(entry, E_LAYOUT_OFFSET)
        text = bytes(seg[layout_offset:layout_offset + layout_length])
        if fnv1a64(text) != u64(entry, E_LAYOUT_HASH):
            raise NotReadable('the layout description does not match its hash')
        out['layout'] = text.decode('utf-8')
    if kind in (KIND_STRUCT, KIND_TABLE):
        record = Parser(out['layout']).struct()
        stride = u32(entry, E_ELEMENT_SIZE)
        if record['size'] > stride:
            raise NotReadable('records are larger than the entry says')
        out['records'] = [decode(record, seg, offset + i * stride) for i in range(count)]
    elif kind == KIND_BYTES:
        out['hex'] = bytes(seg[offset:offset + size]).hex()
    return out


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    path, name = argv[1], argv[2]
    try:
        with open(path, 'rb') as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as seg:
            entry = find(seg, name)
            if entry is None:
                print(f'{path}: no object named {name!r}', file=sys.stderr)
                return 1
            print(json.dumps(describe(seg, entry)))
    except (OSError, ValueError, NotReadable) as error:
        print(f'{path}: {error}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
