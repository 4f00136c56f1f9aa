-- guichet — housing places for students on placement (issue #14).
--
-- A register of places (collège staff flats, municipal, tourism, care structures, private), the
-- periods each is open, and the placements of `logement` requests in them. Dates are calendar
-- dates 'YYYY-MM-DD', both ends included. Capacity is checked by the storage module inside the
-- placing transaction (BEGIN IMMEDIATE), never by a trigger.

CREATE TABLE housing_place (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,          -- "LOG-0001": read out on the phone
    name        TEXT NOT NULL CHECK (trim(name) <> ''),
    kind        TEXT NOT NULL CHECK (kind IN
                    ('college', 'municipal', 'tourisme', 'structure_soins', 'prive')),
    commune     TEXT NOT NULL CHECK (trim(commune) <> ''),
    commune_key TEXT NOT NULL,                 -- folded: "saint jean de braye"
    latitude    REAL,                          -- of the commune (shipped list or given)
    longitude   REAL,
    beds        INTEGER NOT NULL CHECK (beds >= 1),
    rent        INTEGER NOT NULL DEFAULT 0 CHECK (rent >= 0),   -- whole euros a month, 0 = free
    partner_id  TEXT REFERENCES partner (id),  -- who offers it: a partner…
    owner       TEXT NOT NULL DEFAULT '',      -- …or a named owner
    profiles    TEXT NOT NULL DEFAULT '',      -- who may apply: profile codes, '|'-separated; '' = all
    professions TEXT NOT NULL DEFAULT '',      -- free text (médecine, kinésithérapie…)
    contact     TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    import_key  TEXT UNIQUE,                   -- fingerprint of the spreadsheet row it came from
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX housing_place_commune ON housing_place (commune_key);

-- When a place can be lent: a semester or any date range.
CREATE TABLE housing_opening (
    id         TEXT PRIMARY KEY,
    place_id   TEXT NOT NULL REFERENCES housing_place (id),
    starts_on  TEXT NOT NULL,
    ends_on    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    CHECK (ends_on >= starts_on)
) STRICT;
CREATE INDEX housing_opening_place ON housing_opening (place_id, starts_on);
CREATE INDEX housing_opening_period ON housing_opening (starts_on, ends_on);

-- A request placed in a place from a date to a date. On a salon laptop the request is not
-- copied: request_id is NULL there ("occupé", nobody's data).
CREATE TABLE housing_placement (
    id         TEXT PRIMARY KEY,
    place_id   TEXT NOT NULL REFERENCES housing_place (id),
    request_id TEXT REFERENCES request (id),
    starts_on  TEXT NOT NULL,
    ends_on    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    CHECK (ends_on >= starts_on)
) STRICT;
CREATE INDEX housing_placement_place ON housing_placement (place_id, starts_on);
CREATE INDEX housing_placement_period ON housing_placement (starts_on, ends_on, place_id);
CREATE INDEX housing_placement_request ON housing_placement (request_id);

-- A visitor's interest in a place, noted at a stand (laptop file), and brought back by the merge
-- as a placement proposal for an agent to confirm or decline. request_id is the captured
-- request's id (kept by the merge; a request held as a likely duplicate arrives later).
CREATE TABLE housing_proposal (
    id          TEXT PRIMARY KEY,
    place_id    TEXT NOT NULL REFERENCES housing_place (id),
    request_id  TEXT NOT NULL,
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    source_file TEXT NOT NULL DEFAULT '',      -- the laptop file's id ('' when noted here)
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    decided_at  TEXT,
    decided_by  TEXT,
    decision    TEXT CHECK (decision IN ('placed', 'declined')),
    CHECK (ends_on >= starts_on)
) STRICT;
CREATE INDEX housing_proposal_open ON housing_proposal (created_at) WHERE decision IS NULL;
