"""The column registry (`nq57.columns`) is the one declaration of each column: the template, the parser,
the GX suites and the staging tables all agree with it. Nothing is added here; the views are compared."""

from __future__ import annotations

import dataclasses
import json

import pytest
from sqlalchemy import text

from nq57.columns import INDICATORS, INFO, TABLES, TASKS, Table
from nq57.intake import parse
from nq57.intake.parse import ParsedSubmission, parse_workbook
from nq57.intake.rules import RULES
from nq57.intake.workbook import Workbook
from nq57.outputs.template import CODE_ROW, FIRST_DATA_ROW, HEADER_ROW, build_template
from nq57.settings import EXPECTATIONS_DIR
from nq57.storage import warehouse

from corpus import indicator_sheet, submission, task, task_sheet, xlsx
from workbooks import filled, to_bytes


def _suite(table: Table) -> list[dict]:
    return json.loads((EXPECTATIONS_DIR / f"{table.suite}.json").read_text(encoding="utf-8"))["expectations"]


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.sheet)
def test_template_header_and_code_rows_are_the_registry(table):
    sheet = build_template()[table.sheet]
    width = len(table.columns)
    assert [c.value for c in sheet[HEADER_ROW]][:width] == [c.label for c in table.columns]
    assert [c.value for c in sheet[CODE_ROW]][:width] == table.codes
    for index, column in enumerate(table.columns, start=1):
        color = sheet.cell(HEADER_ROW, index).font.color
        assert (color is not None and color.rgb.endswith("C00000")) == column.required, column.code
        assert (sheet.cell(FIRST_DATA_ROW, index).number_format == "@") == column.as_text, column.code


def test_template_thongtin_rows_are_the_registry():
    rows = [row for row in build_template()[INFO.sheet].iter_rows(min_row=4, values_only=True) if row[1]]
    assert [row[1] for row in rows] == INFO.codes
    assert [row[0] for row in rows] == [c.label + (" (*)" if c.required else "") for c in INFO.columns]


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.sheet)
def test_template_headers_are_recognised_by_the_parser_without_the_code_row(table):
    workbook = filled()
    workbook[table.sheet].delete_rows(CODE_ROW)
    parsed = parse_workbook(Workbook(to_bytes(workbook), "xlsx"))
    located = parsed.task_table if table is TASKS else parsed.indicator_table
    assert located.columns == {code: index for index, code in enumerate(table.codes)}


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.sheet)
def test_every_header_synonym_maps_to_its_own_column(table):
    keys = [key for column in table.columns for key in column.synonyms]
    assert len(keys) == len(set(keys)), "a header synonym must name one column of its table"
    builder = task_sheet if table is TASKS else indicator_sheet
    entry = [task()] if table is TASKS else [{"ma_chi_tieu": "CT_11_1", "gia_tri": 1}]
    for column in table.columns:
        for key in column.synonyms:
            sheets = submission(**{"tasks" if table is TASKS else "indicators":
                                   builder(entry, labels={column.code: key.upper()})})
            parsed = parse_workbook(Workbook(xlsx(sheets), "xlsx"))
            located = parsed.task_table if table is TASKS else parsed.indicator_table
            assert located.columns.get(column.code) == table.codes.index(column.code), (column.code, key)


def test_parsed_frames_have_the_registry_fields_in_order():
    parsed = parse_workbook(Workbook(to_bytes(filled(indicators=[{"ma_chi_tieu": "CT_11_1", "gia_tri": 1}])), "xlsx"))
    assert list(parsed.tasks.columns) == TASKS.frame_columns
    assert list(parsed.indicators.columns) == INDICATORS.frame_columns
    assert len(parsed.tasks) == len(parsed.indicators) == 1
    assert list(parse.empty_frame(TASKS).columns) == TASKS.frame_columns


def test_every_column_kind_has_a_reader_and_every_reader_rule_is_in_the_catalogue():
    for table in TABLES:
        assert {c.kind for c in table.columns} <= set(parse._READERS), table.sheet
    typed = [c for c in INFO.columns if c.kind != "text"]
    assert {c.kind for c in typed} <= set(parse._INFO_READERS)
    attributes = {f.name for f in dataclasses.fields(ParsedSubmission)}
    assert {c.fields[0].name for c in typed} <= attributes
    for table in (*TABLES, INFO):
        for column in table.columns:
            assert column.rule is None or column.rule in RULES, column.code
    assert all(c.rule for c in typed), "a ThongTin value that cannot be read needs a rule to report it"


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.sheet)
def test_staging_mapping_names_each_field_and_staging_column_once(table):
    staged = [f for f in table.fields if f.staging]
    assert len({f.staging for f in staged}) == len(staged)
    assert len(set(table.frame_columns)) == len(table.frame_columns)
    assert set(table.staging_columns.values()) <= set(table.frame_columns)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.sheet)
def test_gx_suites_check_registry_fields_as_their_declared_types(table):
    types = {f.name: f.gx_type for f in table.fields}
    not_null = set()
    for expectation in _suite(table):
        kwargs = expectation["kwargs"]
        assert kwargs["column"] in types, kwargs["column"]
        condition = kwargs.get("row_condition")
        if condition:
            assert condition["column"]["name"] in types
        if expectation["type"] == "expect_column_values_to_be_between":
            bound = kwargs.get("max_value", kwargs.get("min_value"))
            expected = "date" if isinstance(bound, dict) else "number"
            assert types[kwargs["column"]] == expected, kwargs["column"]
        if expectation["type"] == "expect_column_values_to_not_be_null" and not condition:
            not_null.add(table.column_of(kwargs["column"]).code)
    assert not_null == {c.code for c in table.columns if c.required}


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.sheet)
def test_staging_tables_have_the_registry_columns(warehouse_url, table):
    schema, name = table.staging_table.split(".")
    with warehouse.engine(warehouse_url).connect() as conn:
        found = conn.execute(text(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = :s AND table_name = :t"),
            {"s": schema, "t": name}).scalars().all()
    assert set(found) == {"submission_id", "source_sheet", *table.staging_columns}

