-- Uploads put outside <agency>/<YYYY-MM>/ that were answered (issue 17 item 4).
--
-- Such an upload is never judged and never enters raw.submission (so no view ever shows it); discovery
-- writes the agency one feedback workbook under its own prefix, <agency>/sai-thu-muc/, and records the
-- object version here, so each version is answered exactly once: a later run skips it, a new version of
-- the same key is answered again. agency_code is the key's first folder, which has an agency code's shape
-- but need not be in core.agency (hence no foreign key).

CREATE TABLE raw.misplaced_upload (
    bucket       text        NOT NULL,
    object_key   text        NOT NULL,
    version_id   text        NOT NULL,
    agency_code  text        NOT NULL,
    size_bytes   bigint      NOT NULL,
    sha256       text        NOT NULL,
    received_at  timestamptz NOT NULL,
    rule         text        NOT NULL,
    feedback_key text        NOT NULL,
    answered_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bucket, object_key, version_id)
);
COMMENT ON TABLE raw.misplaced_upload IS
    'Object versions outside <agency>/<YYYY-MM>/ answered with a feedback workbook (feedback_key); never ledgered.';

-- Agency data: row-level security like every other such table (V050), full access for the owner and the
-- pipeline. No reader role is granted anything here: no mart view reads it.
ALTER TABLE raw.misplaced_upload ENABLE ROW LEVEL SECURITY;
ALTER TABLE raw.misplaced_upload FORCE ROW LEVEL SECURITY;
CREATE POLICY full_read ON raw.misplaced_upload FOR SELECT
    USING ((SELECT core.rls_reads_all('raw.misplaced_upload'::regclass)));
CREATE POLICY full_write ON raw.misplaced_upload FOR ALL
    USING ((SELECT core.rls_writes_all('raw.misplaced_upload'::regclass)))
    WITH CHECK ((SELECT core.rls_writes_all('raw.misplaced_upload'::regclass)));

-- The pipeline reads what was answered and records new answers. Granted by name: V050's default
-- privileges cover it only when the role running this migration is the one that ran V050.
GRANT SELECT, INSERT, UPDATE, DELETE ON raw.misplaced_upload TO nq57_loader;
