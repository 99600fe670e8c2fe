"""Byte-identical Office files: the same content gives the same bytes, whenever it is written.

openpyxl and python-docx stamp every zip member with the wall-clock time of writing; this rewrites the
package with one fixed time (the report's own date) and a fixed member order.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile


def repack(data: bytes, when: dt.datetime) -> bytes:
    """`data` (a zip package) with every member dated `when` (naive, local wall-clock), content unchanged."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second - when.second % 2)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(item.filename))
    return out.getvalue()
