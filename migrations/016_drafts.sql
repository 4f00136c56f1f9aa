-- guichet — migration: what an agent was typing when the terminal went away.
--
-- A closed window or a dropped connection ended the interface and lost the form being typed.
-- Its values are kept here by the interface as it ends, and the same form opens again, filled,
-- at the agent's next start (src/tui/draft.rs); the row is removed then. One per agent; a
-- draft older than 30 days is dropped.
CREATE TABLE draft (
    agent    TEXT NOT NULL,   -- the agent's name ('' when none was signed in)
    saved_at TEXT NOT NULL,
    payload  TEXT NOT NULL    -- the form and its values, as JSON
) STRICT;
