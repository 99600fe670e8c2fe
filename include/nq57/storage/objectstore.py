"""The object store through the `minio` SDK (S3 API): bucket layout (DESIGN §3), listing, fetch, upload.

One code path for every server: MinIO in production, the embedded loopback S3 server in the demo and
tests. Calls use keyword arguments (minio 7.2.19 made them keyword-only; v8 will again).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import certifi
import urllib3
from minio import Minio
from minio.versioningconfig import ENABLED, VersioningConfig

from nq57 import placement
from nq57.placement import SUBMISSION_KEY
from nq57.settings import Buckets, Timeouts
from nq57.uploads import Upload

log = logging.getLogger(__name__)

SHA256_META = "sha256"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class StoreConfig:
    """Where the store is and who we are there; timeouts default to `nq57.settings.Timeouts` (seconds)."""

    endpoint: str
    access_key: str
    secret_key: str
    secure: bool = False
    region: str = "us-east-1"
    connect_timeout: float = field(default_factory=lambda: Timeouts().store_connect)
    read_timeout: float = field(default_factory=lambda: Timeouts().store_read)
    retries: int = field(default_factory=lambda: Timeouts().store_retries)


def connect(config: StoreConfig) -> Minio:
    """A minio client whose every call is bounded: connect and read timeouts per attempt, `retries` retries
    (connection errors, read timeouts, 500/502/503/504) with a short backoff, then urllib3's MaxRetryError
    naming the endpoint and the cause (e.g. "Read timed out. (read timeout=60)")."""
    endpoint = config.endpoint
    secure = config.secure or endpoint.startswith("https://")
    endpoint = re.sub(r"^https?://", "", endpoint).rstrip("/")
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=config.connect_timeout, read=config.read_timeout),
        maxsize=10,
        cert_reqs="CERT_REQUIRED",
        ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
        retries=urllib3.Retry(total=config.retries, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
    )
    # A fixed region saves the GetBucketLocation call, which per-agency users may not be allowed.
    return Minio(endpoint=endpoint, access_key=config.access_key, secret_key=config.secret_key,
                 secure=secure, region=config.region, http_client=http)


def ensure_buckets(client: Minio, buckets: Buckets) -> None:
    """Create missing buckets and turn versioning on where it is off; submissions and feedback keep every version.

    Writes only what is missing, so with the pipeline's store policy (which may check buckets and
    versioning but not create or change them, see nq57.ops.store_policies) it succeeds on a store the
    administrator provisioned and raises `S3Error` (AccessDenied) on one that is not.
    """
    for name in buckets.all():
        if not client.bucket_exists(bucket_name=name):
            client.make_bucket(bucket_name=name)
    for name in buckets.versioned():
        if client.get_bucket_versioning(bucket_name=name).status != ENABLED:
            client.set_bucket_versioning(bucket_name=name, config=VersioningConfig(ENABLED))


@dataclass(frozen=True)
class MisplacedVersion:
    """One object version of the submissions bucket outside `<agency>/<YYYY-MM>/<file>` (`nq57.placement`):
    never judged or ledgered, answered once when it sits under an agency's prefix. `last_modified` is the
    store's timestamp of the version (timezone-aware); `version_id` is "null" on an unversioned bucket."""

    bucket: str
    key: str
    version_id: str
    size: int
    last_modified: dt.datetime
    ordinal: int = 0

    @property
    def store_order(self) -> tuple[dt.datetime, int]:
        """The order in which the store took versions, as `Upload.store_order`."""
        return self.last_modified, self.ordinal

    @property
    def misplacement(self) -> placement.Misplacement:
        found = placement.misplacement(self.key)
        assert found is not None, self.key  # listed as misplaced because SUBMISSION_KEY refused it
        return found

    @property
    def agency_code(self) -> str | None:
        """The agency whose prefix holds the version, None when its first folder is not an agency code."""
        return self.misplacement.agency


def list_submissions(client: Minio, bucket: str) -> tuple[list[Upload], list[MisplacedVersion]]:
    """Every version under `<agency>/<YYYY-MM>/`, in the store's order; plus every version whose key breaks
    the layout (`MisplacedVersion`), in the same order. Delete markers and folder markers (`T01/2026-10/`)
    are neither.

    ListObjectVersions gives each key's versions newest first (S3 API; MinIO and other S3 servers keep
    that order), so a version's `ordinal` is the number of older versions of its key: it orders versions
    whose timestamps tie (stores keep whole seconds or milliseconds; a correction can land in the same
    one as the original). Both lists are sorted by (`last_modified`, `ordinal`, key).
    """
    versions, misplaced = [], []
    per_key: dict[str, list] = {}
    for item in client.list_objects(bucket_name=bucket, recursive=True, include_version=True):
        if item.is_dir:
            continue
        per_key.setdefault(item.object_name, []).append(item)  # newest first, delete markers included
    for key, items in per_key.items():
        match = SUBMISSION_KEY.match(key)
        if match is None:
            misplaced.extend(
                MisplacedVersion(bucket=bucket, key=key, version_id=item.version_id or "null", size=item.size or 0,
                                 last_modified=item.last_modified, ordinal=len(items) - 1 - position)
                for position, item in enumerate(items) if not item.is_delete_marker)
            continue
        for position, item in enumerate(items):
            if item.is_delete_marker:
                continue
            versions.append(Upload(
                bucket=bucket, key=key, version_id=item.version_id or "null", size=item.size or 0,
                last_modified=item.last_modified, agency_code=match["agency"], period=match["period"],
                ordinal=len(items) - 1 - position,
            ))
    versions.sort(key=lambda v: (*v.store_order, v.key))
    misplaced.sort(key=lambda v: (*v.store_order, v.key))
    return versions, misplaced


def fetch(client: Minio, bucket: str, key: str, version_id: str | None = None) -> bytes:
    response = client.get_object(bucket_name=bucket, object_name=key,
                                 version_id=None if version_id in (None, "null") else version_id)
    try:
        return response.read()
    finally:
        response.close()
        response.release_conn()


def sha256_of(client: Minio, bucket: str, key: str, version_id: str | None = None,
              chunk: int = 1024 * 1024) -> str:
    """SHA-256 (hex) of one object version, read in `chunk`-byte pieces: memory stays bounded whatever its size."""
    response = client.get_object(bucket_name=bucket, object_name=key,
                                 version_id=None if version_id in (None, "null") else version_id)
    digest = hashlib.sha256()
    try:
        for piece in response.stream(chunk):
            digest.update(piece)
        return digest.hexdigest()
    finally:
        response.close()
        response.release_conn()


def put_bytes(client: Minio, bucket: str, key: str, data: bytes, content_type: str = XLSX_TYPE,
              sha256: str | None = None) -> str | None:
    """Upload; returns the new version id."""
    result = client.put_object(
        bucket_name=bucket, object_name=key, data=io.BytesIO(data), length=len(data), content_type=content_type,
        metadata={SHA256_META: sha256 or hashlib.sha256(data).hexdigest()},
    )
    return result.version_id


def latest_sha256(client: Minio, bucket: str, key: str) -> str | None:
    from minio.error import S3Error

    try:
        stat = client.stat_object(bucket_name=bucket, object_name=key)
    except S3Error as exc:
        if exc.code in {"NoSuchKey", "NoSuchObject", "ResourceNotFound"}:
            return None
        raise
    meta = {k.lower(): v for k, v in (stat.metadata or {}).items()}
    return meta.get(f"x-amz-meta-{SHA256_META}")


@dataclass(frozen=True)
class InboxScan:
    """Files of an inbox folder laid out like the bucket, and what was refused (path, reason)."""

    files: list[Path]
    refused: list[tuple[Path, str]]


def scan_inbox(inbox: Path) -> InboxScan:
    """Every regular file under `inbox`, at any depth, sorted: `inbox/<agency>/<YYYY-MM>/<file>` ones to
    upload, the others refused with the reason.

    Refused, never followed: symbolic links at any level (a link to a system file would otherwise be
    uploaded; a linked folder is refused as a whole, its contents never listed), entries that resolve
    outside the inbox, anything but regular files, and files outside the bucket layout, with what is
    wrong and where the file belongs when the path names a month (`placement.Misplacement.operator_text`).
    Hidden files and folders and Excel lock files (`~$…`) are skipped silently.
    """
    top = Path(inbox)
    root = top.resolve(strict=True)
    files: list[Path] = []
    refused: list[tuple[Path, str]] = []
    for folder, dirnames, filenames in os.walk(top, followlinks=False):
        here = Path(folder)
        visible = sorted(d for d in dirnames if not d.startswith("."))
        links = [d for d in visible if (here / d).is_symlink()]
        refused += [(here / d, "symbolic link to a folder (not followed)") for d in links]
        dirnames[:] = [d for d in visible if d not in links]  # walked into next, in order
        for name in sorted(filenames):
            if name.startswith((".", "~$")):
                continue
            path = here / name
            if path.is_symlink():
                refused.append((path, "symbolic link (not followed)"))
            elif not path.resolve().is_relative_to(root):
                refused.append((path, "outside the inbox"))
            elif not stat.S_ISREG(path.lstat().st_mode):
                refused.append((path, "not a regular file"))
            else:
                found = placement.misplacement(path.relative_to(top).as_posix())
                if found is None:
                    files.append(path)
                else:
                    refused.append((path, found.operator_text))
    return InboxScan(sorted(files), sorted(refused))


def upload_inbox(client: Minio, bucket: str, inbox: Path, scan: InboxScan | None = None) -> list[tuple[str, bool]]:
    """Upload `inbox/<agency>/<YYYY-MM>/<file>` as laid out; unchanged files are not uploaded again,
    so running the same inbox twice creates no new versions. Returns (key, uploaded). Entries that
    `scan_inbox` refuses (symbolic links, anything outside the inbox or the bucket layout) are never read,
    so a misplaced file never reaches the store; they are logged, unless the caller passes the `scan` it
    made and reported itself."""
    if scan is None:
        scan = scan_inbox(inbox)
        for path, reason in scan.refused:
            log.warning("inbox: refused %s: %s", path, reason)
    outcome = []
    for path in scan.files:
        key = path.relative_to(inbox).as_posix()
        data = _read_regular_file(path)
        digest = hashlib.sha256(data).hexdigest()
        if latest_sha256(client, bucket, key) == digest:
            outcome.append((key, False))
            continue
        put_bytes(client, bucket, key, data, sha256=digest)
        outcome.append((key, True))
    return outcome


def _read_regular_file(path: Path) -> bytes:
    """Read without following a symbolic link put in place after the scan (O_NOFOLLOW)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        return handle.read()
