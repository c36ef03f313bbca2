"""core.csv_read: any CSV a spreadsheet saves is decoded and split; what cannot be read says so."""

import codecs

import pytest

from core import csv_read

TEXT = "handle,name\nAlphaWMP,Café £5\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "UTF-16 LE"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "UTF-16 BE"),
        (codecs.BOM_UTF8 + TEXT.encode(), "UTF-8 with BOM"),
        (TEXT.encode(), "UTF-8"),
        (TEXT.encode("cp1252"), "Windows-1252"),
        (TEXT, "text"),
    ],
)
def test_each_encoding_a_spreadsheet_saves_is_read(data, encoding):
    table = csv_read.read(data)
    assert (table.encoding, table.delimiter_name, table.header) == (
        encoding,
        "comma",
        ["handle", "name"],
    )
    assert [r.values for r in table.rows()] == [{"handle": "AlphaWMP", "name": "Café £5"}]


@pytest.mark.parametrize(("delimiter", "name"), [(",", "comma"), (";", "semicolon"), ("\t", "tab")])
def test_the_delimiter_is_sniffed(delimiter, name):
    text = f"a{delimiter}b{delimiter}c\r\n1{delimiter}2 5{delimiter}3\r\n"
    table = csv_read.read(text.encode())
    assert table.delimiter_name == name
    assert table.described == f"Read as UTF-8, {name}-separated."
    assert [r.values for r in table.rows()] == [{"a": "1", "b": "2 5", "c": "3"}]


def test_commas_inside_semicolon_separated_values_stay_in_their_value():
    table = csv_read.read("handle;followers;name\nA;1,234;Smith, J\nB;5,600;Jones, K\n")
    assert table.delimiter == ";"
    assert [r.values["followers"] for r in table.rows()] == ["1,234", "5,600"]


def test_one_column_file_reads_as_comma():
    assert csv_read.read("handle\nA\n").delimiter == ","


def test_bad_rows_carry_their_physical_line_and_the_reason():
    text = 'a,b\n\n1,2\n\n\n3\n4,5,6\n7,\x008\n"multi\nline",9\n10,11\n'
    rows = list(csv_read.read(text).rows())
    assert [(r.line, r.problem is None) for r in rows] == [
        (3, True),
        (6, False),
        (7, False),
        (8, False),
        (9, True),
        (11, True),
    ]
    assert "Expected 2 values, found 1" in rows[1].problem
    assert "Expected 2 values, found 3" in rows[2].problem
    assert "NUL byte" in rows[3].problem
    assert rows[4].values == {"a": "multi\nline", "b": "9"}


def test_binary_and_empty_files_are_refused_with_words():
    with pytest.raises(csv_read.Unreadable, match="not a CSV text file"):
        csv_read.read(bytes(range(256)) * 40)
    with pytest.raises(csv_read.Unreadable, match="not a CSV text file"):
        csv_read.read(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" * 20)
    with pytest.raises(csv_read.Unreadable, match="empty"):
        csv_read.read(b"\n\n")
    with pytest.raises(csv_read.Unreadable, match="damaged"):
        csv_read.read(codecs.BOM_UTF16_LE + b"a\x00,")
    with pytest.raises(csv_read.Unreadable, match="header row"):
        csv_read.read(b"platform,handle,display_name,\x00owner\n1,2,3,4\n")
