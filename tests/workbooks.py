"""Build filled submission workbooks for tests, starting from the official template."""

from __future__ import annotations

import io

from openpyxl import Workbook

from nq57.columns import INDICATORS, INFO, TASKS
from nq57.outputs.template import FIRST_DATA_ROW, build_template

TASK = {
    "stt": "1",
    "ma_nhiem_vu": "NQ57-BKHCN-0001",
    "ten_nhiem_vu": "Xây dựng cơ sở dữ liệu quốc gia về khoa học, công nghệ và đổi mới sáng tạo",
    "van_ban_giao": "04-TB/BCĐTW",
    "muc": "II.5.d",
    "co_quan_chu_tri": "BKHCN",
    "thoi_han": "30/06/2026",
    "san_pham": "Quyết định",
    "tinh_trang": "Đang thực hiện trong hạn",
    "tien_do": 60,
}


def task(**overrides) -> dict:
    return {**TASK, **overrides}


def filled(
    tasks: list[dict] | None = None,
    indicators: list[dict] | None = None,
    *,
    agency: str = "BKHCN",
    period: str = "2026-10",
    system: str = "NQ57",
    info: dict | None = None,
) -> Workbook:
    """The template with `ThongTin` prefilled and the given rows written by column code."""
    workbook = build_template(system, agency, period)
    sheet = workbook[INFO.sheet]
    for row in sheet.iter_rows(min_row=4):
        code = row[1].value
        if code == "ngay_bao_cao":
            row[2].value = "15/11/2026"
        if info and code in info:
            row[2].value = info[code]
    _write(workbook[TASKS.sheet], TASKS, [task()] if tasks is None else tasks)
    _write(workbook[INDICATORS.sheet], INDICATORS, indicators or [])
    return workbook


def to_bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def filled_bytes(*args, **kwargs) -> bytes:
    return to_bytes(filled(*args, **kwargs))


def _write(sheet, table, rows: list[dict]) -> None:
    index = {code: i + 1 for i, code in enumerate(table.codes)}
    for offset, values in enumerate(rows):
        for code, value in values.items():
            sheet.cell(FIRST_DATA_ROW + offset, index[code], value)
