-- guichet — migration: the search index keeps prefixes of 4 and 6 letters too.
--
-- A query word is matched as a prefix; FTS5 answers a prefix of a length it indexes with one
-- list of documents, and any other by merging the lists of every word that begins with it. At
-- a million requests a common name typed whole ("martin", "dupont" — the e-mails add
-- "martin0"…"martin99") cost 4–8 ms and two words 12 ms per keystroke, over the 16 ms a frame
-- may take; with these prefixes, well under 1 ms. The index grows by about a half (about
-- 80 bytes per request): the documents are rebuilt from the tables in this transaction
-- (a few seconds for 100,000 requests, about two minutes for a million).
DROP TABLE search;
CREATE VIRTUAL TABLE search USING fts5 (
    body,
    content = '',
    contentless_delete = 1,
    detail = none,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3 4 6'
);
INSERT INTO meta (key, value) VALUES ('search_rebuild', '1')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
