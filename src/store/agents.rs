//! Agents who leave the team: deactivated, never deleted (their name stays on what they did).

use super::Store;
use crate::error::Result;
use rusqlite::params;

impl Store {
    /// Deactivates (or reactivates) an agent found by name or initials: a deactivated agent is
    /// no longer offered in the interface's lists, and keeps their requests and history.
    pub fn set_agent_active(&mut self, name: &str, active: bool) -> Result<crate::store::Agent> {
        let agent = self.resolve_agent(name)?;
        self.write(|tx, ctx| {
            tx.execute(
                "UPDATE agent SET active = ?2 WHERE id = ?1",
                params![agent.id, active],
            )?;
            super::history::record(
                tx,
                ctx,
                "agent",
                &agent.id,
                "active",
                Some(&agent.active.to_string()),
                Some(&active.to_string()),
            )
        })?;
        Ok(crate::store::Agent { active, ..agent })
    }
}
