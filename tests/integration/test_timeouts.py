"""Nothing waits forever (issue 17 item 9): a black-holed store and a stuck warehouse lock fail fast, with a
clear one-line error from the CLI. Real PostgreSQL, real sockets; limits set small through the same
environment variables production uses. The pytest timeouts below only stop a hang (on code without these
limits the first call would wait 300 s x 6 on the store, forever on the lock); nothing asserts on time.
"""

from __future__ import annotations

import socket
import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool
from urllib3.exceptions import MaxRetryError

from nq57.dedupe import consolidate
from nq57.ops import bi_logins, cli
from nq57.storage import objectstore, warehouse

pytestmark = pytest.mark.integration


class BlackHole:
    """A TCP listener on loopback that accepts connections and never answers; counts the connections."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted.append(conn)  # held open, never read from, never written to

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for conn in self.accepted:
            conn.close()
        self.sock.close()


@pytest.fixture
def black_hole():
    hole = BlackHole()
    yield hole
    hole.close()


@pytest.fixture
def short_limits(monkeypatch):
    for name, value in {"OBJECT_STORE_CONNECT_TIMEOUT": "1", "OBJECT_STORE_READ_TIMEOUT": "1",
                        "OBJECT_STORE_RETRIES": "2", "WAREHOUSE_LOCK_TIMEOUT": "1s",
                        "WAREHOUSE_STATEMENT_TIMEOUT": "2s"}.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def limited_url(warehouse_url, short_limits):
    """The test database through an engine made under the short limits (engines are cached per URL)."""
    url = make_url(warehouse_url).update_query_dict({"application_name": "nq57-timeouts"})
    url = url.render_as_string(hide_password=False)
    yield url
    warehouse.engine(url).dispose()


@pytest.mark.timeout(300)
def test_a_black_holed_store_fails_after_bounded_attempts(black_hole, short_limits):
    client = objectstore.connect(objectstore.StoreConfig(black_hole.endpoint, "key", "secret-key"))
    with pytest.raises(MaxRetryError) as caught:
        objectstore.list_submissions(client, "nq57-submissions")
    assert "timed out" in str(caught.value.reason).lower()
    assert len(black_hole.accepted) == 3  # the first attempt and OBJECT_STORE_RETRIES=2 retries, then it stops


@pytest.mark.timeout(300)
def test_cli_names_the_silent_store_in_one_line(black_hole, short_limits, warehouse_url, monkeypatch, capsys):
    monkeypatch.setenv("WAREHOUSE_URL", warehouse_url)
    monkeypatch.setenv("OBJECT_STORE_ENDPOINT", black_hole.endpoint)
    monkeypatch.setenv("OBJECT_STORE_ACCESS_KEY", "key")
    monkeypatch.setenv("OBJECT_STORE_SECRET_KEY", "secret-key")
    assert cli.main(["run", "--period", "2026-10"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    assert f"the object store at {black_hole.endpoint} did not answer" in err[0]
    assert "OBJECT_STORE_READ_TIMEOUT" in err[0]


@pytest.fixture
def locked_ledger(warehouse_url):
    """Another session holding an exclusive lock on the ledger and never finishing (a stuck migration,
    a forgotten transaction in psql)."""
    holder = create_engine(make_url(warehouse_url), poolclass=NullPool)
    conn = holder.connect()
    conn.execute(text("LOCK TABLE raw.submission IN ACCESS EXCLUSIVE MODE"))
    yield
    conn.rollback()
    conn.close()
    holder.dispose()


@pytest.mark.timeout(300)
def test_a_stuck_lock_fails_fast_instead_of_waiting_forever(limited_url, locked_ledger):
    with pytest.raises(OperationalError) as caught:
        warehouse.feedback_pending(limited_url, "nq57-submissions")
    assert caught.value.orig.sqlstate == "55P03"  # lock_not_available: "canceling statement due to lock timeout"


@pytest.mark.timeout(300)
def test_cli_reports_a_stuck_lock_in_one_line(limited_url, locked_ledger, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WAREHOUSE_URL", limited_url)
    assert cli.main(["report", "--period", "2026-10", "--out", str(tmp_path / "r.xlsx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "gave up waiting for a lock" in err[0] and "WAREHOUSE_LOCK_TIMEOUT" in err[0]
    assert not (tmp_path / "r.xlsx").exists()


@pytest.mark.timeout(300)
def test_a_runaway_statement_is_cancelled(limited_url):
    with pytest.raises(OperationalError) as caught, warehouse.engine(limited_url).connect() as conn:
        conn.execute(text("SELECT pg_sleep(60)"))
    assert caught.value.orig.sqlstate == "57014"  # query_canceled: statement timeout


@pytest.mark.timeout(300)
def test_a_consolidation_waits_for_another_one_only_so_long(warehouse_url, monkeypatch):
    monkeypatch.setenv("NQ57_CONSOLIDATION_LOCK_WAIT", "1s")
    holder = create_engine(make_url(warehouse_url), poolclass=NullPool)
    try:
        with holder.connect() as conn:
            conn.execute(text(warehouse.named_query("lock_period_consolidation")), {"period": "2026-10"})
            with pytest.raises(OperationalError) as caught:
                consolidate.consolidate_period(warehouse_url, "2026-10")
            assert caught.value.orig.sqlstate == "55P03"
            conn.rollback()
    finally:
        holder.dispose()
    assert consolidate.consolidate_period(warehouse_url, "2026-10")["links"] == 0  # free again


def test_bi_logins_carry_session_limits(warehouse_url):
    name = bi_logins.create_agency_login(warehouse_url, "T01", "bi_t01_limits", password="limits-password")
    try:
        login = create_engine(make_url(warehouse_url).set(username=name, password="limits-password"),
                              poolclass=NullPool)
        with login.connect() as conn:
            shown = {setting: conn.execute(text(f"SHOW {setting}")).scalar_one()
                     for setting in bi_logins.BI_SESSION_LIMITS}
        login.dispose()
        assert shown == bi_logins.BI_SESSION_LIMITS
    finally:
        bi_logins.drop_login(warehouse_url, name)


def test_pipeline_sessions_carry_the_configured_limits(limited_url):
    got = warehouse.query(limited_url, "SELECT current_setting('lock_timeout') AS l, "
                                       "current_setting('statement_timeout') AS s").iloc[0]
    assert (got.l, got.s) == ("1s", "2s")
