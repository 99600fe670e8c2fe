"""Preflight refuses dangerous or unusable uploads from their raw bytes, with Vietnamese messages.

Every file is built here, in memory or in tmp: xlsx with openpyxl/xlsxwriter, zips with zipfile,
and .xls files with a tiny compound-file (OLE2) writer plus hand-written BIFF8 records, checked
against xlrd so the "real .xls" really is one.
"""

from __future__ import annotations

import io
import logging
import random
import re
import struct
import time
import tracemalloc
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
import xlrd
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nq57.intake.preflight import REFUSAL_RULES, Preflight, check_upload
from nq57.intake.rules import RULES
from nq57.settings import Limits

MIB = 1024 * 1024
VIETNAMESE = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùýĐ")

# --------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------


def openpyxl_xlsx(rows: int = 20, title: str = "Biểu 01") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws.append(["STT", "Tên nhiệm vụ", "Đơn vị chủ trì", "Kinh phí (triệu đồng)"])
    for i in range(1, rows + 1):
        ws.append([i, f"Nhiệm vụ chuyển đổi số {i}", "Sở Khoa học và Công nghệ Hà Nội", i * 12.5])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rezip(data: bytes, replace: dict[str, bytes | None] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """Copy an archive, replacing (or with None dropping) some parts and adding others."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    dst.writestr(info.filename, replace[info.filename])
            else:
                dst.writestr(info.filename, src.read(info.filename))
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def build_cfb(tree: dict[str, bytes | dict]) -> bytes:
    """A minimal version-3 compound file (512-byte sectors) holding `tree`: bytes are streams,
    dicts are storages. Streams are padded to 4096 bytes so none needs the mini stream."""
    entries: list[dict] = [{"name": "Root Entry", "type": 5, "children": [], "data": b""}]

    def add(parent: int, subtree: dict[str, bytes | dict]) -> None:
        for name, value in subtree.items():
            index = len(entries)
            entries[parent]["children"].append(index)
            if isinstance(value, dict):
                entries.append({"name": name, "type": 1, "children": [], "data": b""})
                add(index, value)
            else:
                entries.append({"name": name, "type": 2, "children": [], "data": value.ljust(4096, b"\x00")})

    add(0, tree)
    n_dir = -(-len(entries) // 4)
    data_sectors = sum(-(-len(e["data"]) // 512) for e in entries)
    n_fat = 1
    while n_fat * 128 < n_fat + n_dir + data_sectors:
        n_fat += 1
    fat = [FATSECT] * n_fat
    first_dir = len(fat)
    fat += list(range(first_dir + 1, first_dir + n_dir)) + [ENDOFCHAIN]
    body = b""
    for entry in entries:
        if not entry["data"]:
            entry["start"] = ENDOFCHAIN
            continue
        count = -(-len(entry["data"]) // 512)
        entry["start"] = len(fat)
        fat += list(range(entry["start"] + 1, entry["start"] + count)) + [ENDOFCHAIN]
        body += entry["data"].ljust(count * 512, b"\x00")
    fat += [FREESECT] * (n_fat * 128 - len(fat))

    for entry in entries:
        entry.setdefault("left", NOSTREAM)
        entry.setdefault("right", NOSTREAM)
        kids = entry["children"]
        entry["child"] = kids[0] if kids else NOSTREAM
        for a, b in zip(kids, kids[1:], strict=False):
            entries[a]["right"] = b
    directory = b""
    for entry in entries:
        name = entry["name"].encode("utf-16-le")
        directory += struct.pack(
            "<64sHBBIII16sIQQIII",
            name,
            len(name) + 2,
            entry["type"],
            1,
            entry["left"],
            entry["right"],
            entry["child"],
            b"\x00" * 16,
            0,
            0,
            0,
            entry["start"],
            len(entry["data"]),
            0,
        )
    empty = struct.pack("<64sHBBIII16sIQQIII", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"\x00" * 16, 0, 0, 0, 0, 0, 0)
    directory += empty * (n_dir * 4 - len(entries))

    difat = list(range(n_fat)) + [FREESECT] * (109 - n_fat)
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + b"\x00" * 16
        + struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"", 0, n_fat, first_dir, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
        + struct.pack("<109I", *difat)
    )
    assert len(header) == 512
    return header + struct.pack(f"<{len(fat)}I", *fat) + directory + body


def rec(rtype: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", rtype, len(body)) + body


def bof(substream: int) -> bytes:
    return rec(0x0809, struct.pack("<HHHHII", 0x0600, substream, 0x0DBB, 0x07CC, 0, 6))


def biff8_workbook(
    sheets: dict[str, list[list[float]]],
    *,
    filepass: bool = False,
    dim_rows: int | None = None,
    sheet_type: int = 0,
) -> bytes:
    """A BIFF8 Workbook stream: globals (BOF, [FILEPASS], CODEPAGE, BOUNDSHEETs, EOF) then, per
    sheet, BOF, DIMENSIONS, NUMBER cells, EOF. sheet_type 1 marks Excel 4.0 macro sheets."""

    def boundsheet(offset: int, name: str) -> bytes:
        header = struct.pack("<IBBBB", offset, 0, sheet_type, len(name), 1)
        return rec(0x0085, header + name.encode("utf-16-le"))

    head = bof(0x0005)
    if filepass:
        head += rec(0x002F, b"\x01\x00" + b"\x00" * 52)  # RC4 header; contents irrelevant here
    head += rec(0x0042, struct.pack("<H", 1200))
    globals_len = len(head) + sum(len(boundsheet(0, n)) for n in sheets) + len(rec(0x000A))
    bodies, offsets, pos = [], [], globals_len
    for rows in sheets.values():
        ncols = max((len(r) for r in rows), default=0)
        nrows = dim_rows if dim_rows is not None else len(rows)
        body = bof(0x0010) + rec(0x0200, struct.pack("<IIHHH", 0, nrows, 0, ncols, 0))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                body += rec(0x0203, struct.pack("<HHHd", r, c, 0, value))
        body += rec(0x000A)
        offsets.append(pos)
        bodies.append(body)
        pos += len(body)
    stream = head + b"".join(boundsheet(o, n) for o, n in zip(offsets, sheets, strict=True)) + rec(0x000A)
    assert len(stream) == globals_len
    return stream + b"".join(bodies)


def real_xls() -> bytes:
    return build_cfb({"Workbook": biff8_workbook({"Biểu 01": [[1.0, 2.0], [3.0, 4.5]]})})


def patch_central_size(data: bytes, name: str, new_size: int) -> bytes:
    """Rewrite the declared uncompressed size of `name` in the central directory only."""
    buf = bytearray(data)
    pos = buf.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = struct.unpack_from("<H", buf, pos + 28)[0]
        if buf[pos + 46 : pos + 46 + name_len] == name.encode():
            struct.pack_into("<I", buf, pos + 24, new_size)
            return bytes(buf)
        pos = buf.find(b"PK\x01\x02", pos + 4)
    raise AssertionError(name)


# --------------------------------------------------------------------------------------------
# Assertions
# --------------------------------------------------------------------------------------------


def assert_refused(result: Preflight, rule: str) -> None:
    assert result.refused, result
    assert result.kind is None
    errors = [i for i in result.issues if i.severity == "error"]
    assert rule in [i.rule for i in errors], result
    for issue in errors:
        assert issue.rule in REFUSAL_RULES
        assert (issue.sheet, issue.row, issue.column) == (None, None, None)
        assert issue.hint
        assert unicodedata.is_normalized("NFC", issue.message)
        assert unicodedata.is_normalized("NFC", issue.hint)
        assert VIETNAMESE & set(issue.message.lower())
        assert "{" not in issue.message  # every template field was filled


def assert_accepted(result: Preflight, kind: str) -> None:
    assert not result.refused, result
    assert result.kind == kind
    assert all(i.severity == "warning" for i in result.issues)


# --------------------------------------------------------------------------------------------
# Accepted files
# --------------------------------------------------------------------------------------------


def test_openpyxl_workbook_passes() -> None:
    result = check_upload(openpyxl_xlsx(), "bao_cao_thang_5.xlsx")
    assert_accepted(result, "xlsx")
    assert result.issues == []


def test_xlsxwriter_workbook_with_many_repetitive_rows_passes() -> None:
    # Repetitive data compresses hard; it must still stay below the ratio and size thresholds.
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True})
    ws = wb.add_worksheet("Biểu 02")
    for r in range(20_000):
        ws.write_row(r, 0, [r + 1, "Ủy ban nhân dân tỉnh", "Đang triển khai", 0, 0, 0, 0, 0, 0, 0])
    wb.close()
    assert_accepted(check_upload(buf.getvalue(), "bieu02.xlsx"), "xlsx")


def test_xlsx_bytes_named_xls_pass_as_xlsx_with_a_warning() -> None:
    result = check_upload(openpyxl_xlsx(), "bao_cao.xls")
    assert_accepted(result, "xlsx")
    assert [i.rule for i in result.issues] == ["file.extension_mismatch"]
    assert "“.xls”" in result.issues[0].message


def test_hand_built_biff8_xls_is_read_by_xlrd_and_passes() -> None:
    data = real_xls()
    book = xlrd.open_workbook(file_contents=data)  # an independent reader agrees it is a real .xls
    assert book.sheet_names() == ["Biểu 01"]
    assert book.sheet_by_index(0).cell_value(1, 1) == 4.5
    assert_accepted(check_upload(data, "bao_cao.xls"), "xls")


# --------------------------------------------------------------------------------------------
# One test per refusal rule
# --------------------------------------------------------------------------------------------


def test_empty() -> None:
    assert_refused(check_upload(b"", "trong.xlsx"), "file.empty")


def test_too_large_names_size_and_limit_in_mb() -> None:
    data = openpyxl_xlsx(rows=2000)
    limits = Limits(max_file_bytes=MIB // 100)
    result = check_upload(data, "lon.xlsx", limits)
    assert_refused(result, "file.too_large")
    assert result.issues[0].message.endswith("MB, vượt quá giới hạn 0,0099 MB.")
    exactly_20 = check_upload(b"x" * (20 * MIB + 1), "a.xlsx", Limits(max_file_bytes=20 * MIB))
    assert exactly_20.issues[0].message == "Tệp có dung lượng 20,1 MB, vượt quá giới hạn 20 MB."


def test_pdf_named_xlsx_is_not_a_spreadsheet() -> None:
    result = check_upload(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "bao_cao.xlsx")
    assert_refused(result, "file.not_spreadsheet")
    assert "PDF" in result.issues[0].message


def test_docx_like_zip_is_not_a_spreadsheet() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="x"/>')
        zf.writestr("word/document.xml", "<w:document/>")
    result = check_upload(buf.getvalue(), "bao_cao.xlsx")
    assert_refused(result, "file.not_spreadsheet")
    assert "Word" in result.issues[0].message


@pytest.mark.parametrize(
    ("data", "detected"),
    [
        (random.Random(7).randbytes(5000), "không rõ định dạng"),
        ("STT,Tên đơn vị,Số liệu\n1,Sở Nội vụ,12\n".encode(), "CSV"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "HTML"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "hình ảnh"),
        (build_cfb({"WordDocument": b"x", "1Table": b"y"}), "Word 97-2003"),
    ],
    ids=["random", "csv", "html", "png", "doc"],
)
def test_other_formats_are_not_spreadsheets(data: bytes, detected: str) -> None:
    result = check_upload(data, "bao_cao.xls")
    assert_refused(result, "file.not_spreadsheet")
    assert detected in result.issues[0].message


def test_truncated_zip_is_corrupt() -> None:
    data = openpyxl_xlsx()
    assert_refused(check_upload(data[: len(data) * 2 // 3], "a.xlsx"), "file.corrupt")


def test_malformed_workbook_xml_is_corrupt() -> None:
    data = rezip(openpyxl_xlsx(), {"xl/workbook.xml": b"<workbook><sheets><sheet name='a'"})
    result = check_upload(data, "a.xlsx")
    assert_refused(result, "file.corrupt")
    assert "xl/workbook.xml" in result.issues[0].message


def test_garbage_after_ole_signature_is_corrupt() -> None:
    data = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600
    assert_refused(check_upload(data, "a.xls"), "file.corrupt")


def test_password_protected_xlsx_is_encrypted() -> None:
    # What Excel writes for "Encrypt with Password": an OLE2 wrapper, not a zip.
    data = build_cfb(
        {
            "\x06DataSpaces": {"Version": b"\x3c\x00\x00\x00"},
            "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00",
            "EncryptedPackage": random.Random(1).randbytes(9000),
        }
    )
    assert_refused(check_upload(data, "mat_khau.xlsx"), "file.encrypted")


def test_xls_with_filepass_is_encrypted() -> None:
    data = build_cfb({"Workbook": biff8_workbook({"Sheet1": [[1.0]]}, filepass=True)})
    with pytest.raises(xlrd.XLRDError, match="encrypted"):
        xlrd.open_workbook(file_contents=data)
    assert_refused(check_upload(data, "mat_khau.xls"), "file.encrypted")


def test_xlsx_with_vba_project_is_a_macro_workbook() -> None:
    data = rezip(openpyxl_xlsx(), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0fake vba"})
    assert_refused(check_upload(data, "bao_cao.xlsm"), "file.macro")


def test_macro_enabled_content_type_alone_is_a_macro_workbook() -> None:
    data = openpyxl_xlsx()
    types = part(data, "[Content_Types].xml").replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert b"macroEnabled" in types
    assert_refused(check_upload(rezip(data, {"[Content_Types].xml": types}), "a.xlsx"), "file.macro")


def test_xls_with_vba_storage_is_a_macro_workbook() -> None:
    data = build_cfb(
        {
            "Workbook": biff8_workbook({"Sheet1": [[1.0]]}),
            "_VBA_PROJECT_CUR": {"PROJECT": b"ID=x", "VBA": {"dir": b"\x01", "Module1": b"Sub x()"}},
        }
    )
    result = check_upload(data, "macro.xls")
    assert_refused(result, "file.macro")
    assert "VBA" in result.issues[0].message


def test_excel4_macro_sheets_are_macro_workbooks() -> None:
    xlsx = rezip(openpyxl_xlsx(), add={"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"})
    xls = build_cfb({"Workbook": biff8_workbook({"Macro1": [[1.0]]}, sheet_type=1)})
    for data in (xlsx, xls):
        result = check_upload(data, "a.xlsx")
        assert_refused(result, "file.macro")
        assert "macro Excel 4.0" in result.issues[0].message


@pytest.fixture(scope="module")
def big_bomb(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real-looking xlsx plus a 600 MB sheet of zeros, streamed to disk in 1 MiB chunks."""
    path: Path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    base = openpyxl_xlsx()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info.filename))
        chunk = b"\x00" * MIB
        with zf.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as fh:
            for _ in range(600):
                fh.write(chunk)
    data = path.read_bytes()
    assert len(data) < 2 * MIB  # ~600 KB on disk
    return data


def test_600mb_zip_bomb_is_refused_fast_without_decompressing(big_bomb: bytes) -> None:
    tracemalloc.start()
    try:
        started = time.perf_counter()
        result = check_upload(big_bomb, "bom.xlsx")
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_refused(result, "file.zip_bomb")
    assert "600,0 MB" in result.issues[0].message
    assert elapsed < 1.0, elapsed  # sanity bound only; it takes milliseconds
    assert peak < 50 * MIB, peak
    print(f"\n600 MB bomb ({len(big_bomb):,} bytes on disk): refused in {elapsed * 1000:.1f} ms, "
          f"peak traced memory {peak / 1024:.0f} KiB")


def test_entry_count_bomb_is_refused_fast() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for i in range(10_001):
            zf.writestr(f"xl/media/{i}.bin", b"x")
    started = time.perf_counter()
    result = check_upload(buf.getvalue(), "nhieu_phan.xlsx")
    elapsed = time.perf_counter() - started
    assert_refused(result, "file.zip_bomb")
    assert "10.001 phần" in result.issues[0].message
    assert elapsed < 1.0, elapsed


def test_single_entry_compression_ratio_bomb() -> None:
    # 50 MB is under the 500 MB total limit; only the ~1000:1 ratio gives it away.
    data = rezip(openpyxl_xlsx(), add={"xl/media/image1.png": b"\x00" * (50 * MIB)})
    started = time.perf_counter()
    result = check_upload(data, "a.xlsx")
    assert time.perf_counter() - started < 1.0
    assert_refused(result, "file.zip_bomb")
    assert "tỷ lệ nén" in result.issues[0].message


def test_declared_size_smaller_than_compressed_data_is_a_bomb() -> None:
    noise = random.Random(3).randbytes(200_000)  # incompressible: compress_size ≈ 200 KB
    data = rezip(openpyxl_xlsx(), add={"xl/media/image1.png": noise})
    lying = patch_central_size(data, "xl/media/image1.png", 1_000)
    result = check_upload(lying, "a.xlsx")
    assert_refused(result, "file.zip_bomb")
    assert "kích thước khai báo" in result.issues[0].message


def test_part_that_inflates_beyond_its_declared_size_is_read_bounded() -> None:
    # workbook.xml really inflates to 50 MB (trailing whitespace is legal XML) but declares
    # 200 KB: small enough to dodge the ratio rule, larger than its ~50 KB compressed size.
    data = openpyxl_xlsx()
    workbook = part(data, "xl/workbook.xml") + b" " * (50 * MIB)
    lying = patch_central_size(rezip(data, {"xl/workbook.xml": workbook}), "xl/workbook.xml", 200_000)
    tracemalloc.start()
    try:
        result = check_upload(lying, "a.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_refused(result, "file.corrupt")  # zipfile stops at the declared size: CRC mismatch
    assert peak < 10 * MIB, peak


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>
<sheet name="&lol9;" sheetId="1"/></sheets></workbook>"""


def test_billion_laughs_workbook_is_xml_unsafe() -> None:
    data = rezip(openpyxl_xlsx(), {"xl/workbook.xml": BILLION_LAUGHS})
    result = check_upload(data, "a.xlsx")
    assert_refused(result, "file.xml_unsafe")
    assert "xl/workbook.xml" in result.issues[0].message


def test_doctype_at_the_head_of_a_sheet_is_xml_unsafe() -> None:
    data = openpyxl_xlsx()
    sheet = part(data, "xl/worksheets/sheet1.xml")
    sheet = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + sheet
    assert_refused(check_upload(rezip(data, {"xl/worksheets/sheet1.xml": sheet}), "a.xlsx"), "file.xml_unsafe")


def test_a_declared_dimension_is_not_data_two_hundred_thousand_declared_twenty_real_rows_pass() -> None:
    data = openpyxl_xlsx()
    sheet = part(data, "xl/worksheets/sheet1.xml")
    patched = re.sub(rb'<dimension ref="A1:D21" ?/>', b'<dimension ref="A1:XFD1048576"/>', sheet)
    assert patched != sheet
    result = check_upload(rezip(data, {"xl/worksheets/sheet1.xml": patched}), "a.xlsx", Limits(max_rows=100_000))
    assert not result.refused and result.issues == []


def test_rows_holding_values_over_the_limit_are_too_many_rows_whatever_the_dimension_says() -> None:
    data = openpyxl_xlsx(rows=2_000)
    sheet = part(data, "xl/worksheets/sheet1.xml")
    lying = re.sub(rb'<dimension ref="A1:D2001" ?/>', b'<dimension ref="A1:A1"/>', sheet)
    assert lying != sheet
    for body in (lying, re.sub(rb'<dimension ref="A1:A1"/>', b"", lying)):
        result = check_upload(rezip(data, {"xl/worksheets/sheet1.xml": body}), "a.xlsx", Limits(max_rows=2_000))
        assert_refused(result, "file.too_many_rows")
        assert result.issues[0].message == (
            "Trang tính “Biểu 01” có 2.001 dòng có dữ liệu, vượt quá giới hạn 2.000 dòng cho mỗi trang tính."
        )


def test_formatted_empty_rows_below_the_table_are_not_rows() -> None:
    # Borders applied to 200,000 empty rows: Excel writes a <row> with styled empty cells for each.
    data = openpyxl_xlsx(rows=20)
    sheet = part(data, "xl/worksheets/sheet1.xml")
    empty = b"".join(b'<row r="%d" s="1" customFormat="1"><c r="A%d" s="1"/><c r="B%d" s="1"/></row>' % (r, r, r)
                     for r in range(22, 200_022))
    formatted = sheet.replace(b"</sheetData>", empty + b"</sheetData>")
    result = check_upload(rezip(data, {"xl/worksheets/sheet1.xml": formatted}), "a.xlsx", Limits(max_rows=100_000))
    assert not result.refused and result.issues == []


def test_rows_are_counted_exactly_across_the_chunks_a_large_sheet_is_streamed_in() -> None:
    data = openpyxl_xlsx(rows=20_000)  # ~1.5 MB of sheet XML: several chunks
    assert len(part(data, "xl/worksheets/sheet1.xml")) > 1024 * 1024
    assert not check_upload(data, "a.xlsx", Limits(max_rows=20_001)).refused
    result = check_upload(data, "a.xlsx", Limits(max_rows=20_000))
    assert_refused(result, "file.too_many_rows")
    assert "20.001 dòng có dữ liệu" in result.issues[0].message
    utf16 = part(data, "xl/worksheets/sheet1.xml").decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    reencoded = rezip(data, {"xl/worksheets/sheet1.xml": b"\xff\xfe" + utf16.encode("utf-16-le")})
    assert "20.001 dòng có dữ liệu" in check_upload(reencoded, "a.xlsx", Limits(max_rows=20_000)).issues[0].message


@pytest.mark.parametrize("name", ["xl/styles.xml", "xl/sharedStrings.xml", "xl/theme/theme1.xml", "docProps/app.xml"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_a_dtd_in_any_xml_part_is_xml_unsafe(name: str, encoding: str) -> None:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    book.add_worksheet("Biểu 01").write_string(0, 0, "Nhiệm vụ")
    book.close()
    data = buf.getvalue()
    content = part(data, name).decode("utf-8")
    declaration, rest = content.split("?>", 1)
    hostile = declaration + '?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + rest
    if encoding != "utf-8":
        hostile = "\ufeff" + hostile.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    result = check_upload(rezip(data, {name: hostile.encode(encoding)}), "a.xlsx")
    assert_refused(result, "file.xml_unsafe")
    assert name in result.issues[0].message


def amplified(cells: int, length: int) -> bytes:
    """`cells` cells that all reference one shared string of `length` characters (xlsxwriter writes it once)."""
    words = ["nhiệm", "vụ", "chuyển", "đổi", "số", "khoa", "học", "công", "nghệ", "đề", "án", "quốc", "gia"]
    rng = random.Random(length)
    text = " ".join(rng.choice(words) for _ in range(length))[:length]
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Nhiệm vụ")
    for i in range(cells):
        sheet.write_string(i // 20, i % 20, text)
    book.close()
    return out.getvalue()


def test_shared_string_amplification_is_refused_with_the_figures_before_any_cell_is_read() -> None:
    data = amplified(cells=6_250, length=32_000)  # 200 million characters once opened (Excel caps a cell at 32,767)
    tracemalloc.start()
    try:
        result = check_upload(data, "nho.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_refused(result, "file.text_amplification")
    assert result.issues[0].message == (
        f"Tệp chỉ {round(len(data) / 1024)} KB nhưng khi mở ra các ô chứa tổng cộng 200 triệu ký tự văn bản, "
        "vượt giới hạn 50 triệu ký tự: 6.250 ô (ô đầu tiên: A1 trong trang tính “Nhiệm vụ”) cùng lặp lại một "
        "đoạn văn bản dài 32.000 ký tự."
    )
    assert peak < 16 * MIB, peak
    print(f"\namplification: {len(data) / 1024:.0f} KB -> 200 million characters, refused; peak traced {peak / MIB:.1f} MiB")


def test_referenced_text_under_the_limit_passes_and_the_limit_is_a_setting() -> None:
    data = amplified(cells=100, length=1_000)
    assert not check_upload(data, "a.xlsx").refused
    assert_refused(check_upload(data, "a.xlsx", Limits(max_referenced_text=99_999)), "file.text_amplification")


def test_xls_dimensions_over_the_limit_is_too_many_rows() -> None:
    data = build_cfb({"Workbook": biff8_workbook({"Dữ liệu": [[1.0]]}, dim_rows=65_536)})
    result = check_upload(data, "a.xls", Limits(max_rows=60_000))
    assert_refused(result, "file.too_many_rows")
    assert "“Dữ liệu” có 65.536 dòng" in result.issues[0].message


def test_every_rule_has_a_vietnamese_nfc_message_and_hint() -> None:
    expected = {
        "file.empty",
        "file.too_large",
        "file.not_spreadsheet",
        "file.corrupt",
        "file.encrypted",
        "file.macro",
        "file.zip_bomb",
        "file.xml_unsafe",
        "file.too_many_rows",
        "file.text_amplification",
    }
    assert expected == REFUSAL_RULES
    preflight_rules = [rule for rule in RULES.values() if rule.stage == "preflight"]
    assert expected <= {rule.id for rule in preflight_rules}
    for rule in preflight_rules:
        for text in (rule.message, rule.hint):
            assert unicodedata.is_normalized("NFC", text)
            assert VIETNAMESE & set(text.lower())


# --------------------------------------------------------------------------------------------
# Properties: never raises, always answers with a known rule or a kind
# --------------------------------------------------------------------------------------------


@contextmanager
def no_crash_logged() -> Iterator[None]:
    """check_upload turns unexpected exceptions into a logged `file.corrupt`; the properties
    must not rely on that safety net, so any logged crash fails them."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("nq57.intake.preflight")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    assert not records, records[0].exc_text or records[0].getMessage()


def assert_well_formed(result: Preflight) -> None:
    if result.refused:
        assert result.kind is None
        assert {i.rule for i in result.issues if i.severity == "error"} <= REFUSAL_RULES
    else:
        assert result.kind in ("xlsx", "xls")
    assert all(RULES[i.rule].stage == "preflight" for i in result.issues)


SMALL = Limits(max_file_bytes=MIB, max_rows=1_000, max_zip_entries=200)
VALID_XLSX = openpyxl_xlsx(rows=5)
VALID_XLS = real_xls()


@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    with no_crash_logged():
        assert_well_formed(check_upload(data, "x.xlsx", SMALL))


@given(
    st.sampled_from([b"PK\x03\x04", bytes.fromhex("D0CF11E0A1B11AE1"), b"PK\x05\x06", b"%PDF-"]),
    st.binary(max_size=4096),
)
def test_arbitrary_bytes_behind_a_magic_number_never_raise(magic: bytes, rest: bytes) -> None:
    with no_crash_logged():
        assert_well_formed(check_upload(magic + rest, "x.xls", SMALL))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([VALID_XLSX, VALID_XLS]),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
    st.one_of(st.none(), st.integers(min_value=0)),
)
def test_damaged_real_workbooks_never_raise(base: bytes, flips: list[tuple[int, int]], cut: int | None) -> None:
    data = bytearray(base)
    for position, value in flips:
        data[position % len(data)] = value
    if cut is not None:
        del data[cut % len(data) :]
    with no_crash_logged():
        assert_well_formed(check_upload(bytes(data), "x.xlsx", SMALL))
