-- Every label, before nq57.vocabulary.LABELS is loaded again (labels are replaced, not merged).
DELETE FROM core.label
