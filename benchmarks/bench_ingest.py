"""Stage timings of the ingest path against the way it is usually hand-written, on the same files.

    make bench                       # 60 agencies x 2 systems, ~300 tasks each
    python benchmarks/bench_ingest.py --agencies 10 --tasks 100

Ours: the streaming sparse reader + parser, one warm GX context, COPY into staging in one transaction.
Baseline: openpyxl cell loops, a fresh GX context per file, `DataFrame.to_sql`.
Also: parse + validate of a 500-row and a 50,000-row file, refusing a zip bomb (time, peak memory), and
reading cost bounded by the data: peak memory of the stray-cell file (one space in column XFD) beside its
control, and of refusing a shared-string amplification file, each judged in a fresh process.
Prints figures; asserts nothing (tests check behaviour, this measures speed).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402
from sqlalchemy import text  # noqa: E402

from nq57 import reference  # noqa: E402
from nq57.columns import TASKS  # noqa: E402
from nq57.devtools import embedded, sample_data  # noqa: E402
from nq57.devtools.dedupe_synthetic import labelled_pairs  # noqa: E402
from nq57.intake import validation  # noqa: E402
from nq57.intake.parse import parse_workbook  # noqa: E402
from nq57.intake.submission import evaluate  # noqa: E402
from nq57.intake.workbook import Workbook  # noqa: E402
from nq57.settings import EXPECTATIONS_DIR, Settings  # noqa: E402
from nq57.storage import warehouse  # noqa: E402
from nq57.uploads import Upload  # noqa: E402
from nq57.vocabulary import STATUSES  # noqa: E402


def big_file(path: Path, rows: int, period: str) -> Path:
    """One agency's NQ57 file with `rows` tasks (realistic rows repeated under fresh codes)."""
    base, _, _ = labelled_pairs(seed=rows, agencies=1, tasks_per_agency=min(rows, 300), codes=["BKHCN"])
    records = base.to_dict("records")
    tasks = [{**records[n % len(records)], "task_code": f"NQ57-BKHCN-{n:06d}", "link_code": None} for n in range(rows)]
    return sample_data.write_submission(path, "BKHCN", period, "NQ57", tasks, random.Random(rows))


# ---------------------------------------------------------------- the usual hand-written way


def baseline_parse(data: bytes) -> pd.DataFrame:
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    sheet = book["NhiemVu"]
    header = [cell.value for cell in sheet[3]]
    rows = []
    for r in range(5, sheet.max_row + 1):
        record = {}
        for c, name in enumerate(header, start=1):
            record[name] = sheet.cell(r, c).value
        if record.get("Mã nhiệm vụ"):
            rows.append(record)
    return pd.DataFrame(rows)


def baseline_validate(frame: pd.DataFrame) -> bool:
    import great_expectations as gx

    spec = json.loads((EXPECTATIONS_DIR / "nhiem_vu.json").read_text(encoding="utf-8"))
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch = context.data_sources.add_pandas("p").add_dataframe_asset("a").add_batch_definition_whole_dataframe("b")
    suite = context.suites.add(gx.ExpectationSuite(**spec))
    definition = context.validation_definitions.add(gx.ValidationDefinition(name="v", data=batch, suite=suite))
    renamed = frame.rename(columns={"Mã nhiệm vụ": "ma_nhiem_vu", "Tên nhiệm vụ": "ten_nhiem_vu",
                                    "Văn bản giao nhiệm vụ": "van_ban_giao", "Cơ quan chủ trì": "co_quan_chu_tri_raw",
                                    "Thời hạn": "thoi_han_raw", "Tình trạng": "tinh_trang_raw",
                                    "Tiến độ (%)": "tien_do", "Ngày hoàn thành": "ngay_hoan_thanh"})
    renamed["status_code"] = renamed["tinh_trang_raw"]
    renamed["source_row"] = range(5, 5 + len(renamed))
    renamed["ngay_hoan_thanh"] = pd.to_datetime(renamed["ngay_hoan_thanh"], format="%d/%m/%Y", errors="coerce")
    result = definition.run(batch_parameters={"dataframe": renamed},
                            expectation_parameters={"status_codes": list(STATUSES.values()),
                                                    "report_date": pd.Timestamp("2026-12-31")})
    return result.success


def baseline_load(url: str, frame: pd.DataFrame) -> None:
    with warehouse.engine(url).begin() as conn:
        frame.astype(str).to_sql("bench_baseline_task", conn, schema="staging", if_exists="append", index=False)


# ---------------------------------------------------------------- ours


def ours(url: str, data: bytes, name: str, agency: str, period: str) -> tuple[float, float, float, int]:
    started = time.perf_counter()
    parsed = parse_workbook(Workbook(data, "xlsx"))
    parsed_at = time.perf_counter()
    validation.run_suite(parsed.tasks, TASKS, parsed.task_table,
                         parameters={"status_codes": list(STATUSES), "report_date": pd.Timestamp("2026-12-31")})
    validated_at = time.perf_counter()
    obj = Upload(bucket="bench", key=name, version_id="v1", size=len(data),
                 last_modified=pd.Timestamp.now(tz="UTC").to_pydatetime(), agency_code=agency, period=period)

    class Verdict:  # the fields record_outcome reads
        accepted, issues, tasks, indicators = True, [], parsed.tasks, parsed.indicators
        system, error_count, warning_count, nil_report, report_date = "NQ57", 0, 0, False, None

    with warehouse.transaction(url) as conn:
        submission_id = warehouse.register(conn, obj, name)
        warehouse.record_outcome(conn, submission_id, Verdict, "NhiemVu", "ChiTieu")
    loaded_at = time.perf_counter()
    return parsed_at - started, validated_at - parsed_at, loaded_at - validated_at, len(parsed.tasks)


def zip_bomb(path: Path, size: int = 1024**3) -> Path:
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return path


# ---------------------------------------------------------------- reading cost bounded by the data

_CASES = Path(__file__).resolve().parents[1] / "tests" / "data" / "excel_cases"
# Peak resident memory of the child itself (VmHWM, KiB): ru_maxrss would carry the parent's peak across exec.
_JUDGE_IN_CHILD = """
import datetime as dt, sys, time
from nq57.intake import validation
from nq57.intake.submission import evaluate

def peak():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

validation.warm_up()
data = open(sys.argv[1], "rb").read()
before = peak()
started = time.perf_counter()
result = evaluate(data, sys.argv[1], expected_agency=sys.argv[2], expected_period="2026-10", today=dt.date(2026, 11, 15))
elapsed = time.perf_counter() - started
print(before, peak(), elapsed, int(result.accepted), len(result.tasks), result.issues[0].rule if result.issues else "-")
"""


def amplification_file(path: Path, cells: int = 40_000, length: int = 32_767) -> Path:
    """Many cells pointing at one long shared string: ~1.3 GB of text once opened, from a file of ~100 KB."""
    sheet_rows = "".join(
        f'<row r="{r + 1}">' + "".join(f'<c r="{c}{r + 1}" t="s"><v>0</v></c>' for c in "ABCDEFGHIJKLMNOP") + "</row>"
        for r in range(cells // 16))
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        '<sheet name="NhiemVu" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>{sheet_rows}</sheetData></worksheet>',
        "xl/sharedStrings.xml": f'<sst xmlns="{main}" count="{cells}" uniqueCount="1"><si><t>{"x" * length}</t></si></sst>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text_ in parts.items():
            archive.writestr(name, text_)
    return path


def reading_cost(work: Path) -> None:
    import subprocess

    files = [("control: 300 tasks", _CASES / "c18_control_300rows_no_stray.xlsx", "BTC"),
             ("stray space in XFD", _CASES / "c18_stray_cell_XFD_300rows.xlsx", "BTC"),
             ("amplification", amplification_file(work / "amplified.xlsx"), "BKHCN")]
    print("\nreading cost bounded by the data (each file judged by evaluate() in a fresh process; peak RSS):")
    peaks = {}
    for label, path, agency in files:
        if not path.exists():
            print(f"  {label:<20} {path} missing")
            continue
        out = subprocess.run([sys.executable, "-c", _JUDGE_IN_CHILD, str(path), agency], capture_output=True,
                             text=True, check=True, env={**os.environ, "GX_ANALYTICS_ENABLED": "false"})
        before, after, elapsed, accepted, tasks, rule = out.stdout.split()
        peaks[label] = int(after)
        verdict = f"accepted, {tasks} tasks" if accepted == "1" else f"refused ({rule})"
        print(f"  {label:<20} {path.stat().st_size / 1024:7.1f} KB  peak {int(after) / 1024:7.1f} MiB "
              f"(+{(int(after) - int(before)) / 1024:6.1f} MiB while judging)  {float(elapsed) * 1000:7.1f} ms  {verdict}")
    if "control: 300 tasks" in peaks and "stray space in XFD" in peaks:
        print(f"  stray / control peak: {peaks['stray space in XFD'] / peaks['control: 300 tasks']:.2f}x (goal: 1.5x or less)")


def report(label: str, ours_s: list[float], base_s: list[float]) -> None:
    total_ours, total_base = sum(ours_s), sum(base_s)
    print(f"  {label:<9} ours {total_ours:8.2f} s (median {statistics.median(ours_s) * 1000:7.1f} ms/file)   "
          f"baseline {total_base:8.2f} s (median {statistics.median(base_s) * 1000:7.1f} ms/file)   "
          f"{total_base / total_ours:5.1f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=60)
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("--skip-large", action="store_true", help="skip the 50,000-row file")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="nq57-bench-"))
    started = time.perf_counter()
    files = sample_data.generate(work / "inbox", args.period, agencies=min(args.agencies, len(reference.agencies())),
                                 seed=7, tasks_per_agency=args.tasks, defects=False)
    print(f"generated {len(files)} submissions x {args.tasks} tasks in {time.perf_counter() - started:.1f} s ({work})")

    services = embedded.start(Settings(object_store_endpoint="unused"), state_dir=work / "services")
    url = services.warehouse_url
    warehouse.migrate(url)
    validation.warm_up()
    times = {k: [] for k in ("parse", "validate", "load", "base_parse", "base_validate", "base_load")}
    rows = 0
    for path in files:
        data = path.read_bytes()
        agency = path.parts[-3]
        p, v, load, n = ours(url, data, path.name + str(time.perf_counter()), agency, args.period)
        rows += n
        times["parse"].append(p)
        times["validate"].append(v)
        times["load"].append(load)
        t0 = time.perf_counter()
        frame = baseline_parse(data)
        t1 = time.perf_counter()
        baseline_validate(frame)
        t2 = time.perf_counter()
        baseline_load(url, frame)
        t3 = time.perf_counter()
        times["base_parse"].append(t1 - t0)
        times["base_validate"].append(t2 - t1)
        times["base_load"].append(t3 - t2)
    print(f"\ningest stages, {len(files)} files, {rows:,} task rows (total, median per file, baseline/ours):")
    for stage in ("parse", "validate", "load"):
        report(stage, times[stage], times[f"base_{stage}"])
    total = [sum(x) for x in zip(times["parse"], times["validate"], times["load"], strict=True)]
    base_total = [sum(x) for x in zip(times["base_parse"], times["base_validate"], times["base_load"], strict=True)]
    report("all", total, base_total)

    print("\nparse + validate of one file (full evaluate(): preflight, parse, GX suites):")
    sizes = [500] if args.skip_large else [500, 50_000]
    for size in sizes:
        path = big_file(work / f"big_{size}.xlsx", size, args.period)
        data = path.read_bytes()
        t0 = time.perf_counter()
        result = evaluate(data, path.name, expected_agency="BKHCN", expected_period=args.period)
        elapsed = time.perf_counter() - t0
        print(f"  {size:>6,} rows ({len(data) / 2**20:5.1f} MiB): {elapsed:6.2f} s, "
              f"{len(result.tasks) / elapsed:9,.0f} rows/s, accepted={result.accepted}")

    bomb = zip_bomb(work / "bomb.xlsx")
    data = bomb.read_bytes()
    tracemalloc.start()
    t0 = time.perf_counter()
    result = evaluate(data, "bomb.xlsx")
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rule = result.issues[0].rule if result.issues else "-"
    print(f"\nzip bomb: {len(data) / 2**20:.1f} MiB on disk, 1 GiB declared inside: refused with {rule} in "
          f"{elapsed * 1000:.1f} ms, peak traced memory {peak / 2**20:.1f} MiB")
    reading_cost(work)
    with warehouse.engine(url).begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS staging.bench_baseline_task"))
    services.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
