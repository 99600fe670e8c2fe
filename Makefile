# Everything bootstraps from Python alone: a private uv in .venv-tools, then the locked environment in .venv.
PYTHON ?= python3
UV_VENV := .venv-tools
UV := $(UV_VENV)/bin/uv
VENV := .venv
export PYTHONPATH := $(CURDIR)/include
export GX_ANALYTICS_ENABLED := false

.PHONY: install demo airflow test test-fast test-deps lint bench eval-dedupe report-pages docs-pages screenshot clean

$(UV):
	$(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/pip install --quiet --disable-pip-version-check 'uv>=0.5,<1'

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	touch $@

install: $(VENV)/.synced

demo: install  ## sample data -> embedded S3 -> airflow dags test nq57_ingest -> warehouse -> summary
	$(VENV)/bin/nq57 demo

airflow: install  ## the production topology natively (compose's settings) with the sample month; Ctrl-C stops it
	$(VENV)/bin/python -m nq57.devtools.stack

test: install test-deps  ## lint + the whole test suite on embedded PostgreSQL and S3 (system tier included)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest

test-fast: install  ## lint + the tests that need no server, no Airflow, no Great Expectations and are not slow (under a minute)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest -m "not integration and not gx and not slow and not rendering"

test-deps:  ## Debian packages the rendering tests need (LibreOffice, poppler, fonts), only those missing
	@sh tools/render-deps.sh

lint: install
	$(VENV)/bin/ruff check .

bench: install  ## stage timings against the hand-written baseline, then a month through the real scheduler
	$(VENV)/bin/python benchmarks/bench_ingest.py
	$(VENV)/bin/python benchmarks/bench_scheduler.py

screenshot: install  ## docs/airflow-grid.png: the UI grid of a month with a rejection (needs chromium)
	$(VENV)/bin/python -m nq57.devtools.screenshot docs/airflow-grid.png

eval-dedupe: install  ## NQ57-NQ71 linking beside Splink on the independent labelled set (precision, recall, per kind)
	$(VENV)/bin/python -m nq57.devtools.dedupe_evaluate

report-pages: install test-deps  ## a sample month's report rendered: first page of the workbook and the document in docs/report/
	$(VENV)/bin/python -m nq57.devtools.report_preview docs/report

docs-pages: install test-deps  ## what clerks print, rendered: a rejected correction's feedback (page 1) and the template's first pages in docs/clerk/
	$(VENV)/bin/python -m nq57.devtools.clerk_preview docs/clerk

clean:
	rm -rf $(VENV) $(UV_VENV) .nq57 .pytest_cache .ruff_cache
