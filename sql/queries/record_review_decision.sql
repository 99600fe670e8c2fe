-- A reviewer's decision on one NQ57-NQ71 pair: the crosswalk links it from now on (confirmed) or never
-- proposes it again (rejected). A later decision on the same pair replaces the earlier one.
INSERT INTO core.task_crosswalk (nq57_task_code, nq71_task_code, lead_agency_code, decision, method, decided_by, note)
VALUES (:a, :b, :agency, :decision, 'review', :who, :note)
ON CONFLICT (nq57_task_code, nq71_task_code) DO UPDATE
SET decision = excluded.decision,
    decided_by = excluded.decided_by,
    decided_at = now(),
    note = excluded.note
