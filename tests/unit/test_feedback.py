"""The agency's feedback workbook: a receipt (file, SHA-256, time against the deadline, verdict, which version
counts), an import-style summary, every issue listed and marked in place on their own sheets, hints that only
point at sheets the reader can see, and a feedback key of its own for every upload name."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

import openpyxl
import pytest

from nq57 import periods
from nq57.intake import rules, submission
from nq57.outputs import feedback
from nq57.outputs.feedback import Counting, Receipt

from workbooks import filled, filled_bytes, task, to_bytes

VN = periods.VN
RECEIVED = dt.datetime(2026, 11, 18, 16, 2, tzinfo=VN)


def receipt(**overrides) -> Receipt:
    values = dict(file_name="bao_cao.xlsx", sha256="ab" * 32, received_at=RECEIVED, agency="BKHCN", period="2026-10",
                  system="NQ57", accepted=True, submission_id=7,
                  counting=(Counting("NQ57", 7, "bao_cao.xlsx", RECEIVED),))
    return Receipt(**{**values, **overrides})


def sheet_text(body: bytes) -> list[list[object]]:
    return [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(body))[feedback.SHEET].iter_rows()]


def pairs(body: bytes) -> dict[str, str]:
    """The receipt and summary blocks: label (column A) -> value (column E)."""
    return {row[0]: row[4] for row in sheet_text(body) if isinstance(row[0], str) and isinstance(row[4], str)
            and row[1] is None}


def listing(body: bytes) -> list[list[object]]:
    """The rows of section III (one per issue)."""
    rows = sheet_text(body)
    start = next(i for i, row in enumerate(rows) if row[0] == "III. DANH SÁCH LỖI VÀ CẢNH BÁO")
    return [row for row in rows[start + 2:] if isinstance(row[0], int)]


@pytest.mark.usefixtures("gx")
def test_rejected_upload_gets_its_own_file_back_with_each_problem_marked_in_place():
    data = filled_bytes([task(tinh_trang="Đang làm"), task(ma_nhiem_vu="B", ten_nhiem_vu="=HYPERLINK(\"http://x\")",
                                                           tien_do=140)])
    result = submission.evaluate(data, "bao_cao.xlsx", expected_agency="BKHCN", expected_period="2026-10")
    body = feedback.build_feedback(original=data, receipt=receipt(accepted=False, counting=()), counts=result.counts,
                                   issues=result.issues)
    book = openpyxl.load_workbook(io.BytesIO(body))

    assert book.sheetnames[0] == "PhanHoi" and "NhiemVu" in book.sheetnames
    assert pairs(body)["Kết quả kiểm tra"].startswith("KHÔNG ĐƯỢC TIẾP NHẬN")
    cells = {row[3]: row for row in listing(body)}
    assert "K5" in cells and "L6" in cells
    assert cells["K5"][1] == "Lỗi" and "Đang làm" in cells["K5"][4] and cells["K5"][5]

    sheet = book["NhiemVu"]
    assert sheet["K5"].comment is not None and "Đang làm" in sheet["K5"].comment.text
    assert sheet["K5"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["L6"].comment is not None and "0–100" in sheet["L6"].comment.text
    assert sheet["K5"].value == "Đang làm"  # their data is untouched
    assert any("ô có lỗi được tô màu và có ghi chú ngay trong các sheet của đơn vị phía sau" in str(row[0])
               for row in sheet_text(body))
    assert all(c.data_type != "f" for row in book["PhanHoi"].iter_rows() for c in row)


@pytest.mark.usefixtures("gx")
def test_accepted_upload_gets_a_receipt_and_says_it_counts():
    data = filled_bytes([task(thoi_han="31/12/2026")])
    result = submission.evaluate(data, "ok.xlsx", expected_agency="BKHCN", expected_period="2026-10",
                                 today=dt.date(2026, 11, 15))
    body = feedback.build_feedback(original=data, receipt=receipt(file_name="ok.xlsx"), counts=result.counts,
                                   issues=result.issues)
    found = pairs(body)
    assert found["Tệp báo cáo"] == "ok.xlsx"
    assert found["Đơn vị báo cáo"] == "BKHCN – Bộ Khoa học và Công nghệ"
    assert found["Kỳ báo cáo"] == "Tháng 10/2026"
    assert found["Mã kiểm tra tệp (SHA-256)"] == "ab" * 32
    assert found["Thời điểm tiếp nhận"] == "16:02:00 ngày 18/11/2026 (giờ Việt Nam)"
    assert found["Thời hạn nộp"].endswith("tệp được nộp đúng hạn.") and "Hết ngày 20/11/2026" in found["Thời hạn nộp"]
    assert found["Kết quả kiểm tra"] == "ĐƯỢC TIẾP NHẬN (0 lỗi, 0 cảnh báo)"
    assert found["Bản báo cáo dùng để tổng hợp"] == "Tệp này được dùng để tổng hợp số liệu hệ thống NQ57 tháng 10/2026."
    assert found["Số dòng dữ liệu đọc được"] == "1 dòng nhiệm vụ, 0 dòng chỉ tiêu"
    assert found["Số dòng được đưa vào tổng hợp"] == "1 dòng nhiệm vụ, 0 dòng chỉ tiêu"
    assert any(row[0] == "Không có lỗi hay cảnh báo nào." for row in sheet_text(body))


def test_the_receipt_says_which_version_counts():
    earlier = Counting("NQ57", 5, "bao_cao_lan1.xlsx", dt.datetime(2026, 11, 10, 9, 5, tzinfo=VN))
    kept = pairs(feedback.build_feedback(original=None, receipt=receipt(accepted=False, counting=(earlier,)),
                                         counts={}, issues=[]))
    assert kept["Bản báo cáo dùng để tổng hợp"] == (
        "Tệp này không được tiếp nhận; bản nộp lúc 09:05:00 ngày 10/11/2026 (tệp bao_cao_lan1.xlsx) vẫn được dùng để "
        "tổng hợp số liệu hệ thống NQ57 tháng 10/2026.")
    assert kept["Số dòng được đưa vào tổng hợp"].startswith("Không có dòng nào")

    later = Counting("NQ57", 9, "bao_cao_lan3.xlsx", dt.datetime(2026, 11, 19, 8, 0, tzinfo=VN))
    superseded = pairs(feedback.build_feedback(original=None, receipt=receipt(counting=(later,)), counts={}, issues=[]))
    assert "Tệp này được tiếp nhận, nhưng bản nộp lúc 08:00:00 ngày 19/11/2026 (tệp bao_cao_lan3.xlsx) mới hơn" in (
        superseded["Bản báo cáo dùng để tổng hợp"])

    none = pairs(feedback.build_feedback(original=None, receipt=receipt(accepted=False, counting=()), counts={},
                                         issues=[]))
    assert none["Bản báo cáo dùng để tổng hợp"].startswith(
        "Tệp này không được tiếp nhận và đơn vị chưa có báo cáo hệ thống NQ57 nào được tiếp nhận cho tháng 10/2026")

    unknown_system = pairs(feedback.build_feedback(
        original=None, receipt=receipt(accepted=False, system=None, counting=(earlier,)), counts={}, issues=[]))
    assert "NQ57: bản nộp lúc 09:05:00 ngày 10/11/2026" in unknown_system["Bản báo cáo dùng để tổng hợp"]


@pytest.mark.parametrize(("received", "verdict"), [
    (dt.datetime(2026, 11, 20, 23, 59, tzinfo=VN), "tệp được nộp đúng hạn."),
    (dt.datetime(2026, 11, 21, 0, 0, tzinfo=VN), "tệp được nộp sau thời hạn 0 giờ 0 phút."),
    (dt.datetime(2026, 11, 23, 3, 30, tzinfo=VN), "tệp được nộp sau thời hạn 2 ngày 3 giờ."),
    (dt.datetime(2026, 11, 20, 17, 30, tzinfo=dt.UTC), "tệp được nộp sau thời hạn 0 giờ 30 phút."),  # 00:30 in Hà Nội
])
def test_on_time_or_late_is_judged_against_the_deadline_in_vietnam_time(received, verdict):
    found = pairs(feedback.build_feedback(original=None, receipt=receipt(received_at=received), counts={}, issues=[]))
    assert found["Thời hạn nộp"].endswith(verdict)


@pytest.mark.usefixtures("gx")
def test_summary_counts_rows_like_an_import_summary_and_findings_by_rule():
    rows = [task(ma_nhiem_vu=f"A{n}", thoi_han="31/12/2026") for n in range(5)]
    rows[1] = {**rows[1], "tinh_trang": "Đang làm"}  # an error
    rows[2] = {**rows[2], "tinh_trang": "Đang làm", "tien_do": 140}  # two errors, one row
    rows[3] = {**rows[3], "tinh_trang": "Hoàn thành đúng hạn", "tien_do": 90, "ngay_hoan_thanh": "01/10/2026"}
    data = filled_bytes(rows)
    result = submission.evaluate(data, "a.xlsx", expected_agency="BKHCN", expected_period="2026-10",
                                 today=dt.date(2026, 11, 15))
    body = feedback.build_feedback(original=data, receipt=receipt(accepted=result.accepted, counting=()),
                                   counts=result.counts, issues=result.issues)
    found = pairs(body)
    assert found["Số dòng dữ liệu đọc được"] == "5 dòng nhiệm vụ, 0 dòng chỉ tiêu"
    assert found["Số dòng có lỗi"] == "2 dòng nhiệm vụ, 0 dòng chỉ tiêu"
    assert found["Số dòng không có lỗi"] == "3 dòng nhiệm vụ, 0 dòng chỉ tiêu"
    assert found["Số dòng chỉ có cảnh báo"] == "1 dòng nhiệm vụ, 0 dòng chỉ tiêu"  # progress 90 on a completed task
    assert found["Lỗi chung của tệp (không thuộc dòng nào)"] == "0 lỗi"
    by_rule = {row[6]: row for row in sheet_text(body) if row[6] in rules.RULES and isinstance(row[2], int)}
    assert by_rule["task.status_invalid"][2] == 2 and by_rule["task.status_invalid"][4] == "Tình trạng không thuộc danh mục"
    assert by_rule["task.status_invalid"][5] == "NhiemVu!K6, NhiemVu!K7"
    assert by_rule["task.progress_out_of_range"][2] == 1
    assert by_rule["task.progress_not_100"][1] == "Cảnh báo"


def test_feedback_for_a_refused_file_lists_the_reason_only():
    result = submission.evaluate(b"%PDF-1.7", "scan.xlsx", expected_agency="T01", expected_period="2026-10")
    body = feedback.build_feedback(original=b"%PDF-1.7", receipt=receipt(file_name="scan.xlsx", accepted=False,
                                                                         counting=()),
                                   counts=result.counts, issues=result.issues)
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["PhanHoi"]
    assert [row[6] for row in listing(body)] == ["file.not_spreadsheet"]
    assert pairs(body)["Lỗi chung của tệp (không thuộc dòng nào)"] == "1 lỗi"


@pytest.mark.usefixtures("gx")
@pytest.mark.parametrize("hidden", [True, False], ids=["catalogue hidden in their copy", "no catalogue in their copy"])
def test_every_sheet_a_hint_names_is_visible(hidden):
    workbook = filled([task(co_quan_chu_tri="Bộ Không Có")], [{"ma_chi_tieu": None, "gia_tri": 1}])
    for name in ("DM_DonVi", "DM_ChiTieu"):
        if hidden:
            workbook[name].sheet_state = "hidden"
        else:
            del workbook[name]
    data = to_bytes(workbook)
    result = submission.evaluate(data, "a.xlsx", expected_agency="BKHCN", expected_period="2026-10")
    body = feedback.build_feedback(original=data, receipt=receipt(accepted=False, counting=()), counts=result.counts,
                                   issues=result.issues)
    book = openpyxl.load_workbook(io.BytesIO(body))
    named = {name for issue in result.issues for name in book.sheetnames + list(feedback.CATALOGUES)
             if f"sheet {name}" in f"{issue.hint} {issue.message}"}
    assert {"DM_DonVi", "DM_ChiTieu"} <= named
    for name in named:
        assert name in book.sheetnames and book[name].sheet_state == "visible", name
    assert book["DM_DonVi"]["A4"].value == "BQP"  # the catalogue itself, as the template writes it


def broken_task_sheet() -> bytes:
    """A filled template whose NhiemVu sheet XML is cut in half (the template's third sheet)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(filled_bytes([task()]))) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            target.writestr(item, content[: len(content) // 2] if item.filename == "xl/worksheets/sheet3.xml"
                            else content)
    return out.getvalue()


@pytest.mark.usefixtures("gx")
@pytest.mark.parametrize("kind", ["empty file", "broken NhiemVu sheet"])
def test_a_file_without_a_copy_never_points_at_sheets_that_are_not_there(kind):
    data = b"" if kind == "empty file" else broken_task_sheet()
    result = submission.evaluate(data, "bao_cao.xlsx", expected_agency="BKHCN", expected_period="2026-10")
    body = feedback.build_feedback(original=data, receipt=receipt(accepted=False, counting=()), counts=result.counts,
                                   issues=result.issues)
    assert openpyxl.load_workbook(io.BytesIO(body)).sheetnames == ["PhanHoi"]  # nothing of theirs to mark
    text = " ".join(str(v) for row in sheet_text(body) for v in row if v)
    assert "Vui lòng sửa các lỗi trong danh sách ở mục III rồi tải lên lại tệp vào đúng thư mục của đơn vị." in text
    assert "phía sau" not in text and "tô màu" not in text
    if kind == "broken NhiemVu sheet":  # the finding names the sheet that cannot be read, not the first one
        assert [(row[2], row[3], row[6]) for row in listing(body)] == [("NhiemVu", "Toàn sheet", "sheet.unreadable")]


def test_a_copy_without_a_marked_cell_does_not_promise_marks():
    found = [rules.issue("file.unreadable")]  # a file-wide finding: no cell to mark in their copy
    body = feedback.build_feedback(original=filled_bytes([task()]), receipt=receipt(accepted=False, counting=()),
                                   counts={"tasks": 1}, issues=found)
    assert "NhiemVu" in openpyxl.load_workbook(io.BytesIO(body)).sheetnames
    assert not any("phía sau" in str(v) for row in sheet_text(body) for v in row if v)


def test_hints_of_a_file_without_a_copy_point_at_added_catalogue_sheets():
    found = [rules.issue("task.unknown_agency", sheet="NhiemVu", row=5, column="G", value="X")]
    body = feedback.build_feedback(original=None, receipt=receipt(accepted=False), counts={"tasks": 1}, issues=found)
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["PhanHoi", "DM_DonVi"] and book["DM_DonVi"].sheet_state == "visible"


@pytest.mark.parametrize("names", [
    ("a.xls", "a.xlsx"), ("a.xlsx", "a.XLSX"), ("a", "a.xlsx"), ("bao.cao.xlsx", "bao.cao.xls"),
    ("a.xlsx", "a.xlsx.xlsx"), ("bao cao.xlsx", "bao cao.xls"),
])
def test_two_uploads_of_one_folder_never_share_a_feedback_file(names):
    keys = {feedback.feedback_key("T01", "2026-10", f"T01/2026-10/{name}") for name in names}
    assert len(keys) == len(names)
    assert all(key.startswith("T01/2026-10/") and key.endswith(".feedback.xlsx") for key in keys)


def test_a_local_check_says_it_is_not_a_submission():
    data = b"whatever"
    local = feedback.local_receipt(data, "a.xlsx", agency="T01", period="2026-10", system="NQ71", accepted=True,
                                   checked_at=dt.datetime(2026, 11, 25, 10, 0, tzinfo=VN))
    found = pairs(feedback.build_feedback(original=None, receipt=local, counts={"tasks": 3}, issues=[]))
    assert found["Thời điểm kiểm tra"] == "10:00:00 ngày 25/11/2026 (giờ Việt Nam)"
    assert found["Thời hạn nộp"].endswith("đã quá hạn, tệp nộp bây giờ được ghi nhận là nộp muộn.")
    assert found["Kết quả kiểm tra"].startswith("ĐẠT YÊU CẦU")
    assert found["Bản báo cáo dùng để tổng hợp"].startswith("Tệp chưa được nộp.")
    assert found["Mã kiểm tra tệp (SHA-256)"] == hashlib.sha256(data).hexdigest()


def test_an_upload_outside_the_layout_is_answered_without_a_period_or_a_verdict_on_time():
    from nq57.placement import misplaced_issue, misplacement

    finding = misplaced_issue(misplacement("T01/2026-13/a.xlsx"), bucket="nq57-submissions", example_period="2026-10")
    answer = feedback.misplaced_receipt(bucket="nq57-submissions", key="T01/2026-13/a.xlsx", sha256="cd" * 32,
                                        received_at=RECEIVED, agency="T01")
    body = feedback.build_feedback(original=None, receipt=answer, counts={}, issues=[finding])
    found = pairs(body)
    assert not answer.local and answer.misplaced
    assert "Kiểm tra thử trước khi nộp" not in str(sheet_text(body))  # it was uploaded, not checked locally
    assert found["Vị trí tải lên"] == "nq57-submissions/T01/2026-13/a.xlsx"
    assert found["Thời điểm tải lên"] == "16:02:00 ngày 18/11/2026 (giờ Việt Nam)"
    assert found["Kỳ báo cáo"] == "Không xác định (tệp không nằm trong thư mục tháng báo cáo)"
    assert found["Thời hạn nộp"].startswith("Không áp dụng: tệp tải lên sai thư mục không được tính là đã nộp")
    assert "đúng hạn" not in found["Thời hạn nộp"] and "muộn" not in found["Thời hạn nộp"]
    assert found["Kết quả kiểm tra"] == "KHÔNG ĐƯỢC TIẾP NHẬN (1 lỗi, 0 cảnh báo)"
    assert found["Bản báo cáo dùng để tổng hợp"].startswith("Tệp này không được tiếp nhận nên không được dùng")
    assert "Số dòng dữ liệu đọc được" not in found  # nothing was read
    (row,) = listing(body)
    assert row[1:7] == ["Lỗi", None, None, finding.message, finding.hint, "upload.misplaced"]
    assert openpyxl.load_workbook(io.BytesIO(body)).sheetnames == [feedback.SHEET]
