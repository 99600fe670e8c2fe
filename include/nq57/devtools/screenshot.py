"""`make screenshot`: the Airflow UI's grid for a month with a rejection, as the operator sees it.

Starts the native stack (`nq57.devtools.stack`), uploads a sample month whose files include a rejected
one, lets the scheduler ingest and consolidate it, then drives headless Chromium (Debian package
`chromium`) over the DevTools protocol: the API token goes into the UI's `_token` cookie, the grid page
is opened and captured. Writes `<out>` (grid) and `<out stem>-batches.png` (the mapped ingest batches
with each file's verdict).
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from nq57.devtools.embedded import free_port


class Chromium:
    def __init__(self, width: int = 1600, height: int = 1000):
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if not binary:
            raise SystemExit("chromium is not installed (Debian: apt-get install chromium)")
        self.port = free_port()
        self.profile = tempfile.mkdtemp(prefix="nq57-chromium-")
        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--hide-scrollbars", f"--window-size={width},{height}", f"--remote-debugging-port={self.port}",
             f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.counter = 0
        for _ in range(100):
            try:
                targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json").read())
                page = next(t for t in targets if t["type"] == "page")
                break
            except Exception:
                time.sleep(0.3)
        else:
            raise RuntimeError("chromium did not start")
        from websockets.sync.client import connect

        self._connection = connect(page["webSocketDebuggerUrl"], max_size=64 * 1024 * 1024)
        self.socket = self._connection.__enter__()

    def call(self, method: str, **params):
        self.counter += 1
        self.socket.send(json.dumps({"id": self.counter, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.counter:
                return message.get("result", {})

    def shot(self, url: str, out: Path, settle: float = 8.0) -> None:
        self.call("Page.navigate", url=url)
        time.sleep(settle)
        data = self.call("Page.captureScreenshot", format="png")["data"]
        out.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        self._connection.__exit__(None, None, None)
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.profile, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    import datetime as dt

    from nq57 import periods
    from nq57.devtools import sample_data
    from nq57.devtools.stack import NativeStack
    from nq57.settings import get_settings
    from nq57.storage import objectstore, warehouse

    out = Path((argv or sys.argv[1:] or ["docs/airflow-grid.png"])[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="nq57-screenshot-"))
    period = periods.collected_on(dt.datetime.now(dt.UTC))
    with NativeStack(workdir) as stack:
        stack.wait_for_dags(["nq57_ingest", "nq57_consolidate"])
        sample_data.generate(workdir / "inbox", period, agencies=6, seed=3, tasks_per_agency=20)
        objectstore.upload_inbox(objectstore.connect(stack.services.store), get_settings().buckets.submissions,
                                 workdir / "inbox")
        stack.unpause("nq57_consolidate")
        stack.unpause("nq57_ingest")
        deadline = time.monotonic() + 900
        while True:
            rejected = warehouse.query(stack.services.warehouse_url, "SELECT count(*) FILTER (WHERE status = 'rejected') "
                                       "AS r, count(*) FILTER (WHERE feedback_key IS NULL) AS w FROM raw.submission")
            reports = [r for r in stack.runs("nq57_consolidate") if r["run_type"] == "asset_triggered"]
            if rejected.r[0] and not rejected.w[0] and reports and reports[0]["state"] == "success":
                break
            if time.monotonic() > deadline:
                raise TimeoutError("the month did not go through")
            time.sleep(3)
        ingest = next(r for r in reversed(stack.runs("nq57_ingest"))
                      if any(t["task_id"] == "ingest_uploads"
                             for t in stack.task_instances("nq57_ingest", r["dag_run_id"])))
        browser = Chromium()
        try:
            browser.call("Network.enable")
            browser.call("Network.setCookie", name="_token", value=stack.token(), domain="127.0.0.1", path="/")
            browser.shot(f"{stack.base_url}/dags/nq57_ingest/runs/{ingest['dag_run_id']}", out)
            browser.shot(f"{stack.base_url}/dags/nq57_ingest/runs/{ingest['dag_run_id']}/tasks/ingest_uploads/mapped",
                         out.with_name(out.stem + "-batches.png"))
        finally:
            browser.close()
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"written: {out} and {out.with_name(out.stem + '-batches.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
