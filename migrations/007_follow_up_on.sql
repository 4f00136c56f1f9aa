-- The review counts the requests treated in a period (a contact or a closing in it): the
-- follow-ups of a period are read on their date, not by a scan of the whole case log.
CREATE INDEX follow_up_occurred ON follow_up (occurred_on, kind, request_id);
