-- guichet — schema version 1.
--
-- The single source of truth for the case file. It is embedded in the binary and applied, in one
-- transaction, to a new file; later versions add numbered migrations in src/store/migrate.rs and
-- never edit this text once it has shipped.
--
-- Conventions
--   * Every record that can travel between files (salon laptop -> office) is keyed by a UUID v7
--     stored as text; reference lists (types, channels) are keyed by a short code.
--   * Dates are calendar dates 'YYYY-MM-DD'; timestamps are UTC 'YYYY-MM-DDTHH:MM:SSZ'.
--   * Amounts (none yet) are whole euros stored as INTEGER.
--   * Mutable rows carry `version`: an update states the version it read and is refused when
--     someone else changed the row meanwhile (`updated_by`, `updated_at` say who and when).
--   * follow_up and history are append-only: triggers refuse UPDATE and DELETE.

-- Facts about this file: its own identity, the series letter of its references.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Counters for human-readable references, one per (series, year).
CREATE TABLE counter (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;

-- Reference lists. Another département edits these rows (guichet ref …), never the code.
CREATE TABLE request_type (
    code     TEXT PRIMARY KEY,
    label    TEXT NOT NULL,
    aliases  TEXT NOT NULL DEFAULT '',   -- other spellings accepted on import, '|'-separated
    position INTEGER NOT NULL DEFAULT 0,
    active   INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

CREATE TABLE channel (
    code     TEXT PRIMARY KEY,
    label    TEXT NOT NULL,
    aliases  TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    active   INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

-- What the département offers, to answer at a desk or a stand (configurable like the lists).
CREATE TABLE offer (
    code      TEXT PRIMARY KEY,
    type_code TEXT REFERENCES request_type (code),
    title     TEXT NOT NULL,
    body      TEXT NOT NULL,
    position  INTEGER NOT NULL DEFAULT 0,
    active    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

CREATE TABLE partner (
    id       TEXT PRIMARY KEY,
    code     TEXT NOT NULL UNIQUE,
    name     TEXT NOT NULL,
    kind     TEXT NOT NULL DEFAULT '',   -- cpts, institution, ordre, collectivite, ecole…
    phone    TEXT NOT NULL DEFAULT '',
    email    TEXT NOT NULL DEFAULT '',
    aliases  TEXT NOT NULL DEFAULT '',
    active   INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    version  INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE agent (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,      -- lower case, no accents: "Élodie Martin" -> "elodie martin"
    initials   TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'responsable')),
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
) STRICT;

-- A salon, congress, faculty forum or welcome evening. Name + date identify it.
CREATE TABLE event (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    held_on    TEXT NOT NULL,
    place      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (name, held_on)
) STRICT;
CREATE INDEX event_held_on ON event (held_on);

CREATE TABLE person (
    id         TEXT PRIMARY KEY,
    last_name  TEXT NOT NULL CHECK (trim(last_name) <> ''),
    first_name TEXT NOT NULL CHECK (trim(first_name) <> ''),
    birth_date TEXT,
    phone      TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    profile    TEXT CHECK (profile IN ('etudiant', 'interne', 'professionnel', 'famille')),
    profession TEXT NOT NULL DEFAULT '',
    -- Normalised keys for finding the same person again (duplicates, import, salon merge).
    name_key   TEXT NOT NULL,             -- "dupont jean"
    phone_key  TEXT NOT NULL DEFAULT '',  -- digits only, +33 folded to 0
    email_key  TEXT NOT NULL DEFAULT '',  -- trimmed, lower case
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX person_name_key ON person (name_key);
CREATE INDEX person_phone_key ON person (phone_key) WHERE phone_key <> '';
CREATE INDEX person_email_key ON person (email_key) WHERE email_key <> '';

CREATE TABLE request (
    id                TEXT PRIMARY KEY,
    reference         TEXT NOT NULL UNIQUE,   -- "A24-00042": read out on the phone
    person_id         TEXT NOT NULL REFERENCES person (id),
    type_code         TEXT NOT NULL REFERENCES request_type (code),
    status            TEXT NOT NULL CHECK (status IN
                        ('a_qualifier', 'nouvelle', 'en_cours', 'attente_demandeur',
                         'attente_partenaire', 'close')),
    outcome           TEXT CHECK (outcome IN ('aboutie', 'refusee', 'sans_suite', 'reorientee')),
    channel_code      TEXT REFERENCES channel (code),
    event_id          TEXT REFERENCES event (id),
    agent_id          TEXT REFERENCES agent (id),
    received_on       TEXT NOT NULL,
    next_follow_up_on TEXT,
    closed_on         TEXT,
    -- Day of the first contact with the person (call, e-mail, meeting, letter; not a note):
    -- set once, by the first such follow-up. "Time to first contact" reads it.
    first_contact_on  TEXT,
    summary           TEXT NOT NULL DEFAULT '',
    import_key        TEXT UNIQUE,            -- fingerprint of the spreadsheet row it came from
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    updated_by        TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    -- A closed request always has an outcome and a closing date, an open one has neither.
    CHECK ((status = 'close') = (outcome IS NOT NULL)),
    CHECK ((status = 'close') = (closed_on IS NOT NULL)),
    CHECK (closed_on IS NULL OR closed_on >= received_on)
) STRICT;
CREATE INDEX request_person ON request (person_id);
-- Figures: counts by reception (type, channel, status) and by closing (type, outcome) read these
-- covering indexes only.
CREATE INDEX request_received ON request (received_on, type_code, channel_code, status, first_contact_on);
CREATE INDEX request_closed ON request (closed_on, type_code, outcome, received_on) WHERE closed_on IS NOT NULL;
-- Lists: "most recent first" and "due first" pages walk an index instead of sorting the table.
CREATE INDEX request_recent ON request (received_on, reference);
-- "Types in use" by a date: one lookup per type; counts per type before a day, in type order
-- (no sort).
CREATE INDEX request_type_received ON request (type_code, received_on);
CREATE INDEX request_type_closed ON request (type_code, closed_on) WHERE closed_on IS NOT NULL;
CREATE INDEX request_due ON request (coalesce(next_follow_up_on, '9999-12-31'), received_on, reference)
    WHERE status <> 'close';
CREATE INDEX request_agent_open ON request (agent_id, next_follow_up_on) WHERE status <> 'close';
CREATE INDEX request_status ON request (status, received_on);
CREATE INDEX request_event ON request (event_id) WHERE event_id IS NOT NULL;

-- The case log. Append-only.
CREATE TABLE follow_up (
    id                TEXT PRIMARY KEY,
    request_id        TEXT NOT NULL REFERENCES request (id),
    kind              TEXT NOT NULL CHECK (kind IN
                        ('appel_entrant', 'appel_sortant', 'email_recu', 'email_envoye',
                         'rendez_vous', 'courrier', 'note')),
    occurred_on       TEXT NOT NULL,
    body              TEXT NOT NULL DEFAULT '',
    next_follow_up_on TEXT,
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL
) STRICT;
CREATE INDEX follow_up_request ON follow_up (request_id, occurred_on);

CREATE TABLE referral (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES request (id),
    partner_id  TEXT NOT NULL REFERENCES partner (id),
    sent_on     TEXT NOT NULL,
    expected_by TEXT,
    reminders   INTEGER NOT NULL DEFAULT 0 CHECK (reminders >= 0),
    reminded_on TEXT,
    answered_on TEXT,
    answer      TEXT CHECK (answer IN ('favorable', 'defavorable', 'sans_objet')),
    note        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    CHECK ((answered_on IS NULL) = (answer IS NULL)),
    CHECK (answered_on IS NULL OR answered_on >= sent_on)
) STRICT;
CREATE INDEX referral_request ON referral (request_id);
CREATE INDEX referral_partner ON referral (partner_id, sent_on);
CREATE INDEX referral_awaited ON referral (expected_by) WHERE answered_on IS NULL;

-- Full-text search for the interface's "/": one document per request (rowid = request rowid)
-- with its reference, the person's names and contacts, the summary and the case log. Written by
-- the storage module (store::search::reindex) whenever one of those changes; no trigger, so
-- nothing depends on trusting the schema.
CREATE VIRTUAL TABLE search USING fts5 (
    body,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'      -- prefix indexes: "d", "du", "dup" are answered as fast as "dupont"
);

-- Salon laptops and merging (`guichet salon prepare`, `guichet merge`).
-- On a full copy taken for the road: the version of every copied record, so that a merge tells
-- an edit made on the road from one made at the office meanwhile.
CREATE TABLE merge_base (
    entity  TEXT NOT NULL,
    id      TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (entity, id)
) STRICT;

-- In the office file: each laptop file merged.
CREATE TABLE merge_log (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    file_id        TEXT NOT NULL,
    merged_at      TEXT NOT NULL,
    actor          TEXT NOT NULL,
    added_persons  INTEGER NOT NULL,
    added_requests INTEGER NOT NULL,
    pending        INTEGER NOT NULL,
    skipped        INTEGER NOT NULL
) STRICT;

-- What a merge did not decide alone: a likely duplicate of a person already in the office file
-- (held with everything captured for them), or a record edited both on the road and at the
-- office (the laptop's version, kept beside the office's). An agent resolves each one.
CREATE TABLE merge_pending (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('duplicate', 'conflict')),
    source_file TEXT NOT NULL,
    entity      TEXT NOT NULL,
    laptop_id   TEXT NOT NULL,
    office_id   TEXT,
    summary     TEXT NOT NULL,
    payload     TEXT NOT NULL,     -- JSON: the laptop's rows
    created_at  TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT,
    resolution  TEXT CHECK (resolution IN ('merged', 'kept_apart', 'office_kept', 'laptop_applied')),
    UNIQUE (source_file, laptop_id, kind)
) STRICT;

-- Every change to a record: who, when, which record, which field, old -> new. Append-only.
CREATE TABLE history (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    entity    TEXT NOT NULL,     -- request, person, referral, agent…
    entity_id TEXT NOT NULL,
    field     TEXT NOT NULL,     -- '*' for a creation
    old_value TEXT,
    new_value TEXT
) STRICT;
CREATE INDEX history_entity ON history (entity_id, seq);

CREATE TRIGGER follow_up_append_only_update BEFORE UPDATE ON follow_up
BEGIN SELECT RAISE(ABORT, 'follow_up is append-only'); END;
CREATE TRIGGER follow_up_append_only_delete BEFORE DELETE ON follow_up
BEGIN SELECT RAISE(ABORT, 'follow_up is append-only'); END;
CREATE TRIGGER history_append_only_update BEFORE UPDATE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_append_only_delete BEFORE DELETE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
