-- Everything a previous judgement of one submission left: its issues and its staged rows.
WITH issues AS (
    DELETE FROM raw.submission_issue WHERE submission_id = :submission_id
), tasks AS (
    DELETE FROM staging.task WHERE submission_id = :submission_id
)
DELETE FROM staging.indicator WHERE submission_id = :submission_id
