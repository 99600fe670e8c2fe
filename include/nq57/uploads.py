"""THE upload reference: one object version in the submissions bucket, as found, ledgered and judged.

The same type is listed from the store (`objectstore.list_submissions`), crosses XCom as a plain dict
(`as_dict` / `from_dict`) between DAG tasks, is written to the ledger (`warehouse.register`) and is read
back from it for reprocessing (`from_ledger_row`). The file name is derived here only (`name`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any, Protocol, TypeVar


@dataclass(frozen=True)
class Upload:
    """One object version: `bucket`/`key` at `version_id` ("null" on an unversioned bucket).

    `last_modified` is the store's timestamp of the version (timezone-aware); `ordinal` its position among
    the key's versions as the store orders them (0 = the first stored), which orders versions stored in
    the same second; `agency_code` and `period` come from the key's `<agency>/<YYYY-MM>/` prefix.
    """

    bucket: str
    key: str
    version_id: str
    size: int
    last_modified: dt.datetime
    agency_code: str
    period: str
    ordinal: int = 0

    @property
    def store_order(self) -> tuple[dt.datetime, int]:
        """The order in which the store took versions: its timestamp, then the version's position."""
        return self.last_modified, self.ordinal

    @property
    def name(self) -> str:
        """The uploaded file's own name (the key's last part)."""
        return self.key.rsplit("/", 1)[-1]

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form for XCom: `last_modified` as ISO 8601 text."""
        return {**asdict(self), "last_modified": self.last_modified.isoformat()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Upload:
        """Inverse of `as_dict` (accepts a datetime or ISO text for `last_modified`)."""
        when = data["last_modified"]
        return cls(
            bucket=data["bucket"], key=data["key"], version_id=data["version_id"], size=int(data["size"]),
            last_modified=when if isinstance(when, dt.datetime) else dt.datetime.fromisoformat(when),
            agency_code=data["agency_code"], period=data["period"], ordinal=int(data.get("ordinal", 0)),
        )

    @classmethod
    def from_ledger_row(cls, row: Any) -> Upload:
        """From a `raw.submission` row (attribute access: a SQLAlchemy row or a pandas itertuple)."""
        return cls(bucket=row.bucket, key=row.object_key, version_id=row.version_id, size=int(row.size_bytes),
                   last_modified=row.received_at, agency_code=row.agency_code, period=row.period,
                   ordinal=int(getattr(row, "ordinal", 0)))


class Queued(Protocol):
    """What `fair_share` orders by: an `Upload`, or an upload outside the layout (`MisplacedVersion`)."""

    agency_code: Any
    key: str
    version_id: str

    @property
    def store_order(self) -> tuple[dt.datetime, int]: ...


Item = TypeVar("Item", bound=Queued)


def fair_share(uploads: list[Item], limit: int) -> list[Item]:
    """At most `limit` uploads, taken round-robin across agencies, each agency's oldest first.

    An agency that uploads thousands of files gets one turn per round like everyone else, so it can
    delay only its own backlog (issue 17: a flood from one prefix must not starve the others). Agencies
    take turns in the order of their oldest waiting upload; the result is in that round-robin order.
    """
    queues: dict[Any, list[Item]] = {}
    for upload in sorted(uploads, key=lambda u: (*u.store_order, u.key, u.version_id)):
        queues.setdefault(upload.agency_code, []).append(upload)
    chosen: list[Item] = []
    depth = 0
    while len(chosen) < limit and any(depth < len(q) for q in queues.values()):
        for queue in queues.values():
            if depth < len(queue) and len(chosen) < limit:
                chosen.append(queue[depth])
        depth += 1
    return chosen


def batches(uploads: list[Upload], size: int) -> list[list[Upload]]:
    """Consecutive groups of at most `size` uploads (the unit of one mapped ingest task)."""
    size = max(1, size)
    return [uploads[i:i + size] for i in range(0, len(uploads), size)]
