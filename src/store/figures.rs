//! The counts behind every figure (weekly report, summary, review), as plain rows. The
//! arithmetic — weeks, running totals, medians, the previous period — stays in `report.rs` and
//! `review.rs`; this module only reads. Counts by day come from `figure_count`, which triggers
//! keep in the same statement as every write (`migrations/010_figure_counts.sql`): a year of a
//! million requests is a few thousand rows.

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

/// A count kind of `figure_count` (see `migrations/010_figure_counts.sql`).
fn kind_of(column: DateColumn) -> &'static str {
    match column {
        DateColumn::Received => "rx",
        DateColumn::Closed => "cx",
    }
}

impl Store {
    /// Counts per (type, day) of a date column within [first, last].
    pub fn counts_per_day(
        &self,
        column: DateColumn,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<(String, NaiveDate, i64)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT k1, day, sum(n) FROM figure_count WHERE kind = ?1 AND day BETWEEN ?2 AND ?3 \
             GROUP BY day, k1 HAVING sum(n) <> 0",
        )?;
        let rows = st.query_map(rusqlite::params![kind_of(column), first, last], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Counts per type of a date column strictly before `day`.
    pub fn counts_before(
        &self,
        column: DateColumn,
        day: NaiveDate,
    ) -> Result<HashMap<String, i64>> {
        let mut st = self.conn.prepare_cached(
            "SELECT k1, sum(n) FROM figure_count WHERE kind = ?1 AND day < ?2 \
             GROUP BY k1 HAVING sum(n) <> 0",
        )?;
        let rows = st.query_map(rusqlite::params![kind_of(column), day], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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
                "SELECT k1, sum(n) FROM figure_count WHERE kind = 'rx' AND day BETWEEN ?1 AND ?2 \
                 GROUP BY k1 HAVING sum(n) <> 0"
            }
            Grouping::ReceivedByChannel => {
                "SELECT CASE k2 WHEN '' THEN 'non_renseigne' ELSE k2 END, sum(n) FROM figure_count \
                 WHERE kind = 'rx' AND day BETWEEN ?1 AND ?2 GROUP BY 1 HAVING sum(n) <> 0"
            }
            Grouping::ReceivedByStatus => {
                "SELECT k1, sum(n) FROM figure_count WHERE kind = 'rs' AND day BETWEEN ?1 AND ?2 \
                 GROUP BY k1 HAVING sum(n) <> 0"
            }
            Grouping::ClosedByOutcome => {
                "SELECT k2, sum(n) FROM figure_count WHERE kind = 'cx' AND day BETWEEN ?1 AND ?2 \
                 GROUP BY k2 HAVING sum(n) <> 0"
            }
            Grouping::ClosedByType => {
                "SELECT k1, sum(n) FROM figure_count WHERE kind = 'cx' AND day BETWEEN ?1 AND ?2 \
                 GROUP BY k1 HAVING sum(n) <> 0"
            }
            Grouping::ReferralsByPartner => {
                "SELECT p.code, sum(c.n) FROM figure_count c JOIN partner p ON p.id = c.k1 \
                 WHERE c.kind = 'fs' AND c.day BETWEEN ?1 AND ?2 GROUP BY p.code HAVING sum(c.n) <> 0"
            }
        };
        let mut st = self.conn.prepare_cached(sql)?;
        let rows = st.query_map([from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Requests treated in [from, to]: with a contact (any follow-up but a note) or a closing
    /// in it, whatever their reception date. Each counts once, on its first activity day of the
    /// period: the one whose previous activity day is before `from`.
    pub fn treated_count(&self, from: NaiveDate, to: NaiveDate) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT coalesce(sum(n), 0) FROM figure_count \
              WHERE kind = 'tr' AND day BETWEEN ?1 AND ?2 AND (k1 = '' OR k1 < ?1)",
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
    /// by then - closed by then.
    pub fn open_at_end_of(&self, day: NaiveDate) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT (SELECT coalesce(sum(n), 0) FROM figure_count WHERE kind = 'rx' AND day <= ?1) \
                  - (SELECT coalesce(sum(n), 0) FROM figure_count WHERE kind = 'cx' AND day <= ?1)",
            [day],
            |r| r.get(0),
        )?)
    }

    /// The requests received in [from, to], counted by `(received_on, type_code, channel_code)`
    /// (ISO date as text; channel `""` when none), in reception order.
    pub fn scan_received(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        mut f: impl FnMut(&str, &str, &str, i64),
    ) -> Result<()> {
        let mut st = self.conn.prepare_cached(
            "SELECT day, k1, k2, n FROM figure_count \
              WHERE kind = 'rx' AND day BETWEEN ?1 AND ?2 AND n <> 0",
        )?;
        let mut rows = st.query([from, to])?;
        while let Some(r) = rows.next()? {
            f(
                r.get_ref(0)?.as_str()?,
                r.get_ref(1)?.as_str()?,
                r.get_ref(2)?.as_str()?,
                r.get(3)?,
            );
        }
        Ok(())
    }

    /// The requests closed in [from, to], counted by `(closed_on, type_code, outcome)`.
    pub fn scan_closed(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        mut f: impl FnMut(&str, &str, &str, i64),
    ) -> Result<()> {
        let mut st = self.conn.prepare_cached(
            "SELECT day, k1, k2, n FROM figure_count \
              WHERE kind = 'cx' AND day BETWEEN ?1 AND ?2 AND n <> 0",
        )?;
        let mut rows = st.query([from, to])?;
        while let Some(r) = rows.next()? {
            f(
                r.get_ref(0)?.as_str()?,
                r.get_ref(1)?.as_str()?,
                r.get_ref(2)?.as_str()?,
                r.get(3)?,
            );
        }
        Ok(())
    }

    /// Days to the first contact of the requests received in [from, to] (`Received`), or from
    /// reception to closing of those closed in it (`Closed`): `(days, how many)`, shortest first.
    pub fn delays(
        &self,
        column: DateColumn,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(i64, i64)>> {
        let kind = match column {
            DateColumn::Received => "fc",
            DateColumn::Closed => "cd",
        };
        let mut st = self.conn.prepare_cached(
            "SELECT d, sum(n) FROM figure_count WHERE kind = ?1 AND day BETWEEN ?2 AND ?3 \
             GROUP BY d HAVING sum(n) <> 0 ORDER BY d",
        )?;
        let rows = st.query_map(rusqlite::params![kind, from, to], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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
    /// at `to`, and of those, expected before `as_of`. Partners with none of these are left out.
    pub fn partner_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        as_of: NaiveDate,
    ) -> Result<Vec<PartnerCounts>> {
        // An answer never precedes its sending: awaited at `to` = sent by then - answered by then.
        let mut st = self.conn.prepare_cached(
            "SELECT p.id, p.code, p.name, \
               coalesce(sum(CASE WHEN c.kind = 'fs' AND c.day >= ?1 THEN c.n END), 0), \
               coalesce(sum(CASE WHEN c.kind = 'fa' AND c.day >= ?1 THEN c.n END), 0), \
               coalesce(sum(CASE c.kind WHEN 'fs' THEN c.n ELSE -c.n END), 0) \
             FROM partner p JOIN figure_count c ON c.k1 = p.id \
             WHERE c.kind IN ('fs', 'fa') AND c.day <= ?2 \
             GROUP BY p.id ORDER BY p.name, p.id",
        )?;
        let mut out: Vec<(String, PartnerCounts)> = st
            .query_map(rusqlite::params![from, to], |r| {
                Ok((
                    r.get(0)?,
                    PartnerCounts {
                        code: r.get(1)?,
                        name: r.get(2)?,
                        sent: r.get(3)?,
                        answered: r.get(4)?,
                        awaited: r.get(5)?,
                        overdue: 0,
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        // Overdue: awaited at `to` (not answered, or answered after it) and expected before
        // `as_of`, on the two partial indexes.
        let mut overdue: HashMap<String, i64> = HashMap::new();
        for sql in [
            "SELECT partner_id, count(*) FROM referral INDEXED BY referral_awaited \
              WHERE answered_on IS NULL AND expected_by < ?3 AND sent_on <= ?2 GROUP BY partner_id",
            "SELECT partner_id, count(*) FROM referral INDEXED BY referral_answered \
              WHERE answered_on > ?2 AND sent_on <= ?2 AND expected_by < ?3\
              GROUP BY partner_id",
        ] {
            let mut st = self.conn.prepare_cached(sql)?;
            let rows = st.query_map(rusqlite::params![from, to, as_of], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })?;
            for row in rows {
                let (id, n) = row?;
                *overdue.entry(id).or_default() += n;
            }
        }
        out.retain(|(_, p)| p.sent != 0 || p.answered != 0 || p.awaited != 0);
        Ok(out
            .into_iter()
            .map(|(id, mut p)| {
                p.overdue = overdue.get(&id).copied().unwrap_or(0);
                p
            })
            .collect())
    }

    /// `(partner code, days from sending to answer, how many)` of the answers received in
    /// [from, to].
    pub fn answer_delays(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<(String, i64, i64)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT p.code, c.d, sum(c.n) FROM figure_count c JOIN partner p ON p.id = c.k1 \
             WHERE c.kind = 'fa' AND c.day BETWEEN ?1 AND ?2 GROUP BY p.code, c.d \
             HAVING sum(c.n) <> 0 ORDER BY p.code, c.d",
        )?;
        let rows = st.query_map([from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
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

/// The figure counts of a bulk load (the demo generator): the triggers that keep them are
/// dropped for the transaction and the rows it added are counted at the end in a few set
/// statements — row by row, the triggers would triple the load's time. Only for a load that
/// adds requests with their follow-ups (none to an older request) and referrals; a load that
/// fails rolls the triggers back with everything else.
pub(crate) struct BulkCounts {
    triggers: Vec<String>,
    requests_after: i64,
    referrals_after: i64,
}

impl BulkCounts {
    pub(crate) fn start(tx: &rusqlite::Transaction<'_>) -> Result<Self> {
        let mut st = tx.prepare(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name IN \
             ('request', 'follow_up', 'referral') AND name LIKE 'figure%' ORDER BY name",
        )?;
        let triggers: Vec<(String, String)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        drop(st);
        for (name, _) in &triggers {
            tx.execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
        }
        let last = |table: &str| -> Result<i64> {
            Ok(tx.query_row(
                &format!("SELECT coalesce(max(rowid), 0) FROM {table}"),
                [],
                |r| r.get(0),
            )?)
        };
        Ok(BulkCounts {
            requests_after: last("request")?,
            referrals_after: last("referral")?,
            triggers: triggers.into_iter().map(|(_, sql)| sql).collect(),
        })
    }

    /// Counts the rows added since `start` (the same counts as the triggers and migration 010)
    /// and puts the triggers back.
    pub(crate) fn finish(self, tx: &rusqlite::Transaction<'_>) -> Result<()> {
        const UPSERT: &str = " ON CONFLICT DO UPDATE SET n = n + excluded.n";
        let requests = [
            "SELECT 'rx', received_on, type_code, coalesce(channel_code, ''), 0, count(*) \
               FROM request WHERE rowid > ?1 GROUP BY 2, 3, 4",
            "SELECT 'rs', received_on, status, '', 0, count(*) FROM request WHERE rowid > ?1 \
              GROUP BY 2, 3",
            "SELECT 'fc', received_on, '', '', \
                    CAST(julianday(first_contact_on) - julianday(received_on) AS INTEGER), count(*) \
               FROM request WHERE rowid > ?1 AND first_contact_on IS NOT NULL GROUP BY 2, 5",
            "SELECT 'cx', closed_on, type_code, outcome, 0, count(*) FROM request \
              WHERE rowid > ?1 AND closed_on IS NOT NULL GROUP BY 2, 3, 4",
            "SELECT 'cd', closed_on, '', '', \
                    CAST(julianday(closed_on) - julianday(received_on) AS INTEGER), count(*) \
               FROM request WHERE rowid > ?1 AND closed_on IS NOT NULL GROUP BY 2, 5",
            "SELECT 'tr', a, coalesce(p, ''), '', 0, count(*) FROM ( \
                 SELECT a, lag(a) OVER (PARTITION BY r ORDER BY a) AS p FROM ( \
                     SELECT f.request_id AS r, f.occurred_on AS a \
                       FROM request q JOIN follow_up f ON f.request_id = q.id \
                      WHERE q.rowid > ?1 AND f.kind <> 'note' \
                     UNION SELECT id, closed_on FROM request \
                      WHERE rowid > ?1 AND closed_on IS NOT NULL)) \
              WHERE true GROUP BY 2, 3",
        ];
        let referrals = [
            "SELECT 'fs', sent_on, partner_id, '', 0, count(*) FROM referral WHERE rowid > ?1 \
              GROUP BY 2, 3",
            "SELECT 'fa', answered_on, partner_id, '', \
                    CAST(julianday(answered_on) - julianday(sent_on) AS INTEGER), count(*) \
               FROM referral WHERE rowid > ?1 AND answered_on IS NOT NULL GROUP BY 2, 3, 5",
        ];
        let add = |select: &str, after: i64| -> Result<()> {
            tx.execute(
                &format!("INSERT INTO figure_count (kind, day, k1, k2, d, n) {select}{UPSERT}"),
                [after],
            )?;
            Ok(())
        };
        for select in requests {
            add(select, self.requests_after)?;
        }
        for select in referrals {
            add(select, self.referrals_after)?;
        }
        for sql in &self.triggers {
            tx.execute_batch(sql)?;
        }
        Ok(())
    }
}
