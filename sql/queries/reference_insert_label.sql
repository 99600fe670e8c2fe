-- One label of nq57.vocabulary.LABELS into core.label.
INSERT INTO core.label (kind, code, label) VALUES (:kind, :code, :label)
