"""Rendering toolkit for tests: look at an .xlsx or .docx the way its reader does.

LibreOffice headless renders it to PDF, pdftoppm to PNG (`nq57.devtools.rendering`); the checks here turn
what a reader would notice into assertions:

- `render(path)`            -> `Rendered` (PDF, pages with their size, words of the text layer)
- `assert_pages(...)`       page count, A4, orientation
- `assert_no_clipped_text`  every word written in the file is printed, and every printed word is visible:
                            LibreOffice drops what a cell or row cuts off from the PDF's text layer, or
                            draws it outside the visible area (found by looking for ink in the word's box)
- `assert_readable(...)`    printed text at least `min_pt` high after fit-to-page scaling
- `cell_words(xlsx)` / `document_words(docx)`  the words a file holds, for comparison with what printed

A missing renderer fails the test with the reason and the fix (never a silent skip): `make test` installs
the Debian packages first (`tools/render-deps.sh`).
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from nq57.devtools import rendering

WORD = re.compile(r"\S+")


def require_renderer() -> None:
    """Fail (not skip) when LibreOffice or poppler is missing, saying how to install them."""
    missing = rendering.missing_tools()
    if missing:
        pytest.fail("renderer missing after `make test` installed the test dependencies: " + ", ".join(missing)
                    + ". Install them with `sh tools/render-deps.sh` (as root).", pytrace=False)


@dataclass
class Rendered:
    source: Path
    pdf: Path
    pages: list[rendering.Page]
    words: list[rendering.Word]

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def png(self, out_prefix: Path, first: int = 1, last: int | None = 1, dpi: int = 80) -> list[Path]:
        return rendering.to_png(self.pdf, out_prefix, dpi=dpi, first=first, last=last)

    def printed(self) -> Counter:
        return Counter(w.text for w in self.words)


def render(path: Path, out_dir: Path | None = None) -> Rendered:
    require_renderer()
    pdf = rendering.to_pdf(path, out_dir or path.parent)
    return Rendered(path, pdf, rendering.pages(pdf), rendering.words(pdf))


def render_bytes(body: bytes, name: str, tmp_path: Path) -> Rendered:
    path = tmp_path / name
    path.write_bytes(body)
    return render(path, tmp_path)


def assert_pages(rendered: Rendered, count: int | None = None, *, landscape: bool | None = None) -> None:
    if count is not None:
        assert rendered.page_count == count, f"{rendered.source.name}: {rendered.page_count} pages, expected {count}"
    for page in rendered.pages:
        assert page.a4, f"{rendered.source.name} page {page.number} is not A4 ({page.width_pt} x {page.height_pt})"
        if landscape is not None:
            assert page.landscape == landscape, f"{rendered.source.name} page {page.number} orientation"


def assert_no_clipped_text(rendered: Rendered, expected_words: Counter) -> None:
    """Every expected word is printed (as often as written) and every printed word shows ink."""
    printed = rendered.printed()

    def broken(word: str) -> bool:
        """Printed in two pieces on two lines (`57-` / `NQ/TW`): both pieces are printed words."""
        return any(word[:i] in printed and word[i:] in printed for i in range(1, len(word)))

    lost = {w: n - printed[w] for w, n in expected_words.items() if printed[w] < n and not broken(w)}
    assert not lost, f"{rendered.source.name}: words written but not printed (cut off?): {sorted(lost)[:20]}"
    hidden = rendering.invisible_words(rendered.pdf)
    assert not hidden, (f"{rendered.source.name}: words in the PDF but not visible (clipped): "
                        + ", ".join(f"p{w.page}:{w.text}" for w in hidden[:20]))


def assert_readable(rendered: Rendered, min_pt: float) -> None:
    """Text no smaller than `min_pt` (word box height ≈ 1.1 × font size; fit-to-page scaling included)."""
    heights = sorted(w.height for w in rendered.words if len(w.text) > 2)
    assert heights, f"{rendered.source.name}: no text"
    low = heights[len(heights) // 20]  # 5th percentile: ignore the odd superscript-like glyph box
    assert low >= min_pt, f"{rendered.source.name}: text printed {low:.1f} pt high (< {min_pt})"


def cell_words(xlsx: bytes, skip_sheets: set[str] = frozenset()) -> Counter:
    """Words of every text cell of the workbook's sheets (numbers print formatted; they are not compared)."""
    import openpyxl

    found: Counter = Counter()
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    for ws in book.worksheets:
        if ws.title in skip_sheets:
            continue
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    found.update(WORD.findall(cell.value))
    return found


def document_words(document: bytes) -> Counter:
    """Words of every paragraph and table cell of the .docx body."""
    import docx

    parsed = docx.Document(io.BytesIO(document))
    found: Counter = Counter()
    for paragraph in parsed.paragraphs:
        found.update(WORD.findall(paragraph.text))
    for table in parsed.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    found.update(WORD.findall(paragraph.text))
    return found
