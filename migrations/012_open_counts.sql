-- guichet — migration: the open requests counted by agent and follow-up day.
--
-- The queues' tab counts ("Ma file", "Mes relances du jour", "Non attribuées", "À relancer")
-- and the agents' workload were counted from the requests after every save: at a million
-- requests, tens of milliseconds each. They read these counts instead, kept like the other
-- figure counts (010) by triggers in the same statement as every write:
--   ao  open requests by next follow-up day (day, '' when none) and agent id (k1, '' when
--       unassigned)
CREATE TRIGGER figure_open_insert AFTER INSERT ON request WHEN NEW.status <> 'close'
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    VALUES ('ao', coalesce(NEW.next_follow_up_on, ''), coalesce(NEW.agent_id, ''), '', 0, 1)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER figure_open_delete AFTER DELETE ON request WHEN OLD.status <> 'close'
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    VALUES ('ao', coalesce(OLD.next_follow_up_on, ''), coalesce(OLD.agent_id, ''), '', 0, -1)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER figure_open_update AFTER UPDATE OF status, agent_id, next_follow_up_on ON request
BEGIN
    INSERT INTO figure_count (kind, day, k1, k2, d, n)
    SELECT 'ao', coalesce(OLD.next_follow_up_on, ''), coalesce(OLD.agent_id, ''), '', 0, -1
     WHERE OLD.status <> 'close'
    UNION ALL
    SELECT 'ao', coalesce(NEW.next_follow_up_on, ''), coalesce(NEW.agent_id, ''), '', 0, 1
     WHERE NEW.status <> 'close'
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

INSERT INTO figure_count (kind, day, k1, k2, d, n)
SELECT 'ao', coalesce(next_follow_up_on, ''), coalesce(agent_id, ''), '', 0, count(*)
  FROM request WHERE status <> 'close' GROUP BY 2, 3;
