-- guichet — migration: a complete search index, and the partner's answer note kept apart.
--
-- The search index keeps no copy of the text (contentless FTS5, rows deletable by rowid) and
-- no word positions (`detail = none`: every query word is matched alone, as a prefix): it is
-- rebuilt from the tables by the storage module (store::search) in this same transaction, and
-- afterwards on every write, for every request whose text changed.
DROP TABLE search;
CREATE VIRTUAL TABLE search USING fts5 (
    body,
    content = '',
    contentless_delete = 1,
    detail = none,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
INSERT INTO meta (key, value) VALUES ('search_rebuild', '1')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;

-- The note given when referring (`note`) and the note given with the partner's answer
-- (`answer_note`) are two texts: an answer no longer overwrites the referral's note.
ALTER TABLE referral ADD COLUMN answer_note TEXT NOT NULL DEFAULT '';

-- Merges: every office person a held capture may be (JSON array of ids, best first), and what
-- a decision changed, so that it can be undone until the next merge (JSON, NULL when pending).
ALTER TABLE merge_pending ADD COLUMN candidates TEXT NOT NULL DEFAULT '[]';
ALTER TABLE merge_pending ADD COLUMN undo TEXT;

-- `list --agent X --open --limit 50`: an agent's open requests in list order, so that a page
-- reads its own rows only (open requests are a small share of the file).
CREATE INDEX request_agent_open_received ON request (agent_id, received_on, reference)
    WHERE status <> 'close';
