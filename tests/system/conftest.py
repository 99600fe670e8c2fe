"""The system tier: the native production stack (nq57.devtools.stack) with the real scheduler."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from .faults import FaultyProxy


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/system/" in str(item.fspath):
            item.add_marker(pytest.mark.system)
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="module")
def smtp_sink():
    from aiosmtpd.controller import Controller

    from nq57.devtools.embedded import free_port

    class Sink:
        messages: list = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
            self.messages.append(envelope)
            return "250 OK"

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


def start_stack(executor: str, smtp_port: int, **kwargs):
    """A running stack and the fault proxy in front of its store; the caller stops both."""
    from nq57.devtools.stack import NativeStack

    workdir = Path(tempfile.mkdtemp(prefix=f"nq57-system-{executor.lower()}-"))
    proxy = FaultyProxy()
    stack = NativeStack(workdir, executor=executor, smtp_port=smtp_port, store_via=proxy.start,
                        # test pacing only: retry a failed task after 5 s instead of the deployment's 60 s
                        extra_env={"AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "5"}, **kwargs)
    try:
        stack.start()
    except BaseException:
        stack.stop()
        proxy.stop()
        raise
    return stack, proxy, workdir


def stop_stack(stack, proxy, workdir) -> None:
    try:
        stack.stop()
    finally:
        proxy.stop()
        shutil.rmtree(workdir, ignore_errors=True)
