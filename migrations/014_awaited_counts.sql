-- guichet — migration: the referrals awaited, counted by partner and expected day.
--
-- The review's partner figures ("en attente", "en retard" at the end of a period) scanned
-- every unanswered referral: at a million requests, tens of thousands of rows each time the
-- Bilan opened. They read these counts instead, kept like the other figure counts (010, 012)
-- by triggers in the same statement as every write, and correct them with the few referrals
-- sent or answered after the period (see `Store::partner_counts`):
--   aw  referrals not answered, by expected answer day (day, '' when none) and partner id (k1)
CREATE TRIGGER figure_awaited_insert AFTER INSERT ON referral WHEN NEW.answered_on IS NULL
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    VALUES ('aw', coalesce(NEW.expected_by, ''), NEW.partner_id, '', 0, 1)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER figure_awaited_delete AFTER DELETE ON referral WHEN OLD.answered_on IS NULL
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    VALUES ('aw', coalesce(OLD.expected_by, ''), OLD.partner_id, '', 0, -1)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER figure_awaited_update AFTER UPDATE OF partner_id, expected_by, answered_on
    ON referral
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'aw', coalesce(OLD.expected_by, ''), OLD.partner_id, '', 0, -1
     WHERE OLD.answered_on IS NULL
    UNION ALL
    SELECT 'aw', coalesce(NEW.expected_by, ''), NEW.partner_id, '', 0, 1
     WHERE NEW.answered_on IS NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

-- The unanswered referrals sent after a period's end, taken back out of the counts above, and
-- those answered after it, added back: both read from their index alone.
CREATE INDEX referral_awaited_sent ON referral (sent_on, partner_id, expected_by)
    WHERE answered_on IS NULL;
DROP INDEX referral_answered;
CREATE INDEX referral_answered ON referral (answered_on, sent_on, partner_id, expected_by)
    WHERE answered_on IS NOT NULL;

INSERT INTO figure_count (kind, day, k1, k2, d, n)
SELECT 'aw', coalesce(expected_by, ''), partner_id, '', 0, count(*)
  FROM referral WHERE answered_on IS NULL GROUP BY 2, 3;
