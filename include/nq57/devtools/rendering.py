"""Render Office files the way readers see them: LibreOffice headless -> PDF -> PNG (pdftoppm).

Used by the rendering tests (`tests/rendering.py`) and by `make report-pages`. Needs the Debian packages
`libreoffice-calc`, `libreoffice-writer`, `poppler-utils` and fonts with Vietnamese coverage
(`fonts-liberation2`: metric-compatible with Times New Roman); `tools/render-deps.sh` installs them.

Each conversion runs with its own throwaway LibreOffice profile, so parallel conversions (other test
processes, an open desktop session) never share or lock one.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

TOOLS = {"soffice": "libreoffice-calc / libreoffice-writer", "pdftoppm": "poppler-utils",
         "pdftotext": "poppler-utils", "pdfinfo": "poppler-utils"}
CONVERT_TIMEOUT_S = 600  # a shared 2-core machine: generous, but never hang a test run


class RendererMissing(RuntimeError):
    """A rendering tool is not installed."""


def missing_tools() -> list[str]:
    """Names of the rendering tools not on PATH, with their Debian package: `soffice (libreoffice-calc …)`."""
    return [f"{tool} ({package})" for tool, package in TOOLS.items() if shutil.which(tool) is None]


def require() -> None:
    """Raises RendererMissing naming the absent tools and how to install them."""
    missing = missing_tools()
    if missing:
        raise RendererMissing("renderer missing: " + ", ".join(missing)
                              + "; run `sh tools/render-deps.sh` as root (make test does)")


def to_pdf(source: Path, out_dir: Path) -> Path:
    """`source` (.xlsx, .docx, …) converted by LibreOffice headless; returns the PDF path in `out_dir`.

    Raises:
        RendererMissing: soffice is not installed.
        RuntimeError: the conversion failed (with LibreOffice's output).
    """
    require()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nq57-lo-profile-") as profile:
        _vietnamese_profile(Path(profile))
        done = subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--nolockcheck",
             "--convert-to", "pdf", "--outdir", str(out_dir), str(source)],
            capture_output=True, text=True, timeout=CONVERT_TIMEOUT_S, check=False,
        )
    pdf = out_dir / (source.stem + ".pdf")
    if done.returncode != 0 or not pdf.exists():
        raise RuntimeError(f"LibreOffice could not convert {source.name}: {done.stdout}{done.stderr}".strip())
    return pdf


# Numbers and dates as a Vietnamese reader's office suite shows them (80,3%; 21/11/2026), whatever the
# machine's locale: the locale setting of the throwaway profile.
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>vi-VN</value></prop></item>
</oor:items>
"""


def _vietnamese_profile(profile: Path) -> None:
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, encoding="utf-8")


@dataclass(frozen=True)
class Page:
    number: int
    width_pt: float
    height_pt: float

    @property
    def landscape(self) -> bool:
        return self.width_pt > self.height_pt

    @property
    def a4(self) -> bool:
        short, long = sorted((self.width_pt, self.height_pt))
        return abs(short - 595.3) < 2 and abs(long - 841.9) < 2


def pages(pdf: Path) -> list[Page]:
    """Every page of `pdf` with its size in points (pdfinfo)."""
    require()
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    sizes = subprocess.run(["pdfinfo", "-f", "1", "-l", str(count), str(pdf)], capture_output=True, text=True,
                           check=True).stdout
    found = [Page(int(n), float(w), float(h))
             for n, w, h in re.findall(r"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts", sizes, re.M)]
    return found or [Page(n, 0.0, 0.0) for n in range(1, count + 1)]


def to_png(pdf: Path, out_prefix: Path, dpi: int = 80, first: int | None = None, last: int | None = None
           ) -> list[Path]:
    """Pages of `pdf` as PNG files `<out_prefix>-<n>.png` (pdftoppm); returns them in page order."""
    require()
    out_prefix.parent.mkdir(parents=True, exist_ok=True)
    command = ["pdftoppm", "-png", "-r", str(dpi)]
    if first is not None:
        command += ["-f", str(first)]
    if last is not None:
        command += ["-l", str(last)]
    subprocess.run([*command, str(pdf), str(out_prefix)], check=True, capture_output=True)
    made = sorted(out_prefix.parent.glob(out_prefix.name + "-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return made


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def words(pdf: Path) -> list[Word]:
    """Every word of the PDF's text layer with its box in points (pdftotext -bbox)."""
    require()
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found: list[Word] = []
    for number, page in enumerate(re.split(r"<page ", html)[1:], start=1):
        for x0, y0, x1, y1, value in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page):
            found.append(Word(number, _unescape(value), float(x0), float(y0), float(x1), float(y1)))
    return found


def text(pdf: Path) -> str:
    require()
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _unescape(value: str) -> str:
    return (value.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&#39;", "'")
            .replace("&apos;", "'")
            .replace("&amp;", "&"))


def invisible_words(pdf: Path, dpi: int = 100) -> list[Word]:
    """Words the PDF holds but the rendered page does not show: text cut off by a cell, a row, a frame or the
    page edge. Each word's box is looked at in the rendered page; a box with no ink is a clipped word."""
    from PIL import Image

    scale = dpi / 72
    found = words(pdf)
    hidden: list[Word] = []
    with tempfile.TemporaryDirectory(prefix="nq57-ink-") as tmp:
        images = to_png(pdf, Path(tmp) / "page", dpi=dpi)
        for number, path in enumerate(images, start=1):
            with Image.open(path) as page:
                gray = page.convert("L")
                width, height = gray.size
                for word in (w for w in found if w.page == number):
                    if not word.text.strip():
                        continue
                    box = (max(0, int(word.x0 * scale)), max(0, int(word.y0 * scale)),
                           min(width, int(word.x1 * scale) + 1), min(height, int(word.y1 * scale) + 1))
                    if box[2] <= box[0] or box[3] <= box[1]:
                        hidden.append(word)
                        continue
                    darkest, lightest = gray.crop(box).getextrema()
                    if lightest - darkest < 60:  # a flat box: background only, no glyph drawn
                        hidden.append(word)
    return hidden
