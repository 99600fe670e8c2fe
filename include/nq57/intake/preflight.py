"""Checks on an upload's raw bytes before any parser touches them.

Everything here looks only at what is cheap and bounded to read: magic bytes, the zip central
directory, the compound-file (OLE2) directory and BIFF record headers, three small XML parts
(each read with a size cap), the first 16 KB of every XML part, the shared-strings part (string
lengths only) and one regular-expression pass over each worksheet, streamed a megabyte at a time.
No part is ever held whole, so a hostile upload is refused with little memory, and each refusal tells
the agency in Vietnamese what is wrong and how to fix it.

Rows are counted where they hold a value, never taken from a sheet's declared `<dimension>`: a
declared million rows or formatting applied to empty rows is not data. Shared text is counted as
the cells reference it, so a small file whose cells all point at one long shared string (46 KB
expanding to 1.26 GB) is refused here, like a zip bomb.
"""

from __future__ import annotations

import codecs
import io
import itertools
import logging
import math
import posixpath
import re
import struct
import sys
import zipfile
import zlib
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal
from xml.etree.ElementTree import Element, ParseError
from xml.parsers.expat import ExpatError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as _safe_fromstring

from nq57.intake.issues import Issue
from nq57.intake.rules import RULES, issue
from nq57.intake.workbook import SharedStringsTarget, part_key, resolve_target, safe_expat
from nq57.settings import Limits, get_settings

logger = logging.getLogger(__name__)

Kind = Literal["xlsx", "xls"]

#: Rule ids that refuse an upload at this stage (their text is in `intake.rules`).
REFUSAL_RULES: frozenset[str] = frozenset(
    rule.id for rule in RULES.values() if rule.stage == "preflight" and rule.severity == "error"
)


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preflight:
    """What the bytes really are, and why they were refused (errors) or what to mention (warnings)."""

    kind: Kind | None
    issues: list[Issue] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(i.severity == "error" for i in self.issues)


# --------------------------------------------------------------------------------------------
# Tunables that are properties of the file formats, not of the deployment (those live in Limits).
# --------------------------------------------------------------------------------------------

_MIB = 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# Entries smaller than this are never judged by compression ratio: a few hundred KB of
# repetitive XML (styles, empty sheets) legitimately compresses far beyond 200:1.
_RATIO_MIN_BYTES = _MIB
# Upper bound on what we parse of workbook.xml, [Content_Types].xml and the workbook rels;
# real ones are a few KB, even with thousands of defined names they stay well under this.
_MAX_XML_PART = 5 * _MIB
# A DTD can only precede the root element; 16 KB covers any XML declaration and prolog while
# costing nothing to inflate.
_HEAD_BYTES = 16 * 1024
# xlsx parts may only be stored or deflated (ECMA-376 Part 2); anything else (bzip2, lzma,
# deflate64) is unreadable by Excel and bzip2 could amplify far beyond deflate's ~1032:1.
_ALLOWED_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}

_DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)

_WORKBOOK = "xl/workbook.xml"
_CONTENT_TYPES = "[content_types].xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"


class _Refuse(Exception):
    """Raised inside a check to stop with one refusal."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.rule)
        self.issue = issue


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def check_upload(data: bytes, filename: str = "", limits: Limits | None = None) -> Preflight:
    """Sniff and vet an upload. Never raises: anything unreadable becomes a `file.corrupt` refusal."""
    limits = limits or get_settings().limits
    if not isinstance(data, bytes):
        data = bytes(data)
    try:
        kind, issues = _check(data, limits)
    except _Refuse as refusal:
        return Preflight(None, [refusal.issue])
    except Exception:  # a crash would fail the Airflow task instead of answering the agency
        logger.exception("preflight crashed on %r (%d bytes); refusing as corrupt", filename, len(data))
        return Preflight(None, [issue("file.corrupt", detail="không phân tích được cấu trúc tệp")])
    if any(i.severity == "error" for i in issues):
        return Preflight(None, issues)
    mismatch = _extension_warning(filename, kind)
    return Preflight(kind, issues + ([mismatch] if mismatch else []))


def _check(data: bytes, limits: Limits) -> tuple[Kind, list[Issue]]:
    if not data:
        raise _Refuse(issue("file.empty"))
    if len(data) > limits.max_file_bytes:
        raise _Refuse(_too_large(len(data), limits.max_file_bytes))
    if data.startswith(_ZIP_MAGIC):
        return "xlsx", _check_zip(data, limits)
    if data.startswith(_OLE_MAGIC):
        return "xls", _check_ole(data, limits)
    raise _Refuse(issue("file.not_spreadsheet", detected=_describe_other(data)))


def _extension_warning(filename: str, kind: Kind) -> Issue | None:
    # Only a hint for next time: the bytes decide what the file is, never the name.
    ext = posixpath.splitext(filename.replace("\\", "/"))[1].lower()
    if not filename or ext == f".{kind}":
        return None
    return issue(
        "file.extension_mismatch",
        ext=ext or "(không có đuôi)",
        kind=f".{kind}",
    )


# --------------------------------------------------------------------------------------------
# Number formatting (Vietnamese: 1.234.567 and 12,5)
# --------------------------------------------------------------------------------------------


def _vn_number(value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.translate(str.maketrans({",": ".", ".": ","}))


def _too_large(size: int, limit: int) -> Issue:
    # Same precision for both, limit rounded down and size rounded up when needed, so the
    # message never reads "20,0 MB, vượt quá giới hạn 20,0 MB".
    # Production limits are whole MB; tiny ones (tests) get enough decimals to stay non-zero.
    decimals = 1 if limit >= _MIB else min(6, 1 - math.floor(math.log10(max(limit, 1) / _MIB)))
    scale = 10**decimals
    limit_mb = math.floor(limit * scale / _MIB) / scale
    size_mb = round(size / _MIB, decimals)
    if size_mb <= limit_mb:
        size_mb = math.ceil(size * scale / _MIB) / scale
    limit_text = _vn_number(limit_mb, 0 if limit_mb.is_integer() else decimals)
    return issue("file.too_large", size_mb=_vn_number(size_mb, decimals), limit_mb=limit_text)


def _mb(n: int) -> str:
    return _vn_number(n / _MIB, 1)


# --------------------------------------------------------------------------------------------
# What is it, if not a spreadsheet? (only to make the refusal message precise)
# --------------------------------------------------------------------------------------------

_IMAGE_MAGICS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")


def _describe_other(data: bytes) -> str:
    head = data[:4096]
    if b"%PDF-" in head[:1024]:
        return "tệp PDF"
    if head.startswith(_IMAGE_MAGICS) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "hình ảnh"
    if head.startswith((b"PK\x05\x06", b"PK\x07\x08")):
        return "tệp nén ZIP"
    if head.startswith(b"Rar!"):
        return "tệp nén RAR"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "tệp nén 7z"
    if head.startswith(b"\x1f\x8b"):
        return "tệp nén GZIP"
    text = _as_text(head)
    if text is None:
        return "dữ liệu không rõ định dạng"
    lowered = text.lstrip().lower()
    if lowered.startswith("{\\rtf"):
        return "văn bản RTF"
    if "urn:schemas-microsoft-com:office:spreadsheet" in lowered or 'progid="excel.sheet"' in lowered:
        # "XML Spreadsheet 2003": Excel opens it, but our readers do not.
        return "bảng tính XML 2003 của Excel"
    if lowered.startswith(("<!doctype html", "<html")) or "<html" in lowered or "<table" in lowered:
        # Web portals often export an HTML table and name it .xls.
        return "trang web HTML"
    if lowered.startswith("<"):
        return "tệp XML"
    return "văn bản thuần (CSV/TXT)"


def _as_text(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if b"\x00" in head:
        return None
    try:
        # A multi-byte character may be cut at the 4 KB boundary; drop at most 3 bytes.
        text = head.decode("utf-8") if len(head) < 4096 else _decode_prefix(head)
    except UnicodeDecodeError:
        text = head.decode("cp1258", errors="replace")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return text if controls <= len(text) // 100 else None


def _decode_prefix(head: bytes) -> str:
    for cut in range(4):
        try:
            return head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("utf-8", head, 0, 1, "not utf-8")


# --------------------------------------------------------------------------------------------
# xlsx (zip)
# --------------------------------------------------------------------------------------------

# Everything zipfile/zlib raise on hostile or damaged archives (UnicodeDecodeError is a
# ValueError: a utf-8-flagged name that is not utf-8).
_ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    OverflowError,
    struct.error,
    NotImplementedError,
    RuntimeError,
)


def _check_zip(data: bytes, limits: Limits) -> list[Issue]:
    _precount_entries(data, limits)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS:
        raise _Refuse(
            issue("file.corrupt", detail="không đọc được danh mục của tệp nén, có thể tệp bị tải lên thiếu")
        ) from None
    with zf:
        infos = zf.infolist()
        _check_bomb(infos, len(data), limits)
        _check_zip_entries(infos)
        by_name: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            by_name.setdefault(part_key(info.filename), info)
        if _WORKBOOK not in by_name or _CONTENT_TYPES not in by_name:
            raise _Refuse(_not_xlsx(zf, by_name))

        issues: list[Issue] = []
        content_types = _parse_part(zf, by_name[_CONTENT_TYPES], "[Content_Types].xml")
        macro = _zip_macro(by_name, content_types)
        if macro:
            issues.append(issue("file.macro", detail=macro))
        workbook = _parse_part(zf, by_name[_WORKBOOK], _WORKBOOK)
        if _local(workbook.tag) != "workbook":
            raise _Refuse(issue("file.corrupt", detail=f"phần {_WORKBOOK} không phải là danh mục sổ làm việc"))
        _check_xml_heads(zf, infos)
        sheets, shared_strings = _worksheets(zf, by_name, workbook)
        issues += _scan_worksheets(zf, sheets, shared_strings, len(data), limits)
        return issues


def _precount_entries(data: bytes, limits: Limits) -> None:
    """Refuse an entry-count bomb from the end-of-central-directory record alone.

    zipfile.ZipFile builds one ZipInfo per entry before we can look at anything, so 400,000 tiny
    entries in 20 MB would cost seconds and hundreds of MB. Counting central-directory signatures
    is a C-speed byte scan and bounds how many ZipInfo objects zipfile can create afterwards.
    """
    located = _locate_central_directory(data)
    if located is None:
        return  # let zipfile report the damage
    declared, start, end = located
    found = data.count(b"PK\x01\x02", start, end)
    count = max(declared, found)
    if count > limits.max_zip_entries:
        raise _Refuse(_bomb_entries(count, limits))


def _locate_central_directory(data: bytes) -> tuple[int, int, int] | None:
    """(declared entry count, start, end) of the central directory, as zipfile would find it."""
    pos = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if pos < 0 or pos + 22 > len(data):
        return None
    _, _, _, _, entries, cd_size, cd_offset, _ = struct.unpack_from("<IHHHHIIH", data, pos)
    end = pos
    zip64 = entries == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF
    if zip64:
        record = pos - 20 - 56
        if record < 0 or data[pos - 20 : pos - 16] != b"PK\x06\x07" or data[record : record + 4] != b"PK\x06\x06":
            return None  # placeholders without a zip64 record: zipfile will call it corrupt
        entries, cd_size = struct.unpack_from("<QQ", data, record + 32)
        end = record
    start = end - cd_size
    if start < 0:
        return None
    return entries, start, end


def _bomb_entries(count: int, limits: Limits) -> Issue:
    return issue(
        "file.zip_bomb",
        detail=f"có {_vn_number(count)} phần nén, vượt giới hạn {_vn_number(limits.max_zip_entries)} phần",
    )


def _check_bomb(infos: list[zipfile.ZipInfo], compressed_total: int, limits: Limits) -> None:
    """Judge the archive from its central directory only: counts, declared sizes, ratios, layout."""
    if len(infos) > limits.max_zip_entries:
        raise _Refuse(_bomb_entries(len(infos), limits))
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise _Refuse(
            issue(
                "file.zip_bomb",
                detail=f"tổng dung lượng sau giải nén {_mb(total)} MB, "
                f"vượt giới hạn {_mb(limits.max_uncompressed_bytes)} MB",
            )
        )
    limit_ratio = limits.max_compression_ratio
    for info in infos:
        if info.file_size >= _RATIO_MIN_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limit_ratio:
                raise _Refuse(_bomb_ratio(f"phần {info.filename}", ratio, limit_ratio))
    # Against the real file length, not the sum of compress_size: overlapping entries that all
    # point at one compressed kernel would inflate that sum and hide the amplification.
    if total >= _RATIO_MIN_BYTES and total / compressed_total > limit_ratio:
        raise _Refuse(_bomb_ratio("toàn tệp", total / compressed_total, limit_ratio))
    for info in infos:
        if not info.flag_bits & 0x1 and _size_lies(info):
            raise _Refuse(
                issue(
                    "file.zip_bomb",
                    detail=f"kích thước khai báo của phần {info.filename} không khớp với dữ liệu nén",
                )
            )
    if _overlapping(infos):
        raise _Refuse(issue("file.zip_bomb", detail="các phần trong tệp nén chồng lấn lên nhau"))


def _bomb_ratio(what: str, ratio: float, limit: float) -> Issue:
    return issue(
        "file.zip_bomb",
        detail=f"tỷ lệ nén của {what} là {_vn_number(ratio)}:1, vượt giới hạn {_vn_number(limit)}:1",
    )


def _size_lies(info: zipfile.ZipInfo) -> bool:
    # A declared size *below* the compressed size is impossible for honest stored/deflated
    # data (deflate never grows input by more than ~0.03% + a few bytes), and is the trick used
    # to slip a bomb past ratio checks.
    if info.compress_type == zipfile.ZIP_STORED:
        return info.compress_size != info.file_size
    if info.compress_type == zipfile.ZIP_DEFLATED:
        return info.compress_size > info.file_size + info.file_size // 1000 + 64
    return False


def _overlapping(infos: list[zipfile.ZipInfo]) -> bool:
    """Entries whose data ranges overlap (the "quoted overlap" bomb: many names, one kernel)."""
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for current, following in itertools.pairwise(ordered):
        encoding = "utf-8" if current.flag_bits & 0x800 else "cp437"
        name_len = len(current.orig_filename.encode(encoding, errors="replace"))
        # 30-byte local header + name is a lower bound; extra fields only push the end further.
        if current.header_offset + 30 + name_len + current.compress_size > following.header_offset:
            return True
    return False


def _check_zip_entries(infos: list[zipfile.ZipInfo]) -> None:
    if any(info.flag_bits & 0x1 for info in infos):
        # Zip-level encryption (e.g. a 7-Zip password) rather than Excel's own.
        raise _Refuse(issue("file.encrypted"))
    for info in infos:
        if info.compress_type not in _ALLOWED_METHODS:
            raise _Refuse(
                issue("file.corrupt", detail=f"phần {info.filename} dùng kiểu nén mà Excel không hỗ trợ")
            )
    seen: set[str] = set()
    for info in infos:
        key = info.filename.lower()
        if key in seen:
            # Part names are case-insensitive in OPC; two readers may pick different copies.
            raise _Refuse(issue("file.corrupt", detail=f"phần {info.filename} bị trùng tên"))
        seen.add(key)


def _not_xlsx(zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo]) -> Issue:
    if "xl/workbook.bin" in by_name:
        return issue("file.not_spreadsheet", detected="bảng tính Excel nhị phân (.xlsb)")
    if _CONTENT_TYPES in by_name and any(name.startswith("xl/") for name in by_name):
        # An Excel package that lost its workbook part is damaged, not a different format.
        return issue("file.corrupt", detail=f"thiếu phần {_WORKBOOK}")
    if "word/document.xml" in by_name:
        return issue("file.not_spreadsheet", detected="tài liệu Word (.docx)")
    if "ppt/presentation.xml" in by_name:
        return issue("file.not_spreadsheet", detected="bản trình chiếu PowerPoint (.pptx)")
    if "mimetype" in by_name:
        mimetype = _bounded_read(zf, by_name["mimetype"], 200, "mimetype")
        if b"opendocument.spreadsheet" in mimetype:
            return issue("file.not_spreadsheet", detected="bảng tính OpenDocument (.ods)")
        return issue("file.not_spreadsheet", detected="tài liệu OpenDocument")
    return issue("file.not_spreadsheet", detected="tệp nén ZIP")


def _bounded_read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, label: str) -> bytes:
    """Read at most `limit` bytes of a part. zipfile also stops at the declared size, so a part
    that inflates beyond what it declares ends in a CRC error rather than in memory."""
    try:
        with zf.open(info) as fh:
            # zipfile inflates up to the requested length in one go before trimming to the
            # declared size, so ask for no more than the declaration (+1) to keep memory small.
            return fh.read(min(limit, info.file_size + 1))
    except _ZIP_ERRORS:
        raise _Refuse(issue("file.corrupt", detail=f"không giải nén được phần {label}")) from None


def _parse_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> Element:
    if info.file_size > _MAX_XML_PART:
        raise _Refuse(issue("file.corrupt", detail=f"phần {label} lớn bất thường ({_mb(info.file_size)} MB)"))
    raw = _bounded_read(zf, info, _MAX_XML_PART + 1, label)
    if len(raw) > _MAX_XML_PART:
        raise _Refuse(issue("file.corrupt", detail=f"phần {label} lớn bất thường"))
    try:
        # forbid_dtd: Excel never writes a DTD, so any DTD is an attack, not just entity ones.
        return _safe_fromstring(raw, forbid_dtd=True)
    except DefusedXmlException:
        raise _Refuse(issue("file.xml_unsafe", part=label)) from None
    except (ParseError, ValueError):
        raise _Refuse(issue("file.corrupt", detail=f"phần {label} không phải XML hợp lệ")) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _zip_macro(by_name: dict[str, zipfile.ZipInfo], content_types: Element) -> str | None:
    if any(name.endswith("vbaproject.bin") for name in by_name):
        return "VBA"
    if any(name.startswith(("xl/macrosheets/", "xl/intlmacrosheets/")) for name in by_name):
        return "macro Excel 4.0"
    for element in content_types.iter():
        kind = (element.get("ContentType") or "").lower()
        if "macroenabled" in kind or "vbaproject" in kind:
            return "VBA"
        if "macrosheet" in kind:
            return "macro Excel 4.0"
    return None


def _worksheets(
    zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo], workbook: Element
) -> tuple[list[tuple[str, zipfile.ZipInfo]], zipfile.ZipInfo | None]:
    """(sheet name, part) for each worksheet, via workbook.xml + its rels so messages can name
    the tab the agency sees (falling back to the xl/worksheets/ folder if the rels are missing),
    and the shared-strings part. Part names compare case-insensitively (OPC)."""
    found: list[tuple[str, zipfile.ZipInfo]] = []
    shared_strings = by_name.get("xl/sharedstrings.xml")
    rels_info = by_name.get(_WORKBOOK_RELS)
    if rels_info is not None:
        rels = _parse_part(zf, rels_info, _WORKBOOK_RELS)
        targets: dict[str, str] = {}
        for rel in rels.iter():
            if _local(rel.tag) != "Relationship" or (rel.get("TargetMode") or "").lower() == "external":
                continue
            kind, target = rel.get("Type") or "", rel.get("Target") or ""
            if not target:
                continue
            if kind.endswith("/worksheet") and rel.get("Id"):
                targets[rel.get("Id", "")] = part_key(resolve_target("xl", target))
            elif kind.endswith("/sharedStrings"):
                shared_strings = by_name.get(part_key(resolve_target("xl", target))) or shared_strings
        for sheet in workbook.iter():
            if _local(sheet.tag) != "sheet":
                continue
            rid = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
            part = by_name.get(targets.get(rid or "", ""))
            if part is not None:
                found.append((sheet.get("name") or part.filename, part))
    if not found:
        for name, info in by_name.items():
            if name.startswith("xl/worksheets/") and name.endswith(".xml") and name.count("/") == 2:
                found.append((info.filename, info))
    return found, shared_strings


def _check_xml_heads(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Excel never writes a DTD; one in any XML part (styles, shared strings, a sheet...) is refused.
    A DTD can only precede the root element, so the first 16 KB of each part is where it would be."""
    for info in infos:
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        head = _as_utf8(_bounded_read(zf, info, _HEAD_BYTES, info.filename))
        if _DTD_RE.search(head):
            raise _Refuse(issue("file.xml_unsafe", part=info.filename))


def _xml_encoding(head: bytes) -> str | None:
    """The UTF-16 flavour of an XML part from its first bytes (BOM or `<` as a 16-bit unit), else None."""
    if head.startswith(b"\xff\xfe") or head.startswith(b"<\x00"):
        return "utf-16-le"
    if head.startswith(b"\xfe\xff") or head.startswith(b"\x00<"):
        return "utf-16-be"
    return None


def _as_utf8(head: bytes) -> bytes:
    encoding = _xml_encoding(head)
    if encoding is None:
        return head
    return head.decode(encoding, errors="replace").encode("utf-8")


# Worksheet XML scanned as bytes (prefixes allowed, attributes in any order, either quote).
_P = rb"(?:[A-Za-z_][\w.-]*:)?"
_VALUE_AHEAD = rb"(?=\s*(?:<" + _P + rb"f\b[^>]*?(?:/>|>[^<]*</" + _P + rb"f>)\s*)?<" + _P + rb"(?:v|is)\b)"
# Row number of each cell that holds a value (a `<v>` or an inline `<is>`, after an optional formula).
_VALUED_CELL_ROW = re.compile(
    rb"<" + _P + rb"c\s[^>]*?\br\s*=\s*[\"']\$?[A-Za-z]{1,3}\$?(\d{1,7})[\"'][^>]*(?<!/)>" + _VALUE_AHEAD
)
_VALUED_CELL_WITHOUT_REF = re.compile(rb"<" + _P + rb"c\b(?![^>]*\br\s*=)[^>]*(?<!/)>" + _VALUE_AHEAD)
_ROW_START = re.compile(rb"<" + _P + rb"row\b")
# Index of each shared-string cell (`t="s"`).
_SHARED_REF = re.compile(
    rb"<" + _P + rb"c\s[^>]*?\bt\s*=\s*[\"']s[\"'][^>]*(?<!/)>\s*<" + _P + rb"v>\s*(\d{1,10})\s*<"
)
_CELL_REF_ATTR = re.compile(rb"\br\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?(\d{1,7})[\"']")
_STREAM_CHUNK = 1024 * 1024
_MAX_CARRY = 64 * 1024


def _segments(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's XML as UTF-8 byte segments, each ending after a complete cell or row, inflated a
    megabyte at a time: memory stays at one chunk however large the part."""
    carry = b""
    decoder = None
    first = True
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(_STREAM_CHUNK)
                if first:
                    first = False
                    encoding = _xml_encoding(chunk)
                    if encoding is not None:
                        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
                    elif chunk.startswith(codecs.BOM_UTF8):
                        chunk = chunk[len(codecs.BOM_UTF8):]
                if decoder is not None:
                    chunk = decoder.decode(chunk, final=not chunk).encode("utf-8")
                if not chunk:
                    if carry:
                        yield carry
                    return
                buffer = carry + chunk
                cut = _cell_boundary(buffer)
                if cut is None:
                    # No complete cell in the buffer yet: keep it, but never more than a cell could need.
                    carry = buffer if len(buffer) <= _MAX_CARRY else b""
                    continue
                carry = buffer[cut:]
                yield buffer[:cut]
    except _ZIP_ERRORS:
        raise _Refuse(issue("file.corrupt", detail=f"không giải nén được phần {info.filename}")) from None


def _cell_boundary(buffer: bytes) -> int | None:
    """Offset just after the last `</c>`, `</row>` or `</sheetData>` in the buffer (any prefix)."""
    position = len(buffer)
    for _ in range(64):
        position = buffer.rfind(b"</", 0, position)
        if position < 0:
            return None
        end = buffer.find(b">", position, position + 80)
        if end < 0:
            continue
        name = buffer[position + 2 : end].rsplit(b":", 1)[-1].strip()
        if name in (b"c", b"row", b"sheetData"):
            return end + 1
    return None


@dataclass
class _SheetScan:
    rows: int
    shared: Counter


def _scan_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, max_rows: int) -> _SheetScan:
    """Rows holding a value and shared-string references of one worksheet, from one streamed pass."""
    rows: set[bytes] = set()
    row_tags = 0
    without_ref = 0
    shared: Counter = Counter()
    for segment in _segments(zf, info):
        rows.update(_VALUED_CELL_ROW.findall(segment))
        without_ref += len(_VALUED_CELL_WITHOUT_REF.findall(segment))
        row_tags += len(_ROW_START.findall(segment))
        shared.update(_SHARED_REF.findall(segment))
        if len(rows) > max_rows:
            break  # already too many: the refusal does not need the exact count
    # Cells without an `r` reference are numbered by their row element: count the rows instead.
    count = max(len(rows), row_tags) if without_ref else len(rows)
    return _SheetScan(count, Counter({int(index): n for index, n in shared.items()}))


def _shared_string_lengths(zf: zipfile.ZipFile, info: zipfile.ZipInfo | None) -> list[int]:
    """Length in characters of each shared string, streamed (the strings themselves are not kept)."""
    if info is None:
        return []
    target = SharedStringsTarget(keep_text=False)
    parser = safe_expat(target)
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_STREAM_CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except DefusedXmlException:
        raise _Refuse(issue("file.xml_unsafe", part=info.filename)) from None
    except (ExpatError, ParseError, ValueError, LookupError):
        raise _Refuse(issue("file.corrupt", detail=f"phần {info.filename} không phải XML hợp lệ")) from None
    except _ZIP_ERRORS:
        raise _Refuse(issue("file.corrupt", detail=f"không giải nén được phần {info.filename}")) from None
    return target.lengths


def _scan_worksheets(
    zf: zipfile.ZipFile,
    sheets: list[tuple[str, zipfile.ZipInfo]],
    shared_strings: zipfile.ZipInfo | None,
    size: int,
    limits: Limits,
) -> list[Issue]:
    """Rows per sheet against the row limit; text the cells reference against the text limit."""
    lengths = _shared_string_lengths(zf, shared_strings)
    issues: list[Issue] = []
    referenced = 0
    heaviest: tuple[int, int, int, str, zipfile.ZipInfo] | None = None  # (weight, index, count, sheet, part)
    for sheet_name, info in sheets:
        scan = _scan_sheet(zf, info, limits.max_rows)
        if scan.rows > limits.max_rows:
            issues.append(
                issue(
                    "file.too_many_rows",
                    sheet_name=sheet_name,
                    rows=f"{'hơn ' if scan.rows > limits.max_rows + 1 else ''}{_vn_number(scan.rows)} dòng có dữ liệu",
                    limit=_vn_number(limits.max_rows),
                )
            )
        for index, count in scan.shared.items():
            if index < len(lengths):
                weight = lengths[index] * count
                referenced += weight
                if heaviest is None or weight > heaviest[0]:
                    heaviest = (weight, index, count, sheet_name, info)
    if referenced > limits.max_referenced_text and heaviest is not None:
        _, index, count, sheet_name, info = heaviest
        raise _Refuse(
            text_amplification_issue(
                total=referenced, limit=limits.max_referenced_text, size=size, length=lengths[index],
                count=count, sheet=sheet_name, cell=_first_reference(zf, info, index),
            )
        )
    return issues


def _first_reference(zf: zipfile.ZipFile, info: zipfile.ZipInfo, index: int) -> str | None:
    pattern = re.compile(
        rb"<" + _P + rb"c\s([^>]*?\bt\s*=\s*[\"']s[\"'][^>]*)(?<!/)>\s*<" + _P + rb"v>\s*" + str(index).encode() + rb"\s*<"
    )
    for segment in _segments(zf, info):
        for match in pattern.finditer(segment):
            ref = _CELL_REF_ATTR.search(match.group(1))
            if ref:
                return (ref.group(1) + ref.group(2)).decode("ascii").upper()
    return None


def text_amplification_issue(*, total: int, limit: int, size: int, length: int, count: int, sheet: str | None,
                             cell: str | None) -> Issue:
    """The refusal for cells that reference far more shared text than the file holds (issue 17 item 7); like
    every preflight refusal it is about the file, the sheet and first cell are named in the message."""
    return issue(
        "file.text_amplification",
        size=_size_text(size),
        total=_chars(total),
        limit=_chars(limit),
        count=_vn_number(count),
        cell=cell or "?",
        sheet_name=sheet or "?",
        length=_vn_number(length),
    )


def _chars(n: int) -> str:
    return f"{_vn_number(n / 1_000_000, 0 if n % 1_000_000 == 0 else 1)} triệu" if n >= 1_000_000 else _vn_number(n)


def _size_text(n: int) -> str:
    return f"{_mb(n)} MB" if n >= _MIB else f"{_vn_number(max(1, round(n / 1024)))} KB"


# --------------------------------------------------------------------------------------------
# xls (OLE2 compound file + BIFF records)
# --------------------------------------------------------------------------------------------

_ENDOFCHAIN = 0xFFFFFFFE
_MAXREGSECT = 0xFFFFFFFA
_NOSTREAM = 0xFFFFFFFF
_STORAGE, _STREAM, _ROOT = 1, 2, 5

_BIFF_BOF = 0x0809
_BIFF_EOF = 0x000A
_BIFF_FILEPASS = 0x002F
_BIFF_BOUNDSHEET = 0x0085
_BIFF_DIMENSIONS = 0x0200
_BIFF_INDEX = 0x020B
_BIFF_ROW = 0x0208
# Records before BOUNDSHEET: fonts, formats, XFs, styles, palettes... a few thousand at most.
_MAX_GLOBAL_RECORDS = 200_000
# Records between a sheet's BOF and its DIMENSIONS: settings and up to 256 COLINFOs.
_MAX_SHEET_HEADER_RECORDS = 5_000


class _OleError(Exception):
    pass


@dataclass(frozen=True)
class _DirEntry:
    name: str
    kind: int
    left: int
    right: int
    child: int
    start: int
    size: int


class _CompoundFile:
    """Just enough of [MS-CFB] to list names and read a stream, with every chain and loop
    bounded by the file length so hostile directories cannot loop or allocate."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512:
            raise _OleError("header")
        (byte_order, sector_shift, mini_shift) = struct.unpack_from("<HHH", data, 28)
        if byte_order != 0xFFFE or sector_shift not in (9, 12) or mini_shift != 6:
            raise _OleError("header fields")
        self.data = data
        self.sector_size = 1 << sector_shift
        self.v4 = sector_shift == 12
        (num_fat, first_dir) = struct.unpack_from("<II", data, 44)
        (self.mini_cutoff, first_minifat, num_minifat, first_difat, num_difat) = struct.unpack_from(
            "<IIIII", data, 56
        )
        self.n_sectors = max(0, math.ceil((len(data) - self.sector_size) / self.sector_size))
        self.fat = self._load_fat(num_fat, first_difat, num_difat)
        self.entries = self._load_directory(first_dir)
        self.first_minifat = first_minifat
        self.num_minifat = num_minifat

    def _sector(self, sid: int) -> bytes:
        if sid >= self.n_sectors:
            raise _OleError("sector out of range")
        offset = (sid + 1) * self.sector_size
        chunk = self.data[offset : offset + self.sector_size]
        # The last sector of a carelessly written file may be short; pad rather than fail.
        return chunk.ljust(self.sector_size, b"\x00")

    def _u32s(self, raw: bytes) -> array:
        values = array("I", raw)
        if sys.byteorder == "big":
            values.byteswap()
        return values

    def _load_fat(self, num_fat: int, first_difat: int, num_difat: int) -> array:
        fat_sectors = [s for s in self._u32s(self.data[76:512]) if s <= _MAXREGSECT]
        per_sector = self.sector_size // 4
        sid, seen = first_difat, set()
        for _ in range(min(num_difat, self.n_sectors)):
            if sid > _MAXREGSECT or sid in seen:
                break
            seen.add(sid)
            block = self._u32s(self._sector(sid))
            fat_sectors += [s for s in block[: per_sector - 1] if s <= _MAXREGSECT]
            sid = block[per_sector - 1]
        if num_fat:
            fat_sectors = fat_sectors[:num_fat]
        if not fat_sectors or len(fat_sectors) > self.n_sectors:
            raise _OleError("FAT")
        return self._u32s(b"".join(self._sector(s) for s in fat_sectors))

    def _chain(self, start: int, fat: array, limit: int) -> list[int]:
        """Up to `limit` sector ids of a chain; cycles and dangling links are corruption."""
        chain: list[int] = []
        seen: set[int] = set()
        sid = start
        while sid != _ENDOFCHAIN and len(chain) < limit:
            if sid > _MAXREGSECT or sid >= len(fat) or sid in seen:
                raise _OleError("chain")
            seen.add(sid)
            chain.append(sid)
            sid = fat[sid]
        return chain

    def _load_directory(self, first_dir: int) -> list[_DirEntry]:
        raw = b"".join(self._sector(s) for s in self._chain(first_dir, self.fat, self.n_sectors))
        entries = []
        for offset in range(0, len(raw) - 127, 128):
            (name_len,) = struct.unpack_from("<H", raw, offset + 64)
            kind = raw[offset + 66]
            left, right, child = struct.unpack_from("<III", raw, offset + 68)
            start, size_low, size_high = struct.unpack_from("<III", raw, offset + 116)
            # Version 3 files may leave garbage in the high half of the size ([MS-CFB] 2.6.3).
            size = size_low | (size_high << 32 if self.v4 else 0)
            name_bytes = raw[offset : offset + min(max(name_len - 2, 0), 62)]
            name = name_bytes.decode("utf-16-le", errors="replace")
            entries.append(_DirEntry(name, kind, left, right, child, start, size))
        if not entries or entries[0].kind != _ROOT:
            raise _OleError("no root entry")
        return entries

    def children(self, parent: _DirEntry) -> list[_DirEntry]:
        """Direct children of a storage (an in-order walk of its red-black sibling tree)."""
        found: list[_DirEntry] = []
        stack, seen = [parent.child], set()
        while stack:
            index = stack.pop()
            if index == _NOSTREAM or index >= len(self.entries) or index in seen:
                continue
            seen.add(index)
            entry = self.entries[index]
            found.append(entry)
            stack += [entry.left, entry.right]
        return found

    def read(self, entry: _DirEntry) -> bytes:
        """A stream's bytes, truncated to what the file actually holds."""
        size = min(entry.size, len(self.data))
        if size == 0:
            return b""
        if size < self.mini_cutoff:
            return self._read_mini(entry.start, size)
        needed = math.ceil(size / self.sector_size)
        chain = self._chain(entry.start, self.fat, needed)
        return b"".join(self._sector(s) for s in chain)[:size]

    def _read_mini(self, start: int, size: int) -> bytes:
        root = self.entries[0]
        minifat_sectors = self._chain(self.first_minifat, self.fat, min(self.num_minifat, self.n_sectors))
        minifat = self._u32s(b"".join(self._sector(s) for s in minifat_sectors))
        needed = math.ceil(size / 64)
        mini_chain = self._chain(start, minifat, needed)
        root_chain = self._chain(root.start, self.fat, self.n_sectors)
        per_sector = self.sector_size // 64
        parts = []
        for mini in mini_chain:
            host, within = divmod(mini, per_sector)
            if host >= len(root_chain):
                raise _OleError("mini stream")
            sector = self._sector(root_chain[host])
            parts.append(sector[within * 64 : within * 64 + 64])
        return b"".join(parts)[:size]


_OLE_ERRORS: tuple[type[BaseException], ...] = (_OleError, struct.error, IndexError, ValueError, OverflowError)


def _check_ole(data: bytes, limits: Limits) -> list[Issue]:
    try:
        return _check_ole_unsafe(data, limits)
    except _OLE_ERRORS:
        raise _Refuse(
            issue("file.corrupt", detail="không đọc được cấu trúc tệp Excel 97-2003, có thể tệp bị tải lên thiếu")
        ) from None


def _check_ole_unsafe(data: bytes, limits: Limits) -> list[Issue]:
    cfb = _CompoundFile(data)
    top = {entry.name.lower(): entry for entry in cfb.children(cfb.entries[0])}
    if "encryptioninfo" in top and "encryptedpackage" in top:
        # An encrypted .xlsx: Excel wraps the encrypted package in an OLE2 container.
        raise _Refuse(issue("file.encrypted"))
    workbook = top.get("workbook") or top.get("book")
    if workbook is None or workbook.kind != _STREAM:
        raise _Refuse(issue("file.not_spreadsheet", detected=_describe_ole(top)))

    issues: list[Issue] = []
    live = {entry.name.lower() for entry in cfb.entries if entry.kind in (_STORAGE, _STREAM)}
    if live & {"_vba_project_cur", "vba", "_vba_project"}:
        issues.append(issue("file.macro", detail="VBA"))
    stream = cfb.read(workbook)
    sheets, encrypted, xlm, biff8 = _scan_globals(stream)
    if encrypted:
        raise _Refuse(issue("file.encrypted"))
    if xlm and not issues:
        issues.append(issue("file.macro", detail="macro Excel 4.0"))
    for name, offset in sheets:
        rows = _biff_sheet_rows(stream, offset, biff8)
        if rows is not None and rows > limits.max_rows:
            issues.append(
                issue(
                    "file.too_many_rows",
                    sheet_name=name,
                    rows=f"{_vn_number(rows)} dòng",
                    limit=_vn_number(limits.max_rows),
                )
            )
    return issues


def _describe_ole(top: dict[str, _DirEntry]) -> str:
    if "worddocument" in top:
        return "tài liệu Word 97-2003 (.doc)"
    if "powerpoint document" in top:
        return "bản trình chiếu PowerPoint 97-2003 (.ppt)"
    return "tệp Office (OLE) không chứa bảng tính Excel"


def _records(stream: bytes, pos: int, limit: int) -> Iterator[tuple[int, int, int]]:
    """(record type, body offset, body length) of consecutive BIFF records."""
    for _ in range(limit):
        if pos + 4 > len(stream):
            return
        rtype, length = struct.unpack_from("<HH", stream, pos)
        yield rtype, pos + 4, length
        pos += 4 + length


def _scan_globals(stream: bytes) -> tuple[list[tuple[str, int]], bool, bool, bool]:
    """Sheets (name, BOF offset), FILEPASS present?, XLM/VBA-module sheet present?, BIFF8?"""
    records = _records(stream, 0, _MAX_GLOBAL_RECORDS)
    first = next(records, None)
    if first is None or first[0] != _BIFF_BOF:
        raise _OleError("workbook stream does not start with BOF")
    biff8 = first[2] >= 2 and struct.unpack_from("<H", stream, first[1])[0] >= 0x0600
    sheets: list[tuple[str, int]] = []
    xlm = False
    for rtype, body, length in records:
        if rtype == _BIFF_FILEPASS:
            return sheets, True, xlm, biff8
        if rtype == _BIFF_BOUNDSHEET and length >= 6:
            offset, _, sheet_type = struct.unpack_from("<IBB", stream, body)
            # sheet types: 0 worksheet, 1 Excel 4.0 macro sheet, 2 chart, 6 VBA module
            xlm = xlm or sheet_type in (1, 6)
            if sheet_type == 0:
                sheets.append((_biff_sheet_name(stream[body + 6 : body + length], biff8), offset))
        elif sheets or rtype == _BIFF_EOF:
            break  # BOUNDSHEETs are contiguous; nothing after them matters here
    return sheets, False, xlm, biff8


def _biff_sheet_name(raw: bytes, biff8: bool) -> str:
    if not raw:
        return "?"
    count = raw[0]
    if biff8 and len(raw) >= 2:
        wide = raw[1] & 0x1
        text = raw[2 : 2 + count * (2 if wide else 1)]
        return text.decode("utf-16-le" if wide else "latin-1", errors="replace")
    # BIFF5 names are in the workbook code page; cp1258 is the Vietnamese one.
    return raw[1 : 1 + count].decode("cp1258", errors="replace")


def _biff_sheet_rows(stream: bytes, offset: int, biff8: bool) -> int | None:
    """Rows declared by a sheet's DIMENSIONS (or INDEX) record, read without touching cells."""
    records = _records(stream, offset, _MAX_SHEET_HEADER_RECORDS)
    first = next(records, None)
    if first is None or first[0] != _BIFF_BOF:
        return None
    index_rows: int | None = None
    for rtype, body, length in records:
        if rtype == _BIFF_DIMENSIONS:
            # rwMic, rwMac (one past the last row), colMic, colMac. A range that runs backwards is damage
            # (a reader that trusts it would allocate for ~2^32 rows), so it is refused here.
            if biff8 and length >= 12:
                first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", stream, body)
            elif length >= 8:  # BIFF5: 16-bit rows
                first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", stream, body)
            else:
                return None
            if first_row > last_row or first_col > last_col:
                raise _OleError("sheet DIMENSIONS record runs backwards")
            return last_row
        elif rtype == _BIFF_INDEX:
            # reserved u32, then rwMic/rwMac as u32 (BIFF8) or u16 (BIFF5)
            if biff8 and length >= 12:
                index_rows = struct.unpack_from("<I", stream, body + 8)[0]
            elif not biff8 and length >= 8:
                index_rows = struct.unpack_from("<H", stream, body + 6)[0]
        elif rtype in (_BIFF_ROW, _BIFF_EOF, _BIFF_BOF):
            break
    return index_rows
