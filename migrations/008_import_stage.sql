-- Long imports publish in short transactions (issue #9, item 7). An import first stages all its
-- checked rows here, in one short transaction: from that commit on it is decided, and it is
-- published part by part, each part's rows created and its stage row removed in the same
-- transaction. A run killed part-way is finished by the next opening of the file. Nothing reads
-- these tables but the import; they are empty when no import is running.
CREATE TABLE import_job (
    id TEXT PRIMARY KEY,
    actor TEXT NOT NULL,
    today TEXT NOT NULL,
    fixed_now TEXT,
    created_at TEXT NOT NULL,
    -- 1 once every part is staged: from then on the import is decided.
    ready INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE import_part (
    job_id TEXT NOT NULL REFERENCES import_job (id),
    part INTEGER NOT NULL,
    -- JSON array of checked rows (`store::import::ParsedRow`).
    rows TEXT NOT NULL,
    PRIMARY KEY (job_id, part)
);
