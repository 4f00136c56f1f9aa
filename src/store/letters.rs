//! Reads for the desk's letters and calendars: an agent's planned follow-ups and the
//! attestations their commitments still await. Only what an event needs: no names, no contacts.

use super::Store;
use crate::aids::CommitmentFacts;
use crate::error::Result;
use chrono::NaiveDate;

/// The next follow-up planned on an open request of the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFollowUp {
    pub request_id: String,
    pub reference: String,
    pub type_label: String,
    pub on: NaiveDate,
}

/// A commitment on a request of the agent, with the attestations received so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentCommitment {
    pub commitment_id: String,
    pub reference: String,
    pub scheme_label: String,
    pub facts: CommitmentFacts,
}

impl Store {
    /// The open requests assigned to `agent_id` that have a next follow-up date, by date.
    pub fn planned_follow_ups(&self, agent_id: &str) -> Result<Vec<PlannedFollowUp>> {
        let mut st = self.conn().prepare_cached(
            "SELECT r.id, r.reference, coalesce(t.label, r.type_code), r.next_follow_up_on \
             FROM request r LEFT JOIN request_type t ON t.code = r.type_code \
             WHERE r.agent_id = ?1 AND r.status <> 'close' AND r.next_follow_up_on IS NOT NULL \
             ORDER BY r.next_follow_up_on, r.reference",
        )?;
        let rows = st
            .query_map([agent_id], |r| {
                Ok(PlannedFollowUp {
                    request_id: r.get(0)?,
                    reference: r.get(1)?,
                    type_label: r.get(2)?,
                    on: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The commitments of the aids granted on requests assigned to `agent_id`.
    pub fn agent_commitments(&self, agent_id: &str) -> Result<Vec<AgentCommitment>> {
        let mut st = self.conn().prepare_cached(
            "SELECT c.id, q.reference, coalesce(s.label, a.scheme_code), c.started_on, c.years, \
                    c.broken_on \
             FROM commitment c JOIN aid a ON a.id = c.aid_id \
             JOIN request q ON q.id = a.request_id LEFT JOIN scheme s ON s.code = a.scheme_code \
             WHERE q.agent_id = ?1 ORDER BY c.started_on, q.reference",
        )?;
        let mut out: Vec<AgentCommitment> = st
            .query_map([agent_id], |r| {
                Ok(AgentCommitment {
                    commitment_id: r.get(0)?,
                    reference: r.get(1)?,
                    scheme_label: r.get(2)?,
                    facts: CommitmentFacts {
                        started_on: r.get(3)?,
                        years: r.get(4)?,
                        broken_on: r.get(5)?,
                        attestations: Vec::new(),
                    },
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut st = self.conn().prepare_cached(
            "SELECT received_on FROM attestation WHERE commitment_id = ?1 ORDER BY received_on",
        )?;
        for c in &mut out {
            c.facts.attestations = st
                .query_map([&c.commitment_id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
        }
        Ok(out)
    }
}
