"""Damaged and hostile workbook parts never crash judging, and each file costs bounded time and memory.

Hypothesis mutates the parts of a real submission (styles, shared strings, worksheets, workbook, relationships,
content types) the ways fuzzers and broken tools do: flipped and inserted bytes, truncation, hostile
snippets (a DTD, undefined entities, out-of-range indexes, impossible references, huge numbers, wrong types),
rewritten attribute values, re-encoding. Legacy .xls files get flipped and cut bytes. `submission.evaluate`
must always return a verdict whose issues are well formed, never raise, and stay within a bound of CPU time
and traced memory per file (bounds generous enough for a busy machine; the point is that no input makes
the cost run away). `NQ57_FUZZ_EXAMPLES` raises the number of variants for a longer campaign.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import time
import tracemalloc
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nq57.intake import submission as nq57_submission
from nq57.intake.parse import parse_workbook
from nq57.intake.preflight import check_upload
from nq57.intake.rules import RULES
from nq57.intake.workbook import TextAmplification, UnreadableWorkbook, Workbook

from corpus import Cell, ExcelError, info_sheet, submission, task, task_sheet, utf16, xls, xlsx

TODAY = dt.date(2026, 11, 15)
EXAMPLES = int(os.getenv("NQ57_FUZZ_EXAMPLES", "30"))
CPU_SECONDS_PER_FILE = 20.0
TRACED_BYTES_PER_FILE = 64 * 2**20

_SHEETS = submission(
    tasks=task_sheet([task(tien_do=Cell(0.6, num_format="0%"), thoi_han=Cell(dt.date(2027, 6, 1), num_format="mm/yyyy")),
                      task(ma_nhiem_vu="NQ57-BKHCN-0002", ma_lien_ket=ExcelError("#N/A"), ket_qua="Đã ban hành",
                           kho_khan=Cell("Kinh phí", font=".VnTime")),
                      task(ma_nhiem_vu="NQ57-BKHCN-0003", thoi_han=dt.date(2026, 12, 31), co_quan_chu_tri="BTC (chủ trì)")],
                     code_row=True),
    indicators=[{"ma_chi_tieu": "CT_12", "gia_tri": 1287}],
    info=info_sheet(),
)
BASE_XLSX = xlsx(_SHEETS)
BASE_XLS = xls(_SHEETS)
with zipfile.ZipFile(io.BytesIO(BASE_XLSX)) as _zip:
    PARTS = {info.filename: _zip.read(info.filename) for info in _zip.infolist()}
XML_PARTS = sorted(name for name in PARTS if name.endswith((".xml", ".rels")))

SNIPPETS = [
    b'<!DOCTYPE x [<!ENTITY e "ha">]>', b"&e;", b"&#0;", b"&#xD800;", b"<![CDATA[<c r=\"A1\"/>]]>", b"\x00", b"\xff\xfe",
    b'<c r="XFD1048576" t="s"><v>999999999</v></c>', b'<c r="A0" t="s"><v>-1</v></c>', b'<c r="ZZZZ9"><v>1</v></c>',
    b'<c t="e"><v>#SPILL!</v></c>', b'<c t="d"><v>not-a-date</v></c>', b'<c s="99999"><v>1e999</v></c>',
    b'<c t="n"><v>NaN</v></c>', b'<c t="b"><v>2</v></c>', b'<c t="inlineStr"><is><r><t>a</t></r><rPh><t>b</t></rPh></is></c>',
    b'<row r="0">', b'<row r="99999999">', b"</row></sheetData><sheetData>", b"<sheetData>", b"</c>",
    b'<mergeCells><mergeCell ref="A1:XFD1048576"/><mergeCell ref="B2:A1"/></mergeCells>',
    b'<numFmts><numFmt numFmtId="-1" formatCode="["/><numFmt numFmtId="x" formatCode="mm/yyyy"/></numFmts>',
    b'<cellXfs><xf numFmtId="99999" fontId="-5"/><xf numFmtId="14" fontId="9999"/></cellXfs>',
    b'<fonts><font><name val=""/></font></fonts>', b'<si><t>' + b"x" * 5000 + b"</t></si>", b"<si/>",
    b'<workbookPr date1904="true"/>', b'<sheet name="" sheetId="1" r:id="rId999"/>', b'<sheet state="veryHidden"/>',
    b'<Relationship Id="rId1" Type="x/worksheet" Target="../../../etc/passwd"/>',
    b'<Relationship Id="rId2" Type="x/styles" Target="styles.xml#frag" TargetMode="External"/>',
    b'<Override PartName="/xl/worksheets/sheet9.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled"/>',
    b"_x0001__xD83D__x0000_", b"\xe1\xba", b"<" * 50, b'<?xml version="1.0" encoding="UTF-16"?>',
]
ATTRIBUTES = rb'\b(t|s|r|numFmtId|fontId|xfId|date1904|state|ref|Target|count|formatCode|val)="[^"]*"'
VALUES = st.sampled_from([b"", b"-1", b"0", b"99999999999", b"s", b"e", b"d", b"inlineStr", b"str", b"A0", b"XFD1048577",
                          b"$A$1", b"1e308", b"NaN", b"hidden", b"veryHidden", b"../x.xml", b"/", b"\xff", b"&amp;",
                          b"A1:XFD1048576", b"[Red]0%;mm/dd/yyyy", b"General", b"@"])

mutation = st.one_of(
    st.tuples(st.just("flip"), st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=6)),
    st.tuples(st.just("cut"), st.integers(min_value=0)),
    st.tuples(st.just("insert"), st.integers(min_value=0), st.binary(min_size=1, max_size=40)),
    st.tuples(st.just("snippet"), st.integers(min_value=0), st.sampled_from(SNIPPETS)),
    st.tuples(st.just("attribute"), st.integers(min_value=0), VALUES),
    st.tuples(st.just("utf16"), st.sampled_from(["utf-16-le", "utf-16-be"])),
)


def mutate(content: bytes, change: tuple) -> bytes:
    kind = change[0]
    data = bytearray(content)
    if not data:
        return content
    if kind == "flip":
        for position, value in change[1]:
            data[position % len(data)] = value
        return bytes(data)
    if kind == "cut":
        return bytes(data[: change[1] % len(data)])
    if kind in ("insert", "snippet"):
        at = change[1] % len(data)
        return bytes(data[:at]) + change[2] + bytes(data[at:])
    if kind == "attribute":
        found = list(re.finditer(ATTRIBUTES, content))
        if not found:
            return content
        match = found[change[1] % len(found)]
        return content[: match.start()] + match.group(1) + b'="' + change[2] + b'"' + content[match.end():]
    try:
        return utf16(content, change[1])
    except UnicodeDecodeError:
        return content


def rebuild(edits: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in PARTS.items():
            target.writestr(name, edits.get(name, content))
    return out.getvalue()


def reading_peak(data: bytes, kind: str) -> int:
    """Peak traced memory of preflight, reading and parsing (what depends on the file; GX works on the rows)."""
    tracemalloc.start()
    try:
        checked = check_upload(data, f"x.{kind}")
        if not checked.refused:
            try:
                parse_workbook(Workbook(data, checked.kind or kind))
            except (UnreadableWorkbook, TextAmplification):
                pass  # refusals evaluate() turns into issues
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


TRIED: dict[str, list[float]] = {"cpu": [], "peak": []}


class _Crashes(logging.Handler):
    """`evaluate` turns an exception into a refusal and logs it: for the fuzz tests that log is a crash."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def judge_bounded(data: bytes, name: str):
    """The verdict, checked well formed and reached without the safety net (no exception inside), with the
    file's CPU time and peak traced memory held to their bounds."""
    crashes = _Crashes()
    logger = logging.getLogger("nq57.intake")
    logger.addHandler(crashes)
    started = time.process_time()
    try:
        result = nq57_submission.evaluate(data, name, expected_agency="BKHCN", expected_period="2026-10", today=TODAY)
    finally:
        logger.removeHandler(crashes)
    cpu = time.process_time() - started
    assert not crashes.records, crashes.records[0].exc_text or crashes.records[0].getMessage()
    peak = reading_peak(data, name.rsplit(".", 1)[-1])
    assert isinstance(result.accepted, bool)
    assert result.accepted == (not any(i.severity == "error" for i in result.issues))
    if not result.accepted:
        assert result.issues
    for issue in result.issues:
        assert issue.severity in ("error", "warning") and issue.rule and issue.message.strip(), issue
    assert cpu < CPU_SECONDS_PER_FILE, cpu
    assert peak < TRACED_BYTES_PER_FILE, peak
    TRIED["cpu"].append(cpu)
    TRIED["peak"].append(peak)
    return result


pytestmark = pytest.mark.usefixtures("gx")  # every variant is judged end to end, GX suites included


def teardown_module() -> None:
    if TRIED["cpu"]:
        print(f"\nfuzz: {len(TRIED['cpu'])} variants judged, 0 crashes; max CPU {max(TRIED['cpu']):.2f} s/file, "
              f"max traced reading memory {max(TRIED['peak']) / 2**20:.1f} MiB/file")


def test_the_unmutated_files_are_accepted():
    for data, name in ((BASE_XLSX, "a.xlsx"), (BASE_XLS, "a.xls")):
        result = judge_bounded(data, name)
        assert result.accepted and len(result.tasks) == 3, result.issues


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.tuples(st.sampled_from(["xl/styles.xml", "xl/sharedStrings.xml"]), mutation), min_size=1, max_size=3))
def test_damaged_styles_and_shared_strings_never_crash_judging(changes):
    edits: dict[str, bytes] = {}
    for part, change in changes:
        edits[part] = mutate(edits.get(part, PARTS[part]), change)
    judge_bounded(rebuild(edits), "hong.xlsx")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.tuples(st.sampled_from(XML_PARTS), mutation), min_size=1, max_size=4))
def test_damaged_parts_of_any_kind_never_crash_judging(changes):
    edits: dict[str, bytes] = {}
    for part, change in changes:
        edits[part] = mutate(edits.get(part, PARTS[part]), change)
    judge_bounded(rebuild(edits), "hong.xlsx")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.tuples(st.integers(min_value=512), st.integers(0, 255)), min_size=1, max_size=12),
       st.one_of(st.none(), st.integers(min_value=512)))
def test_damaged_legacy_xls_never_crashes_judging(flips, cut):
    data = bytearray(BASE_XLS)
    for position, value in flips:
        data[position % len(data)] = value
    if cut is not None:
        del data[cut % len(data):]
    judge_bounded(bytes(data), "hong.xls")


def test_every_file_level_rule_a_fuzzed_file_can_meet_is_in_the_catalogue():
    assert {"file.corrupt", "file.xml_unsafe", "file.text_amplification", "file.too_many_rows",
            "file.unreadable"} <= set(RULES)
