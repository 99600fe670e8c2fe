"""Formula-like text an agency typed, in every workbook we write (report, feedback, review): a text cell with
the quote-prefix style, printed as typed, never evaluated, and no visible apostrophe (issue 17's lesser item:
the old escape wrote the apostrophe into the text)."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from nq57.intake.issues import Issue
from nq57.outputs import excel_text, feedback, review

PAYLOADS = ['=HYPERLINK("http://example.invalid/x","Bấm vào đây")', "+cmd|'/c calc'!A0", "-1+2", "@SUM(1+1)"]


def saved(workbook: Workbook) -> Workbook:
    out = io.BytesIO()
    workbook.save(out)
    return load_workbook(io.BytesIO(out.getvalue()), rich_text=True)


def assert_protected(workbook: Workbook, sheet: str) -> set[str]:
    found = set()
    for row in workbook[sheet].iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{sheet}!{cell.coordinate} = {cell.value!r}"
            value = str(cell.value) if cell.value is not None else ""
            assert not value.startswith("'"), f"{sheet}!{cell.coordinate} shows an apostrophe"
            if value.startswith(excel_text.FORMULA_TRIGGERS):
                assert cell.quotePrefix, f"{sheet}!{cell.coordinate}"
                found.add(value)
    return found


def test_protect_keeps_text_as_typed():
    workbook = Workbook()
    sheet = workbook.active
    for row, payload in enumerate(PAYLOADS, start=1):
        sheet.cell(row, 1, payload)
        sheet.cell(row, 2, "Bình thường")
    sheet.cell(9, 1, CellRichText(TextBlock(InlineFont(b=True), "=1+1"), " đậm"))
    excel_text.protect_sheet(sheet)
    reread = saved(workbook)
    assert assert_protected(reread, sheet.title) == {*PAYLOADS, "=1+1 đậm"}
    assert [reread.active.cell(r, 1).value for r in range(1, 5)] == PAYLOADS
    assert not reread.active["B1"].quotePrefix


def test_feedback_lists_formula_like_messages_safely():
    issues = [Issue(severity="error", rule="task.status_invalid", sheet=PAYLOADS[2], row=5, column="K",
                    message=PAYLOADS[0], hint=PAYLOADS[1])]
    receipt = feedback.local_receipt(b"", PAYLOADS[3], agency="BKHCN", period="2026-10", system=None, accepted=False)
    body = feedback.build_feedback(original=None, receipt=receipt, counts={"tasks": 0, "indicators": 0},
                                   issues=issues)
    found = assert_protected(load_workbook(io.BytesIO(body)), feedback.SHEET)
    assert {PAYLOADS[0], PAYLOADS[1], PAYLOADS[2], PAYLOADS[3]} <= found


def test_review_sheet_names_and_documents_are_safe():
    queue = pd.DataFrame([{
        "period": "2026-10", "lead_agency_code": "BKHCN", "nq57_task_code": "57-1", "nq71_task_code": "71-1",
        "score": 0.7, "evidence": {}, "name57": PAYLOADS[0], "deadline57": None, "doc57": PAYLOADS[2],
        "item57": None, "name71": PAYLOADS[0], "deadline71": None, "doc71": PAYLOADS[3], "item71": None,
    }])
    workbook = saved(review.review_workbook(queue))
    found = assert_protected(workbook, review.SHEET)
    assert {PAYLOADS[0], PAYLOADS[2], PAYLOADS[3]} <= found
