-- Cross-system dedupe (DESIGN §5): one identity per real task across NQ57 and NQ71, stable across months.

-- Every task code ever seen in a system maps to exactly one unified task. A link made later (by code,
-- crosswalk, score or review) moves the NQ71 code onto the NQ57 code's identity; merged_from keeps the
-- identity it had before, so nothing is lost.
CREATE TABLE core.task_identity (
    system           text NOT NULL CHECK (system IN ('NQ57', 'NQ71')),
    task_code        text NOT NULL,
    unified_task_id  text NOT NULL,
    first_period     text NOT NULL,
    merged_from      text,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (system, task_code)
);
CREATE INDEX task_identity_unified ON core.task_identity (unified_task_id);
CREATE SEQUENCE core.unified_task_seq;

-- The persistent crosswalk: pairs confirmed (reused every month without scoring) or rejected (never
-- proposed again), with who decided, when and how.
CREATE TABLE core.task_crosswalk (
    nq57_task_code   text        NOT NULL,
    nq71_task_code   text        NOT NULL,
    lead_agency_code text,
    decision         text        NOT NULL CHECK (decision IN ('confirmed', 'rejected')),
    method           text        NOT NULL,
    decided_by       text        NOT NULL,
    decided_at       timestamptz NOT NULL DEFAULT now(),
    note             text,
    PRIMARY KEY (nq57_task_code, nq71_task_code)
);

-- Append-only audit of every review decision imported.
CREATE TABLE core.review_audit (
    audit_id         bigserial PRIMARY KEY,
    nq57_task_code   text        NOT NULL,
    nq71_task_code   text        NOT NULL,
    decision         text        NOT NULL,
    decided_by       text        NOT NULL,
    decided_at       timestamptz NOT NULL DEFAULT now(),
    source_file      text,
    note             text
);

-- Links found for one period, with method, score and per-feature evidence.
CREATE TABLE core.task_link (
    period           text    NOT NULL,
    nq57_task_code   text    NOT NULL,
    nq71_task_code   text    NOT NULL,
    lead_agency_code text,
    method           text    NOT NULL CHECK (method IN ('code', 'crosswalk', 'score', 'review')),
    score            numeric(6, 4) NOT NULL,
    evidence         jsonb   NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (period, nq57_task_code),
    UNIQUE (period, nq71_task_code)
);

-- Candidate pairs in the middle score band, waiting for a reviewer.
CREATE TABLE core.review_queue (
    period           text    NOT NULL,
    nq57_task_code   text    NOT NULL,
    nq71_task_code   text    NOT NULL,
    lead_agency_code text,
    score            numeric(6, 4) NOT NULL,
    evidence         jsonb   NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (period, nq57_task_code, nq71_task_code)
);

-- When each period was last consolidated (the asset-triggered run consolidates what changed since).
CREATE TABLE core.consolidation_run (
    period           text PRIMARY KEY,
    consolidated_at  timestamptz NOT NULL,
    links            integer NOT NULL,
    review_items     integer NOT NULL
);
