-- guichet — personal data (RGPD): access log, tamper evidence, secure deletion.
--
-- Tamper evidence: every history and access-log row is sealed into a hash chain by the program
-- at the end of the transaction that wrote it (store/chain.rs); `guichet check` recomputes it.
--   history.salt   random bytes of this row, erased with the values when the row is anonymised
--   history.digest hash of (salt, old_value, new_value): keeps the chain verifiable after
--                  anonymisation without keeping anything from which the values could be guessed
--   history.hash   hash of (previous row's hash, this row's fields, digest)
ALTER TABLE history ADD COLUMN salt BLOB;
ALTER TABLE history ADD COLUMN digest BLOB;
ALTER TABLE history ADD COLUMN hash BLOB;
CREATE INDEX history_unsealed ON history (seq) WHERE hash IS NULL;
-- Sealing sets the hash of a new row; a sealed row is never changed (anonymisation, the one
-- sanctioned rewrite, lifts this trigger inside its own transaction).
DROP TRIGGER history_append_only_update;
CREATE TRIGGER history_append_only_update BEFORE UPDATE ON history
WHEN old.hash IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;

-- Journal des accès: every consultation, export and change of a request — who, when, what,
-- which request. Holds no personal data beyond the reference. Kept `access_log.months`
-- (meta, default 12) then purged; rows are never updated.
CREATE TABLE access_log (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN
                 ('consultation', 'creation', 'modification', 'export_personne', 'export_liste',
                  'anonymisation')),
    request_id TEXT,
    reference  TEXT,
    hash       BLOB
) STRICT;
CREATE INDEX access_log_request ON access_log (request_id, seq) WHERE request_id IS NOT NULL;
CREATE INDEX access_log_at ON access_log (at);
CREATE INDEX access_log_unsealed ON access_log (seq) WHERE hash IS NULL;

CREATE TRIGGER access_log_append_only_update BEFORE UPDATE ON access_log
WHEN old.hash IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
CREATE TRIGGER access_log_append_only_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;

-- A deleted search document leaves no token behind in the full-text index (anonymisation).
INSERT INTO search (search, rank) VALUES ('secure-delete', 1);

-- When the person's identifying values were erased (anonymisation); NULL while they are kept.
ALTER TABLE person ADD COLUMN anonymised_at TEXT;
