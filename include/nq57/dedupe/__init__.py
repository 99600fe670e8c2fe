"""Cross-system dedupe: link each month's NQ57 tasks to its NQ71 tasks, one-to-one and explainably.

DataFrames in, DataFrames out; no database, no Airflow (DESIGN §5).

- `normalize`: name (citations, periods, abbreviations), document-number, item and deadline normal forms.
- `reconcile`: word-level alignment of two names (acronyms, typing slips, one-sided qualifiers).
- `features`: per-pair feature scores in [0, 1] and their weighted combination, in two passes.
- `match`: `link_tasks(nq57, nq71, crosswalk, rejected, thresholds) -> LinkResult`.
- `consolidate`: a period's linking against the warehouse.

Evaluation lives in `nq57.devtools`: `dedupe_labelled` (the independent labelled set),
`dedupe_evaluate` (`make eval-dedupe`: ours beside Splink), `dedupe_synthetic` (regression set).
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
