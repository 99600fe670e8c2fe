"""`make docs-pages`: what an agency clerk opens and prints, rendered: the feedback workbook of a rejected
correction (sent by the pipeline, receipt included) and the first pages of the template.

Sample submissions for one period go through the same steps as `nq57 run` (embedded S3 and PostgreSQL):
first every agency's file without defects, then corrected files of which some carry a deliberate error,
so a rejected correction's feedback says which earlier version still counts. The feedback workbook of one
rejected correction (its PhanHoi sheet) and `nq57 template`'s workbook are rendered with LibreOffice
(`devtools.rendering`) and written as PNGs, so the pictures in the docs are generated, never hand-made.
Usage:

    python -m nq57.devtools.clerk_preview OUT_DIR [--period YYYY-MM] [--template-pages N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
from pathlib import Path

from openpyxl import load_workbook

from nq57 import periods
from nq57.devtools import embedded, rendering, sample_data
from nq57.settings import Settings, get_settings
from nq57.storage import objectstore

DEFAULT_PERIOD = "2026-10"


def rejected_feedback(workdir: Path, period: str = DEFAULT_PERIOD, agencies: int = 6) -> tuple[str, bytes]:
    """(feedback key, workbook) of a rejected correction, from a pipeline run on embedded services."""
    from nq57 import pipeline
    from nq57.ops import provision
    from nq57.uploads import Upload

    with embedded.start(Settings(object_store_endpoint=None, warehouse_url=None),
                        state_dir=workdir / "services") as services:
        provision.init(services)
        client = objectstore.connect(services.store)
        bucket = get_settings().buckets.submissions
        rejected = []
        for defects in (False, True):
            inbox = workdir / ("corrected" if defects else "first")
            sample_data.generate(inbox, period, agencies=agencies, defects=defects)
            objectstore.upload_inbox(client, bucket, inbox)
            for batch in pipeline.discover(services, limit=sys.maxsize):
                for found in batch:
                    outcome = pipeline.ingest_one(services, Upload.from_dict(found))
                    if outcome.error:
                        raise RuntimeError(f"{outcome.key}: {outcome.error}")
                    if not outcome.accepted:
                        rejected.append(outcome.feedback_key)
        if not rejected:
            raise RuntimeError("the sample data produced no rejected correction")
        key = sorted(rejected)[0]
        return key, objectstore.fetch(client, get_settings().buckets.feedback, key)


def render(out_dir: Path, period: str = DEFAULT_PERIOD, template_pages: int = 4, keep: Path | None = None
           ) -> list[Path]:
    """Write `feedback_page1.png` and `template_page<N>.png` (N = 1..`template_pages`) to `out_dir`."""
    from nq57.outputs.template import write_template

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="nq57-clerk-pages-") as tmp:
        work = Path(tmp)
        key, body = rejected_feedback(work / "pipeline", period)
        book = load_workbook(io.BytesIO(body))
        for name in book.sheetnames[1:]:  # the sheet a clerk prints first: PhanHoi
            del book[name]
        phan_hoi = work / "phan_hoi.xlsx"
        book.save(phan_hoi)
        template = write_template(work / "mau_bao_cao.xlsx", "NQ57", "BKHCN", period)
        for name, source, last in (("feedback", phan_hoi, 1), ("template", template, template_pages)):
            pdf = rendering.to_pdf(source, work)
            for number, png in enumerate(rendering.to_png(pdf, work / f"{name}-page", dpi=110, last=last), start=1):
                target = out_dir / f"{name}_page{number}.png"
                shutil.copyfile(png, target)
                written.append(target)
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            (keep / key.rsplit("/", 1)[-1]).write_bytes(body)
            shutil.copyfile(template, keep / template.name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="clerk_preview", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", help="where the PNGs go")
    parser.add_argument("--period", default=DEFAULT_PERIOD, help="the sample period (YYYY-MM)")
    parser.add_argument("--template-pages", type=int, default=4, help="how many template pages to render")
    parser.add_argument("--keep", help="also copy the feedback workbook and the template here")
    args = parser.parse_args(argv)
    try:
        rendering.require()
    except rendering.RendererMissing as exc:
        print(exc, file=sys.stderr)
        return 1
    for path in render(Path(args.out_dir), periods.check(args.period), args.template_pages,
                       Path(args.keep) if args.keep else None):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
