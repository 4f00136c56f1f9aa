-- guichet — migration: indexes the figures no longer read.
--
-- Since the per-day figure counts (010), the review and the summary read `figure_count`, not
-- the tables. Three indexes built for them are no longer used by any query, and at a million
-- requests they weigh about 250 MB:
--   follow_up_occurred  the follow-ups of a period (the "treated" figure): now counted per day;
--   request_received    the covering index of the reception counts: now counted per day; date
--                       ranges of lists walk `request_recent` (received_on, reference);
--   request_closed      covering the closing counts: only `list --cloturee-du/--cloturee-au`
--                       still reads closing dates, for which the date alone is enough.
DROP INDEX follow_up_occurred;
DROP INDEX request_received;
DROP INDEX request_closed;
CREATE INDEX request_closed ON request (closed_on) WHERE closed_on IS NOT NULL;

-- The queues, in their order, read page by page from an index (at a million requests, "Ma
-- file" and "Non attribuées" sorted 60,000 rows for each page):
--   request_agent_due   an agent's open requests (or the unassigned ones, agent_id IS NULL)
--                       in due order; it replaces request_agent_open (agent_id,
--                       next_follow_up_on), whose readers compare the same coalesced date;
--   request_status_due  the open requests of one status in due order ("Attente partenaire").
DROP INDEX request_agent_open;
CREATE INDEX request_agent_due
    ON request (agent_id, coalesce(next_follow_up_on, '9999-12-31'), received_on, reference)
    WHERE status <> 'close';
CREATE INDEX request_status_due
    ON request (status, coalesce(next_follow_up_on, '9999-12-31'), received_on, reference)
    WHERE status <> 'close';
