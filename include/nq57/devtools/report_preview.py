"""`make report-pages`: a real monthly report from sample data, and the first page of each file as PNG.

Sample submissions for two months (the period and the one before) go through the same steps as `nq57 run`
(embedded S3 and PostgreSQL, ingest, consolidation); the report is built from the mart views, both files are
rendered with LibreOffice (`devtools.rendering`) and the first page of each is written as a PNG, so the
pictures in the docs are generated, never hand-made. Usage:

    python -m nq57.devtools.report_preview OUT_DIR [--period YYYY-MM] [--agencies N] [--all-pages]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path

from nq57 import periods
from nq57.devtools import embedded, rendering, sample_data
from nq57.settings import Settings, get_settings
from nq57.storage import objectstore

DEFAULT_PERIOD = "2026-10"
GENERATED = dt.datetime(2026, 11, 21, 8, 0)  # the morning after the deadline, Vietnam time


def build_sample_report(workdir: Path, period: str = DEFAULT_PERIOD, agencies: int = 10, seed: int = 0):
    """Run two months of sample data through the pipeline on embedded services; returns `report.Report`."""
    from nq57 import pipeline
    from nq57.ops import provision
    from nq57.outputs import report
    from nq57.uploads import Upload

    with embedded.start(Settings(object_store_endpoint=None, warehouse_url=None),
                        state_dir=workdir / "services") as services:
        provision.init(services)
        client = objectstore.connect(services.store)
        for month in (periods.previous(period), period):
            inbox = workdir / "inbox" / month
            sample_data.generate(inbox, month, agencies=agencies, seed=seed)
            objectstore.upload_inbox(client, get_settings().buckets.submissions, inbox)
            for batch in pipeline.discover(services, limit=sys.maxsize):
                for found in batch:
                    if found["period"] == month:
                        pipeline.ingest_one(services, Upload.from_dict(found))
            pipeline.consolidate_period(services, month)
        return report.build(report.load_report_data(services.warehouse_url, period), generated_at=GENERATED)


def render_first_pages(built, out_dir: Path, all_pages: bool = False) -> list[Path]:
    """Write both files and the PNG of their first page (every page with `all_pages`) to `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="nq57-report-pages-") as tmp:
        for suffix, body in (("xlsx", built.workbook), ("docx", built.document)):
            source = Path(tmp) / f"bao_cao_tong_hop_{built.period}.{suffix}"
            source.write_bytes(body)
            pdf = rendering.to_pdf(source, Path(tmp))
            prefix = Path(tmp) / f"{suffix}-page"
            pngs = rendering.to_png(pdf, prefix, dpi=110, last=None if all_pages else 1)
            for number, png in enumerate(pngs, start=1):
                target = out_dir / f"report_{suffix}_page{number}.png"
                shutil.copyfile(png, target)
                written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="report_preview", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--period", default=DEFAULT_PERIOD)
    parser.add_argument("--agencies", type=int, default=10)
    parser.add_argument("--all-pages", action="store_true")
    parser.add_argument("--keep", help="also copy the .xlsx and .docx here")
    args = parser.parse_args(argv)
    try:
        rendering.require()
    except rendering.RendererMissing as exc:
        print(exc, file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="nq57-report-preview-") as tmp:
        built = build_sample_report(Path(tmp), periods.check(args.period), args.agencies)
    for path in render_first_pages(built, Path(args.out_dir), args.all_pages):
        print(path)
    if args.keep:
        keep = Path(args.keep)
        keep.mkdir(parents=True, exist_ok=True)
        (keep / f"bao_cao_tong_hop_{built.period}.xlsx").write_bytes(built.workbook)
        (keep / f"bao_cao_tong_hop_{built.period}.docx").write_bytes(built.document)
        print(keep / f"bao_cao_tong_hop_{built.period}.xlsx")
        print(keep / f"bao_cao_tong_hop_{built.period}.docx")
    return 0


if __name__ == "__main__":
    sys.exit(main())
