-- guichet — migration: the figures' counts kept per day.
--
-- The review and the summary of a year read a year of requests, follow-ups and referrals: at a
-- million requests, seconds. They read these counts instead, kept by triggers in the same
-- statement as every write (so no write path can forget them), and rebuilt from the tables
-- below. `store::figures` says which count answers which figure; `tests/figures.rs` compares
-- every figure with a recount of the tables.
--
-- One row per (kind, day, k1, k2, d), `n` the number of records:
--   rx  requests by reception day, type (k1) and channel (k2, '' when none)
--   rs  requests by reception day and current status (k1)
--   fc  requests by reception day and days to the first contact (d)
--   cx  requests by closing day, type (k1) and outcome (k2)
--   cd  requests by closing day and days from reception to closing (d)
--   fs  referrals by sending day and partner id (k1)
--   fa  referrals by answer day, partner id (k1) and days from sending to answer (d)
--   tr  requests "treated" (a contact — any follow-up but a note — or a closing): one row per
--       day a request had such an activity, with the previous such day of the same request
--       (k1, '' when none). A request treated in [from, to] counts once: on its first activity
--       day in the period, the one whose previous day is before `from`.
-- Counts that fall to zero stay as rows with n = 0; readers sum and drop the zeros.
CREATE TABLE figure_count (
    kind TEXT NOT NULL,
    day  TEXT NOT NULL,
    k1   TEXT NOT NULL DEFAULT '',
    k2   TEXT NOT NULL DEFAULT '',
    d    INTEGER NOT NULL DEFAULT 0,
    n    INTEGER NOT NULL,
    PRIMARY KEY (kind, day, k1, k2, d)
) STRICT, WITHOUT ROWID;

-- Overdue referrals at the end of a period: the unanswered ones, on their expected day, read
-- from the index alone; and those answered after the period, on their answer day.
DROP INDEX referral_awaited;
CREATE INDEX referral_awaited ON referral (expected_by, sent_on, partner_id) WHERE answered_on IS NULL;
CREATE INDEX referral_answered ON referral (answered_on) WHERE answered_on IS NOT NULL;

-- Requests: reception side.
CREATE TRIGGER figure_request_insert AFTER INSERT ON request
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    VALUES ('rx', NEW.received_on, NEW.type_code, coalesce(NEW.channel_code, ''), 0, 1),
           ('rs', NEW.received_on, NEW.status, '', 0, 1)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'fc', NEW.received_on, '', '',
           CAST(julianday(NEW.first_contact_on) - julianday(NEW.received_on) AS INTEGER), 1
     WHERE NEW.first_contact_on IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'cx', NEW.closed_on, NEW.type_code, NEW.outcome, 0, 1 WHERE NEW.closed_on IS NOT NULL
    UNION ALL
    SELECT 'cd', NEW.closed_on, '', '',
           CAST(julianday(NEW.closed_on) - julianday(NEW.received_on) AS INTEGER), 1
     WHERE NEW.closed_on IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER figure_request_delete AFTER DELETE ON request
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    VALUES ('rx', OLD.received_on, OLD.type_code, coalesce(OLD.channel_code, ''), 0, -1),
           ('rs', OLD.received_on, OLD.status, '', 0, -1)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'fc', OLD.received_on, '', '',
           CAST(julianday(OLD.first_contact_on) - julianday(OLD.received_on) AS INTEGER), -1
     WHERE OLD.first_contact_on IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'cx', OLD.closed_on, OLD.type_code, OLD.outcome, 0, -1 WHERE OLD.closed_on IS NOT NULL
    UNION ALL
    SELECT 'cd', OLD.closed_on, '', '',
           CAST(julianday(OLD.closed_on) - julianday(OLD.received_on) AS INTEGER), -1
     WHERE OLD.closed_on IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    -- Its activity days (the follow-ups it leaves behind no longer count).
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'tr', a, coalesce(p, ''), '', 0, -1 FROM (
        SELECT a, lag(a) OVER (ORDER BY a) AS p FROM (
            SELECT occurred_on AS a FROM follow_up WHERE request_id = OLD.id AND kind <> 'note'
            UNION SELECT OLD.closed_on WHERE OLD.closed_on IS NOT NULL))
     WHERE true
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER figure_request_received AFTER UPDATE OF received_on, type_code, channel_code ON request
WHEN OLD.received_on IS NOT NEW.received_on OR OLD.type_code IS NOT NEW.type_code
  OR OLD.channel_code IS NOT NEW.channel_code
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    VALUES ('rx', OLD.received_on, OLD.type_code, coalesce(OLD.channel_code, ''), 0, -1),
           ('rx', NEW.received_on, NEW.type_code, coalesce(NEW.channel_code, ''), 0, 1)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER figure_request_status AFTER UPDATE OF received_on, status ON request
WHEN OLD.received_on IS NOT NEW.received_on OR OLD.status IS NOT NEW.status
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    VALUES ('rs', OLD.received_on, OLD.status, '', 0, -1),
           ('rs', NEW.received_on, NEW.status, '', 0, 1)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER figure_request_contact AFTER UPDATE OF received_on, first_contact_on ON request
WHEN OLD.received_on IS NOT NEW.received_on OR OLD.first_contact_on IS NOT NEW.first_contact_on
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'fc', OLD.received_on, '', '',
           CAST(julianday(OLD.first_contact_on) - julianday(OLD.received_on) AS INTEGER), -1
     WHERE OLD.first_contact_on IS NOT NULL
    UNION ALL
    SELECT 'fc', NEW.received_on, '', '',
           CAST(julianday(NEW.first_contact_on) - julianday(NEW.received_on) AS INTEGER), 1
     WHERE NEW.first_contact_on IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER figure_request_closed AFTER UPDATE OF received_on, type_code, outcome, closed_on ON request
WHEN OLD.received_on IS NOT NEW.received_on OR OLD.type_code IS NOT NEW.type_code
  OR OLD.outcome IS NOT NEW.outcome OR OLD.closed_on IS NOT NEW.closed_on
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'cx', OLD.closed_on, OLD.type_code, OLD.outcome, 0, -1 WHERE OLD.closed_on IS NOT NULL
    UNION ALL
    SELECT 'cd', OLD.closed_on, '', '',
           CAST(julianday(OLD.closed_on) - julianday(OLD.received_on) AS INTEGER), -1
     WHERE OLD.closed_on IS NOT NULL
    UNION ALL
    SELECT 'cx', NEW.closed_on, NEW.type_code, NEW.outcome, 0, 1 WHERE NEW.closed_on IS NOT NULL
    UNION ALL
    SELECT 'cd', NEW.closed_on, '', '',
           CAST(julianday(NEW.closed_on) - julianday(NEW.received_on) AS INTEGER), 1
     WHERE NEW.closed_on IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

-- A closing day added, moved or removed: the request's activity days before and after.
CREATE TRIGGER figure_request_treated AFTER UPDATE OF id, closed_on ON request
WHEN (OLD.closed_on IS NOT NEW.closed_on OR OLD.id IS NOT NEW.id)
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'tr', a, coalesce(p, ''), '', 0, -1 FROM (
        SELECT a, lag(a) OVER (ORDER BY a) AS p FROM (
            SELECT occurred_on AS a FROM follow_up WHERE request_id = OLD.id AND kind <> 'note'
            UNION SELECT OLD.closed_on WHERE OLD.closed_on IS NOT NULL))
     WHERE true
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'tr', a, coalesce(p, ''), '', 0, 1 FROM (
        SELECT a, lag(a) OVER (ORDER BY a) AS p FROM (
            SELECT occurred_on AS a FROM follow_up WHERE request_id = NEW.id AND kind <> 'note'
            UNION SELECT NEW.closed_on WHERE NEW.closed_on IS NOT NULL))
     WHERE true
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

-- A new request: its closing day, and any follow-up written before it (none in practice).
CREATE TRIGGER figure_request_insert_treated AFTER INSERT ON request
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'tr', a, coalesce(p, ''), '', 0, 1 FROM (
        SELECT a, lag(a) OVER (ORDER BY a) AS p FROM (
            SELECT occurred_on AS a FROM follow_up WHERE request_id = NEW.id AND kind <> 'note'
            UNION SELECT NEW.closed_on WHERE NEW.closed_on IS NOT NULL))
     WHERE true
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

-- A contact on a day the request had no activity yet: the day after it now follows this one.
CREATE TRIGGER figure_follow_up_insert AFTER INSERT ON follow_up
WHEN NEW.kind <> 'note'
 AND EXISTS (SELECT 1 FROM request WHERE id = NEW.request_id
                AND closed_on IS NOT NEW.occurred_on)
 AND NOT EXISTS (SELECT 1 FROM follow_up WHERE request_id = NEW.request_id
                    AND occurred_on = NEW.occurred_on AND kind <> 'note' AND rowid <> NEW.rowid)
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'tr', a, coalesce(p, ''), '', 0, -1 FROM (
        SELECT a, lag(a) OVER (ORDER BY a) AS p FROM (
            SELECT occurred_on AS a FROM follow_up
             WHERE request_id = NEW.request_id AND kind <> 'note' AND rowid <> NEW.rowid
            UNION SELECT closed_on FROM request WHERE id = NEW.request_id AND closed_on IS NOT NULL))
     WHERE a > NEW.occurred_on AND (p IS NULL OR p < NEW.occurred_on)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'tr', a, coalesce(p, ''), '', 0, 1 FROM (
        SELECT a, lag(a) OVER (ORDER BY a) AS p FROM (
            SELECT occurred_on AS a FROM follow_up WHERE request_id = NEW.request_id AND kind <> 'note'
            UNION SELECT closed_on FROM request WHERE id = NEW.request_id AND closed_on IS NOT NULL))
     WHERE a >= NEW.occurred_on AND (p IS NULL OR p <= NEW.occurred_on)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

-- The case log is append-only, but a write that lifts that rule (none changes these columns
-- today) still keeps the counts.
CREATE TRIGGER figure_follow_up_update AFTER UPDATE OF request_id, kind, occurred_on ON follow_up
WHEN OLD.request_id IS NOT NEW.request_id OR OLD.kind IS NOT NEW.kind
  OR OLD.occurred_on IS NOT NEW.occurred_on
BEGIN
    SELECT RAISE(ABORT, 'follow_up: date, kind and request are fixed');
END;

CREATE TRIGGER figure_follow_up_delete AFTER DELETE ON follow_up
WHEN OLD.kind <> 'note'
 AND EXISTS (SELECT 1 FROM request WHERE id = OLD.request_id
                AND closed_on IS NOT OLD.occurred_on)
 AND NOT EXISTS (SELECT 1 FROM follow_up WHERE request_id = OLD.request_id
                    AND occurred_on = OLD.occurred_on AND kind <> 'note')
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'tr', OLD.occurred_on, coalesce(max(a), ''), '', 0, -1 FROM (
        SELECT occurred_on AS a FROM follow_up WHERE request_id = OLD.request_id AND kind <> 'note'
        UNION SELECT closed_on FROM request WHERE id = OLD.request_id AND closed_on IS NOT NULL)
     WHERE a < OLD.occurred_on
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'tr', a, OLD.occurred_on, '', 0, -1 FROM (
        SELECT min(a) AS a FROM (
            SELECT occurred_on AS a FROM follow_up WHERE request_id = OLD.request_id AND kind <> 'note'
            UNION SELECT closed_on FROM request WHERE id = OLD.request_id AND closed_on IS NOT NULL)
         WHERE a > OLD.occurred_on)
     WHERE a IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'tr', nx, coalesce(pv, ''), '', 0, 1 FROM (
        SELECT (SELECT min(a) FROM (
                    SELECT occurred_on AS a FROM follow_up WHERE request_id = OLD.request_id AND kind <> 'note'
                    UNION SELECT closed_on FROM request WHERE id = OLD.request_id AND closed_on IS NOT NULL)
                 WHERE a > OLD.occurred_on) AS nx,
               (SELECT max(a) FROM (
                    SELECT occurred_on AS a FROM follow_up WHERE request_id = OLD.request_id AND kind <> 'note'
                    UNION SELECT closed_on FROM request WHERE id = OLD.request_id AND closed_on IS NOT NULL)
                 WHERE a < OLD.occurred_on) AS pv)
     WHERE nx IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

-- Referrals.
CREATE TRIGGER figure_referral_insert AFTER INSERT ON referral
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'fs', NEW.sent_on, NEW.partner_id, '', 0, 1
    UNION ALL
    SELECT 'fa', NEW.answered_on, NEW.partner_id, '',
           CAST(julianday(NEW.answered_on) - julianday(NEW.sent_on) AS INTEGER), 1
     WHERE NEW.answered_on IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER figure_referral_delete AFTER DELETE ON referral
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'fs', OLD.sent_on, OLD.partner_id, '', 0, -1
    UNION ALL
    SELECT 'fa', OLD.answered_on, OLD.partner_id, '',
           CAST(julianday(OLD.answered_on) - julianday(OLD.sent_on) AS INTEGER), -1
     WHERE OLD.answered_on IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER figure_referral_update AFTER UPDATE OF partner_id, sent_on, answered_on ON referral
WHEN OLD.partner_id IS NOT NEW.partner_id OR OLD.sent_on IS NOT NEW.sent_on
  OR OLD.answered_on IS NOT NEW.answered_on
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'fs', OLD.sent_on, OLD.partner_id, '', 0, -1
    UNION ALL
    SELECT 'fa', OLD.answered_on, OLD.partner_id, '',
           CAST(julianday(OLD.answered_on) - julianday(OLD.sent_on) AS INTEGER), -1
     WHERE OLD.answered_on IS NOT NULL
    UNION ALL
    SELECT 'fs', NEW.sent_on, NEW.partner_id, '', 0, 1
    UNION ALL
    SELECT 'fa', NEW.answered_on, NEW.partner_id, '',
           CAST(julianday(NEW.answered_on) - julianday(NEW.sent_on) AS INTEGER), 1
     WHERE NEW.answered_on IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

-- The counts of the rows already in the file.
INSERT INTO figure_count (kind, day, k1, k2, d, n)
SELECT 'rx', received_on, type_code, coalesce(channel_code, ''), 0, count(*) FROM request
 GROUP BY received_on, type_code, coalesce(channel_code, '');
INSERT INTO figure_count (kind, day, k1, k2, d, n)
SELECT 'rs', received_on, status, '', 0, count(*) FROM request GROUP BY received_on, status;
INSERT INTO figure_count (kind, day, k1, k2, d, n)
SELECT 'fc', received_on, '', '', CAST(julianday(first_contact_on) - julianday(received_on) AS INTEGER), count(*)
  FROM request WHERE first_contact_on IS NOT NULL GROUP BY 2, 5;
INSERT INTO figure_count (kind, day, k1, k2, d, n)
SELECT 'cx', closed_on, type_code, outcome, 0, count(*) FROM request
 WHERE closed_on IS NOT NULL GROUP BY closed_on, type_code, outcome;
INSERT INTO figure_count (kind, day, k1, k2, d, n)
SELECT 'cd', closed_on, '', '', CAST(julianday(closed_on) - julianday(received_on) AS INTEGER), count(*)
  FROM request WHERE closed_on IS NOT NULL GROUP BY 2, 5;
INSERT INTO figure_count (kind, day, k1, k2, d, n)
SELECT 'fs', sent_on, partner_id, '', 0, count(*) FROM referral GROUP BY sent_on, partner_id;
INSERT INTO figure_count (kind, day, k1, k2, d, n)
SELECT 'fa', answered_on, partner_id, '', CAST(julianday(answered_on) - julianday(sent_on) AS INTEGER), count(*)
  FROM referral WHERE answered_on IS NOT NULL GROUP BY 2, 3, 5;
INSERT INTO figure_count (kind, day, k1, k2, d, n)
SELECT 'tr', a, coalesce(p, ''), '', 0, count(*) FROM (
    SELECT a, lag(a) OVER (PARTITION BY r ORDER BY a) AS p FROM (
        SELECT f.request_id AS r, f.occurred_on AS a FROM follow_up f
         WHERE f.kind <> 'note' AND EXISTS (SELECT 1 FROM request q WHERE q.id = f.request_id)
        UNION SELECT id, closed_on FROM request WHERE closed_on IS NOT NULL))
 GROUP BY 2, 3;
