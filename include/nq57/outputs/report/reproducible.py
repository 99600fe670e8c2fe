"""Byte-identical Office files: the same content gives the same bytes, whenever it is written.

openpyxl and python-docx stamp every zip member with the wall-clock time of writing, and openpyxl writes
the time of saving as the document's "modified" property; this rewrites the package with one fixed time
(the report's own date) everywhere.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

_STAMPS = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:)")


def repack(data: bytes, when: dt.datetime) -> bytes:
    """`data` (a zip package) with every member dated `when` (naive, local wall-clock), content unchanged."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second - when.second % 2)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            body = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                body = _STAMPS.sub(rb"\g<1>" + when.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", body)
            target.writestr(info, body)
    return out.getvalue()
