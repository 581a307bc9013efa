"""Struct layouts: Python declarations the Node host agrees with byte for
byte, tables read through the layout stored in the segment (NumPy dtype and
plain records), and hostile layout texts refused."""
from __future__ import annotations

import json
import subprocess

import pytest

import shmkit
from shmkit import LayoutError, ShmError, aligned, array, enum, string, struct
from shmkit.layout import parse

from conftest import node_process, run_node

Point = struct("Point", {"x": "i16", "y": "i16"})
Kind = enum("Kind", {"Temp": 1, "Humidity": 2, "Wind": 7}, "u8")
Reading = struct("Reading", {
    "id": "u32", "kind": Kind, "label": string(12), "value": "f64", "total": "i64", "last": array("f32", 3),
    "grid": array(array("u8", 3), 2), "ok": "bool", "at": Point, "big": aligned("u16", 16),
})
Packed = struct("Packed", {"a": "u8", "b": "u32", "c": "u16"}, packed=True)


def value(i: int) -> dict:
    return {
        "id": i * 3, "kind": ["Temp", "Humidity", "Wind"][i % 3], "label": f"r{i}", "value": i / 4, "total": i * -(2**40),
        "last": [float(i), i + 0.5, float(-i)], "grid": [[i & 255, 1, 2], [3, 4, (i * 7) & 255]], "ok": i % 2 == 0,
        "at": {"x": -i, "y": i}, "big": i & 0xFFFF,
    }


def test_python_declarations_describe_exactly_what_node_does() -> None:
    out = node_process("table-peer.ts", "describe", stdout=subprocess.PIPE, text=True).communicate(timeout=120)[0]
    node = json.loads(out)
    for name, layout in (("Reading", Reading), ("Point", Point), ("Packed", Packed)):
        assert node[name] == {"describe": layout.describe, "hash": str(layout.hash), "size": layout.size, "align": layout.align}
        assert parse(layout.describe).describe == layout.describe


def test_the_dtype_has_the_c_offsets() -> None:
    numpy = pytest.importorskip("numpy")
    dtype = Reading.dtype
    assert dtype.itemsize == Reading.size
    assert [dtype.fields[f.name][1] for f in Reading.fields] == [f.offset for f in Reading.fields]
    assert dtype.fields["grid"][0] == numpy.dtype(("u1", (2, 3)))


def test_python_reads_a_table_node_wrote_and_node_reads_one_python_wrote(posix_name: str) -> None:
    numpy = pytest.importorskip("numpy")
    with shmkit.open_or_create("posix", name=posix_name, size=1 << 20) as seg:
        assert node_process("table-peer.ts", "write", posix_name, "50").wait(120) == 0
        table = seg.table("readings")  # through the stored layout alone
        assert table.layout.describe == Reading.describe and len(table) == 50
        assert [table[i].to_dict() for i in range(50)] == [value(i) for i in range(50)]
        column = table.array["value"]
        assert column.tolist() == [i / 4 for i in range(50)]
        table.array["id"][7] = 12345  # zero copy: the record sees it
        assert table[7].id == 12345
        mine = seg.create_table("py-readings", Reading, 20)
        for i in range(20):
            mine[i] = value(i)
        out = node_process("table-peer.ts", "read", posix_name, stdout=subprocess.PIPE, text=True).communicate(timeout=120)[0]
        assert json.loads(out) == [value(i) for i in range(20)]
        assert numpy.shares_memory(mine.array, numpy.frombuffer(seg.segment.buf, "u1"))


def test_records_check_what_they_are_given(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=1 << 20) as seg:
        one = seg.create_struct("p", Point)
        one.x = -5
        assert seg.struct("p").to_dict() == {"x": -5, "y": 0}
        with pytest.raises(ShmError):
            one.x = 1 << 20
        records = seg.create_table("t", Reading, 2)
        for bad in ({"label": "x" * 12}, {"kind": "Snow"}, {"ok": 1}, {"last": [1.0]}, {"nope": 1}):
            with pytest.raises(ShmError):
                records[0] = bad
        with pytest.raises(LayoutError):
            seg.table("t", Point)
        with pytest.raises(LayoutError):
            seg.find_or_create_table("t", Reading, 3)


@pytest.mark.parametrize("text", [
    "", "struct", "struct A{x:u32@0}size=4", "struct A{x:u33@0}size=4,align=4", "struct A{x:u32@2}size=4,align=4",
    "struct A{x:u32@0}size=4,align=3", "struct A{x:u32[99999999999]@0}size=4,align=4", "struct A{x:u32@0}size=4,align=4junk",
    "struct A{x:" + "struct B{y:" * 40 + "u8@0" + "}size=1,align=1@0" * 40 + "}size=1,align=1",
    "struct A{x:char@0}size=1,align=1", "struct A{x:u64@0}size=4,align=4",
    "struct A{x:u8" + "[1]" * 5000 + "@0}size=1,align=1", "struct A{x:char" + "[1]" * 5000 + "[2]@0}size=2,align=1",
    "struct A{x:u8@0;x:u8@1}size=2,align=1", "struct A{k:enum K:u8{a=1,a=2}@0}size=1,align=1",
    "struct A{k:enum K:u8{a=-9999999999}@0}size=1,align=1",
])
def test_hostile_layout_texts_are_layout_errors(text: str) -> None:
    with pytest.raises(LayoutError):
        parse(text)


def test_a_stored_layout_that_breaks_its_hash_is_corrupt(posix_name: str) -> None:
    with shmkit.open_or_create("posix", name=posix_name, size=1 << 20) as seg:
        seg.create_table("t", Point, 4)
        info = seg.info("t")
        start = info.offset + info.size + (-info.size % 8)  # the text follows the object at the next multiple of 8
        assert bytes(seg.segment.buf[start : start + 6]) == b"struct"
        seg.segment.buf[start + 7] = ord("Q")  # Point → Qoint: the text no longer matches its hash
        with pytest.raises(ShmError) as caught:
            seg.table("t")
        assert caught.value.code == "ECORRUPT"
