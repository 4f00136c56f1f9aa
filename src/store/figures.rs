//! The counts behind every figure (weekly report, summary, review), as plain rows. The
//! arithmetic — weeks, running totals, medians, the previous period — stays in `report.rs` and
//! `review.rs`; this module only reads, on the covering indexes named below.

use super::Store;
use crate::error::Result;
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// Which date of a request a count is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateColumn {
    Received,
    Closed,
}

/// The grouped counts of a period that the summary shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// Requests received in the period, by type.
    ReceivedByType,
    /// Requests received in the period, by channel (`non_renseigne` when empty).
    ReceivedByChannel,
    /// Requests received in the period, by current status.
    ReceivedByStatus,
    /// Requests closed in the period, by outcome.
    ClosedByOutcome,
    /// Requests closed in the period, by type.
    ClosedByType,
    /// Referrals sent in the period, by partner code.
    ReferralsByPartner,
}

/// An event held in a period, with every request captured there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCount {
    pub name: String,
    pub held_on: NaiveDate,
    pub requests: i64,
}

/// A partner's referrals around a period (see `review.rs` for the definitions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerCounts {
    pub code: String,
    pub name: String,
    pub sent: i64,
    pub answered: i64,
    pub awaited: i64,
    pub overdue: i64,
}

/// Open requests of one agent (`None`: not assigned) and those whose follow-up date is past.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLoad {
    pub agent_id: Option<String>,
    pub open: i64,
    pub overdue: i64,
}

impl Store {
    /// Counts per (type, day) of a date column within [first, last].
    pub fn counts_per_day(
        &self,
        column: DateColumn,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<(String, NaiveDate, i64)>> {
        let sql = match column {
            DateColumn::Received => {
                "SELECT type_code, received_on, count(*) FROM request \
                 WHERE received_on BETWEEN ?1 AND ?2 GROUP BY received_on, type_code"
            }
            DateColumn::Closed => {
                "SELECT type_code, closed_on, count(*) FROM request \
                 WHERE closed_on BETWEEN ?1 AND ?2 GROUP BY closed_on, type_code"
            }
        };
        let mut st = self.conn.prepare_cached(sql)?;
        let rows = st.query_map([first, last], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Counts per type of a date column strictly before `day`. The covering indexes are named:
    /// left alone, the planner walks the type index to skip a sort and reads every row.
    pub fn counts_before(
        &self,
        column: DateColumn,
        day: NaiveDate,
    ) -> Result<HashMap<String, i64>> {
        let sql = match column {
            DateColumn::Received => {
                "SELECT type_code, count(*) FROM request INDEXED BY request_received \
                 WHERE received_on < ?1 GROUP BY type_code"
            }
            DateColumn::Closed => {
                "SELECT type_code, count(*) FROM request INDEXED BY request_closed \
                 WHERE closed_on < ?1 GROUP BY type_code"
            }
        };
        let mut st = self.conn.prepare_cached(sql)?;
        let rows = st.query_map([day], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The count of one type's requests whose date column is strictly before `day` (one range
    /// of the per-type index: only the entries before `day` are read).
    pub fn type_count_before(
        &self,
        column: DateColumn,
        type_code: &str,
        day: NaiveDate,
    ) -> Result<i64> {
        let sql = match column {
            DateColumn::Received => {
                "SELECT count(*) FROM request INDEXED BY request_type_received \
                 WHERE type_code = ?1 AND received_on < ?2"
            }
            DateColumn::Closed => {
                "SELECT count(*) FROM request INDEXED BY request_type_closed \
                 WHERE type_code = ?1 AND closed_on < ?2"
            }
        };
        let mut st = self.conn.prepare_cached(sql)?;
        Ok(st.query_row(rusqlite::params![type_code, day], |r| r.get(0))?)
    }

    /// Request types that have at least one request received on or before `last`, in list order.
    pub fn types_in_use(&self, last: NaiveDate) -> Result<Vec<String>> {
        let mut st = self.conn.prepare_cached(
            "SELECT t.code FROM request_type t WHERE EXISTS \
             (SELECT 1 FROM request r WHERE r.type_code = t.code AND r.received_on <= ?1) \
             ORDER BY t.position, t.code",
        )?;
        let rows = st.query_map([last], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One of the summary's grouped counts over [from, to].
    pub fn grouped_counts(
        &self,
        grouping: Grouping,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<BTreeMap<String, i64>> {
        let sql = match grouping {
            Grouping::ReceivedByType => {
                "SELECT type_code, count(*) FROM request WHERE received_on BETWEEN ?1 AND ?2 GROUP BY type_code"
            }
            Grouping::ReceivedByChannel => {
                "SELECT coalesce(channel_code, 'non_renseigne'), count(*) FROM request \
                 WHERE received_on BETWEEN ?1 AND ?2 GROUP BY 1"
            }
            Grouping::ReceivedByStatus => {
                "SELECT status, count(*) FROM request WHERE received_on BETWEEN ?1 AND ?2 GROUP BY status"
            }
            Grouping::ClosedByOutcome => {
                "SELECT outcome, count(*) FROM request WHERE closed_on BETWEEN ?1 AND ?2 GROUP BY outcome"
            }
            Grouping::ClosedByType => {
                "SELECT type_code, count(*) FROM request INDEXED BY request_closed \
                 WHERE closed_on BETWEEN ?1 AND ?2 GROUP BY type_code"
            }
            Grouping::ReferralsByPartner => {
                "SELECT p.code, count(*) FROM referral f JOIN partner p ON p.id = f.partner_id \
                 WHERE f.sent_on BETWEEN ?1 AND ?2 GROUP BY p.code"
            }
        };
        let mut st = self.conn.prepare_cached(sql)?;
        let rows = st.query_map([from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Requests treated in [from, to]: with a contact (any follow-up but a note) or a closing
    /// in it, whatever their reception date. On the follow-up date index and the closing one.
    pub fn treated_count(&self, from: NaiveDate, to: NaiveDate) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM ( \
               SELECT request_id FROM follow_up \
                WHERE occurred_on BETWEEN ?1 AND ?2 AND kind <> 'note' \
               UNION \
               SELECT id FROM request INDEXED BY request_closed WHERE closed_on BETWEEN ?1 AND ?2)",
            [from, to],
            |r| r.get(0),
        )?)
    }

    /// What the figures depend on: `PRAGMA data_version` (moves when another connection
    /// commits) and the rows this connection changed. Equal marks, equal figures.
    pub fn figures_mark(&self) -> Result<(i64, u64)> {
        Ok((self.data_version()?, self.conn.total_changes()))
    }

    /// Events held in [from, to].
    pub fn events_held(&self, from: NaiveDate, to: NaiveDate) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM event WHERE held_on BETWEEN ?1 AND ?2",
            [from, to],
            |r| r.get(0),
        )?)
    }

    /// Requests open at the end of `day`. Closing never precedes reception, so open = received
    /// by then - closed by then (two counts on covering indexes instead of a scan of the table).
    pub fn open_at_end_of(&self, day: NaiveDate) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT (SELECT count(*) FROM request WHERE received_on <= ?1) \
                  - (SELECT count(*) FROM request WHERE closed_on <= ?1)",
            [day],
            |r| r.get(0),
        )?)
    }

    /// Every request received in [from, to], in reception order, as
    /// `(received_on, type_code, channel_code, first_contact_on)` (ISO dates as text).
    pub fn scan_received(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        mut f: impl FnMut(&str, &str, Option<&str>, Option<&str>),
    ) -> Result<()> {
        let mut st = self.conn.prepare_cached(
            "SELECT received_on, type_code, channel_code, first_contact_on FROM request \
             INDEXED BY request_received WHERE received_on BETWEEN ?1 AND ?2",
        )?;
        let mut rows = st.query([from, to])?;
        while let Some(r) = rows.next()? {
            f(
                r.get_ref(0)?.as_str()?,
                r.get_ref(1)?.as_str()?,
                r.get_ref(2)?.as_str_or_null()?,
                r.get_ref(3)?.as_str_or_null()?,
            );
        }
        Ok(())
    }

    /// Every request closed in [from, to], in closing order, as
    /// `(closed_on, type_code, outcome, received_on)` (ISO dates as text).
    pub fn scan_closed(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        mut f: impl FnMut(&str, &str, &str, &str),
    ) -> Result<()> {
        let mut st = self.conn.prepare_cached(
            "SELECT closed_on, type_code, outcome, received_on FROM request \
             INDEXED BY request_closed WHERE closed_on BETWEEN ?1 AND ?2",
        )?;
        let mut rows = st.query([from, to])?;
        while let Some(r) = rows.next()? {
            f(
                r.get_ref(0)?.as_str()?,
                r.get_ref(1)?.as_str()?,
                r.get_ref(2)?.as_str()?,
                r.get_ref(3)?.as_str()?,
            );
        }
        Ok(())
    }

    /// Events held in [from, to] with the number of requests captured at each.
    pub fn events_with_requests(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<EventCount>> {
        let mut st = self.conn.prepare_cached(
            "SELECT e.name, e.held_on, (SELECT count(*) FROM request r WHERE r.event_id = e.id) \
             FROM event e WHERE e.held_on BETWEEN ?1 AND ?2 ORDER BY e.held_on, e.name",
        )?;
        let rows = st.query_map([from, to], |r| {
            Ok(EventCount {
                name: r.get(0)?,
                held_on: r.get(1)?,
                requests: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Per partner, in name order: referrals sent in [from, to], answered in it, still awaited
    /// at `to`, and of those, expected before `as_of`. One pass over the table.
    pub fn partner_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        as_of: NaiveDate,
    ) -> Result<Vec<PartnerCounts>> {
        let mut st = self.conn.prepare_cached(
            "SELECT p.code, p.name, \
               count(CASE WHEN f.sent_on BETWEEN ?1 AND ?2 THEN 1 END), \
               count(CASE WHEN f.answered_on BETWEEN ?1 AND ?2 THEN 1 END), \
               count(CASE WHEN f.answered_on IS NULL OR f.answered_on > ?2 THEN 1 END), \
               count(CASE WHEN (f.answered_on IS NULL OR f.answered_on > ?2) AND f.expected_by < ?3 THEN 1 END) \
             FROM referral f JOIN partner p ON p.id = f.partner_id \
             WHERE f.sent_on <= ?2 GROUP BY p.id ORDER BY p.name",
        )?;
        let rows = st.query_map(rusqlite::params![from, to, as_of], |r| {
            Ok(PartnerCounts {
                code: r.get(0)?,
                name: r.get(1)?,
                sent: r.get(2)?,
                answered: r.get(3)?,
                awaited: r.get(4)?,
                overdue: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// `(partner code, days from sending to answer)` of every answer received in [from, to].
    pub fn answer_delays(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<(String, f64)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT p.code, julianday(f.answered_on) - julianday(f.sent_on) FROM referral f \
             JOIN partner p ON p.id = f.partner_id WHERE f.answered_on BETWEEN ?1 AND ?2",
        )?;
        let rows = st.query_map([from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Open requests per agent id, grouped in the order of the open-requests index (no sort,
    /// no join), with those whose follow-up date is before `today`.
    pub fn open_workload(&self, today: NaiveDate) -> Result<Vec<AgentLoad>> {
        let mut st = self.conn.prepare_cached(
            "SELECT agent_id, count(*), count(CASE WHEN next_follow_up_on < ?1 THEN 1 END) \
             FROM request INDEXED BY request_agent_open WHERE status <> 'close' GROUP BY agent_id",
        )?;
        let rows = st.query_map([today], |r| {
            Ok(AgentLoad {
                agent_id: r.get(0)?,
                open: r.get(1)?,
                overdue: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
