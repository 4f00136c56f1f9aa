//! Drafts: the form an agent was typing when the terminal went away (see `tui/draft.rs`).

use super::Store;
use crate::error::Result;
use chrono::Days;
use rusqlite::{OptionalExtension, params};

/// A draft not taken back within this many days is dropped.
const KEPT_DAYS: u64 = 30;

impl Store {
    /// Keeps `payload` as `agent`'s draft (replacing an older one).
    pub fn save_draft(&mut self, agent: &str, payload: &str) -> Result<()> {
        self.write(|tx, ctx| {
            tx.execute("DELETE FROM draft WHERE agent = ?1", [agent])?;
            tx.execute(
                "INSERT INTO draft (agent, saved_at, payload) VALUES (?1, ?2, ?3)",
                params![agent, ctx.now(), payload],
            )?;
            Ok(())
        })
    }

    /// `agent`'s draft (left in the file until [`Store::drop_draft`]: one that cannot be
    /// reopened stays until it expires); drafts left longer than 30 days by anyone (an agent
    /// who left) are dropped at any agent's start.
    pub fn find_draft(&mut self, agent: &str) -> Result<Option<String>> {
        let cutoff = (self.today() - Days::new(KEPT_DAYS)).to_string();
        // Read first: most starts find nothing to do and write nothing.
        let waiting: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM draft WHERE agent = ?1 OR saved_at < ?2)",
            params![agent, cutoff],
            |r| r.get(0),
        )?;
        if !waiting {
            return Ok(None);
        }
        self.write(|tx, ctx| {
            let cutoff = (ctx.today - Days::new(KEPT_DAYS)).to_string();
            tx.execute("DELETE FROM draft WHERE saved_at < ?1", [&cutoff])?;
            let payload: Option<String> = tx
                .query_row(
                    "SELECT payload FROM draft WHERE agent = ?1 ORDER BY rowid DESC LIMIT 1",
                    [agent],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(payload)
        })
    }

    /// Removes `agent`'s draft (taken back).
    pub fn drop_draft(&mut self, agent: &str) -> Result<()> {
        self.write(|tx, _| {
            tx.execute("DELETE FROM draft WHERE agent = ?1", [agent])?;
            Ok(())
        })
    }

    /// Whether the person of a request has been anonymised (a draft about them is then dropped
    /// unread: what was typed may name them).
    pub fn person_anonymised(&self, request_id: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT p.anonymised_at IS NOT NULL FROM request r \
                 JOIN person p ON p.id = r.person_id WHERE r.id = ?1",
                [request_id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false))
    }

    /// [`Store::find_draft`] and [`Store::drop_draft`] at once.
    pub fn take_draft(&mut self, agent: &str) -> Result<Option<String>> {
        let found = self.find_draft(agent)?;
        if found.is_some() {
            self.drop_draft(agent)?;
        }
        Ok(found)
    }
}
