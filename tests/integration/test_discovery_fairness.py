"""A flood of uploads from one agency cannot stop ingestion for the others (issue 17, item 1).

1,030 tiny files under one prefix are more than Airflow maps in one task (1,024); discovery must still
hand the DAG a bounded number of batches and put every other agency's upload in this very run.
"""

from __future__ import annotations

import pytest

from nq57 import pipeline
from nq57.settings import get_settings
from nq57.storage import objectstore, warehouse

from workbooks import filled_bytes, task

pytestmark = pytest.mark.integration
MAX_MAP_LENGTH = 1024  # Airflow's [core] max_map_length default


def test_a_flood_from_one_agency_leaves_room_for_every_other_agency(pipeline_env, store):
    bucket = get_settings().buckets.submissions
    for n in range(MAX_MAP_LENGTH + 6):
        objectstore.put_bytes(store, bucket, f"T01/2026-10/rac_{n:04d}.xlsx", b"not a workbook")
    others = {code: f"{code}/2026-10/bao_cao.xlsx" for code in ("BKHCN", "T79", "BTC")}
    for code, key in others.items():
        objectstore.put_bytes(store, bucket, key, filled_bytes([task(co_quan_chu_tri=code)], agency=code))

    batches = pipeline.discover(pipeline_env)

    taken = [item for batch in batches for item in batch]
    assert len(batches) <= MAX_MAP_LENGTH and len(taken) == get_settings().uploads_per_run
    assert {item["key"] for item in taken} >= set(others.values())
    for batch in batches:  # this run's work, as the mapped tasks do it
        pipeline.ingest_batch(pipeline_env, batch)
    url = pipeline_env.warehouse_url
    done = warehouse.query(url, "SELECT agency_code, count(*) AS n, count(feedback_key) AS answered "
                                "FROM raw.submission GROUP BY 1").set_index("agency_code")
    assert set(done.index) == {"T01", *others}
    assert (done.n == done.answered).all()  # every upload of the run got its feedback
    assert done.loc["T01", "n"] == get_settings().uploads_per_run - len(others)
    # the rest of the flood waits for the next runs, oldest first
    following = [item["key"] for batch in pipeline.discover(pipeline_env) for item in batch]
    assert len(following) == get_settings().uploads_per_run and all(k.startswith("T01/") for k in following)
