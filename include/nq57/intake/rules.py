"""The rejection contract: every rule an upload is judged by, with the Vietnamese text the agency reads.

One `Rule` per id: its severity (`error` refuses the file, `warning` is reported only), a short title (how
the feedback workbook's summary names the rule when it counts findings), the message and the hint as
`str.format` templates, and the stage that checks it:

- `placement` (`nq57.placement`): the object key against the bucket layout (`<agency>/<YYYY-MM>/<file>`);
  an upload outside it is answered with this finding alone, never read or ledgered;
- `preflight` (`intake.preflight`): the raw bytes, before any reader runs;
- `parse` (`intake.parse`): sheets, headers and cells met while reading the workbook;
- `submission` (`intake.submission`): the file against its upload folder (`<agency>/<YYYY-MM>/`);
- `suite` (the Great Expectations suites in `expectations/*.json`, run by `intake.validation`): the typed
  rows. Each expectation's `meta.rule` names its rule here; `{value}` is the offending value.

Every finding is made by `issue(rule_id, ...)`, so the text below is exactly what the feedback workbook,
`nq57 validate` and the warehouse show, each message rendered as one sentence (capital first letter, full
stop). `{reason}` is the value parser's own explanation (`intake.values`, a Vietnamese clause). Severity and wording follow DESIGN §4 ("What must be
rejected, with a precise Vietnamese message and nothing loaded").
"""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass
from typing import Literal

from nq57.intake.issues import Issue, Severity

Stage = Literal["placement", "preflight", "parse", "submission", "suite", "ledger"]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    stage: Stage
    #: A few Vietnamese words naming what the rule finds, without any value (the summary's "Quy tắc").
    title: str
    message: str
    hint: str | None = None

    @property
    def row_level(self) -> bool:
        """Whether a finding of this rule is about one task or indicator row (and not the file, a sheet, a
        column or the ThongTin block): the rules of the `task` and `indicator` families that the parser or
        the suites check, or the ledger checks against what other agencies reported."""
        return self.id.split(".", 1)[0] in ("task", "indicator") and self.stage in ("parse", "suite", "ledger")

    @property
    def fields(self) -> set[str]:
        """The template fields message and hint expect (location fields `sheet`, `row`, `column` included)."""
        texts = (self.message, self.hint or "")
        return {name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name}

    def issue(self, *, sheet: str | None = None, row: int | None = None, column: str | None = None,
              **fields: object) -> Issue:
        """An `Issue` at (sheet, 1-based row, column letter or code) with the templates filled from
        `fields` and the location. Raises KeyError when a template field is not given."""
        values = {"sheet": sheet, "row": row, "column": column, **fields}
        return Issue(
            severity=self.severity,
            rule=self.id,
            message=_sentence(_fill(self.message, values)),
            sheet=sheet,
            row=row,
            column=column,
            hint=_fill(self.hint, values) if self.hint else None,
        )


def _fill(template: str, values: dict[str, object]) -> str:
    return unicodedata.normalize("NFC", template.format_map(values))


def _sentence(text: str) -> str:
    """Every message reads as one sentence: capital first letter, full stop at the end."""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


_SAVE_AS_XLSX = "chọn “Lưu thành” (Save As) với định dạng “Sổ làm việc Excel (*.xlsx)”"

_RULES: tuple[Rule, ...] = (
    # ---------------------------------------------------------------- where the file was put (placement)
    # `{problem}` and `{advice}` are clauses `nq57.placement.misplaced_issue` writes for the key at hand.
    Rule("upload.misplaced", "error", "placement",
         "Tệp tải lên sai thư mục",
         "Tệp được tải lên tại “{location}”, không đúng thư mục quy định: {problem}; vì vậy tệp không được "
         "tiếp nhận và nội dung tệp chưa được kiểm tra.",
         "Báo cáo phải được tải lên thư mục <mã cơ quan>/<năm-tháng>/, ví dụ BKHCN/2026-10/ cho báo cáo "
         "tháng 10/2026 (tháng từ 01 đến 12), và đặt ngay trong thư mục tháng, không tạo thư mục con. {advice}"),
    # ---------------------------------------------------------------- the file itself (preflight)
    Rule("file.empty", "error", "preflight",
         "Tệp rỗng",
         "Tệp tải lên không có dữ liệu (dung lượng 0 byte).",
         "Vui lòng kiểm tra lại tệp báo cáo đã được lưu đầy đủ trên máy rồi tải lên lại."),
    Rule("file.too_large", "error", "preflight",
         "Tệp vượt quá dung lượng cho phép",
         "Tệp có dung lượng {size_mb} MB, vượt quá giới hạn {limit_mb} MB.",
         "Vui lòng xóa các trang tính, hình ảnh hoặc dữ liệu không thuộc mẫu báo cáo, lưu lại rồi tải lên lại."),
    Rule("file.not_spreadsheet", "error", "preflight",
         "Không phải bảng tính Excel",
         "Tệp tải lên không phải là bảng tính Excel (.xlsx hoặc .xls): hệ thống nhận diện đây là {detected}.",
         f"Vui lòng mở báo cáo bằng Excel, {_SAVE_AS_XLSX} theo mẫu và tải lên lại; "
         "không đổi đuôi tên tệp bằng tay."),
    Rule("file.corrupt", "error", "preflight",
         "Tệp Excel bị hỏng",
         "Tệp Excel bị hỏng hoặc sai cấu trúc nên hệ thống không đọc được ({detail}).",
         f"Vui lòng mở tệp bằng Excel để kiểm tra; nếu mở được, {_SAVE_AS_XLSX} rồi tải lên lại, "
         "nếu không mở được, vui lòng lập lại báo cáo từ mẫu."),
    Rule("file.encrypted", "error", "preflight",
         "Tệp được đặt mật khẩu",
         "Tệp được đặt mật khẩu (mã hóa) nên hệ thống không đọc được.",
         "Vui lòng mở tệp bằng Excel, gỡ mật khẩu (Tệp › Thông tin › Bảo vệ Sổ làm việc › "
         "Mã hóa bằng Mật khẩu, xóa mật khẩu rồi bấm OK), lưu lại rồi tải lên lại."),
    Rule("file.macro", "error", "preflight",
         "Tệp có chứa macro",
         "Tệp có chứa macro ({detail}), hệ thống không tiếp nhận tệp có macro vì lý do an toàn.",
         f"Vui lòng mở tệp bằng Excel, {_SAVE_AS_XLSX} (định dạng này không lưu macro) "
         "rồi tải lên tệp .xlsx mới."),
    Rule("file.zip_bomb", "error", "preflight",
         "Cấu trúc nén bất thường",
         "Tệp có cấu trúc nén bất thường ({detail}) nên bị từ chối vì lý do an toàn.",
         f"Vui lòng mở tệp bằng Excel, xóa các trang tính và dữ liệu thừa ngoài mẫu báo cáo, "
         f"{_SAVE_AS_XLSX} rồi tải lên lại; nếu vẫn bị từ chối, vui lòng liên hệ bộ phận hỗ trợ."),
    Rule("file.xml_unsafe", "error", "preflight",
         "Khai báo XML không an toàn",
         "Phần {part} của tệp chứa khai báo XML không an toàn (DTD/thực thể), hệ thống từ chối vì lý do an toàn.",
         f"Vui lòng mở tệp bằng Excel, {_SAVE_AS_XLSX} rồi tải lên lại; không dùng công cụ khác "
         "để sửa trực tiếp cấu trúc bên trong tệp."),
    Rule("file.too_many_rows", "error", "preflight",
         "Trang tính vượt quá số dòng cho phép",
         "Trang tính “{sheet_name}” có {rows}, vượt quá giới hạn {limit} dòng cho mỗi trang tính.",
         "Vui lòng xóa các dòng thừa, kể cả các dòng trống đã được tô màu hoặc kẻ khung ở cuối "
         "trang tính (chọn các dòng đó › Xóa), lưu lại rồi tải lên lại."),
    Rule("file.text_amplification", "error", "preflight",
         "Văn bản lặp lại bất thường trong nhiều ô",
         "Tệp chỉ {size} nhưng khi mở ra các ô chứa tổng cộng {total} ký tự văn bản, vượt giới hạn {limit} ký tự: "
         "{count} ô (ô đầu tiên: {cell} trong trang tính “{sheet_name}”) cùng lặp lại một đoạn văn bản dài "
         "{length} ký tự.",
         "Vui lòng kiểm tra các ô nêu trên: chỉ giữ nội dung cần báo cáo (không sao chép một đoạn văn bản dài "
         "vào hàng loạt ô), xóa các trang tính và dữ liệu thừa ngoài mẫu báo cáo, lưu lại rồi tải lên lại."),
    Rule("file.extension_mismatch", "warning", "preflight",
         "Đuôi tên tệp không khớp với định dạng",
         "Tên tệp có đuôi “{ext}” nhưng nội dung là bảng tính {kind}; "
         "hệ thống vẫn tiếp nhận và xử lý theo định dạng {kind}.",
         "Lần sau vui lòng lưu tệp bằng chức năng “Lưu thành” (Save As) của Excel, "
         "không đổi đuôi tên tệp bằng tay."),
    # ---------------------------------------------------------------- sheets, headers, cells (parse)
    # A missing sheet cannot be pointed at: the finding sits on A1 of the first sheet the agency sees.
    Rule("sheet.missing", "error", "parse",
         "Thiếu sheet của mẫu báo cáo",
         "Không tìm thấy sheet “{missing}” ({role}){listing}.",
         "Dùng đúng mẫu báo cáo, giữ nguyên sheet {missing}; nếu {role} đang nằm ở sheet khác, "
         "đổi tên sheet đó thành “{missing}”."),
    Rule("sheet.ignored", "warning", "parse",
         "Sheet cùng dạng không được đọc",
         "{how} “{other}” cũng có dạng {role} nhưng không được đọc; hệ thống đọc sheet “{sheet}”.",
         "Nếu “{other}” là số liệu cũ, nên xóa sheet đó; nếu số liệu cần báo cáo nằm ở “{other}”, "
         "chuyển sang sheet “{sheet}” rồi tải lên lại."),
    Rule("sheet.hidden_read", "warning", "parse",
         "Số liệu được đọc từ sheet đang ẩn",
         "{role} được đọc từ sheet “{sheet}” đang bị ẩn{how}, vì tệp không có sheet hiện nào phù hợp.",
         "Kiểm tra đây đúng là số liệu của kỳ báo cáo; nên bỏ ẩn sheet (chuột phải vào tên sheet › Bỏ ẩn)."),
    # A damaged sheet is there but none of its cells can be read: the finding names it, without a cell.
    Rule("sheet.unreadable", "error", "parse",
         "Sheet bị hỏng",
         "Sheet “{name}” bị hỏng (cấu trúc bên trong không hợp lệ) nên hệ thống không đọc được.",
         "Mở tệp bằng Excel (Excel sẽ tự sửa), chọn “Lưu thành” (Save As) định dạng .xlsx rồi tải lên lại."),
    Rule("sheet.unreadable_extra", "warning", "parse",
         "Sheet ngoài mẫu bị hỏng",
         "Sheet “{name}” bị hỏng (cấu trúc bên trong không hợp lệ) nên hệ thống không đọc được; "
         "số liệu của sheet này không được ghi nhận.",
         "Mở tệp bằng Excel (Excel sẽ tự sửa), chọn “Lưu thành” (Save As) định dạng .xlsx rồi tải lên lại."),
    Rule("file.part_repaired", "warning", "parse",
         "Phần định dạng ô bị hỏng",
         "Phần định dạng ô của tệp (styles) bị hỏng nên hệ thống bỏ qua định dạng: số dạng phần trăm (60%) có "
         "thể bị đọc là 0,6 và ngày có thể bị đọc là số.",
         "Mở tệp bằng Excel, chọn “Lưu thành” (Save As) định dạng .xlsx rồi tải lên lại để định dạng được đọc đúng."),
    Rule("cell.damaged", "warning", "parse",
         "Ô lưu giá trị không hợp lệ",
         "Ô {cells} của sheet “{sheet}” lưu giá trị không hợp lệ (tệp bị hỏng một phần), hệ thống coi các ô "
         "này là trống.",
         "Mở tệp bằng Excel, kiểm tra và nhập lại các ô này, lưu lại rồi tải lên lại."),
    Rule("table.header_missing", "error", "parse",
         "Không tìm thấy dòng tiêu đề",
         "Không tìm thấy dòng tiêu đề của {table} trong {rows} dòng đầu của sheet “{sheet}” (theo mẫu, "
         "dòng {template_row} ghi: {labels}, …).",
         "Giữ nguyên dòng tiêu đề của mẫu ({labels}, …)."),
    # At the header row, in the column where the template order expects it (see parse._expected_columns).
    Rule("column.missing", "error", "parse",
         "Thiếu cột bắt buộc",
         "Thiếu cột bắt buộc “{label}” ở dòng tiêu đề (dòng {row}): {place}.",
         "Chèn cột “{label}” vào đúng vị trí theo mẫu, hoặc sửa lại tên cột cho đúng."),
    Rule("column.unknown", "warning", "parse",
         "Cột không có trong mẫu",
         "Cột '{header}' không có trong mẫu, hệ thống bỏ qua cột này.",
         "Nếu nội dung cần được ghi nhận, chuyển sang cột phù hợp của mẫu (ví dụ Kết quả hoặc Kiến nghị)."),
    Rule("cell.formula_no_value", "warning", "parse",
         "Công thức chưa có kết quả tính",
         "Ô {cell} chứa công thức nhưng tệp không lưu kết quả tính, hệ thống đọc ô này là trống.",
         "Mở tệp bằng Excel, bấm tính lại (F9) rồi lưu, hoặc thay công thức bằng giá trị (Paste Values)."),
    Rule("cell.excel_error", "warning", "parse",
         "Ô chứa lỗi Excel",
         "Ô {cell} ({label}) chứa lỗi Excel “{code}”{meaning}, giá trị thật của ô không xác định; hệ thống coi "
         "ô này là trống.",
         "Sửa công thức, hoặc chép ô rồi dán giá trị (Paste Values) để ô có giá trị đúng, lưu lại rồi tải lên lại."),
    # Made in place of any error a rule raises at a cell holding an Excel error: never "value missing".
    Rule("cell.excel_error_required", "error", "parse",
         "Ô bắt buộc chứa lỗi Excel",
         "Ô {cell} ({label}) chứa lỗi Excel “{code}”{meaning} thay vì giá trị cần có: {reason}",
         "Sửa công thức, hoặc nhập trực tiếp giá trị đúng vào ô (chép rồi dán giá trị), lưu lại rồi tải lên lại."),
    Rule("cell.date_serial", "warning", "parse",
         "Ngày ghi dưới dạng số",
         "{count} ô của cột “{label}” ghi ngày dưới dạng số ({listing}): Excel hiển thị các ô này là số, hệ thống "
         "đọc thành ngày theo {system}.",
         "Kiểm tra các ngày trên; định dạng ô là Ngày (dd/mm/yyyy) hoặc gõ lại ngày dạng dd/mm/yyyy."),
    Rule("text.legacy_encoding", "warning", "parse",
         "Văn bản gõ bằng bảng mã cũ",
         "{count} ô trong sheet '{sheet}' (ô đầu tiên: {cell}) được gõ bằng bảng mã cũ (TCVN3/VNI) "
         "và đã được chuyển sang Unicode.",
         "Nên dùng phông chữ Unicode (Times New Roman) và bảng mã Unicode khi nhập liệu."),
    Rule("info.missing", "error", "parse",
         "Thiếu thông tin chung bắt buộc",
         "Chưa điền '{label}'.",
         "Điền đầy đủ các ô bắt buộc trong sheet ThongTin."),
    Rule("info.unknown_agency", "error", "parse",
         "Mã đơn vị không có trong danh mục",
         "Mã đơn vị '{value}' không có trong danh mục đơn vị.",
         "Dùng mã đơn vị trong sheet DM_DonVi, ví dụ BKHCN hoặc T01."),
    Rule("info.period_invalid", "error", "parse",
         "Kỳ báo cáo không hợp lệ",
         "{reason}",
         "Ghi kỳ báo cáo theo dạng MM/YYYY, ví dụ 10/2026."),
    Rule("info.system_invalid", "error", "parse",
         "Hệ thống nguồn không hợp lệ",
         "Hệ thống nguồn '{value}' phải là NQ57 hoặc NQ71."),
    Rule("info.report_date_invalid", "error", "parse",
         "Ngày báo cáo không hợp lệ",
         "{reason}"),
    Rule("info.yes_no_invalid", "error", "parse",
         "Giá trị Có/Không không hợp lệ",
         "{reason}"),
    Rule("task.item_numeric", "warning", "parse",
         "Mục trong văn bản lưu dạng số",
         "Mục '{value}' được lưu dạng số nên có thể mất số 0 cuối (11.10 thành 11.1).",
         "Định dạng cột 'Mục trong văn bản' là Văn bản (Text) rồi nhập lại."),
    Rule("task.unknown_agency", "error", "parse",
         "Cơ quan chủ trì không có trong danh mục",
         "Cơ quan chủ trì '{value}' không có trong danh mục đơn vị.",
         "Chọn cơ quan trong danh sách thả xuống (sheet DM_DonVi)."),
    Rule("task.several_leads", "warning", "parse",
         "Nhiều cơ quan chủ trì trong một ô",
         "Ô có nhiều cơ quan chủ trì; lấy '{lead}' làm cơ quan chủ trì, các cơ quan còn lại coi là phối hợp.",
         "Mỗi nhiệm vụ ghi một cơ quan chủ trì; các cơ quan khác ghi ở cột Cơ quan phối hợp."),
    Rule("task.unknown_partner", "warning", "parse",
         "Cơ quan phối hợp không có trong danh mục",
         "Cơ quan phối hợp '{value}' không có trong danh mục; giữ nguyên dạng chữ."),
    Rule("task.deadline_unreadable", "error", "parse",
         "Thời hạn không đọc được",
         "{reason}",
         "Ghi thời hạn theo dạng dd/mm/yyyy, mm/yyyy, Quý IV/2025, 2025, Thường xuyên hoặc Hằng năm."),
    Rule("task.completion_date_unreadable", "error", "parse",
         "Ngày hoàn thành không đọc được",
         "{reason}",
         "Ghi ngày hoàn thành theo dạng dd/mm/yyyy."),
    Rule("task.progress_unreadable", "error", "parse",
         "Tiến độ không đọc được",
         "{reason}",
         "Ghi tiến độ là số từ 0 đến 100."),
    Rule("task.date_maybe_swapped", "warning", "parse",
         "Ngày có thể bị đảo ngày và tháng",
         "Cột “{label}” có ngày có thể bị đảo ngày và tháng ({listing}): {sign}.",
         "Kiểm tra các ô nêu trên; nếu sai, gõ lại ngày dạng chữ dd/mm/yyyy hoặc đặt định dạng ô là dd/mm/yyyy "
         "rồi nhập lại."),
    Rule("task.status_mismatch", "warning", "parse",
         "Tình trạng khác với tình trạng tính theo thời hạn",
         "Tình trạng báo cáo '{value}' khác với tình trạng tính theo thời hạn và ngày hoàn thành ({derived}).",
         "Kiểm tra lại tình trạng, thời hạn và ngày hoàn thành."),
    Rule("indicator.code_numeric", "warning", "parse",
         "Mã chỉ tiêu lưu dạng số",
         "Mã chỉ tiêu '{value}' được lưu dạng số nên có thể mất số 0 cuối (11.10 thành 11.1).",
         "Ghi mã chỉ tiêu dạng chữ, ví dụ CT_11_10."),
    Rule("indicator.value_unreadable", "error", "parse",
         "Giá trị chỉ tiêu không đọc được",
         "{reason}",
         "Ghi giá trị là số, ví dụ 80,5 hoặc 1.287."),
    # ---------------------------------------------------------------- the file against its upload folder
    # Anything that fails while judging one file: its refusal (and an English log line), never an aborted run.
    Rule("file.unreadable", "error", "submission",
         "Hệ thống không xử lý được tệp",
         "Hệ thống không xử lý được tệp này: tệp có thể bị hỏng hoặc có cấu trúc bất thường.",
         f"Mở tệp bằng Excel (Excel sẽ tự sửa nếu được), {_SAVE_AS_XLSX} rồi tải lên lại; nếu Excel không mở "
         "được, vui lòng lập lại báo cáo từ mẫu."),
    Rule("upload.unknown_agency", "error", "submission",
         "Thư mục tải lên không phải mã đơn vị",
         "Thư mục tải lên '{agency}' không phải là mã đơn vị trong danh mục.",
         "Tải tệp vào thư mục mang đúng mã đơn vị của mình."),
    Rule("info.agency_mismatch", "error", "submission",
         "Mã đơn vị khác với đơn vị tải lên",
         "Mã đơn vị trong tệp ({in_file}) khác với đơn vị tải lên ({uploaded}).",
         "Mỗi đơn vị chỉ tải lên báo cáo của chính mình; kiểm tra lại ô Mã đơn vị."),
    Rule("info.period_future", "error", "submission",
         "Kỳ báo cáo ở tương lai",
         "Kỳ báo cáo {period} ở tương lai.",
         "Ghi đúng tháng báo cáo theo dạng MM/YYYY."),
    Rule("info.period_mismatch", "error", "submission",
         "Kỳ báo cáo khác với thư mục tải lên",
         "Kỳ báo cáo trong tệp ({in_file}) khác với thư mục tải lên ({uploaded}).",
         "Tải tệp vào thư mục của đúng kỳ báo cáo, hoặc sửa ô Kỳ báo cáo."),
    Rule("task.empty", "error", "submission",
         "Không có nhiệm vụ nào",
         "Sheet nhiệm vụ không có nhiệm vụ nào nhưng chưa đánh dấu 'Không phát sinh'.",
         "Ghi danh sách nhiệm vụ, hoặc chọn 'Có' ở ô 'Không phát sinh nhiệm vụ trong kỳ' (sheet ThongTin)."),
    Rule("task.nil_with_tasks", "warning", "submission",
         "Chọn “Không phát sinh” nhưng vẫn có nhiệm vụ",
         "Đã chọn 'Không phát sinh' nhưng sheet nhiệm vụ vẫn có nhiệm vụ; hệ thống vẫn tiếp nhận các nhiệm vụ."),
    # ---------------------------------------------------------------- against the ledger (pipeline.judge)
    Rule("task.code_owned_elsewhere", "warning", "ledger",
         "Mã nhiệm vụ do cơ quan khác chủ trì",
         "Mã nhiệm vụ {code} đã được {owner} báo cáo với vai trò cơ quan chủ trì; dòng này được lưu nhưng "
         "không thay thế báo cáo của cơ quan chủ trì trong số liệu tổng hợp.",
         "Nếu đơn vị là cơ quan phối hợp, ghi cơ quan chủ trì là {owner_code}; nếu đây là nhiệm vụ khác, dùng mã "
         "nhiệm vụ của đơn vị trên hệ thống nguồn."),
    # ---------------------------------------------------------------- typed rows (expectations/nhiem_vu.json)
    Rule("task.code_missing", "error", "suite",
         "Thiếu mã nhiệm vụ",
         "Thiếu mã nhiệm vụ.",
         "Ghi mã nhiệm vụ theo hệ thống nguồn (NQ57 hoặc NQ71)."),
    Rule("task.code_duplicate", "error", "suite",
         "Mã nhiệm vụ bị trùng",
         "Mã nhiệm vụ '{value}' bị trùng trong tệp.",
         "Mỗi nhiệm vụ chỉ ghi một dòng với một mã duy nhất."),
    Rule("task.name_missing", "error", "suite",
         "Thiếu tên nhiệm vụ",
         "Thiếu tên nhiệm vụ.",
         "Ghi tên nhiệm vụ như trong văn bản giao."),
    Rule("task.name_too_long", "error", "suite",
         "Tên nhiệm vụ quá dài",
         "Tên nhiệm vụ dài quá 2.000 ký tự.",
         "Rút gọn tên nhiệm vụ; nội dung chi tiết ghi ở cột Kết quả."),
    Rule("task.document_missing", "error", "suite",
         "Thiếu văn bản giao nhiệm vụ",
         "Thiếu văn bản giao nhiệm vụ.",
         "Ghi số, ký hiệu văn bản, ví dụ 57-NQ/TW hoặc 71/NQ-CP."),
    Rule("task.lead_missing", "error", "suite",
         "Thiếu cơ quan chủ trì",
         "Thiếu cơ quan chủ trì.",
         "Chọn cơ quan chủ trì trong danh sách thả xuống."),
    Rule("task.deadline_missing", "error", "suite",
         "Thiếu thời hạn",
         "Thiếu thời hạn.",
         "Ghi thời hạn: dd/mm/yyyy, mm/yyyy, Quý IV/2025, 2025, Thường xuyên hoặc Hằng năm."),
    Rule("task.status_missing", "error", "suite",
         "Thiếu tình trạng thực hiện",
         "Thiếu tình trạng thực hiện.",
         "Chọn một trong 7 tình trạng ở danh sách thả xuống."),
    Rule("task.status_invalid", "error", "suite",
         "Tình trạng không thuộc danh mục",
         "Tình trạng '{value}' không thuộc danh mục 7 tình trạng.",
         "Chọn một trong 7 tình trạng ở danh sách thả xuống (ví dụ: Đang thực hiện trong hạn)."),
    Rule("task.progress_out_of_range", "error", "suite",
         "Tiến độ nằm ngoài khoảng 0–100",
         "Tiến độ {value} nằm ngoài khoảng 0–100.",
         "Ghi tiến độ là số phần trăm từ 0 đến 100."),
    Rule("task.completion_date_missing", "error", "suite",
         "Thiếu ngày hoàn thành",
         "Nhiệm vụ đã hoàn thành nhưng chưa ghi ngày hoàn thành.",
         "Ghi ngày hoàn thành (dd/mm/yyyy) cho nhiệm vụ đã hoàn thành."),
    Rule("task.completion_after_report", "error", "suite",
         "Ngày hoàn thành sau ngày báo cáo",
         "Ngày hoàn thành {value} sau ngày báo cáo.",
         "Ngày hoàn thành không được sau ngày báo cáo; kiểm tra lại ngày."),
    Rule("task.progress_not_100", "warning", "suite",
         "Đã hoàn thành nhưng tiến độ chưa đủ 100%",
         "Nhiệm vụ đã hoàn thành nhưng tiến độ là {value}%, chưa đủ 100%.",
         "Nhiệm vụ đã hoàn thành ghi tiến độ 100."),
    # ---------------------------------------------------------------- typed rows (expectations/chi_tieu.json)
    Rule("indicator.code_missing", "error", "suite",
         "Thiếu mã chỉ tiêu",
         "Thiếu mã chỉ tiêu.",
         "Chọn mã chỉ tiêu trong danh sách thả xuống (sheet DM_ChiTieu)."),
    Rule("indicator.code_unknown", "error", "suite",
         "Mã chỉ tiêu không có trong danh mục",
         "Mã chỉ tiêu '{value}' không có trong danh mục.",
         "Dùng mã trong danh mục chỉ tiêu, ví dụ CT_11_1."),
    Rule("indicator.code_duplicate", "error", "suite",
         "Chỉ tiêu được ghi nhiều lần",
         "Chỉ tiêu '{value}' được ghi nhiều lần.",
         "Mỗi chỉ tiêu chỉ ghi một dòng."),
    Rule("indicator.value_missing", "error", "suite",
         "Thiếu giá trị chỉ tiêu",
         "Thiếu giá trị chỉ tiêu và không có ghi chú giải thích.",
         "Ghi giá trị, hoặc ghi lý do chưa có số liệu ở cột Ghi chú."),
)

#: Rule id -> rule: the whole catalogue.
RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def issue(rule_id: str, *, sheet: str | None = None, row: int | None = None, column: str | None = None,
          **fields: object) -> Issue:
    """The finding of rule `rule_id` (see `Rule.issue`). Raises KeyError for an id not in the catalogue."""
    return RULES[rule_id].issue(sheet=sheet, row=row, column=column, **fields)
