-- Salon merges of any size yield to colleagues (issue #9, item 7), like imports (008): a merge
-- first stages the laptop's records here, part by part (the laptop is read once, checked, and
-- not needed again); once the last part is staged (`ready`), the merge is decided and is
-- published part by part, each part's records merged and its stage row removed in the same
-- short transaction. A run killed while publishing is finished by the next opening of the file;
-- one killed while staging is removed. Nothing reads these tables but the merge; they are empty
-- when no merge is running.
CREATE TABLE merge_job (
    id TEXT PRIMARY KEY,
    file_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    today TEXT NOT NULL,
    fixed_now TEXT,
    created_at TEXT NOT NULL,
    -- JSON: the laptop's reference lists and the versions it was copied at.
    head TEXT NOT NULL,
    -- JSON: laptop ids of agents, events and partners → the office's, once the lists are merged.
    maps TEXT,
    -- JSON: what the merge did so far (`MergeReport`).
    report TEXT NOT NULL,
    -- 1 once every part is staged: from then on the merge is decided.
    ready INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE merge_part (
    job_id TEXT NOT NULL REFERENCES merge_job (id),
    part INTEGER NOT NULL,
    -- JSON: persons with everything captured for them, or housing interests.
    payload TEXT NOT NULL,
    PRIMARY KEY (job_id, part)
);
