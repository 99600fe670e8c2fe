-- Issue 14 item 5 and issue 17 item 8: a submission is its bytes under its key, and the store's version
-- order decides which upload is newest.
--
-- * raw.submission_version records every object version that was ingested, with the submission its bytes
--   belong to. The same bytes under the same key are the same submission whatever version id the store
--   gave them: a second `nq57 run` against a fresh store, two runs uploading one inbox at once, or a store
--   migration add versions here, never submissions.
-- * latest_upload_at / latest_upload_ordinal say when the newest version carrying the submission's bytes
--   was stored: the store's timestamp, then the version's position among the key's versions (0 = first,
--   as ListObjectVersions orders them), so a correction stored in the same second as the original still
--   comes after it. received_at stays the first receipt (it decides on time / late).
ALTER TABLE raw.submission
    ADD COLUMN latest_upload_at      timestamptz,
    ADD COLUMN latest_upload_ordinal integer NOT NULL DEFAULT 0;
UPDATE raw.submission SET latest_upload_at = received_at;
ALTER TABLE raw.submission ALTER COLUMN latest_upload_at SET NOT NULL;

-- A row written without an upload order (by hand, by an older writer) is ordered by its receipt.
CREATE FUNCTION raw.default_latest_upload() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW.latest_upload_at := coalesce(NEW.latest_upload_at, NEW.received_at);
    RETURN NEW;
END
$$;
CREATE TRIGGER default_latest_upload BEFORE INSERT ON raw.submission
    FOR EACH ROW EXECUTE FUNCTION raw.default_latest_upload();

COMMENT ON COLUMN raw.submission.latest_upload_at IS
    'Store timestamp of the newest object version carrying these bytes under this key (decides which upload counts).';
COMMENT ON COLUMN raw.submission.latest_upload_ordinal IS
    'Position of that version among the key''s versions in the store (0 = first): orders uploads stored in the same second.';

CREATE INDEX submission_content ON raw.submission (bucket, object_key, sha256);

CREATE TABLE raw.submission_version (
    bucket        text        NOT NULL,
    object_key    text        NOT NULL,
    version_id    text        NOT NULL,
    sha256        text        NOT NULL,
    submission_id bigint      NOT NULL REFERENCES raw.submission ON DELETE CASCADE,
    stored_at     timestamptz NOT NULL,
    ordinal       integer     NOT NULL,
    PRIMARY KEY (bucket, object_key, version_id, sha256)
);
CREATE INDEX submission_version_submission ON raw.submission_version (submission_id);

COMMENT ON TABLE raw.submission_version IS
    'Every object version ingested, and the submission (same key, same bytes) it belongs to.';

INSERT INTO raw.submission_version (bucket, object_key, version_id, sha256, submission_id, stored_at, ordinal)
SELECT bucket, object_key, version_id, sha256, submission_id, received_at, 0 FROM raw.submission;
