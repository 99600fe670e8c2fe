"""Cross-system dedupe: link each month's NQ57 tasks to its NQ71 tasks, one-to-one and explainably.

DataFrames in, DataFrames out; no database, no Airflow (DESIGN §5).

- `normalize`: name, document-number, item and deadline normal forms.
- `features`: per-pair feature scores in [0, 1] and their weighted combination.
- `match`: `link_tasks(nq57, nq71, crosswalk, rejected, thresholds) -> LinkResult`.
- `synthetic`: deterministic labelled NQ57/NQ71 task lists (evaluation, sample data).
- `evaluate`: precision / recall on the labelled set and the 5,000 x 5,000 timing (`make eval-dedupe`).
"""

from __future__ import annotations

from nq57.dedupe.features import Weights
from nq57.dedupe.match import LinkResult, Thresholds, link_tasks
from nq57.dedupe.normalize import deadline_distance_days, normalize_doc_number, normalize_name

__all__ = [
    "LinkResult",
    "Thresholds",
    "Weights",
    "deadline_distance_days",
    "link_tasks",
    "normalize_doc_number",
    "normalize_name",
]
