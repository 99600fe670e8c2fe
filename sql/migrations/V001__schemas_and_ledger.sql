-- Warehouse layers: raw (what arrived), staging (typed rows per submission), core (dimensions and
-- consolidated facts), mart (views BI tools read).
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS mart;

-- The submission ledger: one row per object version received. An object version is identified by
-- (bucket, object_key, version_id, sha256); version_id is 'null' on unversioned stores.
CREATE TABLE raw.submission (
    submission_id   bigserial PRIMARY KEY,
    bucket          text        NOT NULL,
    object_key      text        NOT NULL,
    version_id      text        NOT NULL,
    sha256          text        NOT NULL,
    size_bytes      bigint      NOT NULL,
    agency_code     text        NOT NULL,
    period          text        NOT NULL CHECK (period ~ '^\d{4}-\d{2}$'),
    system          text        CHECK (system IN ('NQ57', 'NQ71')),
    received_at     timestamptz NOT NULL,
    processed_at    timestamptz,
    status          text        NOT NULL DEFAULT 'received'
                                CHECK (status IN ('received', 'accepted', 'rejected')),
    task_count      integer     NOT NULL DEFAULT 0,
    indicator_count integer     NOT NULL DEFAULT 0,
    error_count     integer     NOT NULL DEFAULT 0,
    warning_count   integer     NOT NULL DEFAULT 0,
    nil_report      boolean     NOT NULL DEFAULT false,
    report_date     date,
    feedback_key    text,
    UNIQUE (bucket, object_key, version_id, sha256)
);
CREATE INDEX submission_agency_period ON raw.submission (agency_code, period, system);

-- Every finding about a submission, in the agency's language, at its sheet/row/column.
CREATE TABLE raw.submission_issue (
    submission_id bigint  NOT NULL REFERENCES raw.submission ON DELETE CASCADE,
    seq           integer NOT NULL,
    severity      text    NOT NULL CHECK (severity IN ('error', 'warning')),
    rule          text    NOT NULL,
    sheet         text,
    row_number    integer,
    column_ref    text,
    message       text    NOT NULL,
    hint          text,
    PRIMARY KEY (submission_id, seq)
);

-- Typed task rows of accepted submissions, with provenance (submission, sheet, row).
CREATE TABLE staging.task (
    submission_id       bigint  NOT NULL REFERENCES raw.submission ON DELETE CASCADE,
    source_sheet        text    NOT NULL,
    source_row          integer NOT NULL,
    task_group          text,
    stt                 text,
    task_code           text    NOT NULL,
    link_code           text,
    task_name           text    NOT NULL,
    assigning_doc       text    NOT NULL,
    doc_item            text,
    lead_agency_code    text,
    lead_agency_raw     text,
    partner_agencies    text,
    deadline_raw        text,
    deadline_date       date,
    deadline_type       text,
    product             text,
    status_raw          text,
    status_code         text,
    status_derived      text,
    progress_pct        numeric(5, 2),
    completed_on        date,
    result_text         text,
    difficulties        text,
    recommendations     text,
    PRIMARY KEY (submission_id, source_row),
    UNIQUE (submission_id, task_code)
);

CREATE TABLE staging.indicator (
    submission_id  bigint  NOT NULL REFERENCES raw.submission ON DELETE CASCADE,
    source_sheet   text    NOT NULL,
    source_row     integer NOT NULL,
    indicator_code text    NOT NULL,
    indicator_name text,
    unit           text,
    value          numeric,
    value_raw      text,
    note           text,
    PRIMARY KEY (submission_id, source_row),
    UNIQUE (submission_id, indicator_code)
);

-- Reference dimensions, reloaded from the shipped CSV files on every migrate.
CREATE TABLE core.agency (
    agency_code text PRIMARY KEY,
    name        text NOT NULL,
    kind        text NOT NULL,
    short_name  text
);
CREATE TABLE core.agency_alias (
    alias       text NOT NULL,
    agency_code text NOT NULL REFERENCES core.agency,
    alias_kind  text NOT NULL,
    PRIMARY KEY (alias)
);
CREATE TABLE core.indicator (
    indicator_code    text PRIMARY KEY,
    name              text NOT NULL,
    unit              text,
    target_op         text NOT NULL CHECK (target_op IN ('>=', '>', '<=', '=', 'between', 'qualitative')),
    target_low        numeric,
    target_high       numeric,
    monitoring_agency text REFERENCES core.agency
);
