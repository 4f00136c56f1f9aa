-- guichet — spreadsheet values remembered by `guichet import --correspondance … --retenir`
-- (issue #13): a value the team writes ("CPTS'O", "Bouclé") and the code it stands for in one
-- column of the spreadsheet. Read by every later import before the value is checked.

CREATE TABLE import_alias (
    list       TEXT NOT NULL CHECK (list IN
                   ('type', 'canal', 'statut', 'issue', 'profil', 'partenaire', 'dispositif')),
    value_key  TEXT NOT NULL CHECK (value_key <> ''),   -- the value folded: "cpts o"
    value      TEXT NOT NULL,                           -- as first written: "CPTS'O"
    code       TEXT NOT NULL CHECK (code <> ''),        -- "cpts_orleans"
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (list, value_key)
) STRICT;
