"""The generated store policies, enforced by a real policy-evaluating S3 server (issue 10 item 5).

SeaweedFS (nq57.devtools.policy_store) is loaded with one identity per line of the committed
`deploy/minio/manifest.txt` and the committed policy documents it names, exactly what `minio-init.sh`
installs in MinIO. Agency A is T01, agency B is T79. Every forbidden operation is its own test and
asserts the server's AccessDenied (and, where it could have changed something, that nothing changed);
the allowed operations are proven by doing them, the pipeline's by running the package's own steps
(init check, discovery, ingest, feedback, report) with the pipeline's credentials.

Why not moto: with IAM authorization on, moto 5.2 ignores S3 policy conditions (an agency could list
every other agency's keys under these same policies) — see nq57.devtools.policy_store.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from minio.commonconfig import CopySource
from minio.error import S3Error
from minio.versioningconfig import ENABLED, SUSPENDED, VersioningConfig

from nq57.settings import Buckets
from nq57.storage import objectstore

pytestmark = pytest.mark.integration

BUCKETS = Buckets()
SUB, FB, REP = BUCKETS.submissions, BUCKETS.feedback, BUCKETS.reports
A, B = "T01", "T79"
B_KEY = f"{B}/2026-10/{B}_NQ57_2026-10.xlsx"
B_FEEDBACK = f"{B}/2026-10/{B}_NQ57_2026-10.feedback.xlsx"
A_KEY = f"{A}/2026-10/{A}_NQ57_2026-10.xlsx"
A_FEEDBACK = f"{A}/2026-10/{A}_NQ57_2026-10.feedback.xlsx"
REPORT_KEY = "2026-10/bao-cao-tong-hop-2026-10.xlsx"
PUBLIC_READ = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"], "Resource": [f"arn:aws:s3:::{SUB}/*"]}]})


@pytest.fixture(scope="module")
def enforcing():
    """The server, provisioned by its administrator (buckets, versioning), with B's upload, both agencies'
    feedback and a report written by the identities that write them in production."""
    from nq57.devtools import policy_store

    state = Path(tempfile.mkdtemp(prefix="nq57-policy-store-"))
    store = policy_store.start(state)
    try:
        admin = objectstore.connect(store.admin)
        objectstore.ensure_buckets(admin, BUCKETS)
        b_client = objectstore.connect(store.agency(B))
        objectstore.put_bytes(b_client, SUB, B_KEY, b"B's first upload")
        objectstore.put_bytes(b_client, SUB, B_KEY, b"B's correction")
        pipeline = objectstore.connect(store.pipeline)
        objectstore.put_bytes(pipeline, FB, B_FEEDBACK, b"feedback for B")
        objectstore.put_bytes(pipeline, FB, A_FEEDBACK, b"feedback for A")
        objectstore.put_bytes(pipeline, REP, REPORT_KEY, b"report")
        yield store
    finally:
        store.stop()
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
def agency_a(enforcing):
    return objectstore.connect(enforcing.agency(A))


@pytest.fixture
def pipeline_client(enforcing):
    return objectstore.connect(enforcing.pipeline)


@pytest.fixture
def admin(enforcing):
    return objectstore.connect(enforcing.admin)


def denied(call) -> None:
    with pytest.raises(S3Error) as caught:
        call()
    assert caught.value.code == "AccessDenied", (caught.value.code, caught.value.message)


def keys(client, bucket: str, prefix: str = "") -> list[str]:
    return [o.object_name for o in client.list_objects(bucket_name=bucket, prefix=prefix, recursive=True)]


def versions(admin_client, bucket: str, key: str) -> list[str]:
    return [o.version_id for o in admin_client.list_objects(bucket_name=bucket, prefix=key, include_version=True)
            if o.object_name == key]


def put(client, bucket: str, key: str, data: bytes = b"x"):
    return client.put_object(bucket_name=bucket, object_name=key, data=io.BytesIO(data), length=len(data))


# ---------------------------------------------------------------- agency A: allowed


def test_agency_puts_and_reads_back_under_its_own_prefix(agency_a, admin):
    version = objectstore.put_bytes(agency_a, SUB, A_KEY, b"A's upload")
    assert version and version in versions(admin, SUB, A_KEY)
    assert objectstore.fetch(agency_a, SUB, A_KEY) == b"A's upload"
    assert objectstore.latest_sha256(agency_a, SUB, A_KEY) == hashlib.sha256(b"A's upload").hexdigest()
    assert A_KEY in keys(agency_a, SUB, f"{A}/")
    assert A_KEY in keys(agency_a, SUB, f"{A}/2026-10/")


def test_agency_reads_its_own_feedback(agency_a):
    assert keys(agency_a, FB, f"{A}/") == [A_FEEDBACK]
    assert objectstore.fetch(agency_a, FB, A_FEEDBACK) == b"feedback for A"


def test_agency_upload_through_inbox_is_allowed(agency_a, tmp_path):
    """`upload_inbox` (nq57 run --inbox) with an agency's own credentials and its own folder."""
    inbox = tmp_path / "inbox"
    (inbox / A / "2026-11").mkdir(parents=True)
    (inbox / A / "2026-11" / "bao-cao.xlsx").write_bytes(b"november")
    assert objectstore.upload_inbox(agency_a, SUB, inbox) == [(f"{A}/2026-11/bao-cao.xlsx", True)]
    assert objectstore.upload_inbox(agency_a, SUB, inbox) == [(f"{A}/2026-11/bao-cao.xlsx", False)]


# ---------------------------------------------------------------- agency A: forbidden, one test each


def test_agency_cannot_list_another_agencys_submissions(agency_a):
    denied(lambda: keys(agency_a, SUB, f"{B}/"))


def test_agency_cannot_list_the_whole_submissions_bucket(agency_a):
    denied(lambda: keys(agency_a, SUB))


def test_agency_cannot_list_a_prefix_wider_than_its_own(agency_a):
    denied(lambda: keys(agency_a, SUB, "T"))  # would cover T01 and T79 alike


def test_agency_cannot_list_another_agencys_versions(agency_a):
    denied(lambda: list(agency_a.list_objects(bucket_name=SUB, prefix=f"{B}/", include_version=True)))


def test_agency_cannot_read_another_agencys_upload(agency_a):
    denied(lambda: objectstore.fetch(agency_a, SUB, B_KEY))


def test_agency_cannot_stat_another_agencys_upload(agency_a):
    denied(lambda: agency_a.stat_object(bucket_name=SUB, object_name=B_KEY))


def test_agency_cannot_read_an_older_version_of_another_agencys_upload(agency_a, admin):
    oldest = versions(admin, SUB, B_KEY)[-1]
    denied(lambda: objectstore.fetch(agency_a, SUB, B_KEY, oldest))


def test_agency_cannot_copy_another_agencys_upload_into_its_own_prefix(agency_a, admin):
    stolen = f"{A}/2026-10/copied.xlsx"
    denied(lambda: agency_a.copy_object(bucket_name=SUB, object_name=stolen,
                                        source=CopySource(bucket_name=SUB, object_name=B_KEY)))
    assert stolen not in keys(admin, SUB, f"{A}/")


def test_agency_cannot_upload_under_another_agencys_prefix(agency_a, admin):
    forged = f"{B}/2026-10/forged.xlsx"
    denied(lambda: objectstore.put_bytes(agency_a, SUB, forged, b"forged"))
    assert forged not in keys(admin, SUB, f"{B}/")


def test_agency_cannot_overwrite_another_agencys_upload(agency_a, admin):
    before = versions(admin, SUB, B_KEY)
    denied(lambda: objectstore.put_bytes(agency_a, SUB, B_KEY, b"overwritten"))
    assert versions(admin, SUB, B_KEY) == before
    assert objectstore.fetch(admin, SUB, B_KEY) == b"B's correction"


def test_agency_cannot_escape_its_prefix_with_dot_segments(enforcing, admin):
    """`T01/../T79/…` is signed for T01/ but would land in T79/ on a server that normalised paths. minio-py
    refuses such names itself, so the attack is made with another S3 client."""
    import boto3
    from botocore.exceptions import ClientError

    creds = enforcing.agency(A)
    raw = boto3.client("s3", endpoint_url=f"http://{enforcing.endpoint}", region_name="us-east-1",
                       aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key)
    for key in (f"{A}/../{B}/2026-10/escaped.xlsx", f"{A}//../{B}/2026-10/escaped.xlsx"):
        with pytest.raises(ClientError) as caught:
            raw.put_object(Bucket=SUB, Key=key, Body=b"escaped")
        assert caught.value.response["Error"]["Code"] in {"AccessDenied", "InvalidRequest", "InvalidArgument"}
    assert not [k for k in keys(admin, SUB, f"{B}/") if "escaped" in k]


def test_agency_cannot_delete_another_agencys_upload(agency_a, admin):
    before = versions(admin, SUB, B_KEY)
    denied(lambda: agency_a.remove_object(bucket_name=SUB, object_name=B_KEY))
    assert versions(admin, SUB, B_KEY) == before


def test_agency_cannot_delete_a_version_of_another_agencys_upload(agency_a, admin):
    before = versions(admin, SUB, B_KEY)
    denied(lambda: agency_a.remove_object(bucket_name=SUB, object_name=B_KEY, version_id=before[0]))
    assert versions(admin, SUB, B_KEY) == before


def test_agency_cannot_delete_its_own_upload(agency_a, admin):
    objectstore.put_bytes(agency_a, SUB, A_KEY, b"kept as evidence")
    before = versions(admin, SUB, A_KEY)
    denied(lambda: agency_a.remove_object(bucket_name=SUB, object_name=A_KEY))
    assert versions(admin, SUB, A_KEY) == before


def test_agency_cannot_delete_a_version_of_its_own_upload(agency_a, admin):
    version = objectstore.put_bytes(agency_a, SUB, A_KEY, b"kept as evidence too")
    denied(lambda: agency_a.remove_object(bucket_name=SUB, object_name=A_KEY, version_id=version))
    assert version in versions(admin, SUB, A_KEY)


def test_agency_cannot_list_another_agencys_feedback(agency_a):
    denied(lambda: keys(agency_a, FB, f"{B}/"))


def test_agency_cannot_read_another_agencys_feedback(agency_a):
    denied(lambda: objectstore.fetch(agency_a, FB, B_FEEDBACK))


def test_agency_cannot_forge_its_own_feedback(agency_a, admin):
    denied(lambda: objectstore.put_bytes(agency_a, FB, A_FEEDBACK, b"all good, honestly"))
    assert objectstore.fetch(admin, FB, A_FEEDBACK) == b"feedback for A"


def test_agency_cannot_delete_its_feedback(agency_a):
    denied(lambda: agency_a.remove_object(bucket_name=FB, object_name=A_FEEDBACK))


def test_agency_cannot_list_reports(agency_a):
    denied(lambda: keys(agency_a, REP))


def test_agency_cannot_read_the_report(agency_a):
    denied(lambda: objectstore.fetch(agency_a, REP, REPORT_KEY))


def test_agency_cannot_suspend_versioning(agency_a, admin):
    denied(lambda: agency_a.set_bucket_versioning(bucket_name=SUB, config=VersioningConfig(SUSPENDED)))
    assert admin.get_bucket_versioning(bucket_name=SUB).status == ENABLED


def test_agency_cannot_open_a_bucket_to_the_public(agency_a):
    denied(lambda: agency_a.set_bucket_policy(bucket_name=SUB, policy=PUBLIC_READ))


def test_agency_cannot_create_a_bucket(agency_a, admin):
    denied(lambda: agency_a.make_bucket(bucket_name="t01-private"))
    assert not admin.bucket_exists(bucket_name="t01-private")


def test_anonymous_requests_are_refused(enforcing):
    anonymous = objectstore.connect(objectstore.StoreConfig(enforcing.endpoint, "", ""))
    denied(lambda: objectstore.fetch(anonymous, SUB, B_KEY))


# ---------------------------------------------------------------- the pipeline


def test_pipeline_init_check_passes_on_a_provisioned_store(pipeline_client):
    """`ensure_buckets` (what `nq57 init` calls) only reads when the administrator has provisioned."""
    objectstore.ensure_buckets(pipeline_client, BUCKETS)


def test_pipeline_runs_discovery_ingest_feedback_and_report(enforcing, warehouse_url):
    """The package's own steps, as the DAGs call them, with the pipeline's credentials only."""
    from nq57 import pipeline
    from nq57.services import Services

    from workbooks import filled_bytes, task

    agency_a = objectstore.connect(enforcing.agency(A))
    key = f"{A}/2026-10/{A}_NQ57_policy.xlsx"
    objectstore.put_bytes(agency_a, SUB, key, filled_bytes(
        [task(ma_nhiem_vu="NQ57-T01-0001", co_quan_chu_tri=A)], agency=A, period="2026-10"))
    services = Services(warehouse_url=warehouse_url, store=enforcing.pipeline)
    found = [u for batch in pipeline.discover(services) for u in batch if u["key"] == key]
    assert len(found) == 1
    (outcome,) = pipeline.ingest_batch(services, found)  # judge, record, write the feedback
    assert outcome["accepted"], outcome
    location = f"{FB}/{outcome['feedback_key']}"
    assert location.startswith(f"{FB}/{A}/2026-10/")
    assert objectstore.fetch(agency_a, FB, location.split("/", 1)[1])  # the agency reads it
    reports = pipeline.publish_report(services, "2026-10")  # the annex workbook and the drafted document
    assert reports and all(location.startswith(f"{REP}/2026-10/") for location in reports)


def test_an_agencys_misplaced_upload_is_answered_where_the_agency_reads(enforcing, warehouse_url):
    """An agency may write anywhere under its prefix, month folder or not; the pipeline answers a misplaced
    upload in the agency's own feedback prefix, which the agency (and no other) can read. Agency B here, so
    A's feedback listing stays as the tests above expect."""
    from nq57 import pipeline
    from nq57.services import Services

    agency_b = objectstore.connect(enforcing.agency(B))
    objectstore.put_bytes(agency_b, SUB, f"{B}/2026-13/bao-cao.xlsx", b"B, in a month that does not exist")
    services = Services(warehouse_url=warehouse_url, store=enforcing.pipeline)
    work = [u["key"] for batch in pipeline.discover(services) for u in batch]
    assert f"{B}/2026-13/bao-cao.xlsx" not in work
    answer = f"{B}/sai-thu-muc/2026-13__bao-cao.xlsx.feedback.xlsx"
    assert answer in keys(agency_b, FB, f"{B}/sai-thu-muc/")
    assert objectstore.fetch(agency_b, FB, answer)[:2] == b"PK"  # B reads its answer: an xlsx workbook
    denied(lambda: objectstore.fetch(objectstore.connect(enforcing.agency(A)), FB, answer))


def test_pipeline_cannot_write_into_submissions(pipeline_client, admin):
    denied(lambda: objectstore.put_bytes(pipeline_client, SUB, f"{B}/2026-10/by-pipeline.xlsx", b"x"))
    assert f"{B}/2026-10/by-pipeline.xlsx" not in keys(admin, SUB, f"{B}/")


def test_pipeline_cannot_delete_a_submission(pipeline_client, admin):
    before = versions(admin, SUB, B_KEY)
    denied(lambda: pipeline_client.remove_object(bucket_name=SUB, object_name=B_KEY))
    assert versions(admin, SUB, B_KEY) == before


def test_pipeline_cannot_delete_a_submission_version(pipeline_client, admin):
    before = versions(admin, SUB, B_KEY)
    denied(lambda: pipeline_client.remove_object(bucket_name=SUB, object_name=B_KEY, version_id=before[-1]))
    assert versions(admin, SUB, B_KEY) == before


def test_pipeline_cannot_delete_feedback_versions(pipeline_client, admin):
    version = versions(admin, FB, B_FEEDBACK)[0]
    denied(lambda: pipeline_client.remove_object(bucket_name=FB, object_name=B_FEEDBACK, version_id=version))


def test_pipeline_cannot_create_buckets(pipeline_client, admin):
    denied(lambda: pipeline_client.make_bucket(bucket_name="nq57-elsewhere"))
    assert not admin.bucket_exists(bucket_name="nq57-elsewhere")


def test_pipeline_cannot_change_versioning(pipeline_client, admin):
    denied(lambda: pipeline_client.set_bucket_versioning(bucket_name=FB, config=VersioningConfig(SUSPENDED)))
    assert admin.get_bucket_versioning(bucket_name=FB).status == ENABLED


def test_pipeline_cannot_change_bucket_policies(pipeline_client):
    denied(lambda: pipeline_client.set_bucket_policy(bucket_name=SUB, policy=PUBLIC_READ))


def test_init_with_pipeline_credentials_is_refused_on_an_unprovisioned_store(pipeline_client):
    """Provisioning is the administrator's (minio-init.sh): the pipeline cannot create what is missing."""
    denied(lambda: objectstore.ensure_buckets(pipeline_client, Buckets(reports="nq57-reports-not-provisioned")))
