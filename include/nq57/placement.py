"""Where an upload must be put, and what is wrong with a key that is not there (DESIGN §3, issue 17 item 4).

The submissions bucket's layout is `<agency>/<YYYY-MM>/<file>`: the agency's code, a real month (01-12),
the file directly in the month's folder (`SUBMISSION_KEY`). Only such keys are judged and ledgered. A key
outside the layout is never read; `misplacement(key)` says why it is outside (`Problem`), which real month
the key names if any (a folder first, then the file name: `10-2026`, `2026_10`, `202610`), and so where the
file belongs. The same finding is told to the agency in Vietnamese (`misplaced_issue`, rule
`upload.misplaced`, in the feedback workbook under its own prefix) and to the operator in English
(`Misplacement.operator_text`, discovery's log and `nq57 run --inbox`).

Who can be answered: only a key whose first folder has the shape of an agency code (`AGENCY_FOLDER`, the
prefix an agency may write under in the store policies). A file at the bucket root or under any other
first folder was not put there by an agency's own credentials; it is only logged.

Stdlib only (the rule catalogue is imported when a finding is made).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from nq57 import periods

if TYPE_CHECKING:
    from nq57.intake.issues import Issue

_PERIOD = periods.PATTERN.removeprefix("^").removesuffix("$")
#: A submission's key: the agency's code, a real month, the file directly in the month's folder.
SUBMISSION_KEY = re.compile(rf"^(?P<agency>[A-Z0-9]+)/(?P<period>{_PERIOD})/(?P<name>[^/]+)$")
#: A first folder an agency can own (`nq57.ops.store_policies` allows codes of this shape only).
AGENCY_FOLDER = re.compile(r"^[A-Z0-9]+$")
#: Shape of the layout, for messages (English and Vietnamese alike).
LAYOUT = "<agency>/<YYYY-MM>/<file>"
#: The example folder every message gives.
EXAMPLE_FOLDER = "BKHCN/2026-10/"

# A real month written otherwise: year first (2026-10, 2026_1, 2026.10, 202610) or month first (10-2026,
# 1_2026, T10.2026, thang 10 2026). Digits either side would make it part of a longer number.
_YEAR_FIRST = re.compile(r"(?<!\d)(?P<year>20\d\d)[-_. ]?(?P<month>1[0-2]|0?[1-9])(?!\d)")
_MONTH_FIRST = re.compile(r"(?<!\d)(?P<month>1[0-2]|0?[1-9])[-_. ]?(?P<year>20\d\d)(?!\d)")
_MONTH_SHAPED = re.compile(r"^\d{4}-\d{2}$")

Problem = Literal["root", "not_agency", "no_month", "month_out_of_range", "month_form", "subfolder"]


@dataclass(frozen=True)
class Misplacement:
    """Why `key` is outside the layout.

    `problem`: `root` (no folder at all), `not_agency` (first folder not shaped like an agency code),
    `no_month` (the file sits directly in the agency's folder), `month_out_of_range` (a `YYYY-MM` folder
    whose month is not 01-12), `month_form` (the second folder is not written `YYYY-MM`), `subfolder`
    (subfolders below a real month's folder). `folder` is the folder at fault (the month folder, or the
    subfolders below it, `a/b`); `period` a real month the key names, if any.
    """

    key: str
    problem: Problem
    agency: str | None
    name: str
    folder: str | None = None
    period: str | None = None

    @property
    def answerable(self) -> bool:
        """Whether the upload sits under an agency's own prefix, so it can be answered there."""
        return self.agency is not None

    @property
    def suggested_key(self) -> str | None:
        """Where the file belongs, when both the agency and the month are known."""
        return f"{self.agency}/{self.period}/{self.name}" if self.agency and self.period else None

    @property
    def operator_text(self) -> str:
        """One English line for the log: what is wrong and, when known, the right key."""
        why = {
            "root": "at the bucket root, not in an agency folder",
            "not_agency": f"first folder {self.key.split('/', 1)[0]!r} is not an agency code",
            "no_month": "directly in the agency folder, no month folder",
            "month_out_of_range": f"folder {self.folder!r} is not a month (01-12)",
            "month_form": f"folder {self.folder!r} is not written YYYY-MM",
            "subfolder": f"in subfolder {self.folder!r} of the month folder",
        }[self.problem]
        text = f"not laid out as {LAYOUT}: {why}"
        if self.suggested_key:
            text += f"; it belongs at {self.suggested_key}"
        return text


def misplacement(key: str) -> Misplacement | None:
    """What is wrong with `key`, or None when it is a submission key (`SUBMISSION_KEY`)."""
    if SUBMISSION_KEY.match(key):
        return None
    parts = key.split("/")
    name = parts[-1]
    period = _named_month(parts[1:-1]) or _named_month([name])
    if len(parts) == 1:
        return Misplacement(key, "root", None, name, period=period)
    if not AGENCY_FOLDER.match(parts[0]):
        return Misplacement(key, "not_agency", None, name, period=period)
    agency = parts[0]
    if len(parts) == 2:
        return Misplacement(key, "no_month", agency, name, period=period)
    month_folder = parts[1]
    if periods.is_valid(month_folder):  # a real month with subfolders below it
        return Misplacement(key, "subfolder", agency, name, folder="/".join(parts[2:-1]), period=month_folder)
    problem: Problem = "month_out_of_range" if _MONTH_SHAPED.match(month_folder) else "month_form"
    return Misplacement(key, problem, agency, name, folder=month_folder, period=period)


def _named_month(texts: list[str]) -> str | None:
    """The first real month written in `texts` (year first, then month first, in each text in turn)."""
    for text in texts:
        for pattern in (_YEAR_FIRST, _MONTH_FIRST):
            found = pattern.search(text)
            if found:
                return f"{int(found['year']):04d}-{int(found['month']):02d}"
    return None


# ---------------------------------------------------------------- the agency's finding (Vietnamese)


def misplaced_issue(found: Misplacement, *, bucket: str, example_period: str) -> Issue:
    """The finding `upload.misplaced` for an upload outside the layout: where it was put, why that folder is
    not accepted, and where to upload it (the right key when the month is known, else `example_period`'s
    folder as an example).

    Raises:
        ValueError: `found` has no agency (nobody to answer).
    """
    from nq57.intake.rules import issue

    if found.agency is None:
        raise ValueError(f"{found.key}: not under an agency's folder, nobody to answer")
    agency_folder = f"{found.agency}/"
    problem = {
        "no_month": f"tệp nằm ngay trong thư mục của đơn vị “{agency_folder}”, không nằm trong thư mục tháng "
                    "báo cáo nào",
        "month_out_of_range": f"thư mục “{found.folder}” không phải là tháng báo cáo hợp lệ (tháng phải từ 01 "
                              "đến 12)",
        "month_form": f"thư mục “{found.folder}” không viết theo dạng năm-tháng (YYYY-MM, ví dụ 2026-10)",
        "subfolder": f"tệp nằm trong thư mục con “{found.folder}” của thư mục tháng "
                     f"“{agency_folder}{found.period}/”, trong khi tệp phải nằm ngay trong thư mục tháng",
    }[found.problem]
    if found.suggested_key:
        advice = (f"Vui lòng tải lên lại tệp vào đúng vị trí “{bucket}/{found.suggested_key}” "
                  f"(báo cáo tháng {periods.label(found.period)}).")
    else:
        advice = (f"Vui lòng tải lên lại tệp vào thư mục tháng của kỳ báo cáo, ví dụ báo cáo tháng "
                  f"{periods.label(example_period)} tải lên “{bucket}/{found.agency}/{example_period}/{found.name}”.")
    return issue("upload.misplaced", location=f"{bucket}/{found.key}", problem=problem, advice=advice)
