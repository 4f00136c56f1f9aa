-- guichet — migration: a closed request has no follow-up date.
--
-- Closing a request used to keep its "Relance le" date: shown on its file and in exports though
-- no queue follows a closed request up. Closing now clears it (and a date on a closed request is
-- refused). The dates kept on already closed requests are cleared here, each with its history
-- line, dated when the request was last changed (its closing, as a rule) and signed by the
-- program; the open requests' counts (012) do not count closed requests and do not move.
INSERT INTO history (at, actor, entity, entity_id, field, old_value, new_value)
SELECT updated_at, 'guichet', 'request', id, 'next_follow_up_on',
       next_follow_up_on, NULL
  FROM request
 WHERE status = 'close' AND next_follow_up_on IS NOT NULL
 ORDER BY rowid;

UPDATE request SET next_follow_up_on = NULL
 WHERE status = 'close' AND next_follow_up_on IS NOT NULL;
